//! Issue 14, sixth pass: patient mail in the other languages US clinics write in (Portuguese,
//! French, Haitian Creole, Polish, Russian, Korean, Arabic, Arabizi) and the employee as patient
//! (occupational-health work status, a staff member's own sick note) —
//! `deploy/rules/57-phi-languages.toml`. Positives and hard negatives written for these tests
//! (not taken from any corpus).

mod common;
use common::*;

/// Each positive fires `rule` and is protected; each negative is delivered as ordinary mail.
fn check(rule: &str, positives: &[&str], negatives: &[&str]) {
    check_rule(rule, "mensagem", positives, negatives);
}

/// A mail to a list.
fn to_list(to: &str, body: &str) -> Vec<u8> {
    common::to_list("Clinic <news@clinic.example>", to, body)
}

#[test]
fn portuguese_patient_messages() {
    check(
        "phi-languages",
        &[
            "Olá Ana,\n\nOs resultados do seu exame de sangue já estão disponíveis. A sua glicemia está um pouco alta; a Dra. Souza pediu uma nova consulta.",
            "Caro Sr. Almeida, o resultado da sua biópsia foi benigno. A próxima consulta será em seis meses.",
            "Prezada Sra. Costa, a sua receita de losartana foi renovada e está na farmácia. Continue medindo a pressão arterial.",
            "Oi Mariana, confirmamos sua consulta de pré-natal na terça às 10h. Traga o cartão da gestante e os exames do último mês.",
            // No greeting: a health word and a labelled date of birth.
            "Paciente: Joana Ferreira\nData de nascimento: 12/05/1978\nResultado da biópsia disponível no portal.",
            // Without accents, as phones write it; the reader by two of their own facts.
            "Seus resultados chegaram e sua receita foi enviada. O exame de sangue mostrou colesterol alto.",
        ],
        &[
            // A health-education flyer, no person: check your pressure, talk to your doctor.
            "Cuide do seu coração! Meça sua pressão arterial e faça exames de sangue todo ano. Converse com seu médico sobre o colesterol.",
            // Staff scheduling in Portuguese.
            "Olá equipe, segue a escala da semana: Carla manhã, Bruno tarde. A reunião é na sexta.",
            // Marketing to a reader by name.
            "Olá Ana, aproveite 30% de desconto em exames de sangue e consulta com nutricionista. Oferta especial até sexta!",
        ],
    );
}

#[test]
fn french_and_haitian_creole_patient_messages() {
    check(
        "phi-languages",
        &[
            "Bonjour Mme Joseph,\n\nVos résultats de la prise de sang sont arrivés : votre glycémie est normale. Votre ordonnance de metformine est renouvelée.",
            "Chère Nadège, votre rendez-vous de suivi de grossesse est confirmé pour lundi. Apportez votre carnet de vaccination et la liste de vos médicaments.",
            "Bonjou Marie, rezilta tès san ou yo pare. Tansyon ou te wo, doktè a vle wè ou ankò. Randevou ou se madi a 9è.",
            "Alo Jean, preskripsyon ou pou medikaman tansyon an pare nan famasi a. Pa bliye pran medikaman ou chak jou.",
            "Dat nesans: 03/14/1962\nRezilta byopsi a disponib.",
        ],
        &[
            // Public-health notice: no person.
            "La grippe arrive : faites-vous vacciner. Parlez à votre médecin de votre tension artérielle et du diabète.",
            // A Creole flyer.
            "Vaksen grip la gratis! Pale ak doktè ou sou tansyon ak dyabèt. Klinik la louvri samdi.",
            // Staff scheduling.
            "Bonjour Équipe, voici le planning de la semaine : Paul le matin, Sophie l'après-midi.",
        ],
    );
}

#[test]
fn polish_patient_messages() {
    check(
        "phi-languages",
        &[
            "Szanowna Pani Nowak,\n\nwyniki badań krwi są już dostępne. Poziom cukru jest podwyższony, proszę umówić wizytę kontrolną.",
            "Dzień dobry Pani Anno, e-recepta na leki na nadciśnienie została wystawiona. Kod recepty wyślemy SMS-em.",
            "Pani wyniki są gotowe i pani recepta czeka w rejestracji; dawka leku bez zmian.",
        ],
        &[
            "Szczepienie przeciw grypie: zapraszamy wszystkich mieszkańców. Ciśnienie warto mierzyć regularnie.",
            "Dzień dobry, grafik dyżurów na przyszły tydzień w załączniku. Dziękuję.",
        ],
    );
}

#[test]
fn russian_patient_messages() {
    check(
        "phi-languages",
        &[
            "Уважаемая Анна Петровна!\n\nВаши результаты анализов готовы. Уровень сахара в норме, давление немного повышено.",
            "Здравствуйте. Вы записаны на приём у кардиолога в четверг. Возьмите с собой список лекарств и результаты ЭКГ.",
            "Уважаемый Игорь Сергеевич, ваш рецепт на инсулин продлён. Таблетки можно получить в аптеке.",
            "Здравствуйте, Ольга Ивановна! Анализ крови готов: гемоглобин низкий, врач назначил таблетки железа.",
            "Пациент: Смирнова Ольга\nДата рождения: 05.11.1958\nДиагноз: сахарный диабет 2 типа.",
        ],
        &[
            // A public-health notice and staff mail.
            "Уважаемые жители! Сделайте прививку от гриппа. Проверяйте давление и сахар крови регулярно.",
            "Уважаемые коллеги, график дежурств на следующую неделю во вложении.",
            "Здравствуйте, коллеги! Обновлён график приёма; анализы сдавать до 10:00.",
        ],
    );
}

#[test]
fn korean_patient_messages() {
    check(
        "phi-languages",
        &[
            "김민지 님, 안녕하세요.\n지난주 혈액검사 결과가 나왔습니다. 혈당이 조금 높아서 담당 의사 선생님께서 재처방을 하셨습니다.",
            "박서준 님께\n진료 예약이 5월 3일 오전 10시로 확정되었습니다. 혈압약 복용을 계속하세요.",
            "이수진 님의 조직검사 결과와 초음파 결과를 안내드립니다. 생년월일: 1975-08-21",
        ],
        &[
            // Marketing to a customer, a flu-clinic notice, staff scheduling.
            "고객님, 건강검진 패키지 20% 할인! 혈압, 혈당, 콜레스테롤 검사 포함.",
            "주민 여러분, 독감 예방접종을 받으세요. 혈압과 당뇨 관리도 중요합니다.",
            "다음 주 근무표입니다. 김지수 님: 월, 화 야간. 박민호 님: 수, 목 주간.",
        ],
    );
}

#[test]
fn arabic_and_arabizi_patient_messages() {
    check(
        "phi-languages",
        &[
            "Marhaba Layla, nata2ej el ta7alil ta3ik tel3et. El doktor baddo ychoufik, maw3edik el tlata.",
            "Ahlan Omar, el wasfa ta3ak jahze bel saydaliye. Daght el dam kan 3ali, khod el dawa kel yom.",
            "Salam Yasmin, mabrouk! el fa7s ekkad enno enti 7amel. Maw3edik el jay ba3d 4 asabi3.",
            "عزيزتي سارة، نتائج تحاليل الدم جاهزة. نسبة السكري مرتفعة قليلاً، وموعدك القادم يوم الأحد.",
            "السيد أحمد، وصفة الدواء جاهزة في الصيدلية. يرجى متابعة ضغط الدم.",
        ],
        &[
            // A community flu-clinic flyer in Arabizi and Arabic: no one addressed.
            "Khod la2a7 el grippe bel 3iyada, majjanan. Fa7s daght w sokkar kaman.",
            "حملة لقاح الإنفلونزا في العيادة يوم السبت. فحص ضغط الدم والسكري مجاناً للجميع.",
            // Staff mail in Arabizi.
            "Marhaba Team, el meeting bokra el sa3a 10, jibo el laptops.",
        ],
    );
}

#[test]
fn language_newsletters_to_a_list_stay_unprotected() {
    let flyer = "Olá Maria, Bonjou Jean, Marhaba Layla!\nVacina da gripe no sábado / Vaksen grip samdi / la2a7 el grippe el sabt.\n\
                 Seus resultados e sua receita no portal. Vos résultats et votre ordonnance en ligne.\n\
                 Уважаемая пациентка, ваши результаты анализов в портале. 님께 검사 결과 안내.\n\
                 Unsubscribe: https://clinic.example/u";
    assert!(!protected(&to_list("patients@clinic.example", flyer)));
    // The same text to one reader is protected (the guard decides, not the words).
    assert!(protected(&eml(
        "resultados",
        flyer.replace("Unsubscribe", "Portal").as_str()
    )));
}

#[test]
fn occupational_health_work_status() {
    check(
        "phi-occ-health",
        &[
            "WORK STATUS REPORT\nEmployee: Marcus Bell\nEmployer: Tri-County Freight\nDate of injury: 10/02/2026\nDiagnosis: lumbar strain\nWork status: modified duty, no lifting over 15 lb, recheck in 2 weeks.",
            "To the adjuster: Ms. Kowalczyk was seen for her workers' comp claim today. Right wrist sprain, splint applied; restrictions: no repetitive gripping with the right hand.",
            "Injured worker: Dwayne Phillips\nClaim #: WC-2026-118842\nMechanism of injury: fall from ladder. Contusion left hip. Off work until 11/10.",
        ],
        &[
            // Policy mail: no one named, no claim.
            "Reminder: report every work-related injury to Occupational Health within 24 hours. Our light duty program helps workers return to work safely.",
            // An adjuster's scheduling note with no injury or restriction.
            "Hi Karen, the workers' comp training for supervisors moved to Thursday at 2.",
        ],
    );
}

#[test]
fn staff_sick_note_naming_a_diagnosis() {
    check(
        "phi-own-health",
        &[
            "Hi Karen, I won't be in today. Urgent care said it's strep and I'm on amoxicillin, so I should be back on Thursday.",
            "Sorry for the late notice, calling out for my shift tonight. I tested positive for covid this morning.",
            "Hey, I can't come in tomorrow. I came down with the flu and my doctor put me on Tamiflu. Doctor's note attached.",
            "I'll be out today, I was diagnosed with a kidney stone last night at the ER.",
        ],
        &[
            // Calling out sick with no condition or treatment (LABELLING: an absence reason).
            "Hi Karen, I'm not feeling well and won't be in today. Sorry for the short notice.",
            "Calling out sick for my shift tonight, I will let you know about tomorrow.",
            // A manager's reminder to staff, no one's illness.
            "If you have the flu, stay home and call out before your shift; the flu vaccine clinic is Friday.",
        ],
    );
}
