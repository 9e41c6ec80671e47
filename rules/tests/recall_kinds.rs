//! Issue 14, fourth pass: the shipped detectors and rules for sign-out lists (`age-sex`),
//! forwarded clinical reports (`report-section`), sensitive care addressed to a person
//! (`salutation`, `sensitive-care`) and newsletters, each with positives and hard negatives.
//! Detector tests count matches by name in the decision (never values).

mod common;
use common::*;

#[test]
fn age_sex_forms() {
    for t in [
        "71M s/p TKA",
        "82 yo F CHF",
        "45 F DKA",
        "36yoM cellulitis",
        "88 y/o F fall",
        "4yo M asthma",
        "11 yo F DKA",
        "54 y/o male",
        "101 yo F",
        "67 yr M",
        "82 yo w/ CHF",
    ] {
        assert_eq!(hits("age-sex", t), 1, "{t}");
    }
    for t in [
        "size 10 Main Street",
        "a 67-year-old man",
        "10 m from the door",
        "3M tape",
        "5F conference room",
        "$25Million",
        "Mon 7A-7P",
        "67Mbps link",
        "Form 1099F",
        "yo 5 dudes",
        "12 yrs experience",
        "call 82 you later",
    ] {
        assert_eq!(hits("age-sex", t), 0, "{t}");
    }
}

#[test]
fn report_section_headings() {
    let report = "EXAM: CT HEAD\nTECHNIQUE: axial images\nFINDINGS: no bleed\nIMPRESSION\n1. Normal.\n\
                  Chief complaint: cough\nHospital Course: uneventful\nAssessment and plan: rest";
    assert_eq!(hits("report-section", report), 7);
    // Business headings and prose mentions are not clinical section headings.
    let business = "Findings: 4 charts lacked consent\nResults: 91%\nPlan: repeat audit\n\
                    Objective: reduce cost\nthe impression we got, a comparison of vendors, exam room 4";
    // An audit's `Findings:` is one heading; the rules want two.
    assert_eq!(hits("report-section", business), 1);
}

#[test]
fn salutation_forms() {
    for t in [
        "Hi Ariana,\nsee you",
        "Hello Devon,\n",
        "Dear Mr. Hall:\n",
        "Hola Ana,\n",
        "Good morning Maria Lopez,\n",
    ] {
        assert_eq!(hits("salutation", t), 1, "{t}");
    }
    for t in ["hi there", "Dear colleagues", "say hello to the new team"] {
        assert_eq!(hits("salutation", t), 0, "{t}");
    }
}

#[test]
fn signout_list_is_protected_and_a_staffing_list_is_not() {
    let list = eml(
        "nights signout",
        "612-1 Dufresne 71M s/p R TKA POD2, PT in AM\n614-2 KB 82 yo F CHF exac, lasix IV, f/u BMP\n",
    );
    assert!(fired("phi-handoff", &list));
    let one = eml(
        "ED hold",
        "Pt: 36yoM cellulitis LLE on vanc, needs a med/surg bed",
    );
    assert!(fired("phi-handoff", &one));
    let staffing = eml(
        "staffing",
        "Sat 7A-7P Rooms 610-620 K. Doyle (float)\nSun Rooms 621-630 open\nDiabetes class moved to 3F; garage level 2M closed.",
    );
    assert!(!fired("phi-handoff", &staffing));
    let cases = eml(
        "teaching cases",
        "Case 1: 67M with pneumonia and septic shock.\nCase 2: 54F with UTI and bacteremia.\nUnsubscribe from this newsletter.",
    );
    assert!(!fired("phi-handoff", &cases));
}

#[test]
fn forwarded_report_is_protected_and_a_template_is_not() {
    let fwd = eml(
        "FW: result",
        "> Pt: Whitcombe, Harold   MR# 55-10923\n> EXAM: CT LUMBAR SPINE\n> FINDINGS: L4-5 disc bulge with foraminal stenosis.\n> IMPRESSION: Moderate stenosis.",
    );
    assert!(fired("phi-report", &fwd));
    let template = eml(
        "template",
        "Use these headings:\nEXAM:\nTECHNIQUE:\nCOMPARISON:\nFINDINGS:\nIMPRESSION:\nList pulmonary embolism before incidental findings.",
    );
    assert!(!fired("phi-report", &template));
    assert!(!protected(&template));
}

#[test]
fn sensitive_care_needs_a_person_and_a_possessive() {
    let to_patient = eml(
        "tomorrow",
        "Hi Ariana,\n\nConfirming tomorrow at 10:40 for your IUD check.",
    );
    assert!(fired("phi-sensitive-care", &to_patient));
    let training = eml(
        "skills lab",
        "Hi Jordan,\n\nYou are signed up for the LARC skills lab: IUD insertion on pelvic models.",
    );
    assert!(!fired("phi-sensitive-care", &training));
    let benefits = eml(
        "benefits",
        "Hello team,\n\nStarting January your plan covers IVF and therapy sessions. Newsletter archive online.",
    );
    assert!(!fired("phi-sensitive-care", &benefits));
}

#[test]
fn newsletter_with_care_notice_words_is_not_a_notice() {
    let news = eml(
        "Diabetes Awareness Month",
        "Hi Neighbor,\n\nDo you know your A1c? Ask your provider at your next appointment.\n\
         Brightside newsletter - forward to a friend",
    );
    assert!(!fired("phi-care-notice", &news));
    let notice = eml(
        "results",
        "Hi Pat, your A1c result is in the portal. Reply STOP to unsubscribe from texts.",
    );
    assert!(fired("phi-care-notice", &notice));
}

#[test]
fn addressed_care_needs_a_greeting_and_your_right_before_the_fact() {
    let to_patient = eml(
        "labs",
        "Hi Theresa,\n\nYour potassium was slightly low, please repeat a BMP next week.",
    );
    assert!(fired("phi-addressed-care", &to_patient));
    let no_greeting = eml("labs", "Your potassium was slightly low.");
    assert!(!fired("phi-addressed-care", &no_greeting));
    let far = eml(
        "benefits",
        "Hi Karen,\n\nYour plan now covers more: preventive care, diabetes education and more.",
    );
    assert!(!fired("phi-addressed-care", &far));
    let list = eml(
        "tips",
        "Hi Neighbor,\n\nKnow your blood pressure numbers. Unsubscribe from this newsletter.",
    );
    assert!(!fired("phi-addressed-care", &list));
}
