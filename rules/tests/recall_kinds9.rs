//! Issue 14, ninth pass: kinds of clinic mail the seventh corpus showed missed or
//! over-protected (`deploy/rules/59-phi-ninth.toml`, `45-not-phi.toml` and the guards added to
//! `50-phi.toml` and `57-phi-languages.toml`). Every example here was written for these tests in
//! wordings of its own — not taken from any corpus — with hard negatives that must stay
//! unprotected.

mod common;
use common::*;

/// A message from the clinic to `to` (header and envelope) with a plain or HTML body.
fn mail(to: &str, subject: &str, ctype: &str, body: &str) -> Vec<u8> {
    mail_between("Front Desk <desk@clinic.example>", to, subject, ctype, body)
}

/// The rules fired and whether the one recipient `to` is protected.
fn decide(to: &str, raw: &[u8]) -> (Vec<String>, bool) {
    decide_for("desk@clinic.example", to, raw)
}

/// Each of `positives` fires `rule` and is protected for `to`; each of `negatives` is delivered.
fn check_to(to: &str, rule: &str, positives: &[Vec<u8>], negatives: &[Vec<u8>]) {
    for raw in positives {
        let (rules, protected) = decide(to, raw);
        let text = String::from_utf8_lossy(raw);
        assert!(rules.iter().any(|r| r == rule), "{rule}: {text}\n{rules:?}");
        assert!(protected, "{text}");
    }
    for raw in negatives {
        let (rules, protected) = decide(to, raw);
        assert!(!protected, "{}\n{rules:?}", String::from_utf8_lossy(raw));
    }
}

/// An HTML table as Outlook writes it: every cell's text in its own `MsoNormal` paragraph.
fn outlook_table(rows: &[&[&str]]) -> String {
    let mut t = String::from("<table class=\"MsoNormalTable\" border=\"1\">\n");
    for row in rows {
        t.push_str("<tr>");
        for cell in *row {
            t.push_str(&format!("<td><p class=\"MsoNormal\">{cell}</p></td>"));
        }
        t.push_str("</tr>\n");
    }
    t.push_str("</table>\n");
    t
}

#[test]
fn dental_treatment_plan_to_the_patient() {
    let to = "marco.bellini@yahoo.com";
    let table = outlook_table(&[
        &["Tooth", "Code", "Procedure", "Fee", "Your share"],
        &["19", "D2740", "Crown - porcelain", "$1,200.00", "$600.00"],
        &["30", "D3330", "Root canal, molar", "$1,050.00", "$525.00"],
    ]);
    let html = |greeting: &str| {
        format!(
            "<html><body><p class=\"MsoNormal\">{greeting}</p><p class=\"MsoNormal\">Here is the plan the doctor went over with you and what we expect your insurance to pay.</p>{table}<p class=\"MsoNormal\">Call us to book the first visit.</p></body></html>"
        )
    };
    check_to(
        to,
        "phi-dental-plan",
        &[
            mail(to, "your estimate", "text/html", &html("Marco -")),
            mail(to, "plan", "text/html", &html("Good afternoon Marco,")),
            mail(
                to,
                "Treatment plan",
                "text/plain",
                "Treatment plan for Marco Bellini:\n#3 D2950 core buildup $310\n#3 D2750 crown $1,180\nPerio: D4342 scaling and root planing, 1-3 teeth, upper left.\nLet us know which date works.",
            ),
        ],
        &[
            // A fee schedule, a list's promotion and a coding note name no patient.
            mail(
                "contracts@dentalplan.example",
                "2027 fees",
                "text/plain",
                "Proposed 2027 fee schedule:\nD0120 periodic oral evaluation $52\nD1110 adult cleaning $98\nD2740 crown porcelain $1,150\nD3330 root canal molar $1,020",
            ),
            mail(
                to,
                "Spring smiles",
                "text/plain",
                "Dear Marco,\n\nThis month only: whitening for $99 and a free electric toothbrush with every cleaning. Book online.\n\nYou are receiving this because you joined our mailing list. Unsubscribe any time.",
            ),
            mail(
                "billing@clinic.example",
                "coding change",
                "text/plain",
                "Team - from January the carrier wants a narrative with D4341 and D4342 claims (scaling and root planing, per quadrant). Attach the tooth chart to each claim.",
            ),
        ],
    );
}

#[test]
fn deficiency_list_keyed_by_record_number() {
    let to = "dr.okafor@hospital.example";
    let table = outlook_table(&[
        &["Med Rec #", "Account", "Discharge Date", "Document", "Days"],
        &["4471029", "880012345", "10/02/2026", "H&amp;P - sign", "21"],
        &[
            "5519034",
            "880016789",
            "10/05/2026",
            "Discharge summary - dictate",
            "18",
        ],
        &[
            "66 203 18",
            "880019911",
            "10/09/2026",
            "Progress note - cosign",
            "14",
        ],
    ]);
    let body = format!(
        "<html><body><p class=\"MsoNormal\">Dr. Okafor,</p><p class=\"MsoNormal\">These charts are still open.</p>{table}</body></html>"
    );
    check_to(
        to,
        "phi-record-list",
        &[mail(to, "Open charts", "text/html", &body)],
        &[
            // A blank form and a policy name the columns, not anyone's stay.
            mail(
                to,
                "form",
                "text/plain",
                "Please use the new deficiency form: Med Rec # ________  Discharge Date __/__/____  Document ________",
            ),
            mail(
                to,
                "policy",
                "text/plain",
                "Record completion policy: a chart is delinquent 30 days after discharge; HIM reports the count by physician each month. The committee meets on the first Tuesday.",
            ),
        ],
    );
}

/// A calendar invitation with `attendees` (each a name, or none, and an address) and a description.
fn invite(summary: &str, description: &str, attendees: &[(&str, &str)]) -> Vec<u8> {
    let mut ics = format!(
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nDTSTART:20261203T170000Z\r\nSUMMARY:{summary}\r\nDESCRIPTION:{description}\r\nORGANIZER:mailto:lpark@clinic.example\r\n"
    );
    for (name, address) in attendees {
        let cn = if name.is_empty() {
            String::new()
        } else {
            format!(";CN={name}")
        };
        ics.push_str(&format!(
            "ATTENDEE{cn};ROLE=REQ-PARTICIPANT:mailto:{address}\r\n"
        ));
    }
    ics.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
    with_attachment(
        "Invite attached.",
        "text/calendar",
        "invite.ics",
        ics.as_bytes(),
    )
}

#[test]
fn therapy_group_invite_names_its_clients() {
    let clients = [
        ("Rosa Iglesias", "rosa.iglesias@gmail.com"),
        ("Dmytro Kovalenko", "dkovalenko77@outlook.com"),
        ("Aoife Brennan", "aoifeb@icloud.com"),
    ];
    check_rule_raw(
        "phi-group-roster",
        &[
            invite(
                "DBT skills group - session 4",
                "Weekly DBT skills group. Bring your diary card.",
                &clients,
            ),
            invite(
                "Tuesday relapse prevention group",
                "Roster: Rosa Iglesias\\; Dmytro Kovalenko\\; Aoife Brennan\\nRoom 3",
                &[("", "lpark@clinic.example")],
            ),
        ],
        &[
            // Clinicians' own meetings and a training.
            // (Colleagues named in an invitation — its organizer or attendees at the clinic's
            // own domain — beside therapy words are taken for patients by `phi-clinical`: a
            // false positive of its own, not this rule's, left for the name detector.)
            invite(
                "DBT consultation team",
                "Weekly consultation team for the DBT skills group therapists.",
                &[("", "lpark@clinic.example")],
            ),
            invite(
                "Group therapy facilitation training",
                "Training for new group therapy facilitators, 3 CE hours.",
                &[("", "dana.roy@gmail.com"), ("", "sam.ito@yahoo.com")],
            ),
        ],
    );
}

#[test]
fn diagnosis_with_a_stay_date() {
    check_rule(
        "phi-dx-dated",
        "FW: placement",
        &[
            "Forwarding from the unit.\n\nCan we get home PT started for the lady in 4 West? Dx: L hip fracture s/p ORIF. Likely d/c 11/02, needs a walker and a shower chair.",
            "Admitted 10/14.\nDiagnosis: COPD exacerbation, on a prednisone taper and nebulizers.\nNeeds home oxygen eval before discharge.",
            "Can hospice see Walter Greene this week?\nDx: metastatic pancreatic cancer, on a morphine pump.\nWife at bedside.",
        ],
        &[
            "Documentation tip: when the diagnosis is sepsis, write it out. Example - Dx: sepsis due to pneumonia, admitted 3/12.",
            "Dx: codes must be specific. Pneumonia codes changed on 10/01 this year.",
        ],
    );
}

#[test]
fn texting_style_note_naming_a_patient_in_lower_case() {
    check_rule(
        "phi-texting-handoff",
        "",
        &[
            "hey pt maria gonzales ph 555-201-3344 bp 180/100 this morning, took her lisinopril already. can u call her",
            "re jon kim dob 4/2/58 needs metformin refill sent today pls",
            "pt ahmed haddad 72 yo m c/o sob worse at night, dr wants chest xray",
            // A name in any letters, of three words.
            "re ní bhriain saoirse ph 555 301 2290 dizzy again, bp 88/50, hold the metoprolol?",
            // No name: an age, sex and where the person lives.
            "fyi 71 yo m lives at 22 birch lane - fell at home last night, on warfarin, pls send inr",
        ],
        &[
            "re the oxygen order ph 555-201-3344 - tanks go to the 3rd floor closet",
            "the mobile van lives at 400 main st on mondays; flu shots for staff 9-11",
            "pt rooms 4 and 5 need cleaning before 2, supplies in the closet",
        ],
    );
}

#[test]
fn a_relative_writes_about_a_family_members_care() {
    let to = "kasia.nowak@gmail.com";
    check_to(
        to,
        "phi-relative-care",
        &[
            mail(
                to,
                "Re: question",
                "text/plain",
                "Thanks, I passed this to the nurse.\n\n> My mother Ruth is your patient. She ran out of her warfarin on Sunday and is dizzy.",
            ),
            mail(
                to,
                "Re: my husband",
                "text/plain",
                "We will call you back today.\n\n-----Original Message-----\nI'm writing about my husband, Tomasz. His ankles are swollen since he started amlodipine.",
            ),
        ],
        &[
            mail(
                "manager@clinic.example",
                "out today",
                "text/plain",
                "My dad had his knee surgery this morning so I'm out today, back on monday.",
            ),
            mail(
                to,
                "Caregiver night",
                "text/plain",
                "Caring for a mother or father with dementia? Join our free caregiver support workshop on Thursday.",
            ),
        ],
    );
}

#[test]
fn a_record_only_in_the_subject() {
    check_rule_raw(
        "phi-subject-record",
        &[
            eml(
                "NAVARRO, Elena 02/11/1957 - CPAP mask leak, needs refit",
                "See subject. Please call me back.",
            ),
            eml(
                "Re: KOWALSKI, Piotr 7/30/1949 new warfarin dose",
                "per subject, pharmacy needs the order today",
            ),
        ],
        &[
            eml(
                "CPAP cleaning policy",
                "See subject - updated policy attached for all staff.",
            ),
            eml("Lunch order", "See subject. Pizza at noon."),
        ],
    );
}

#[test]
fn a_bare_member_number_with_a_spaced_prefix() {
    check_rule(
        "phi-identifier",
        "elig",
        &[
            "Elig check pls - member ID WQP 88120045317-01, dos friday",
            "subscriber # ABC 7788990011 came back inactive, can you look",
            "insurance ID on card ZX4-88120033 shows not found on the 270",
            "pls verify Medicaid # 91234567A before the visit, says inactive",
            "Mcaid # 4400912312 termed? claim rejected again",
            "MCD 301-442-118 - still active for dos 12/01?",
        ],
        &[
            "Your card ID 4471023 opens the parking garage from Monday.",
            "member # 12 of the committee will present the budget",
            "Medicaid expansion added 120000 members statewide this year.",
        ],
    );
}

#[test]
fn veterinary_referral_and_owner_mail_are_not_phi() {
    for body in [
        "Dear Dr. Lind,\n\nReferring our patient Biscuit, a MN beagle (canine, DOB 04/02/2016), for a grade 4 murmur and cough. Meds: pimobendan 5 mg BID.\nOwner: Harriet Cole, 555-201-8890.\n\nGreg Moss, DVM\nWillow Bend Animal Clinic",
        "Hi Harriet,\n\nWhiskers (Siamese, feline) is due for her FVRCP booster and a senior blood panel. Account 118204.\n\nWillow Bend Pet Care Center",
    ] {
        let raw = eml("referral", body);
        assert!(!protected(&raw), "{body}\n{:?}", rules_of(&raw));
    }
    // A bite report to animal control is a person's care, whatever animal it names.
    let bite = eml(
        "bite report",
        "Victim: Ana Ruiz, DOB 03/04/1980, 12 Elm St\nBitten by a neighbor's canine; rabies PEP started, tetanus given. The dog's DVM confirmed vaccines are current.",
    );
    assert!(protected(&bite), "{:?}", rules_of(&bite));
}

fn fhir(resources: &str) -> Vec<u8> {
    let json = format!(r#"{{"resourceType":"Bundle","type":"searchset","entry":[{resources}]}}"#);
    with_attachment(
        "Sample directory response attached.",
        "application/fhir+json",
        "bundle.json",
        json.as_bytes(),
    )
}

#[test]
fn fhir_directory_without_patients_is_not_phi() {
    let practitioner = r#"{"resource":{"resourceType":"Practitioner","id":"p1","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}],"name":[{"family":"Hall","given":["Nora"]}],"telecom":[{"system":"phone","value":"555-201-7788"}]}},{"resource":{"resourceType":"PractitionerRole","practitioner":{"reference":"Practitioner/p1"},"specialty":[{"text":"Cardiology"}]}},{"resource":{"resourceType":"Organization","name":"Lakeside Heart Clinic"}}"#;
    let raw = fhir(practitioner);
    assert!(!protected(&raw), "{:?}", rules_of(&raw));
    assert!(fired("not-phi-fhir-directory", &raw));
    // The same bundle with a patient in it is protected.
    let patient = r#",{"resource":{"resourceType":"Patient","name":[{"family":"Ruiz","given":["Ana"]}],"birthDate":"1980-03-04"}},{"resource":{"resourceType":"Condition","code":{"text":"atrial fibrillation"}}}"#;
    let raw = fhir(&format!("{practitioner}{patient}"));
    assert!(protected(&raw), "{:?}", rules_of(&raw));
}

#[test]
fn order_number_beside_a_masked_card_is_not_a_card() {
    let order = eml(
        "Your order has shipped",
        "Order 4582103377612403 shipped today by UPS.\nPaid with card ending 7781.\nItems: exam gloves (10 boxes), tongue depressors.",
    );
    assert!(!protected(&order), "{:?}", rules_of(&order));
    // A card given with its expiry is a card, order number or not.
    let card = eml(
        "copay",
        "Order 4582103377612403: patient paid by card 4111 1111 1111 1111 exp 04/28, card ending 1111.",
    );
    assert!(protected(&card), "{:?}", rules_of(&card));
}

#[test]
fn aggregate_figures_are_not_phi() {
    let body = "Dear Priya,\n\nFlu vaccination by unit for Q3 (aggregate counts, no individual-level data):\n4 West 88% of 52\n5 North 91% of 40\nICU 95% of 61\nAsthma clinic visits: 212\n\nThanks,\nOmar";
    let raw = eml("Q3 vaccination summary", body);
    assert!(!protected(&raw), "{:?}", rules_of(&raw));
    // A patient named with a birth date is protected whatever the mail calls its figures.
    let raw = eml(
        "Q3 summary",
        &format!(
            "{body}\n\nSeparately: Ana Ruiz, DOB 03/04/1980, asthma visit 10/02 - please call her."
        ),
    );
    assert!(protected(&raw), "{:?}", rules_of(&raw));
}

#[test]
fn translation_glossary_is_not_a_patient_letter() {
    let body = "Hi Grace,\n\nPlease use this glossary for the next batch of letter templates:\nEnglish | Português | Français/Kreyòl | Tagalog\ndiabetes | diabetes | diabète | diyabetis\nblood pressure | pressão arterial | tension artérielle | presyon ng dugo\ntest results | resultados dos exames | résultats des analyses | resulta ng pagsusuri\nappointment | consulta | rendez-vous | appointment\nprescription | receita | ordonnance | reseta";
    let raw = eml("Glossary", body);
    assert!(!protected(&raw), "{:?}", rules_of(&raw));
}

#[test]
fn a_clock_time_counts_and_i_am_does_not() {
    check_rule(
        "phi-visit-reminder",
        "Reminder",
        &[
            "Your colonoscopy is on 11/24 at 9:30 AM at Summit Endoscopy. Clear liquids the day before; call to reschedule.",
        ],
        &[
            "Hello, I am covering the front desk this week. The colonoscopy prep sheet is in the shared drive; call to reschedule if the room is double booked.",
        ],
    );
}
