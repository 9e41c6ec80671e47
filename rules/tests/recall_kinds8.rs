//! Issue 14, eighth pass: mechanisms rather than kinds (`deploy/rules/58-phi-recall.toml` and
//! the shared detectors it leans on) — care written to a patient's own webmail address and
//! greeted by name, a person under a record label whatever the name's origin, greetings in the
//! European languages patients write in, a record number in an attachment's file name, and a
//! case list its writer declares de-identified. Positives and hard negatives written for these
//! tests (not taken from any corpus).

mod common;
use common::*;

/// A plain message from the clinic to `to` (header and envelope).
fn mail_to(to: &str, subject: &str, body: &str) -> Vec<u8> {
    mail_between(
        "Care Team <team@clinic.example>",
        to,
        subject,
        "text/plain",
        body,
    )
}

/// The rules fired and whether the one recipient `to` is protected.
fn decide(to: &str, raw: &[u8]) -> (Vec<String>, bool) {
    decide_for("team@clinic.example", to, raw)
}

#[test]
fn care_written_to_a_patients_own_webmail() {
    let to = "lena.hartmann77@gmail.com";
    for body in [
        "Hi Lena,\n\nThe culture grew E. coli, so we are switching you to nitrofurantoin 100 mg twice daily for five days.\n\nCall us if the fever returns.",
        "Dear Mr. Okonkwo,\n\nPer our call: continue the apixaban, and hold it two days before the ablation on the 14th.",
        "Hello Priyanka,\n\nAttached are the instructions for the sleep study; bring your CPAP mask if you already have one. The apnea screening questionnaire is on page 2.",
        "Hi Tomasz,\n\nWe got your note about the transport bill.\nAccount: TR5502118\nInsurance response: not medically necessary\nBalance due: $1,140.00\nWe will appeal with the run report.",
    ] {
        let (rules, protected) = decide(to, &mail_to(to, "from your care team", body));
        assert!(
            rules.iter().any(|r| r == "phi-personal-address"),
            "{body}\n{rules:?}"
        );
        assert!(protected, "{body}");
    }
}

#[test]
fn webmail_without_care_or_to_a_list_is_not_phi() {
    let to = "lena.hartmann77@gmail.com";
    for body in [
        // Employment mail names the unit's clinical work, not anyone's care.
        "Hi Lena,\n\nWe would love to make you an offer letter for the Infusion RN opening; the pre-employment health screening is scheduled by Employee Health.",
        "Hello Lena,\n\nThanks for volunteering at the blood drive on Saturday. Parking is in lot C.",
        // An offer to a reader is marketing.
        "Hi Lena,\n\nFlu shots are in at every store, and this coupon takes $5 off vitamins; the diabetes and blood pressure screenings are free on Saturday.",
        "Dear Lena,\n\nYour invoice for the March yoga class is attached. Balance due: $40.",
    ] {
        let (rules, protected) = decide(to, &mail_to(to, "hello", body));
        assert!(!protected, "{body}\n{rules:?}");
    }
    // The same care note to a colleague at a firm's domain is left to the other rules.
    let colleague = "nurse@partnerclinic.example";
    let (rules, _) = decide(
        colleague,
        &mail_to(
            colleague,
            "protocol",
            "Hi Dana,\n\nThe revised sepsis bundle starts Monday: lactate within the hour and cefepime first-line.",
        ),
    );
    assert!(
        !rules.iter().any(|r| r == "phi-personal-address"),
        "{rules:?}"
    );
    // Mail to a list is not about the reader.
    let (_, protected) = decide(
        to,
        &to_list(
            "news@clinic.example",
            "Lena <lena.hartmann77@gmail.com>, undisclosed-recipients:;",
            "Hi Lena,\n\nThis month: managing hypertension and the new metformin guidance. Unsubscribe any time.",
        ),
    );
    assert!(!protected);
}

#[test]
fn a_person_under_a_record_label_whatever_the_name() {
    check_rule(
        "phi-labelled-person",
        "records",
        &[
            "Patient: Şükrü Yıldırım\nRequest: copy of the colonoscopy report and pathology.",
            "Client: Wojciechowska, Agnieszka\nReason for referral: panic attacks, started sertraline last month.",
            "Per the court's order we will complete the psychological evaluation for your client, Dragoș Ionescu, on Thursday.",
            "Participant: Bérénice Lefèvre-Ngata\nAdverse event: syncope after the second infusion.",
        ],
        &[
            // Labels over staff, or with no health fact near.
            "Patient: Jürgen Maier\nHe asked us to update his mailing address and phone.",
            "Member: Chiara Bellucci joined the facilities committee; next meeting in room 4.",
            "Subject: Flu Clinic Staffing\nWe still need two volunteers for the tent.",
        ],
    );
    // Rows of study participants with visit dates, in a CSV attachment.
    let csv = "Subject name,Visit,Visit date,Amount\nNgozi Adeyemi-Olsen,Week 4,11/03/2026,75.00\nEsra Kılıç,Screening,11/05/2026,50.00\n";
    let raw = with_attachment(
        "Stipend batch for the migraine prevention trial attached.",
        "text/csv",
        "batch.csv",
        csv.as_bytes(),
    );
    assert!(
        rules_of(&raw).iter().any(|r| r == "phi-labelled-person"),
        "{:?}",
        rules_of(&raw)
    );
    // The same rows for a staff training class are not care.
    let csv = "Attendee,Session,Session date\nNgozi Adeyemi-Olsen,Fire safety,11/03/2026\nEsra Kılıç,Fire safety,11/05/2026\n";
    let raw = with_attachment(
        "Attendance for the fire safety refresher.",
        "text/csv",
        "attendance.csv",
        csv.as_bytes(),
    );
    assert!(!protected(&raw), "{:?}", rules_of(&raw));
}

#[test]
fn greetings_in_other_european_languages() {
    for body in [
        "Hallo Jürgen,\n",
        "Sehr geehrte Frau Schäfer,\n",
        "Gentile Lucia,\n",
        "Buongiorno Marco,\n",
        "Merhaba Ayşe,\n",
        "Sayın Öztürk,\n",
        "Dzień dobry Małgorzata,\n",
        "Geachte Mevrouw Jansen,\n",
        "Hej Ingrid,\n",
    ] {
        assert_eq!(hits("salutation", body), 1, "{body}");
    }
    // Not a greeting: the word inside a sentence, a greeting to a group.
    assert_eq!(
        hits("salutation", "Der Termin ist am Montag; liebe grüße.\n"),
        0
    );
}

#[test]
fn a_record_number_in_an_attachment_file_name() {
    for name in [
        "MRN_40658771_holter.pdf",
        "MRN40658771_EEG_20261103.pdf",
        "mrn-40658771-pft.pdf",
    ] {
        let raw = with_attachment(
            "Please see attached.",
            "application/pdf",
            name,
            b"%PDF-1.4\n",
        );
        assert!(
            rules_of(&raw).iter().any(|r| r == "phi-identifier"),
            "{name}"
        );
    }
    for name in ["MRN_field_spec.pdf", "mrn-policy-2026.pdf"] {
        let raw = with_attachment(
            "Please see attached.",
            "application/pdf",
            name,
            b"%PDF-1.4\n",
        );
        assert!(!protected(&raw), "{name}");
    }
}

#[test]
fn a_case_list_declared_de_identified() {
    let list = "Grand rounds cases (de-identified, year only):\n1. 64M, 2024 - stage II colon adenocarcinoma, adjuvant chemo\n2. 71F, 2025 - HFpEF with recurrent admissions\n3. 58M, 2023 - cirrhosis, variceal bleed";
    assert!(
        !protected(&eml("grand rounds", list)),
        "{:?}",
        rules_of(&eml("grand rounds", list))
    );
    // A sign-out list is still one, and a named patient in a "de-identified" list still counts.
    let signout = "Overnight list:\nBed 3: 64M s/p colectomy POD2, pain controlled\nBed 5: 71F CHF exacerbation, diuresing";
    assert!(protected(&eml("signout", signout)));
    let named = format!("{list}\n4. Maria Gonzalez 49F, 2025 - breast cancer, HER2+");
    assert!(protected(&eml("grand rounds", &named)));
}
