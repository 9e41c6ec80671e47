"""Positive templates, part C: terse replies, forwards, patient-facing text in Spanish, Vietnamese,
Chinese and Tagalog, vCards, bare rule-B identifiers, PHI only in a file name."""

import datetime as dt

from mailkit import message, pdf, quote_gt, quote_outlook, template, vcard


@template("terse-mobile-reply-quoted", True, "A: new text is a few words; the quoted history names the patient + dx")
def terse_reply(c):
    o, other, p, a, b = c.org("clinic"), c.org(c.pick(["pt", "home", "ltc", "bh"])), c.person(), c.doctor(), c.staff()
    orig = ("Hi Dr. %s, we have %s %s here %s. %s Do you want us to send over %s records?\n\n%s"
            % (a["last"], p["first"], p["last"], c.pick(["for her eval", "for intake", "for SOC", "since yesterday"]),
               c.pick(["BP has been running 170s/100s.", "%s mentioned a new lump in %s L axilla." % (p["she"].capitalize(),
                       p["her"]), "%s screened positive on the PHQ-9 (score 19)." % p["she"].capitalize(),
                       "Wound on L heel looks infected.", "%s wants to restart PrEP." % p["she"].capitalize()]),
               p["her"], b["sig"]))
    new = c.pick(["ok pls send her chart", "yes send it", "Thx - will call pt", "k", "pls fax to my office",
                  "ok. Adding to my list for tmrw"])
    text = new + "\n\nSent from my iPhone" + quote_gt("%s <%s>" % (b["full"], c.addr(b, other).split("<")[1][:-1]),
                                                      c.now - dt.timedelta(minutes=c.r.randint(5, 300)), orig)
    return message(c, c.addr(a, o), c.addr(b, other), "Re: %s" % c.pick(["quick q", "your pt", p["last"], "records"]),
                   text=text)


@template("forward-attached-referral-rfc822", True, "A: PHI only inside an attached message/rfc822")
def fwd_rfc822(c):
    o, p, a, b, d = c.org("clinic"), c.person(), c.staff(), c.staff(), c.doctor()
    inner = message(c, c.addr(d, o), c.addr(a, o), "Referral - %s %s" % (p["first"], p["last"]),
                    text="Please refer %s (DOB %s, %s) to %s for %s. Insurance: %s, ID %s.\n\n%s"
                    % (p["full"], c.dob(p["dob"]), p["phone"], c.pick(["GI", "cardiology", "neurology", "ENT",
                                                                        "orthopedics"]),
                       c.pick(["colonoscopy, +FIT", "palpitations, abnl Holter", "migraines refractory to triptans",
                               "chronic sinusitis", "R knee OA, failed injections"]),
                       c.pick(["Aetna", "BCBS", "Medicaid", "UHC"]), c.member_id(), d["sig"]),
                    when=c.now - dt.timedelta(days=1))
    return message(c, c.addr(a, o), c.addr(b, c.org(c.pick(["clinic", "lab"]))), "FW: Referral",
                   text=c.pick(["FYI see below", "Forwarding as discussed.", "pls schedule"]) + c.signature(a, o),
                   inner=inner)


@template("spanish-patient-reminder", True, "A: patient's name, DOB, own address + appointment + procedure, in Spanish")
def spanish_reminder(c):
    o, p, st = c.org(c.pick(["dental", "eye", "lab", "clinic"])), c.person(lang="es"), c.staff()
    d = c.soon(1, 14)
    proc = c.pick(["su limpieza dental y radiografías", "su examen de la vista con dilatación",
                   "su ultrasonido abdominal (venga en ayunas)", "su cita de control de diabetes",
                   "su mamografía", "la extracción de la muela del juicio"])
    text = ("Estimada %s:\n\nLe recordamos su cita para %s el %s a las %s en %s. Fecha de nacimiento registrada: %s. "
            "Por favor llegue 15 minutos antes y traiga su tarjeta del seguro.\n\nSi necesita cambiar la cita, "
            "llámenos al %s.\n\nAtentamente,\n%s" % (p["full"], proc, d.strftime("%d/%m/%Y"), c.clock(), o["name"],
                                                    p["dob"].strftime("%d/%m/%Y"), o["phone"], st["full"]))
    return message(c, c.box(o, "citas"), c.addr(p, host=p["email"].split("@")[1]), "Recordatorio de cita",
                   text=text)


@template("asian-tagalog-patient-message", True, "A: patient name + appointment/result/medication in vi, zh or tl")
def multilingual(c):
    lang = c.pick(["vi", "zh", "tl"])
    o, p, st = c.org(c.pick(["clinic", "lab", "pharm"])), c.person(lang=lang), c.staff()
    d = c.soon(1, 10)
    if lang == "vi":
        text = ("Kính gửi %s,\n\nPhòng khám xin nhắc lịch hẹn tái khám tiểu đường của quý vị vào ngày %s lúc %s. "
                "Kết quả xét nghiệm A1c gần nhất là %.1f%%. Vui lòng nhịn ăn trước khi thử máu.\n\n%s"
                % (p["full"], d.strftime("%d/%m/%Y"), c.clock(), c.r.uniform(6.5, 11), o["name"]))
    elif lang == "zh":
        text = ("%s 您好:\n\n提醒您 %d月%d日 %s 在本诊所复诊 (高血压随访)。您的降压药氨氯地平已可以续药,请来药房领取。"
                "\n\n%s" % (p["full"], d.month, d.day, c.clock(), o["name"]))
    else:
        text = ("Magandang araw po %s,\n\nPaalala po na ang inyong appointment para sa prenatal checkup ay sa %s, "
                "%s. Handa na rin po ang resulta ng inyong ultrasound.\n\nSalamat po,\n%s"
                % (p["full"], c.mdY(d), c.clock(), o["name"]))
    return message(c, c.addr(st, o), p["email"], c.pick(["Appointment", "Nhắc lịch hẹn" if lang == "vi" else
                                                         "复诊提醒" if lang == "zh" else "Paalala"]), text=text)


@template("patient-vcard-with-note", True, "A: patient vCard (name, phone, home address) + note naming care/condition")
def patient_vcard(c):
    o, p, st = c.org(c.pick(["home", "clinic", "dme"])), c.person(), c.staff()
    note = c.pick(["Pt of Dr. %s - diabetic foot ulcer, wound care 3x/wk" % c.f().last_name(),
                   "Hospice pt, DNR on file, daughter is POA",
                   "Home O2 2L, COPD - call before delivery", "New SOC %s, s/p CABG" % c.mdY(c.past(1, 5))])
    card = vcard(p["full"], p["last"], p["first"], phone=p["phone"],
                 adr="%s;%s;%s;%s;USA" % (p["street"], p["city"], p["state"], p["zip"]), note=note)
    name = c.pick(["%s %s.vcf" % (p["first"], p["last"]), "contact.vcf"])
    return message(c, c.addr(st, o), c.addr(c.staff(), o), c.pick(["contact for new pt", "pt contact", "vcard"]),
                   text=c.pick(["Here's the contact card.", "Adding to your route.", ""]) + c.signature(st, o, False),
                   attach=[(name, c.pick(["text/vcard", "text/x-vcard"]), card)])


@template("eligibility-bare-member-id-sigheavy", True, "B: a health-plan member ID (no name), under a long signature")
def bare_member(c):
    o, st = c.org(c.pick(["billing", "dental", "eye", "pt"])), c.staff()
    ident = c.pick([("member ID", c.member_id()), ("Medicare #", c.mbi()), ("Medicaid ID", c.digits(10)),
                    ("subscriber id", c.member_id())])
    text = c.pick(["Can you verify eligibility for %s %s? Portal is down." % ident,
                   "%s %s - is this active? getting a rejection" % ident,
                   "Pls run elig on %s %s thx" % ident])
    return message(c, c.addr(st, o), c.box(c.org("payer"), "provider-services"), c.pick(["eligibility", "quick one"]),
                   text=text + c.signature(st, o, heavy=True))


@template("phi-only-in-filename", True, "A: attachment file name carries name + DOB + procedure; content is a cover page")
def filename_phi(c):
    o, p, st = c.org(c.pick(["lab", "pt", "eye", "dental"])), c.person(), c.staff()
    proc = c.pick(["MRI", "CT", "Panorex", "VisualField", "Echo", "EMG", "Ceph"])
    fname = c.pick(["%s_%s_%s_%s.pdf" % (p["last"], p["first"], p["dob"].strftime("%m%d%Y"), proc),
                    "%s, %s DOB %s %s.pdf" % (p["last"], p["first"], p["dob"].strftime("%m-%d-%Y"), proc)])
    doc = pdf([o["name"], "FAX COVER SHEET", "", "Pages: 1 of 4", "Please see attached pages.",
               "If received in error please call %s." % o["phone"]])
    return message(c, c.addr(st, o), c.box(c.org("clinic"), "records"), c.pick(["records", "as requested", "scan"]),
                   text=c.pick(["Attached.", "See attached", "Here you go"]) + c.signature(st, o),
                   attach=[(fname, "application/pdf", doc)])


@template("long-thread-phi-deep", True, "A: four-level Outlook thread; patient name + dx only in the oldest message")
def deep_thread(c):
    o, other, p = c.org("clinic"), c.org(c.pick(["lab", "pt", "home", "eye"])), c.person()
    a, b = c.staff(), c.staff()
    msgs = [("Referral for %s %s - %s. Can you get %s in this week? Ph %s."
             % (p["first"], p["last"], c.pick(["new onset AFib", "post-op PT after ACL recon", "diabetic retinopathy "
                                                "screening", "wound vac management"]), p["her"].replace("his", "him"),
                p["phone"])),
            "Received, we'll reach out to schedule.", "Any luck? Pt called us asking.",
            c.pick(["Left 2 VMs, will try again.", "Scheduled.", "Still trying"]), c.pick(["Thanks!", "ok", "Great"])]
    body = msgs[-1] + c.signature(a, o, False)
    when = c.now
    for i, m in enumerate(reversed(msgs[:-1])):
        when -= dt.timedelta(hours=c.r.randint(2, 30))
        frm, to = (c.addr(b, other), c.addr(a, o)) if i % 2 == 0 else (c.addr(a, o), c.addr(b, other))
        body += quote_outlook(c, frm, to, "RE: referral", when, m + "\n\n" + (b if i % 2 == 0 else a)["sig"])
    return message(c, c.addr(a, o), c.addr(b, other), "RE: referral", text=body)
