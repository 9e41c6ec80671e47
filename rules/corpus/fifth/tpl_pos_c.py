"""Positive templates, patient-facing and informal mail: telehealth notifications, oncology
navigation, a patient's reply forwarded by the front desk, Portuguese, Haitian Creole / French,
Russian / Korean and Arabizi patient messages, one-line mobile replies, a personalised programme
newsletter, speech therapy, a staff member's own sick note naming a diagnosis (LABELLING 1A, 2)."""

from mailkit import addr, mail, quote, template

DOCS = ["Patel", "Nguyen", "Okafor", "Schwartz", "Haddad", "Moreau", "Kowalski", "Brennan", "Silva"]


@template("telehealth-visit-confirmation-html", "yes", "A/3: to the patient's own address, naming the patient, a visit date with a named provider")
def telehealth(c):
    plat = c.pick(["CareConnect Video", "TeleVisit", "Amwell", "Doxy.me", "MyHealth Virtual Care"])
    org = c.org(["Health", "Medical Group", "Virtual Care"])
    p = c.patient()
    d, t = c.sdate(c.day(1, 14)), c.time()
    doc = "%s %s" % (c.pick(["Dr.", "Dr.", "NP"]), c.pick(DOCS))
    token = "%032x" % c.r.getrandbits(128)
    link = "https://%s/join/%s?utm_source=email&utm_campaign=visit_reminder" % (org.domain, token)
    kind = c.pick(["", "", "Visit type: follow-up", "Visit type: %s" % c.pick(["behavioral health follow-up", "medication management", "post-op check"])])
    html = ("<html><body style=\"font-family:Arial\"><p>Hi %s,</p><p>Your video visit with <b>%s</b> is %s <b>%s at %s</b>.</p>"
            "<p>%s</p><p><a href=\"%s\" style=\"background:#0b5394;color:#fff;padding:8px\">Join your visit</a></p>"
            "<p>Test your camera before the visit. If you need to cancel, call %s.</p>"
            "<p style=\"font-size:11px;color:#777\">%s &middot; <a href=\"https://%s/u/%s\">Unsubscribe from reminders</a></p>"
            "<img src=\"https://t.%s/o/%s.gif\" width=\"1\" height=\"1\"></body></html>"
            % (c.pick([p.first, p.full]), doc, c.pick(["scheduled for", "confirmed for", "coming up on"]), d, t, kind, link,
               org.phone, org.name, org.domain, token[:12], org.domain, token[12:24]))
    text = None if c.chance(0.4) else "Hi %s,\n\nYour video visit with %s is on %s at %s.\n%s\nJoin: %s\n\n%s" % (p.first, doc, d, t, kind, link, org.name)
    return mail(c, "%s <notifications@%s>" % (plat, org.domain), addr(p),
                c.pick(["Your video visit is confirmed", "Reminder: upcoming visit %s" % d, "Your telehealth appointment"]), text, html)


@template("oncology-navigator-thread", "yes", "A: patient name + cancer diagnosis/treatment schedule in a navigator's reply thread")
def navigator(c):
    cc = c.org(["Cancer Center", "Oncology & Hematology", "Cancer Institute"])
    nav = c.staff(["Nurse Navigator", "Oncology Nurse Navigator", "Patient Navigator"], cc)
    other = c.staff(["Scheduler", "Infusion RN", "Radiation Oncology Scheduler", "Financial Counselor"], cc)
    p = c.patient(age=(30, 84))
    ca = c.pick(["stage II breast cancer", "NSCLC", "DLBCL", "stage III colon cancer", "pancreatic adenocarcinoma", "AML"])
    first = "%s\n\n%s\n\n%s" % (c.pick(["Can we get %s scheduled?" % p.full, "New patient for you - %s (%s)." % (p.lastfirst(), ca)]),
                                c.pick(["Needs port placement before C1D1 %s." % c.sdate(c.day(5, 14)), "Starting %s on %s; chemo teach first." % (c.pick(["FOLFOX", "AC-T", "carbo/pem", "R-CHOP"]), c.sdate(c.day(3, 14))),
                                        "Sim appointment for radiation needs to be before %s." % c.sdate(c.day(5, 20))]),
                                c.signature(nav, "RN, OCN"))
    reply = c.pick(["Done - booked for %s at %s." % (c.sdate(c.day(3, 10)), c.time()), "I can do Thursday, will call pt.",
                    "Pt's insurance needs auth for the port, submitted today.", "Got it, thanks."])
    body = "%s\n\n%s\n\n-----Original Message-----\nFrom: %s\nSent: %s\nTo: %s\nSubject: %s\n\n%s" % (
        reply, c.signature(other), nav.full, c.when.strftime("%A, %B %d, %Y %I:%M %p"), other.full, "Navigation - %s" % p.last, first)
    if c.chance(0.4):
        body = "%s\n\nOn %s, %s wrote:\n%s" % (reply + "\n\n" + other.first, c.when.strftime("%a, %b %d, %Y at %I:%M %p"), nav.full, quote(first))
    return mail(c, addr(other), addr(nav), c.pick(["RE: Navigation - %s" % p.last, "RE: new pt", "Re: scheduling"]), body, reply=True)


@template("patient-reply-forwarded", "yes", "A: the patient's own email (name, address, symptom, medication) forwarded by the front desk")
def patient_fwd(c):
    clinic = c.org(["Family Medicine", "Internal Medicine", "Cardiology", "Women's Health"])
    fd = c.staff(["Front Desk", "Patient Services Rep", "Medical Receptionist"], clinic)
    rn = c.staff(["RN", "Nurse", "Medical Assistant"], clinic)
    p = c.patient()
    sym = c.pick(["my ankles have been swelling since I started the amlodipine", "I've had a headache every day since the new dose of topiramate",
                  "the rash from the antibiotic is spreading to my arms", "my sugars have been over 300 since Friday",
                  "I am still spotting 3 weeks after the IUD was put in", "I can't sleep and the anxiety is worse on the lower Zoloft dose"])
    pmsg = "%s\n\n%s. %s\n\n%s" % (c.pick(["Hi,", "Hello Dr. %s," % c.pick(DOCS), "good morning"]), c.pick(["Quick question,", "Sorry to bother you,", ""]) + " " + sym,
                                   c.pick(["Should I stop it?", "Can someone call me back at %s?" % p.phone, "Do I need to come in?"]),
                                   c.pick([p.first, p.full, "%s\n%s" % (p.full, c.mobile_tag())]))
    fwd = "%s\n\n%s\n\n---------- Forwarded message ---------\nFrom: %s <%s>\nDate: %s\nSubject: %s\nTo: <%s>\n\n%s" % (
        c.pick(["Please advise, pt also left a VM.", "FYI - came into the general inbox.", "Can you call her/him back?", "See below"]),
        fd.first, p.full, p.email, c.when.strftime("%a, %b %d, %Y at %I:%M %p"), c.pick(["question", "new medicine", "(no subject)", "Help"]),
        "info@%s" % clinic.domain, pmsg)
    return mail(c, addr(fd), addr(rn), c.pick(["Fwd: question", "FW: patient email", "Fwd: (no subject)", "Fwd: Help"]), fwd)


PT = [("Olá {f},\n\nSeu exame de {ex} do dia {d} ficou pronto. O resultado foi {res}.\nA Dra. {doc} pediu para o(a) senhor(a) marcar um retorno.",),
      ("Prezado(a) {f},\n\nLembramos que sua consulta de {spec} está marcada para {d} às {t} com o Dr. {doc}.\n"
       "Por favor, traga seus medicamentos e o cartão do convênio.",),
      ("Oi {f}, tudo bem? A receita de {med} foi enviada para a farmácia. Tome {dose}.",)]
HT = [("Bonjou {f},\n\nRezilta tès ou yo soti. {res_ht}. Doktè {doc} vle wè w ankò {d} a {t}.",),
      ("Bonjou {f},\n\nNou vle raple w randevou ou ak Dr. {doc} pou {why_ht} nan dat {d} a {t}.\nTanpri pote tout medikaman w yo.",),
      ("Bonjour {f},\n\nVos résultats sont disponibles : {res_fr}. Le Dr {doc} souhaite vous revoir le {d} à {t}.",)]


def _fill(c, tpl, p, extra):
    vals = dict(f=c.pick([p.first, p.full]), d=c.sdate(c.day(2, 20)), t=c.time(), doc=c.pick(DOCS))
    vals.update(extra)
    return tpl.format(**vals)


@template("portuguese-patient-message", "yes", "A: patient name + result/appointment/prescription in Portuguese, to the patient's address")
def portuguese(c):
    clinic = c.org(["Community Health Center", "Family Health", "Medical Associates"])
    st = c.staff(["Medical Assistant", "Patient Navigator", "Nurse"], clinic)
    p = c.patient("pt_BR")
    body = _fill(c, c.pick(PT)[0], p, dict(
        ex=c.pick(["hemoglobina glicada", "colesterol", "urina", "ultrassom da tireoide"]),
        res=c.pick(["A1c 8,2% (alto)", "LDL 171 mg/dL", "infecção urinária, precisa de antibiótico", "um nódulo de 1,2 cm"]),
        spec=c.pick(["cardiologia", "pré-natal", "endocrinologia", "ginecologia"]),
        med=c.pick(["metformina 500 mg", "losartana 50 mg", "amoxicilina", "sertralina 50 mg"]),
        dose=c.pick(["1 comprimido duas vezes ao dia", "1 comprimido de manhã", "de 8 em 8 horas por 7 dias"])))
    cs = c.pick(["utf-8", "iso-8859-1"])
    return mail(c, addr(st), addr(p), c.pick(["Resultado do exame", "Lembrete de consulta", "Sua receita", "Mensagem da clínica"]),
                body + "\n\n" + c.signature(st), charset=cs)


@template("haitian-creole-french-message", "yes", "A: patient name + result/appointment reason in Haitian Creole or French")
def creole(c):
    clinic = c.org(["Community Health Center", "Health Center", "Family Practice"])
    st = c.staff(["Community Health Worker", "Medical Assistant", "Nurse"], clinic)
    p = c.patient(c.pick(["ht", "ht", "fr_FR"]))
    body = _fill(c, c.pick(HT)[0], p, dict(
        res_ht=c.pick(["Sik nan san ou (A1c) se 8.4, li twò wo", "Tansyon ou te 168/95", "Tès gwosès la pozitif", "Ou gen anemi, emoglobin 9.1"]),
        why_ht=c.pick(["swivi dyabèt ou", "swivi tansyon ou", "premye vizit pou gwosès ou", "rezilta mamografi ou"]),
        res_fr=c.pick(["votre taux de cholestérol LDL est de 162 mg/dL", "l'échographie montre un kyste de l'ovaire droit", "votre glycémie à jeun est de 141 mg/dL"])))
    return mail(c, addr(st), addr(p), c.pick(["Rezilta tès ou", "Randevou ou", "Vos résultats", "Mesaj klinik la"]),
                body + "\n\n" + c.signature(st), charset=c.pick(["utf-8", "iso-8859-1"]))


@template("russian-korean-patient-message", "yes", "A: patient name + appointment/result/medication in Russian or Korean")
def ru_ko(c):
    clinic = c.org(["Medical Group", "Family Medicine", "Internal Medicine"])
    st = c.staff(["Medical Assistant", "Nurse", "Care Coordinator"], clinic)
    lang = c.pick(["ru", "ko"])
    p = c.patient(lang)
    d, t = c.day(2, 20), c.time(h24=True)
    if lang == "ru":
        native = c.fk("ru_RU").name_female() if p.sex == "F" else c.fk("ru_RU").name_male()
        body = c.pick(["Здравствуйте, %s!\n\nНапоминаем, что ваш приём у %s назначен на %s в %s." % (native, c.pick(["кардиолога", "эндокринолога", "гинеколога"]), d.strftime("%d.%m.%Y"), t),
                       "Здравствуйте, %s!\n\nВаш анализ крови: гемоглобин A1c %s%%. Доктор %s увеличил дозу метформина до 1000 мг два раза в день." % (native, c.pick(["7,9", "8,6", "9,2"]), c.pick(DOCS)),
                       "%s, результаты УЗИ щитовидной железы готовы: узел 1,4 см, нужна биопсия %s." % (native, d.strftime("%d.%m"))])
        cs = c.pick(["utf-8", "koi8-r"])
        subj = c.pick(["Напоминание о приёме", "Результаты анализов", "Message from %s" % clinic.name])
    else:
        native = c.fk("ko_KR").name()
        body = c.pick(["%s님, 안녕하세요.\n\n%s %s에 %s 진료 예약이 있습니다." % (native, d.strftime("%m월 %d일"), t, c.pick(["내과", "심장내과", "산부인과"])),
                       "%s님,\n\n검사 결과: 당화혈색소 %s%%. 메트포르민 500mg을 하루 두 번 복용하세요." % (native, c.pick(["8.1", "7.6", "9.0"])),
                       "%s님, 내일 위내시경 검사가 있습니다. 오늘 밤 9시 이후 금식하세요." % native])
        cs = c.pick(["utf-8", "euc-kr"])
        subj = c.pick(["진료 예약 안내", "검사 결과", "Message from %s" % clinic.name])
    p.full = native
    return mail(c, addr(st), "<%s>" % p.email, subj,
                body + "\n\n" + c.signature(st), charset=cs)


@template("arabizi-patient-message", "yes", "A: patient name + appointment reason/result in transliterated Arabic (Arabizi) with some English")
def arabizi(c):
    clinic = c.org(["Community Clinic", "Family Health Center", "Medical Associates"])
    st = c.staff(["Medical Assistant", "Patient Navigator", "Interpreter"], clinic)
    p = c.patient("ar")
    d, t = c.sdate(c.day(2, 20)), c.time()
    body = c.pick([
        "Marhaba %s,\n\n3indak maw3ed ma3 Dr. %s yom %s el sa3a %s la %s.\nLaw sama7t jib kol el adwiya ma3ak." % (p.first, c.pick(DOCS), d, t, c.pick(["fa7s el sukkari (diabetes)", "el 7aml (pregnancy visit)", "el qalb (cardiology)"])),
        "Ahlan %s,\n\nnatijat el ta7lil tal3et: %s. El doctor beddo yshoufak %s.\n(Your lab result: see above. Appointment %s.)" % (p.first, c.pick(["A1c 8.7", "el 7adid wati (low iron, ferritin 6)", "el cholesterol 3ali, LDL 175"]), d, d),
        "Salam %s, el dawa el jdid (%s) ba3atnah 3al pharmacy. Khod %s." % (p.first, c.pick(["metformin 500", "amlodipine 5 mg", "omeprazole"]), c.pick(["7abbe wa7de bel nhar", "mrtein bel yom"]))])
    return mail(c, addr(st), addr(p), c.pick(["maw3ed", "Your appointment", "natijat el ta7lil", "Message from %s" % clinic.name]),
                body + "\n\n" + c.signature(st))


@template("one-line-mobile-reply", "yes", "A: a one-line reply from a phone: full name, title + surname, surname + room or surname + DOB, with a clinical fact")
def mobile(c):
    org = c.org(["Medical Group", "Cardiology", "Hospitalists", "Home Health"])
    a = c.staff(["Physician", "NP", "RN"], org)
    b = c.staff(["RN", "Charge Nurse", "MA", "Scheduler"], org)
    p = c.patient()
    who = c.pick([p.full, "%s %s" % (p.title, p.last), "%s in %d" % (p.last, c.r.randint(201, 640)), "%s (%s)" % (p.last, c.dob(p.dob))])
    line = c.pick(["ok moved %s to 2:30, INR was %.1f so holding warfarin tonight" % (who, c.r.uniform(3.6, 5.2)),
                   "yes d/c %s today, f/u w cards 1 wk, cont lasix 40" % who,
                   "%s - start cipro 500 bid x7d for the UTI, culture pending" % who,
                   "can u call %s, A1c %.1f, needs visit" % (who, c.r.uniform(8, 12)),
                   "%s - biopsy came back benign, ok to tell %s" % (who, "her" if p.sex == "F" else "him"),
                   "%s declined the colonoscopy again fyi" % who])
    tag = c.mobile_tag()
    body = line + ("\n\n" + tag if tag else "")
    if c.chance(0.4):
        body += "\n\nOn %s, %s <%s> wrote:\n> %s" % (c.when.strftime("%b %d, %Y, at %I:%M %p"), b.full, b.email,
                                                     c.pick(["what do you want to do?", "any orders?", "see msg", "Need a plan pls"]))
    return mail(c, addr(a), addr(b), c.pick(["Re: pt", "Re:", "RE: question", "Re: %s" % p.last]), body, reply=True)


@template("personalised-program-newsletter-html", "yes", "2/A: a programme newsletter that states the addressee's own result and enrolment")
def newsletter(c):
    org = c.org(["Health", "Medical Group", "Health Partners"])
    p = c.patient(age=(30, 80))
    prog, fact = c.pick([("Diabetes Care Program", "your last A1c was %.1f%% on %s" % (c.r.uniform(7.2, 10.5), c.sdate(c.day(-120, -30)))),
                         ("Heart Failure Program", "your weight log shows a %d lb gain this week" % c.r.randint(3, 6)),
                         ("Healthy Pregnancy Program", "you are %d weeks along and your glucose screen is due" % c.r.randint(24, 28)),
                         ("Hypertension Program", "your home readings average %d/%d" % (c.r.randint(140, 165), c.r.randint(88, 99)))])
    trk = lambda slug: "https://click.%s/ls/click?upn=%s-%s" % (org.domain, slug, "%024x" % c.r.getrandbits(96))
    stories = "".join("<tr><td><h3>%s</h3><p>%s</p><a href=\"%s\">Read more</a></td></tr>\n" % (h, t, trk(h[:6].lower().replace(" ", "-")))
                      for h, t in c.some([("Winter recipes", "Five warm dishes under 500 calories."), ("Walk with a Doc", "Join us Saturdays at the park."),
                                          ("Flu season", "Flu shots are available at every location."), ("New parking", "The garage on Elm opens Monday."),
                                          ("Meet our dietitians", "Our team grew this fall.")], 2, 4))
    html = ("<html><body><table width=\"600\" align=\"center\" style=\"font-family:Helvetica\">\n<tr><td><img src=\"https://img.%s/logo.png\" alt=\"%s\"></td></tr>\n"
            "<tr><td><h2>Hi %s,</h2><p>As a member of our <b>%s</b>, %s. %s</p><a href=\"%s\">Schedule online</a></td></tr>\n%s"
            "<tr><td style=\"font-size:10px\">You are receiving this because you are enrolled in the %s. <a href=\"%s\">Manage preferences</a></td></tr>\n"
            "</table><img src=\"https://open.%s/o/%x.gif\" width=\"1\" height=\"1\"></body></html>"
            % (org.domain, org.name, p.first, prog, fact, c.pick(["Your care team would like to see you soon.", "Please bring your meter.", "Reply to talk with a nurse."]),
               trk("sched"), stories, prog, trk("prefs"), org.domain, c.r.getrandbits(40)))
    return mail(c, "%s <news@%s>" % (org.name, org.domain), addr(p), c.pick(["Your %s update" % prog, "%s, this month's news" % p.first, "News from %s" % org.name]),
                None, html)


@template("speech-therapy-progress-parent", "yes", "A: child's name + speech/language goals and progress + session dates, to the parent")
def speech(c):
    prac = c.org(["Pediatric Therapy", "Speech & Language Center", "Therapy Services"])
    slp = c.staff(["Speech-Language Pathologist", "SLP", "Clinical Fellow, SLP"], prac)
    child = c.patient(age=(3, 12))
    parent = c.person(child.locale)
    parent.last, parent.full = child.last, "%s %s" % (parent.first, child.last)
    parent.email = c.email_for(parent)
    goals = c.some(["/r/ in initial position: %d%% accuracy at word level" % c.r.randint(40, 90), "stuttering: %d%% syllables stuttered, down from %d%%" % (c.r.randint(3, 8), c.r.randint(9, 15)),
                    "following 2-step directions: %d/10 trials" % c.r.randint(4, 10), "using 3-word phrases spontaneously", "feeding: accepting purees without gagging",
                    "AAC device: requesting with 2 symbols"], 2, 3)
    body = "%s\n\n%s\n%s\n\n%s\n\n%s" % (c.pick(["Hi %s," % parent.first, "Dear %s family," % child.last, "Hello,"]),
                                         c.pick(["Here is %s's progress update for this month:" % child.first, "%s did great today! Quick summary:" % child.first]),
                                         "\n".join("- " + g for g in goals),
                                         c.pick(["Next session %s at %s." % (c.sdate(c.day(2, 9)), c.time()), "We'll re-evaluate on %s; the IEP team will get a copy." % c.sdate(c.day(14, 40)),
                                                 "Please keep practicing the home program cards."]), c.signature(slp, c.pick(["M.S., CCC-SLP", "CF-SLP"])))
    return mail(c, addr(slp), addr(parent), c.pick(["%s's progress" % child.first, "Speech therapy update", "Today's session"]), body)


@template("staff-sick-note-diagnosis", "yes", "2 (decided limit): an employee's own diagnosis/treatment named in mail to the manager")
def sick_dx(c):
    org = c.org(["Hospital", "Medical Center", "Dialysis"])
    me = c.staff(["RN", "Unit Secretary", "Patient Care Tech", "Respiratory Therapist"], org)
    mgr = c.staff(["Nurse Manager", "Charge Nurse", "Department Supervisor"], org)
    dx = c.pick(["I tested positive for COVID this morning", "urgent care said it's strep, I'm on amoxicillin",
                 "my doctor diagnosed a kidney stone and I'm on oxycodone for the pain", "I have shingles, started valacyclovir",
                 "I'm having a flare of my Crohn's and my GI is starting prednisone", "I was diagnosed with pneumonia yesterday"])
    body = "%s\n\n%s - %s. %s\n\n%s%s" % (c.pick(["Hi %s," % mgr.first, "%s," % mgr.first, "Hey"]), c.pick(["I won't be able to work my shifts this week", "I need to call out today and tomorrow", "Heads up"]),
                                          dx, c.pick(["Doctor's note attached.", "I'll bring a note when I'm back.", "Cleared to return %s." % c.sdate(c.day(2, 8))]),
                                          me.first, "\n\n" + c.mobile_tag() if c.chance(0.5) else "")
    return mail(c, addr(me), addr(mgr), c.pick(["Out sick", "calling out", "Shift this week", "Sick"]), body)
