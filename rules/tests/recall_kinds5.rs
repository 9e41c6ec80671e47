//! Issue 14, fifth pass: the shipped detectors and rules for ages over 89 written out or as
//! age and sex (`age-over-89-written`, `age-over-89-sex`, `age-over-89-words`), lab results (`lab-value`,
//! `phi-lab-result`), bills for care (`cpt-code`, `care-balance`, `phi-care-bill`) and a
//! patient's own message quoted or forwarded (`quoted-from`, `phi-quoted-voice`), each with
//! positives and hard negatives. Detector tests count matches by name (never values).

mod common;
use common::*;

#[test]
fn ages_over_89_in_more_forms() {
    for t in ["she is 91 years of age", "a 94-year-old", "93 y/o"] {
        assert_eq!(hits("age-over-89-written", t), 1, "{t}");
    }
    for t in ["90 years of service", "92 years in business"] {
        assert_eq!(hits("age-over-89-written", t), 0, "{t}");
    }
    for t in [
        "Admit: 97F with AMS",
        "93 M from the nursing home",
        "92 female, lives alone",
    ] {
        assert_eq!(hits("age-over-89-sex", t), 1, "{t}");
    }
    // A temperature (`101F`), an age under 90, a street.
    for t in [
        "fever to 101F overnight",
        "89F with CHF",
        "Suite 95 Fifth Ave",
    ] {
        assert_eq!(hits("age-over-89-sex", t), 0, "{t}");
    }
    for t in [
        "the gentleman is ninety-four, widowed",
        "Aged ninety-one",
        "a ninety-two-year-old",
        "one hundred years old",
    ] {
        assert_eq!(hits("age-over-89-words", t), 1, "{t}");
    }
    for t in ["ninety days past due", "ninety-four patients enrolled"] {
        assert_eq!(hits("age-over-89-words", t), 0, "{t}");
    }
    let note = eml(
        "placement",
        "The gentleman is ninety-four, widowed, with dementia and a recent UTI.",
    );
    assert!(protected(&note));
}

#[test]
fn lab_values_need_a_value_right_after_the_analyte() {
    let result =
        "TSH 7.9 mIU/L\nHgb 6.9 g/dL L\nPotassium: 5.6 mmol/L H\nA1c 8.4 %\nPlt 48 x10^3/uL";
    assert_eq!(hits("lab-value", result), 5);
    // Ranges and targets are no one's result.
    let ranges = "Potassium 3.5 - 5.1 mmol/L\nan LDL under 100 mg/dL\nTSH range 0.45-4.5";
    assert_eq!(hits("lab-value", ranges), 0);
    // A measured blood pressure; not a target or a ratio.
    assert_eq!(hits("lab-value", "BP 148/86, lungs clear"), 1);
    assert_eq!(hits("lab-value", "keep your BP under 130/80; ratio 3/4"), 0);
}

#[test]
fn specialty_mail_by_its_own_words() {
    // A home-health visit note: a name, wound findings, a brand-name diuretic.
    let visit = eml(
        "visit note",
        "Saw Walter Briggs today for SN visit. Incision well approximated. BP 148/86. Reinforced lasix and daily weights.",
    );
    assert!(protected(&visit));
    // A referral: `referring` puts the named person in an encounter.
    let referral = eml(
        "referral",
        "Referring Kevin Tran for extraction of #17 and #32, partially impacted, recurrent pericoronitis.",
    );
    assert!(protected(&referral));
    // A behavioural-health session with its screener, to the patient.
    let session = eml(
        "rescheduled",
        "Hi Ashley, we moved your session to Tuesday. Your intake paperwork and the PHQ-9 are in the portal.",
    );
    assert!(fired("phi-sensitive-care", &session));
    // An employee's badge and the staff flu-shot deadline are not a patient's.
    let badge = eml(
        "badge",
        "Hi Megan, your new badge (employee ID 448120) is ready. The annual flu shot and TB test are due by 12/15 for all staff.",
    );
    assert!(!protected(&badge));
}

#[test]
fn a_lab_result_needs_a_person_and_no_list() {
    let to_patient = eml(
        "Your results are in",
        "A new result is available.\nHemoglobin A1c: 8.4 % (H)\nGlucose: 162 mg/dL (H)",
    );
    assert!(fired("phi-lab-result", &to_patient));
    let about = eml(
        "critical",
        "Critical result on Whitaker, Doris: Hgb 6.9 g/dL LL, Plt 48 x10^3/uL L",
    );
    assert!(fired("phi-lab-result", &about));
    let qc = eml(
        "QC",
        "Level 2 control: Potassium 6.2 mmol/L H. No patient samples were reported.",
    );
    assert!(!fired("phi-lab-result", &qc));
    let mailing = eml(
        "Know your numbers",
        "Hi Kevin, your LDL 130 mg/dL or higher? Ask about a lipid panel.\nUnsubscribe",
    );
    assert!(!fired("phi-lab-result", &mailing));
}

#[test]
fn cpt_codes_need_their_label() {
    assert_eq!(
        hits(
            "cpt-code",
            "CPT 99214\nCPT: 73562\nHCPCS E0601\nCPT code 20610"
        ),
        4
    );
    assert_eq!(
        hits("cpt-code", "the 2027 CPT update; code 20610; order 99214"),
        0
    );
}

#[test]
fn a_bill_for_care_is_protected_and_a_vendor_bill_is_not() {
    let plan = eml(
        "payment plan",
        "Hi Mark,\n\nWe set up a payment plan for the remaining $1,240 for the bone graft from September.",
    );
    assert!(fired("phi-care-bill", &plan));
    let statement = eml(
        "Statement",
        "Statement for: Lorraine Farrell\n10/14/2026 CPT 99204 office visit $95.00\nBalance due: $95.00",
    );
    assert!(fired("phi-care-bill", &statement));
    let vendor = eml(
        "Invoice past due",
        "Hello,\n\nInvoice 448813 for linen service (scrubs, gowns), balance due $2,315.60, is 60 days past due on account 772019. Ask about a payment plan.",
    );
    assert!(!fired("phi-care-bill", &vendor));
    assert!(!protected(&vendor));
    let hsa = eml(
        "HSA",
        "Hi Jamal,\n\nYour HSA account balance is $2,410.18. Eligible expenses include copays and eye exams.",
    );
    assert!(!fired("phi-care-bill", &hsa));
}

#[test]
fn quoted_headers() {
    for t in [
        "From: Kayla <kayla.m@mail.example>\nSent: Monday",
        "From: Marcus Bell [mailto:mbell@mail.example]",
        "On Wed, Dec 2, 2026 at 6:30 PM Tyler Grant <tg@mail.example> wrote:",
    ] {
        assert_eq!(hits("quoted-from", t), 1, "{t}");
    }
    // A colleague quoted by Outlook (name only), prose.
    for t in [
        "From: Tasha Green\nSent: Tuesday",
        "On Monday we wrote: nothing",
    ] {
        assert_eq!(hits("quoted-from", t), 0, "{t}");
    }
}

#[test]
fn a_patients_own_words_quoted_are_protected() {
    let iud = eml(
        "RE: question",
        "See below.\n\nFrom: Kayla <kayla.m@mail.example>\nSent: Wednesday 9:18 PM\n\nhi its Kayla, i had the iud put in last week and i'm still cramping",
    );
    assert!(fired("phi-quoted-voice", &iud));
    let parent = eml(
        "RE: school form",
        "See below.\n\nFrom: Marcus Bell <mbell@mail.example>\n\nmy daughter Zoe needs her asthma action plan signed for school.",
    );
    assert!(fired("phi-quoted-voice", &parent));
    // A supplier and a help-desk thread say "I" beside supplies and devices.
    let vendor = eml(
        "Fwd: quote",
        "See below.\n\nFrom: Alicia Moore <amoore@supply.example>\n\nI have the quote for the glucometer test strips ready; I can hold the price.",
    );
    assert!(!fired("phi-quoted-voice", &vendor));
    let it = eml(
        "RE: scanner",
        "See below.\n\nFrom: Brian Ortiz <bortiz@clinic.example>\n\nI think the ultrasound cart's scanner in my unit stopped pairing. I had to type the MRI order numbers.",
    );
    assert!(!fired("phi-quoted-voice", &it));
    let newsletter = eml(
        "Fwd: stories",
        "From: Wellness <news@plan.example>\n\nI had my IUD placed last year and love it!\nUnsubscribe",
    );
    assert!(!fired("phi-quoted-voice", &newsletter));
}

#[test]
fn offers_and_plan_benefits_are_not_care() {
    let offer = eml(
        "save on your prescriptions",
        "Hi Linda,\n\nTransfer your prescriptions to CareRx and get a $10 gift card. Free delivery of your medications.",
    );
    assert!(!protected(&offer));
    let enrollment = eml(
        "Open enrollment",
        "Hi Jordan, open enrollment ends 12/12. Your current plan covers IVF, therapy sessions and physical therapy.",
    );
    assert!(!protected(&enrollment));
    // The same words about one patient's care still are.
    let reminder = eml(
        "refill",
        "Hi Linda,\n\nYour refill of your medication is ready for pickup at the counter.",
    );
    assert!(fired("phi-care-notice", &reminder));
    let ivf = eml(
        "cycle",
        "Hi Priya,\n\nYour IVF cycle starts Monday; trigger shot instructions attached.",
    );
    assert!(fired("phi-sensitive-care", &ivf));
}
