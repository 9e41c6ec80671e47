//! Issue 14, seventh pass: kinds of clinic mail the second corpus's held-out split still missed,
//! one test per mechanism of `deploy/rules/56-phi-seventh.toml` — record numbers under other
//! labels, a calendar entry named for a patient, a short appointment reminder naming the test,
//! a transport roster of patients — each with positives and hard negatives written for these
//! tests (not taken from any corpus).

mod common;
use common::*;

fn notes(bodies: &[&str]) -> Vec<Vec<u8>> {
    bodies.iter().map(|b| eml("update", b)).collect()
}

/// A message from `from` to `to` with `subject` and a plain body.
fn mail(from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        body.replace('\n', "\r\n")
    )
    .into_bytes()
}

#[test]
fn record_numbers_under_other_labels() {
    check_rule_raw(
        "phi-record-number",
        &notes(&[
            "Please merge MRNs 4065877 and 6775592, same person registered twice.",
            "Duplicate chart: Patient ID 40658771 should be combined into Patient ID 67755920.",
            "HIM ticket: overlay suspected, MRN 00-40-65-877 and MRN 00-67-75-592.",
            "Can you fix MRN#: 000004065877? The DOB was keyed wrong at registration.",
            "Pt # 5512093 needs the wrong encounter moved off.",
            "Hospital number 88120347 was issued twice; please retire the second.",
            "Please merge MR 4065877 into MR 6775592.",
        ]),
        &notes(&[
            // Labels without a record number, and numbers that are not records.
            "Reminder: two patient identifiers (name and DOB) before every draw; patient ID bracelets are on order.",
            "The MRN field is now mandatory in the referral form.",
            "Two vendor records for Shepherd and Hughes: V660723 and V079371; please merge and move PO 8701562.",
            "Charts for the 2024 and 2025 audits are in the shared folder.",
            "MR imaging slots: 12 open next week, call 555-0182.",
        ]),
    );
    // A record labelled as test data is no one's.
    assert!(!protected(&eml(
        "test",
        "ZZTEST patient: merge Patient ID 4065877 into 6775592 in the training environment."
    )));
}

#[test]
fn record_merge_with_bare_numbers() {
    check_rule_raw(
        "phi-record-merge",
        &notes(&[
            "Ticket: duplicate registration. Keep 4065877, retire 6775592. Please merge the charts.",
            "Downtime MRNs to merge:\n D40658 -> 4065877\n D67755 -> 6775592",
            "Overlay on the patient record: 40658771 and 67755920 are two people, please unmerge.",
        ]),
        &notes(&[
            // A vendor's or a supplier's records, one number only, no record words.
            "Two vendor records for Shepherd, Smith and Hughes: V660723 and V079371. Please merge into the first and move open PO 8701562 over.",
            "Duplicate invoices 4065877 and 6775592 from the linen supplier; please merge the payments.",
            "Please merge the two registration forms into one template before 20261201.",
        ]),
    );
}

/// A calendar invite with one event (`SUMMARY`, `LOCATION` as given).
fn invite(subject: &str, summary: &str, location: &str) -> Vec<u8> {
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:42@clinic.example\r\nDTSTART;TZID=America/New_York:20261124T134000\r\nDTEND;TZID=America/New_York:20261124T142000\r\nSUMMARY{summary}\r\nLOCATION{location}\r\nORGANIZER;CN=Alec Smith:mailto:asmith@clinic.example\r\nATTENDEE;CN=Brittany Bailey;RSVP=TRUE:mailto:bbailey@clinic.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    format!(
        "From: Alec Smith <asmith@clinic.example>\r\nTo: Brittany Bailey <bbailey@clinic.example>\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nYou have been invited to an event.\r\n--b1\r\nContent-Type: text/calendar; method=REQUEST; name=\"invite.ics\"\r\nContent-Disposition: attachment; filename=\"invite.ics\"\r\n\r\n{ics}--b1--\r\n"
    )
    .into_bytes()
}

#[test]
fn calendar_entry_named_for_a_patient() {
    check_rule_raw(
        "phi-calendar-visit",
        &[
            invite("Megan Cunningham", ":Megan Cunningham", ":Exam 3"),
            invite(
                "Cunningham, Megan",
                ":Cunningham, Megan",
                ":Procedure Room 2",
            ),
            // Outlook's parameters on the property names.
            invite(
                "Megan Cunningham",
                ";LANGUAGE=en-US:Megan Cunningham",
                ";LANGUAGE=en-US:Infusion chair 4",
            ),
            invite("Robert T. Chen", ":Robert T. Chen", ":Telehealth"),
            // A name and nothing of a meeting's business, wherever it is held.
            invite("Robert Chen", ":Robert Chen", ":Eastside Clinic"),
        ],
        &[
            // A staff one-on-one carries its topic; a name-only meeting in an office or a
            // conference room is not a visit; a clinical room booked for a meeting has a title.
            invite(
                "Laura Golden - coverage planning",
                ":Laura Golden - coverage planning",
                ":Office",
            ),
            invite("Laura Golden", ":Laura Golden", ":Conference Room B"),
            invite("Exam room deep clean", ":Exam room deep clean", ":Exam 3"),
            invite(
                "Robert Chen - product demo",
                ":Robert Chen - product demo",
                ":Eastside Clinic",
            ),
            invite(
                "Budget review with Robert Chen",
                ":Budget review with Robert Chen",
                ":Eastside Clinic",
            ),
        ],
    );
}

#[test]
fn short_reminder_naming_the_test() {
    let to = "7984320541@vtext.example";
    let from = "Scheduling <sched@clinic.example>";
    check_rule_raw(
        "phi-visit-reminder",
        &[
            mail(
                from,
                "pat@mail.example",
                "Reminder",
                "Reminder: mammogram Thu 11/19 at 2:15 PM, Eastside Imaging. Call (937) 555-0182 to reschedule.",
            ),
            mail(
                from,
                to,
                "",
                "Colonoscopy tomorrow 8:00a at Summit Endoscopy. Clear liquids only today. Questions: 937-555-0182",
            ),
            mail(
                from,
                "pat@mail.example",
                "Appointment reminder",
                "MRI of the knee on 11/24 at 9:30 AM. Please arrive 15 minutes early and bring your insurance card.",
            ),
            mail(
                from,
                to,
                "",
                "Abdominal ultrasound Mon 7:45 AM at the Oak St imaging center. Nothing to eat after midnight.",
            ),
        ],
        &[
            // Staff notices, equipment and classes at a time, a protocol, a list reminder.
            mail(
                from,
                "team@clinic.example",
                "Reminder",
                "Reminder: the MRI scanner is down for maintenance 11/24 8:00-12:00. Call 937-555-0182 to reschedule affected patients.",
            ),
            mail(
                from,
                "rn@clinic.example",
                "Reminder",
                "Reminder - flu shot clinic Tuesday 9-11 AM in the cafeteria for all staff. Please arrive early, bring your badge.",
            ),
            mail(
                from,
                "rn@clinic.example",
                "prep handout",
                "Updated colonoscopy prep protocol: clear liquids the day before, second dose at 5:00 AM. Please reschedule anyone who did not complete it.",
            ),
            mail(
                from,
                "patients@lists.clinic.example",
                "Flu shots",
                "Flu shots Saturday 9:00 AM to noon, walk-ins welcome. Call to reschedule your visit if needed.",
            ),
        ],
    );
}

#[test]
fn transport_roster_of_patients() {
    let roster = "Rider\tPickup\tTime\tNeeds\n\
                  Maria Lopez\t812 Oak Street\t6:15\twheelchair\n\
                  Robert Chen\t44 Elm Avenue\t6:30\twalker, oxygen\n\
                  Linda Moore\t9 Pine Road\t6:45\tambulatory\n";
    let shuttle = "Employee\tPickup\tTime\tNeeds\n\
                   Maria Lopez\t812 Oak Street\t6:15\twheelchair\n\
                   Robert Chen\t44 Elm Avenue\t6:30\twalker\n";
    let positive = with_attachment(
        "Tomorrow's van list for the dialysis riders is attached.",
        "text/tab-separated-values",
        "riders.tsv",
        roster.as_bytes(),
    );
    let chemo = with_attachment(
        "Chemo transport for Tuesday.",
        "text/csv",
        "transport.csv",
        b"Name,Address,Time,Mobility\nMaria Lopez,812 Oak Street,9:00,wheelchair\nRobert Chen,44 Elm Avenue,9:30,stretcher\n",
    );
    let staff = with_attachment(
        "Staff shuttle list for the holiday party at the clinic.",
        "text/tab-separated-values",
        "shuttle.tsv",
        shuttle.as_bytes(),
    );
    let equipment = with_attachment(
        "Dialysis unit equipment check.",
        "text/csv",
        "equipment.csv",
        b"Item,Count,Location\nwheelchair,4,Bay 2\nwalker,6,Bay 3\noxygen tank,10,Storage\n",
    );
    check_rule_raw("phi-care-roster", &[positive, chemo], &[staff, equipment]);
}
