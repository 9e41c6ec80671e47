//! Unit tests of `names`.

use super::*;

fn names(text: &str, sender: &[&str]) -> usize {
    let sender: Vec<String> = sender.iter().map(|s| s.to_string()).collect();
    let mut v = Vec::new();
    scan(text, &sender, &mut v);
    v.len()
}

#[test]
fn first_and_last_name_joined_in_a_file_name() {
    assert_eq!(names("DianaGarcia_Referral_signed.pdf", &[]), 1);
    assert_eq!(names("McDonald JavaScript LeBlanc", &[]), 0);
}

#[test]
fn a_colleague_quoted_with_their_address() {
    let fwd = "From: Wendy Fields <wendyf@oak.example>\nSubject: reminder\n";
    assert_eq!(names(fwd, &["@oak.example"]), 0);
    assert_eq!(names(fwd, &["@other.example"]), 1);
    assert_eq!(
        names("From: Wendy Fields <wf@mail.example>", &["@oak.example"]),
        1
    );
}

#[test]
fn a_patient_sent_through_the_clinic_portal_is_no_colleague() {
    // The portal writes the patient's name beside the clinic's no-reply mailbox.
    for mailbox in [
        "portal-noreply",
        "no-reply",
        "mychart-notifications",
        "DoNotReply",
    ] {
        let fwd = format!("From: Gloria Estrada <{mailbox}@oak.example>\nSubject: my pills\n");
        assert_eq!(names(&fwd, &["@oak.example"]), 1, "{mailbox}");
    }
    // A colleague's own mailbox at the clinic is still a colleague's.
    let staff = "From: Gloria Estrada <gestrada@oak.example>\n";
    assert_eq!(names(staff, &["@oak.example"]), 0);
}

#[test]
fn a_staff_table_row_is_staff() {
    let staff = "Name: Maria Lopez;\tShift: 7a-7p;\tUnit: ICU;\t\n";
    assert_eq!(names(staff, &[]), 0);
    let client = "Client: Maria Lopez;\tCheck-in: 9:15 AM;\tStatus: present;\t\n";
    assert_eq!(names(client, &[]), 1);
}

#[test]
fn next_upper_finds_every_capital() {
    let t = "abc def ghij\u{e9}\u{c9}xyz [q] @ Zed and more lower text. Q".as_bytes();
    let mut got = Vec::new();
    let mut i = 0;
    loop {
        i = next_upper(t, i);
        if i >= t.len() {
            break;
        }
        got.push(i);
        i += 1;
    }
    let want: Vec<usize> = (0..t.len())
        .filter(|&i| t[i].is_ascii_uppercase())
        .collect();
    assert_eq!(got, want);
    assert_eq!(want.len(), 2);
}

#[test]
fn untitled_names_in_several_orders() {
    assert_eq!(names("Maria Lopez's MRI is back", &[]), 1);
    assert_eq!(names("re: LOPEZ, MARIA; also Maria T. Lopez", &[]), 2);
    assert_eq!(names("Lopez_Maria_03141962_MRI.pdf", &[]), 1);
    assert_eq!(
        names("Port Benjamin, WV", &[]),
        0,
        "surname first needs a comma, _ or capitals"
    );
    assert_eq!(names("Mr. Okafor - CHF exacerbation", &[]), 1);
    assert_eq!(
        names(
            "Meet Ms. Blair, our diabetes educator. Ms. Blair's tip: rest",
            &[]
        ),
        0
    );
    assert_eq!(names("Keith Snyder (Clinical Pharmacist) - Dec 3", &[]), 0);
    assert_eq!(names("Cake at 3.\n\nBeth Roberts\n\n--\nIT", &[]), 0);
    assert_eq!(names("Please Call the Front Desk", &[]), 0);
    assert_eq!(names("Lauren Brooks is scheduled", &[]), 1);
    assert_eq!(
        names("Adam Fox and Randy Love", &[]),
        2,
        "common-word surnames"
    );
    assert_eq!(names("Sarah Brooks, WV 25301", &[]), 0, "a town");
    assert_eq!(names("at 2452 Jeffrey Haven", &[]), 0, "a street");
    assert_eq!(names("Rm 1 Williams, K. post-op", &[]), 1);
}

#[test]
fn a_colleague_on_an_agenda_is_staff() {
    assert_eq!(
        names("Karen Simmons will present the sepsis numbers", &[]),
        0
    );
    assert_eq!(names("Mark Ellis will host the lipid panel review", &[]), 0);
    assert_eq!(names("Karen Simmons presents with chest pain", &[]), 1);
    assert_eq!(names("Karen Simmons presented to the ED", &[]), 1);
}

#[test]
fn younger_patients_first_names() {
    // SSA baby-name files (fifth pass): names the 1990 Census lists lack.
    assert_eq!(names("Aaliyah Jackson's asthma", &[]), 1);
    assert_eq!(names("Jayden Morales has a fever", &[]), 1);
    assert_eq!(names("Priya Shah, trigger tonight", &[]), 1);
    // Dictionary words among SSA names stay out (`Summer`, `River`, `Faith`).
    assert_eq!(names("Faith Hall and Summer Hill", &[]), 0);
}

#[test]
fn a_staff_label_before_a_name() {
    assert_eq!(names("Topic: budget;\tOwner: Brandon Williams;", &[]), 0);
    assert_eq!(names("Patient: Brandon Williams", &[]), 1);
}

#[test]
fn staff_sender_and_signatures_are_not_patients() {
    assert_eq!(names("Dr. Maria Lopez will see you", &[]), 0);
    assert_eq!(names("Maria Lopez, MD reviewed it", &[]), 0);
    assert_eq!(names("Maria Lopez reviewed it", &["maria", "lopez"]), 0);
    let mail = "Results attached.\n\nThanks,\nJohn Smith\nFront desk\n\n> Maria Lopez asked\n";
    assert_eq!(names(mail, &[]), 1, "the quoted patient, not the signature");
}

#[test]
fn lines_inclusive_is_split_inclusive() {
    for t in [
        "",
        "\n",
        "\n\n",
        "a",
        "a\n",
        "a\nb",
        "a\r\nb\r\n",
        "Thanks,\nJohn Smith\n\n> é\n",
        "\n\nx\n\ny",
    ] {
        let want: Vec<&str> = t.split_inclusive('\n').collect();
        assert_eq!(lines_inclusive(t).collect::<Vec<_>>(), want, "{t:?}");
    }
}
