//! Issue 14, tenth pass (`deploy/rules/59-phi-shorthand.toml` and the shared detectors it
//! changes): the way ward staff write about one patient in a line — a titled surname in any
//! letters (`Ms. Tórrez`), a lab value without its unit (`INR was 4.6`), a death handled by
//! the hospital (a body release, a time of death), and a patient's own result quoted to them by
//! name. Positives and hard negatives (a place list shaped like `Surname, Given`, targets,
//! offers) written for these tests (not taken from any corpus).

mod common;
use common::*;

/// A plain message from the clinic to `to` (header and envelope).
fn mail_to(to: &str, subject: &str, body: &str) -> Vec<u8> {
    mail_between(
        "Jo Park <jpark@clinic.example>",
        to,
        subject,
        "text/plain",
        body,
    )
}

/// The rules fired and whether the one recipient `to` is protected.
fn decide(to: &str, raw: &[u8]) -> (Vec<String>, bool) {
    decide_for("jpark@clinic.example", to, raw)
}

fn assert_all(to: &str, bodies: &[&str], want: bool) {
    for body in bodies {
        let (rules, protected) = decide(to, &mail_to(to, "RE: quick one", body));
        assert_eq!(protected, want, "{body}\n{rules:?}");
    }
}

const COLLEAGUE: &str = "rn.station4@clinic.example";

#[test]
fn a_titled_surname_in_any_letters_beside_care_is_a_patient() {
    assert_all(
        COLLEAGUE,
        &[
            "ok to d/c Mr. Ødegård in the morning, cont metoprolol 25 bid",
            "Ms. Nguyễn's potassium came back 6.1, repeat BMP at 4",
            "can you ask Mrs. Şahin about her insulin before lunch",
        ],
        true,
    );
}

#[test]
fn a_titled_surname_with_no_care_is_not() {
    assert_all(
        COLLEAGUE,
        &[
            "Mr. Ødegård from facilities will replace the badge reader by the east stairs on Tuesday.",
            "Ms. Nguyễn is covering the front desk phones until 3; the printer is fixed.",
        ],
        false,
    );
}

#[test]
fn a_lab_value_without_its_unit_beside_a_named_person_is_a_patient() {
    assert_all(
        COLLEAGUE,
        &[
            "Irena Kowalczyk in 14B: INR was 4.6 tonight so holding the warfarin",
            "fyi Cr 2.4 today (was 1.9) and K 5.9 on Darnell Pruitt, renal aware",
            "hgb 6.8 this am for Teodora Vasquez, 1 unit ordered",
            "Mrs. Haugland's A1c is 9.3 now, up from 8.1 - can we move her visit up?",
        ],
        true,
    );
}

#[test]
fn a_target_range_or_a_teaching_question_is_not() {
    assert_all(
        COLLEAGUE,
        &[
            "Reminder for the anticoagulation class: on warfarin the usual INR goal is 2.0 to 3.0, and 2.5 to 3.5 for mechanical valves.",
            "Quiz for Thursday's huddle: what does a K of 6.5 do to the ECG? Answers to Jo.",
            "The new analyser reports Cr to one decimal place from Monday; the reference range stays 0.6 to 1.2.",
            // A teaching case in shorthand names no one, whatever its values.
            "Teaching case for Friday: 67M with CHF, Cr 2.4 today (was 1.9), K 5.9 on lisinopril. He was started on furosemide; what next?",
        ],
        false,
    );
}

#[test]
fn a_place_list_or_a_meeting_is_not() {
    assert_all(
        COLLEAGUE,
        &[
            "Regional meeting: Houston, Texas (cardiology update) on March 3; register by Friday.",
            "Our research offices: Portland, Oregon (oncology) and Austin, Texas (diabetes program).",
            "Thanks, Maria: the badge list is updated and the breakroom fridge is cleaned.",
        ],
        false,
    );
}

#[test]
fn a_death_the_hospital_handles_is_a_patients() {
    assert_all(
        "intake@lindqvistfuneral.example",
        &[
            "Release ready: Haverford, Simon, DOD 11/02/2026. Family chose your home; not an ME case. Please call the morgue before pickup.",
            "Mrs. Adeyemi expired at 03:12 and was pronounced by the night resident; the death certificate will be signed today.",
            "Decedent: Ilse Brandt. Autopsy declined by the next of kin; the body can be released this afternoon.",
        ],
        true,
    );
}

#[test]
fn death_words_without_a_decedent_are_not() {
    assert_all(
        "intake@lindqvistfuneral.example",
        &[
            "Reminder: the death certificate e-filing training is Thursday at noon in the auditorium.",
            "Thank you for sponsoring the hospice volunteer luncheon; the morgue renovation tour is after dessert.",
            "We are sad to share that our colleague Dr. Ruth Ames passed away last week; the service is Saturday.",
        ],
        false,
    );
}

#[test]
fn a_patients_own_result_quoted_to_them_is_phi() {
    let to = "marcus.bell1960@yahoo.com";
    assert_all(
        to,
        &[
            "Hi Marcus,\n\nYour last A1c was 9.4, up from 8.1, so let's move your visit up a month.",
            "Dear Mrs. Quist,\n\nYour weight log shows a 5 lb gain since Monday. Please call the heart failure nurse today.",
            "Hello Dana,\n\nYour potassium came back at 3.1, so please start the supplement we talked about.",
        ],
        true,
    );
}

#[test]
fn advice_about_numbers_to_a_reader_is_not() {
    let to = "marcus.bell1960@yahoo.com";
    assert_all(
        to,
        &[
            "Hi Marcus,\n\nYour blood pressure matters: a reading under 120/80 is considered normal. Join our free class on the 12th!",
            "Hi Marcus,\n\nYour cholesterol is one of the numbers to know - 200 or less is desirable. Screenings are free this month.",
        ],
        false,
    );
}

#[test]
fn a_result_stated_to_its_owner_is_phi() {
    let to = "svetlana.m83@icloud.com";
    assert_all(
        to,
        &[
            "Dear Svetlana,\n\nAs we discussed by phone, your genetic test showed a BRCA2 variant. Your follow-up visit is on the 22nd.",
            "Hi Tom,\n\nGood news - your biopsy came back benign. No further treatment is needed.",
            "Good morning Ines,\n\nYour TB skin test read at 12 mm, which counts as positive for staff; Employee Health will order a chest x-ray.",
            "Hello Ana,\n\nAs part of the heart failure programme, your weight log shows a 5 lb gain this week. Please call the nurse line.\n\nYou are receiving this because you are enrolled in the programme.",
        ],
        true,
    );
}

#[test]
fn a_promise_or_an_instruction_about_results_is_not() {
    let to = "svetlana.m83@icloud.com";
    assert_all(
        to,
        &[
            "Hi Tom,\n\nYour results will be in the portal within three business days; we only call when something needs attention.",
            "Dear Svetlana,\n\nYour test kit ships today. Follow the instructions inside and mail it back in the prepaid box.",
        ],
        false,
    );
}

#[test]
fn a_request_for_a_represented_persons_records_is_phi() {
    let to = "roi@clinic.example";
    assert_all(
        to,
        &[
            "Records department,\n\nWe represent Lucia Ferreira-Santos regarding her fall on 04/11/2026 and request certified copies of the emergency department and imaging records.",
            "To whom it may concern: our client, Mr. Dariusz Nowak, authorises release of his medical records for the admission of 2 May 2026. The signed authorization is attached.",
        ],
        true,
    );
}

#[test]
fn a_firm_writing_about_itself_or_a_policy_is_not() {
    let to = "roi@clinic.example";
    assert_all(
        to,
        &[
            "Hello,\n\nWe represent hospitals across the state in payer disputes; our fee schedule for records retrieval is attached.",
            "Please note our new policy: requests for medical records must include a signed authorization and arrive by fax.",
        ],
        false,
    );
}

#[test]
fn feeding_infusion_and_crisis_notes_about_a_named_person_are_phi() {
    assert_all(
        COLLEAGUE,
        &[
            "Maria Lopez is going home on TPN; the pump and supplies go out Friday.",
            "New enteral feeding orders for Robert Kim: continuous via PEG tube, free water flush every 4 hours.",
            "Spoke with Angela Brooks after the school's call: passive SI, no plan; safety plan done with her mother.",
        ],
        true,
    );
}

#[test]
fn the_same_words_without_a_patient_are_not() {
    assert_all(
        COLLEAGUE,
        &[
            "The home infusion pump in-service moved to Thursday; bring your badge for the PICC line skills lab.",
            "Reminder: safety planning training for all counsellors is on the 9th in the auditorium.",
        ],
        false,
    );
}
