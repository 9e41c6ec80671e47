//! Issue 14, fifth pass (second half): the kinds the fourth corpus found missed, one test per mechanism of
//! `deploy/rules/55-phi-more.toml` and `45-not-phi.toml` (dental visits to a parent, care-home
//! and hospice mail to family, terse home-care updates, patients' vCards, Vietnamese, Chinese
//! and Tagalog patient messages, work-status and school notes, behavioural-health scheduling,
//! one-line replies; veterinary records and EHR downtime tickets let go), each with positives
//! and hard negatives written for these tests (not taken from any corpus).

mod common;
use common::*;

/// Each positive fires `rule` and is protected; each negative is delivered as ordinary mail.
fn check(rule: &str, positives: &[&str], negatives: &[&str]) {
    check_rule(rule, "update", positives, negatives);
}

/// A mail to a list.
fn to_list(to: &str, body: &str) -> Vec<u8> {
    common::to_list("Office <office@clinic.example>", to, body)
}

#[test]
fn dental_visit_to_a_parent() {
    check(
        "phi-dental-visit",
        &[
            "Hi Maria,\n\nNoah had his expander turned today and two new brackets placed. Please keep him on soft foods.",
            "Hello Mr. Grant, Ava did well. We placed her sealants and took bitewings; one small cavity to watch.",
            "Dear Ms. Perez, we removed your daughter's upper retainer wire; her aligners start next visit.",
            // A child by first name only, no greeting: the visit told to the parent.
            "Hi Mrs. Nguyen, Emma's upper wire was changed and power chain added. She may be sore.",
            "Liam did great today! We replaced a broken bracket and changed the upper wire. Next visit in 6 weeks.",
        ],
        &[
            // Staff and vendor mail full of the same words.
            "Hi Dana,\n\nThe lab returned the retainers and the new aligner trays; brackets are back-ordered.",
            "Team, the fluoride varnish and sealants order arrived. Cleanings start at 8.",
            "Hi Jordan, can you move the x-ray sensor cable? It keeps catching on the chair.",
        ],
    );
    // A dental newsletter to a list says the same to everyone.
    let news = "Hi Parents,\nKids need cleanings twice a year; ask about sealants for your child's molars.";
    assert!(!protected(&to_list("parents@school.example", news)));
}

#[test]
fn care_home_mail_to_family() {
    check(
        "phi-family-care",
        &[
            "Hi Tom, your father had a fall in the hallway this afternoon, a bruise on his elbow. Vitals are stable.",
            "Dear Anne, your mom was more confused today and not eating much, so the nurse practitioner ordered labs.",
            "Lisa, your husband's morphine dose was increased tonight for comfort; he is resting.",
            // The resident by name, not by relation.
            "Mrs. Kowalski had a fall in her room this morning with a bruise on her arm; vitals stable, physician notified.",
        ],
        &[
            "Hi Tom, your father's room is ready for the holiday party; the family lunch is at noon.",
            "Dear Anne, your mom's library card was left at the front desk.",
        ],
    );
    // A home-health agency's offer to one named prospect: services, no event. (`phi-clinical`
    // takes the titled name beside `medication` as a patient's; this rule does not.)
    let offer = "Dear Mr. Smith, Sunrise Home Health offers skilled nursing, medication management, \
                 vitals and blood pressure checks, walker and wheelchair fitting. Call us.";
    assert!(
        !rules_of(&eml("offer", offer))
            .iter()
            .any(|r| r == "phi-family-care")
    );
    let calendar =
        "Dear families, flu shots for residents Tuesday; your loved one may have vitals taken.";
    assert!(!protected(&to_list("families@home.example", calendar)));
}

#[test]
fn terse_home_care_updates() {
    check(
        "phi-home-care",
        &[
            "Mrs. Albright declining, unresponsive since noon, comfort meds given. Family at bedside.",
            "Saw Mr. Kowalski today, dressing changed on the sacral wound, eating less. BP 98/60.",
            "Pt seen. Mr. Olsen transitioning, now CMO; Ativan for terminal agitation. Wife aware.",
        ],
        &[
            "Mr. Thompson will lead the comfort care session for new volunteers on Saturday.",
            "Mrs. Albright from finance is declining the meeting invite.",
        ],
    );
}

#[test]
fn patient_vcards() {
    let patient = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Quispe;Yesenia;;;\r\nFN:Yesenia Quispe\r\nTEL:555-201-3344\r\nNOTE:hypertension\\, on amlodipine. Allergy: latex.\r\nEND:VCARD\r\n";
    let raw = with_attachment("card attached", "text/vcard", "contact.vcf", patient);
    assert!(
        rules_of(&raw).iter().any(|r| r == "phi-vcard"),
        "{:?}",
        rules_of(&raw)
    );
    assert!(protected(&raw));
    // The same card as `text/x-vcard` pasted into the body.
    let pasted = eml("card", std::str::from_utf8(patient).unwrap_or_default());
    assert!(protected(&pasted));
    // A patient's card exported with the practice's organisation but a birthday.
    let exported = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Yesenia Quispe\r\nORG:Lakeside Family Medicine\r\nBDAY:1961-04-09\r\nNOTE:asthma\\, uses albuterol\r\nEND:VCARD\r\n";
    assert!(protected(&with_attachment(
        "card",
        "text/vcard",
        "q.vcf",
        exported
    )));
    // A business card: organisation and title, however clinical its note.
    let vendor = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jill Parker\r\nORG:MedSupply Co.\r\nTITLE:Account Representative\r\nNOTE:ask about the insulin pen needle and glucose meter bundle\r\nEND:VCARD\r\n";
    let raw = with_attachment("my card", "text/vcard", "jill.vcf", vendor);
    assert!(!protected(&raw), "{:?}", rules_of(&raw));
    // A friend's card with no health fact.
    let plain = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sam Ortiz\r\nTEL:555-201-7788\r\nNOTE:met at the conference\r\nEND:VCARD\r\n";
    assert!(!protected(&with_attachment(
        "card",
        "text/vcard",
        "sam.vcf",
        plain
    )));
}

#[test]
fn vietnamese_chinese_tagalog_patient_messages() {
    check(
        "phi-other-language",
        &[
            "Kính gửi ông Lê Văn Hùng,\nKết quả xét nghiệm của ông đã có. Bác sĩ muốn ông uống thuốc huyết áp mỗi ngày.",
            "Chào chị Phạm Thu,\nLịch hẹn tái khám của chị là thứ Năm lúc 9 giờ.\nBác sĩ sẽ xem lại đơn thuốc.",
            "张明先生您好，您的血压偏高，医生建议您复诊。预约时间：周三上午九点。",
            "李女士：您的处方药已备好，每天服用两次，饭后服药。",
            "Inumin mo ang gamot na ito dalawang beses sa isang araw. Ang resulta ng pagsusuri mo ay normal.",
            "Chao chi Lan, ket qua xet nghiem cua chi da co. Bac si muon chi tai kham thu Hai.",
            "陳先生您好，您的驗血結果已出來，醫生請您下週復診。",
            "亲爱的刘先生：医生已经看过您的验血结果，请按时服药。",
            "Magandang araw po. Ang resulta ng inyong pagsusuri ay handa na. Sabi ni doktor, ituloy ang inyong gamot sa presyon.",
        ],
        &[
            // Staff and general text in the same languages.
            "Chào các bạn, buổi đào tạo về thuật ngữ y khoa: huyết áp, xét nghiệm, thuốc. Phòng họp B.",
            "Chao cac ban, buoi dao tao ve huyet ap va xet nghiem vao thu Sau.",
            "本周五下午三点在会议室召开全体员工会议，讨论医院新的排班制度。",
            "Ang pulong ng mga nars at doktor ay sa Biyernes, alas-tres ng hapon.",
            // An English message with no other-language words at all.
            "Please bring your badge to the training on Friday.",
        ],
    );
    let flyer = "各位朋友：免费测量血压和血糖，糖尿病患者欢迎参加。您的保险卡请随身携带。";
    assert!(!protected(&to_list("community@clinic.example", flyer)));
}

#[test]
fn work_status_notes() {
    check(
        "phi-work-status",
        &[
            "Re: Kevin Marshall\nMay return to work 12/10 on light duty, no lifting over 15 lb, for his back strain.",
            "Work status for Denise Ford: off work until 01/05 after surgery; period of incapacity 12/01 to 01/05.",
        ],
        &[
            "Reminder: light duty assignments and return-to-work notes go to Employee Health. Questions: HR.",
            "Hi Kevin Marshall, your leave request 118 was approved from 12/01 to 12/12. Enjoy the holidays.",
        ],
    );
}

#[test]
fn school_notes() {
    check(
        "phi-school-note",
        &[
            "Please excuse Aiden from school 12/2-12/3. He may return to school on 12/4, no PE for a week.",
            "Brianna Lopez was seen in our clinic today and may return to school tomorrow.",
            "Please excuse Mia from school on 12/3; she was seen for strep throat.",
        ],
        &[
            "Flu season reminder: return to school after 24 hours without fever. The school nurse has forms.",
        ],
    );
}

#[test]
fn behavioural_health_scheduling() {
    check(
        "phi-bh-scheduling",
        &[
            "Hi Casey, your intake appointment with our counselor is Monday at 10.",
            "Derek Mills called to move his med management visit; he needs a refill before then.",
            "Client starts IOP Monday; her psychiatry follow-up is week 2.",
            "Reminder: Taylor Simmons - psychiatry med management Thursday 2pm, telehealth.",
            "Jordan Price called: his intake with the therapist moves to Tuesday.",
        ],
        &[
            "Team, please update your availability for psychiatry med management slots by Friday.",
            "Our IOP and PHP programs now accept adolescents; referrals by fax.",
        ],
    );
}

#[test]
fn terse_replies_over_a_quoted_thread() {
    check(
        "phi-terse-reply",
        &[
            "ok pls send her chart\n\n> On Tue, Jen wrote:\n> Gloria Hernandez called about the referral.",
            "call pt re labs\n\n> Steven Walsh asked for a call back.",
        ],
        &[
            "ok pls send her the deck\n\n> On Tue, Jen wrote:\n> Karen Holt asked for the slides.",
            "call pt re labs",
        ],
    );
}

#[test]
fn veterinary_records_are_no_persons_phi() {
    let vet = "Patient: Rocky (canine, Boxer, male neutered), DOB 02/03/2020\nOwner: Brian Kelly, 41 Oak Street\n\
               Rabies booster and DHPP given today; microchip scanned. Heartworm negative.\nDr. Ellen Shaw, DVM";
    let raw = eml("vaccines", vet);
    assert!(rules_of(&raw).iter().any(|r| r == "not-phi-veterinary"));
    assert!(!protected(&raw));
    // An SSN in a vet mail is still protected; so is a human bite victim's record.
    let ssn = format!("{vet}\nOwner SSN 512-44-7281 for the payment plan.");
    assert!(protected(&eml("plan", &ssn)));
    let bite = "Joseph Reilly, DOB 08/19/1984, bitten by a dog; rabies post-exposure prophylaxis started. Rabies tag unknown.";
    assert!(protected(&eml("bite", bite)));
    // The subject tag still asks for encryption.
    assert!(protected(&eml("[secure] vaccines", vet)));
}

#[test]
fn ehr_downtime_tickets_are_no_patients_phi() {
    let ticket = "Incident INC0091247: Epic downtime on 4 West, downtime procedures started by the charge nurse. \
                  Patient charts and the MAR read-only on the BCA workstations. Root cause: interface engine.";
    let raw = eml("ticket", ticket);
    assert!(rules_of(&raw).iter().any(|r| r == "not-phi-ehr-downtime"));
    assert!(!protected(&raw));
    // A ticket that names a patient with a record number or birth date is protected.
    let named =
        format!("{ticket}\nWrong encounter for Harold Jensen, MRN 00482213, DOB 02/11/1949.");
    assert!(protected(&eml("ticket", &named)));
    let titled =
        format!("{ticket}\nMrs. Jensen's insulin dose was charted on the prior admission.");
    assert!(protected(&eml("ticket", &titled)));
}
