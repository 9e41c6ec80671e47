"""Positive templates, part B (every message needs protection; the comment says which rule)."""

import datetime as dt

from mailkit import (attach_bytes, attach_text, gmail_fwd, html_table, html_wrap, ics, mobile_sig, new_message,
                     outlook_header, png_text, rtf, signature, template, xlsx)


@template("mobile-crisis-followup", True, "A: mobile crisis team to the client's PCP/therapist: client name, DOB or "
          "address, crisis contact date, SI/HI assessment and plan (behavioural health)")
def crisis(c):
    team, clinic = c.org("Mobile Crisis Response", "mcr"), c.org("Primary Care", "pc")
    cl, doc = c.staff(c.pick(["LCSW", "LPC", "QMHP"])), c.staff(c.pick(["MD", "NP"]))
    p = c.person(age=(14, 75))
    when = c.day(-3, -1)
    body = [c.pick([f"Dr. {doc.last},", "Hello,", f"Hi {doc.first},"]), "",
            f"Our team responded to {c.pick([p.name, p.name + ' (' + c.dob_phrase(p) + ')', p.name + ' at ' + p.addr()])} "
            f"on {c.fdate(when)} after a call from {c.pick(['a family member', 'the school', 'the client', '988'])}.",
            c.pick(["Passive SI without plan; HI denied. Safety plan completed, firearms removed by family.",
                    "Acute psychosis, off risperidone for 3 weeks. Transported voluntarily to the crisis stabilization unit.",
                    "Panic and SI after job loss; no prior attempts. Declined inpatient, agreed to next-day appointment."]),
            c.pick(["Please see the client within 7 days.", "We will follow up by phone for 72 hours.",
                    "Release of information is on file."])]
    return new_message(c, (cl.name, c.addr_of(cl, team)), (doc.name, c.addr_of(doc, clinic)),
                       c.pick(["Crisis follow-up", "Mobile crisis contact - your patient", "FYI crisis response"]),
                       "\n".join(body) + "\n" + signature(c, cl, team, "Crisis Clinician"))


@template("chaplain-visit-list", True, "A: spiritual-care visit list: inpatients' names with room, admission facts and "
          "end-of-life or diagnosis notes (care relationship)")
def chaplain(c):
    hosp = c.org("Medical Center", "mc")
    ch, to = c.staff(c.pick(["MDiv, BCC", "Chaplain"])), c.staff("Chaplain")
    lines = []
    for _ in range(c.r.randrange(3, 7)):
        p = c.person(age=(30, 88))
        lines.append(f"- {c.pick([p.name, p.rev])}, rm {c.r.randrange(200, 780)} - "
                     + c.pick(["comfort care, family gathering, requests Catholic sacrament of the sick",
                               "new cancer diagnosis, spouse asked for a visit", "ICU, vent, family meeting 2pm",
                               "Muslim, asked for imam contact before surgery", "admitted after overdose, asked to talk",
                               "hospice referral placed, daughter in from out of state",
                               "pre-op for CABG tomorrow, anxious, asked for prayer",
                               "NICU parents, baby born at 27 weeks, requested baptism"]))
    body = [c.pick([f"{to.first},", "Team,", "Hi all,"]), "",
            c.pick(["Handoff for tonight's on-call:", "Visits for tomorrow:", "Weekend referrals:"]), ""] + lines + \
        ["", c.pick(["Pager is with me until 2100.", "Thanks for covering.", "Notes are in the spiritual care flowsheet."])]
    return new_message(c, (ch.name, c.addr_of(ch, hosp)), (to.name, c.addr_of(to, hosp)),
                       c.pick(["Spiritual care handoff", "Chaplain visit list", "On-call referrals"]),
                       "\n".join(body) + "\n" + signature(c, ch, hosp, "Spiritual Care"))


@template("cgm-download-csv", True, "A: diabetes educator's CGM/meter download (CSV): patient name and DOB in the header "
          "rows, glucose readings with dates, insulin doses")
def cgm(c):
    org, endo = c.org("Diabetes Education Program", "dep"), c.org("Endocrinology", "endo")
    cde, doc = c.staff(c.pick(["RD, CDCES", "RN, CDCES"])), c.staff("MD")
    p = c.person(age=(8, 80))
    start = c.day(-14, -7)
    rows = [f"Name,{p.rev}", f"Date of birth,{p.dob.strftime('%m/%d/%Y')}", f"Device,Dexcom G7 SN {c.digits(10)}", "",
            "Timestamp,Glucose (mg/dL),Insulin (u)"]
    for i in range(c.r.randrange(20, 40)):
        t = dt.datetime.combine(start, dt.time(6)) + dt.timedelta(hours=4 * i)
        rows.append(f"{t.strftime('%Y-%m-%d %H:%M')},{c.r.randrange(55, 340)},{c.pick(['', '', '4', '6', '12'])}")
    body = [c.pick([f"Dr. {doc.last},", "Hi,"]), "",
            f"Two-week download for {c.pick([p.first, p.name])} attached. "
            + c.pick(["Lows after dinner most days - consider cutting the supper bolus.", "Time in range 41%.",
                      "Overnight highs; basal may need adjusting."])]
    m = new_message(c, (cde.name, c.addr_of(cde, org)), (doc.name, c.addr_of(doc, endo)),
                    c.pick(["CGM download", "Glucose log", "Pump/CGM data"]), "\n".join(body) + "\n" + signature(c, cde, org))
    attach_text(m, "\r\n".join(rows) + "\r\n", "csv", c.pick(["cgm_export.csv", "clarity_14day.csv", "glucose.csv"]))
    return m


@template("alt-parts-differ-results", True, "A: multipart/alternative whose plain part is a generic notice while the HTML "
          "part carries the patient's name and results (every part counts)")
def alt_differ(c):
    lab = c.org("Diagnostic Laboratory", "dl")
    p = c.person(age=(18, 85))
    tests = c.sample([("Hemoglobin A1c", f"{c.r.randrange(58, 121) / 10}%", "4.0-5.6"),
                      ("TSH", f"{c.r.randrange(1, 150) / 10}", "0.4-4.0"), ("LDL cholesterol", str(c.r.randrange(70, 210)), "<100"),
                      ("Creatinine", f"{c.r.randrange(6, 30) / 10}", "0.6-1.3"), ("Vitamin D", str(c.r.randrange(8, 60)), "30-100"),
                      ("Hepatitis C antibody", c.pick(["Reactive", "Nonreactive"]), "Nonreactive")], 3)
    plain = c.pick(["Your results are ready. View this message in HTML or log in to the portal.",
                    "This message contains formatted content. Please use an HTML-capable mail reader."])
    html = html_wrap(f"<p>{c.pick(['Hello', 'Dear'])} {p.name},</p><p>Results from your blood draw on "
                     f"{c.fdate(c.day(-5, -1))}:</p>" + html_table(["Test", "Result", "Reference"], tests) +
                     f"<p>Questions? Call {lab.phone}.</p>", outlook=c.maybe())
    return new_message(c, (lab.name, f"results@{lab.domain}"), (p.name, p.email),
                       c.pick(["Your lab results", "Results available", "Lab report"]), plain, html)


@template("rfc822-mostly-forward-complaint", True, "A: body is one line; the attached message/rfc822 is a patient's "
          "complaint naming themself, the visit date and the care received")
def rfc822_complaint(c):
    hosp = c.org("Hospital", "hosp")
    staff, rel = c.staff(c.pick(["Unit Secretary", "Nurse Manager", "RN"])), c.staff("Patient Relations")
    p = c.person(age=(20, 88))
    inner = new_message(c, (p.name, p.email), f"feedback@{hosp.domain}",
                        c.pick(["Complaint about my stay", "Terrible experience", "ER visit"]),
                        "\n".join([c.pick(["To whom it may concern,", "Hello,"]), "",
                                   f"I was in your {c.pick(['ER', 'emergency room', '4th floor'])} on {c.fdate(c.day(-20, -3))} "
                                   + c.pick(["with a kidney stone and waited 6 hours for pain medicine.",
                                             "after my miscarriage and nobody explained anything.",
                                             "for chest pain and was discharged without seeing a cardiologist.",
                                             "for my knee replacement and my dressing was not changed for two days."]),
                                   c.pick(["I want someone to call me.", "I am considering a lawyer."]), "",
                                   p.name, c.pick([p.phone, p.addr(), c.dob_phrase(p)])]))
    m = new_message(c, (staff.name, c.addr_of(staff, hosp)), (rel.name, c.addr_of(rel, hosp)),
                    c.pick(["FW: complaint", "Forwarding - patient feedback", "Fwd: see attached"]),
                    c.pick(["See attached.", "Forwarding per policy.", "This came to the unit inbox.", ""]) + "\n\n" + mobile_sig(c))
    m.add_attachment(inner)
    return m


@template("sports-med-rtf-referral", True, "A: sports-medicine referral letter (RTF) to physical therapy: athlete's name, "
          "DOB, injury, surgery date and protocol")
def sports_rtf(c):
    sm, pt = c.org("Sports Medicine", "sm"), c.org("Physical Therapy", "pt")
    doc, ptc = c.staff(c.pick(["MD", "DO"])), c.staff(c.pick(["DPT", "PT, ATC"]))
    p = c.person(age=(14, 45))
    surg = c.day(-14, -2)
    inj = c.pick(["right ACL reconstruction (BTB autograft)", "left shoulder Bankart repair", "right ankle ORIF",
                  "left meniscus repair", "ulnar collateral ligament reconstruction"])
    letter = ["# Referral for Physical Therapy", f"Date: {c.fdate(c.today, '%B %-d, %Y')}", "",
              f"Patient: {p.name}", f"DOB: {c.fdob(p.dob)}", f"Sport: {c.pick(['soccer', 'basketball', 'baseball', 'volleyball'])}", "",
              f"Diagnosis/procedure: {inj}, surgery {c.fdate(surg, '%m/%d/%Y')}.",
              c.pick(["Protocol: weight bearing as tolerated in brace locked in extension.",
                      "Protocol: sling 4 weeks, passive ROM only.", "Protocol: no running before 12 weeks."]),
              "Frequency: 2-3x/week for 12 weeks.", "", f"{doc.first} {doc.last}, {doc.cred}"]
    m = new_message(c, (doc.name, c.addr_of(doc, sm)), (ptc.name, c.addr_of(ptc, pt)),
                    c.pick(["PT referral", "Post-op referral", f"Referral - {p.last}"]),
                    c.pick(["Referral attached.", "Please schedule post-op PT; letter attached.", "Attached."]) + "\n" +
                    signature(c, doc, sm))
    attach_bytes(m, rtf(letter), "application/rtf", c.pick(["PT_referral.rtf", f"{p.last}_referral.rtf", "referral.rtf"]))
    return m


@template("pharmacy-vaccine-admin-to-pcp", True, "A: community pharmacy notifying the PCP of a vaccine given: patient "
          "name, DOB, vaccine, lot and date")
def vax_pcp(c):
    ph, pcp = c.org("Pharmacy", "rx"), c.org("Family Practice", "fp")
    rph, doc = c.staff("PharmD"), c.staff(c.pick(["MD", "DO", "NP"]))
    p = c.person(age=(19, 88))
    vax = c.pick(["Shingrix dose 2", "PCV20", "Tdap", "RSV (Arexvy)", "COVID-19 2026-27", "Hep B (Heplisav-B) dose 1"])
    facts = [f"Patient: {p.name}", f"DOB: {c.fdob(p.dob)}", f"Vaccine: {vax}", f"Lot: {c.pick('ABCDEFGH')}{c.digits(5)}",
             f"Date given: {c.fdate(c.day(-4, -1))}", f"Site: {c.pick(['L deltoid', 'R deltoid'])}"]
    body = [c.pick(["Dear provider,", f"Dr. {doc.last},"]), "",
            "Your patient received the following vaccine at our pharmacy:", ""] + facts + \
        ["", c.pick(["It has been reported to the state registry.", "No adverse reaction observed during the 15-minute wait."])]
    return new_message(c, (rph.name, c.addr_of(rph, ph)), (doc.name, c.addr_of(doc, pcp)),
                       c.pick(["Vaccine administration notice", "Immunization given", "Vaccination record for your patient"]),
                       "\n".join(body) + "\n" + signature(c, rph, ph, "Pharmacist"))


@template("payroll-garnishment-ssn", True, "B: hospital payroll to a child-support agency with the employee's full SSN "
          "(LABELLING 2 decided limit: an employee's SSN is yes)")
def garnish(c):
    hosp, agency = c.org("Health System", "hs"), c.org("Child Support Services", "css")
    agency.domain = agency.domain.split(".")[0] + ".gov"
    pay, case = c.staff("Payroll Specialist"), c.staff("Case Officer")
    e = c.person(age=(22, 64))
    body = [c.pick(["Hello,", f"{case.first},", "Good afternoon,"]), "",
            f"Re: income withholding order, case {c.digits(8)}.",
            f"Employee {e.name}, SSN {c.ssn()}, " + c.pick(["was terminated effective " + c.fdate(c.day(-20, -5)),
                                                            "has a new pay frequency (biweekly) starting next period",
                                                            "is on unpaid leave; no withholding this period"]) + ".",
            c.pick(["Last deduction remitted with batch " + c.digits(6) + ".", "Please update your records."]),
            c.pick(["Employer FEIN on file.", ""])]
    return new_message(c, (pay.name, c.addr_of(pay, hosp)), (case.name, c.addr_of(case, agency)),
                       c.pick(["Income withholding - employee update", "IWO notice", "Termination notice - withholding"]),
                       "\n".join(body) + "\n" + signature(c, pay, hosp, "Payroll"))


@template("billing-callback-account-only", True, "B: a bare patient account number issued by the practice in a billing "
          "call-back note (no name): rule B account number")
def acct_only(c):
    prac, svc = c.org("Physicians Group", "pg"), c.org("Billing Solutions", "bs")
    a, b = c.staff("Front Office"), c.staff("AR Specialist")
    acct = c.pick(["Acct#", "Acct #", "Account No.", "Pt acct", "Guarantor acct"]) + " " + c.pick(["", "A", "PG"]) + c.digits(8)
    body = c.pick([f"Pt called re {acct}, says statement is wrong. Pls call back.",
                   f"Can you check {acct}? Payment posted twice.",
                   f"Callback requested - {acct} - wants itemized bill.",
                   f"{acct}: balance moved to self-pay in error, insurance was active."])
    return new_message(c, (a.name, c.addr_of(a, prac)), (b.name, c.addr_of(b, svc)),
                       c.pick(["callback", "acct question", "billing", "pls review"]), body + "\n\n" +
                       c.pick([mobile_sig(c), signature(c, a, prac, footer=False)]))


@template("dietitian-tube-feeding-orders", True, "A: outpatient dietitian to home health: patient name, weight, tube "
          "type and feeding regimen (care + health facts)")
def tube(c):
    rd_org, hh = c.org("Nutrition Services", "ns"), c.org("Home Health", "hh")
    rd, rn = c.staff(c.pick(["RD, LD", "MS, RDN"])), c.staff("RN")
    p = c.person(age=(2, 88))
    body = [c.pick([f"{rn.first},", "Hi team,"]), "",
            f"New tube feeding orders for {c.pick([p.name, p.name + ', ' + c.dob_phrase(p)])}:",
            f"- Formula: {c.pick(['Jevity 1.5', 'Osmolite 1.2', 'Peptamen', 'Kate Farms Peptide 1.5'])}",
            f"- {c.pick(['Bolus 240 mL 5x/day', 'Continuous 60 mL/h x 20 h', 'Nocturnal 85 mL/h 8p-8a'])} via "
            f"{c.pick(['G-tube', 'PEG', 'GJ-tube', 'NG tube'])}",
            f"- Free water flush {c.pick(['30', '60', '120'])} mL q4h",
            f"Weight today {c.r.randrange(20, 95)} kg, {c.pick(['down 3 kg in a month', 'stable', 'up 1 kg'])}.",
            c.pick(["Please recheck weight weekly.", "Call me if residuals > 250 mL."])]
    return new_message(c, (rd.name, c.addr_of(rd, rd_org)), (rn.name, c.addr_of(rn, hh)),
                       c.pick(["Tube feeding orders", "EN regimen update", "Nutrition orders"]),
                       "\n".join(body) + "\n" + signature(c, rd, rd_org, "Registered Dietitian"))


@template("housing-accommodation-letter", True, "A: clinic letter to a housing authority/landlord supporting a tenant's "
          "accommodation: patient name, address and condition")
def housing(c):
    clinic, ha = c.org("Health Center", "hc"), c.org("Housing Authority", "ha")
    doc, case = c.staff(c.pick(["MD", "NP", "LCSW"])), c.staff("Caseworker")
    p = c.person(age=(18, 85))
    letter = [c.fdate(c.today, "%B %-d, %Y"), "", "To the Housing Authority:", "",
              f"{p.name}, who lives at {p.addr()}, is my patient. "
              + c.pick(["The patient has severe persistent asthma made worse by mold in the unit.",
                        "My patient has PTSD and needs a unit transfer away from the current building.",
                        "Since a spinal cord injury the patient uses a wheelchair and needs a ground-floor unit.",
                        "The patient is on home dialysis and needs reliable electricity and a ground-floor unit."]),
              c.pick(["I request a reasonable accommodation as soon as possible.", "Please contact me with questions."]),
              "", f"{doc.first} {doc.last}, {doc.cred}"]
    m = new_message(c, (doc.name, c.addr_of(doc, clinic)), (case.name, c.addr_of(case, ha)),
                    c.pick(["Reasonable accommodation letter", "Letter for tenant", "Medical accommodation request"]),
                    c.pick(["Letter below, signed copy to follow by mail.", "Please see the letter."]) + "\n\n" + "\n".join(letter))
    return m


@template("research-consent-tracker-identified-xlsx", True, "A: research coordinator's consent tracker (XLSX) with "
          "participants' names, MRNs, consent dates (date cells) and the study")
def consent_xlsx(c):
    org, cro = c.org("Clinical Research Office", "cro"), c.org("Research Institute", "ri")
    coord, mon = c.staff("CCRC"), c.staff("CRA")
    study = c.pick(["HEART-FIT heart failure trial", "ReLAPSE-MS", "CKD-SLOW", "Pediatric Asthma Controller Study"])
    rows = [["Name", "MRN", "Consent date", "Consent version", "Re-consent due", "Status"]]
    for _ in range(c.r.randrange(5, 12)):
        p = c.person(age=(18, 80))
        d = c.day(-200, -10)
        rows.append([p.rev, c.mrn(), d, c.pick(["v3.0", "v3.1", "v4.0"]), d + dt.timedelta(days=365),
                     c.pick(["enrolled", "screen fail", "withdrawn", "active"])])
    body = [c.pick([f"{mon.first},", "Hi,"]), "",
            f"Consent log for {study} attached ahead of the monitoring visit. "
            + c.pick(["Two re-consents are pending.", "Version 4.0 roll-out is in progress."])]
    m = new_message(c, (coord.name, c.addr_of(coord, org)), (mon.name, c.addr_of(mon, cro)),
                    c.pick(["Consent tracker", "ICF log", "Consent log for monitoring"]), "\n".join(body) + "\n" + signature(c, coord, org))
    attach_bytes(m, xlsx(rows, "Consents", c.pick(["mm/dd/yyyy", "d-mmm-yy", "yyyy-mm-dd"])),
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "consent_tracker.xlsx")
    return m


@template("med-list-photo-png", True, "A: photo (PNG) of a patient's medication list with name and DOB, attached by a "
          "nurse for medication reconciliation (text in images counts)")
def med_png(c):
    clinic, dest = c.org("Geriatrics Clinic", "gc"), c.org("Pharmacy Services", "ps")
    rn, rph = c.staff("RN"), c.staff("PharmD")
    p = c.person(age=(60, 88))
    meds = c.sample(["Eliquis 5 mg twice a day", "Lasix 40 mg morning", "Metoprolol 25 mg", "Donepezil 10 mg bedtime",
                     "Synthroid 75 mcg", "Potassium 20 mEq", "Januvia 100 mg", "Tramadol 50 mg as needed"], 5)
    lines = [f"MEDICATION LIST - {p.name}", f"DOB {c.fdob(p.dob)}", ""] + meds + ["", f"Allergies: {c.pick(['codeine', 'none', 'PCN'])}"]
    m = new_message(c, (rn.name, c.addr_of(rn, clinic)), (rph.name, c.addr_of(rph, dest)),
                    c.pick(["Med rec", "Photo of med list", "Home meds"]),
                    c.pick(["Photo of the home med list for reconciliation.", "Daughter brought this list in.", "See photo"])
                    + "\n\n" + mobile_sig(c))
    attach_bytes(m, png_text(lines), "image/png", c.pick(["IMG_" + c.digits(4) + ".png", "medlist.png"]))
    return m


@template("code-switch-home-health-scheduler", True, "A: home-health scheduler writing to a patient or family in "
          "Polish, Vietnamese, Tagalog or Russian mixed with English: name + visit date + service/medication")
def code_switch(c):
    hh = c.org("Home Care", "hc")
    sch = c.staff(c.pick(["Scheduler", "Intake Coordinator"]))
    lang = c.pick(["pl", "vi", "tl", "ru"])
    p = c.person(hand=lang, age=(55, 88))
    d = c.fdate(c.day(1, 10), "%m/%d")
    svc = c.pick(["wound care", "PT", "INR check", "insulin teaching", "Foley change"])
    text = {
        "pl": f"Dzień dobry Pani/Panie {p.last}, pielęgniarka przyjdzie {d} o {c.ftime()} na {svc}. "
              "Please have your medication list ready. Proszę zadzwonić jeśli trzeba zmienić termin.",
        "vi": f"Chào {c.pick(['bác', 'cô', 'chú'])} {p.first} {p.last}, y tá sẽ đến nhà ngày {d} lúc {c.ftime()} để làm {svc}. "
              "Please keep the dog inside. Nếu cần đổi lịch, xin gọi cho chúng tôi.",
        "tl": f"Hi po {p.first} {p.last}, ang nurse ay darating sa {d} ng {c.ftime()} para sa {svc}. "
              "Pakihanda po ang mga gamot ninyo. Thank you po!",
        "ru": f"Здравствуйте, {p.first} {p.last}! Медсестра придёт {d} в {c.ftime()} — {svc}. "
              "Please have the Coumadin bottle ready. Если нужно перенести визит, позвоните нам.",
    }[lang]
    to = p if c.maybe(0.6) else c.person(hand=lang)
    return new_message(c, (sch.name, c.addr_of(sch, hh)), (to.name, to.email),
                       c.pick(["Visit schedule", f"{svc} visit {d}", "Home care visit"]),
                       text + "\n\n" + signature(c, sch, hh))


@template("hyperbaric-treatment-series-ics", True, "A: hyperbaric-oxygen clinic to the patient's own address with a "
          "calendar invite: patient name, indication and the treatment series dates")
def hbo(c):
    clinic = c.org("Wound & Hyperbaric Center", "whc")
    rn = c.staff(c.pick(["RN, CHRN", "CHT", "RN"]))
    p = c.person(age=(30, 88))
    start = dt.datetime.combine(c.day(2, 12), dt.time(c.pick([7, 8, 10, 13])))
    n = c.pick([20, 30, 40])
    why = c.pick(["diabetic foot ulcer (Wagner 3)", "radiation cystitis", "osteoradionecrosis of the jaw",
                  "compromised skin flap", "chronic refractory osteomyelitis"])
    desc = f"{p.name}: hyperbaric oxygen therapy, treatment 1 of {n}, for {why}. Mon-Fri, 2 h per dive. " \
           "No lotions, hair products or lighters. Take your usual insulin and eat breakfast."
    m = new_message(c, (rn.name, c.addr_of(rn, clinic)), (p.name, p.email),
                    c.pick(["Your hyperbaric treatment schedule", "HBO treatments start " + start.strftime("%-m/%-d"),
                            "Hyperbaric appointment"]),
                    f"{c.pick(['Hello', 'Hi', 'Dear'])} {p.first},\n\nYour first of {n} hyperbaric treatments is "
                    f"{start.strftime('%A, %B %-d at %-I:%M %p')}; the invite is attached." + "\n" + signature(c, rn, clinic))
    attach_text(m, ics(c, clinic, "Hyperbaric oxygen treatment", start, 120, desc, clinic.name,
                       [(p.name, p.email)]), "calendar", "hbo_schedule.ics")
    return m


@template("hearing-aid-dispenser-thread", True, "A: hearing-aid dispenser thread (Gmail forward or Outlook reply): "
          "new text is logistics; the quoted/forwarded history names the patient with audiogram findings and devices")
def hearing(c):
    disp, aud = c.org("Hearing Aid Center", "hac"), c.org("ENT & Audiology", "ent")
    his, au = c.staff(c.pick(["BC-HIS", "HAS"])), c.staff(c.pick(["AuD", "CCC-A"]))
    p = c.person(age=(45, 88))
    when = c.now - dt.timedelta(days=c.r.randrange(1, 6), hours=c.r.randrange(1, 8))
    old = "\n".join([f"Hi {his.first},", "",
                     f"Sending over {c.pick([p.name, p.rev + ' (' + c.dob_phrase(p) + ')'])} for a hearing aid evaluation. "
                     + c.pick(["Moderate to severe sloping SNHL bilaterally, WRS 72% R / 64% L.",
                               "Asymmetric loss, R worse; MRI IAC was negative.",
                               "Mild-to-moderate SNHL, tinnitus R > L, wants rechargeable RICs."]),
                     c.pick(["Medical clearance signed.", "Audiogram attached in the portal."]), "", f"{au.first} {au.last}, {au.cred}"])
    new = c.pick(["Done - ordered, fitting is next Thursday.", "Got it, we'll call the patient today.", "Thanks! Scheduled.",
                  f"Ordered, serials {c.digits(10)} / {c.digits(10)}."])
    subj = c.pick(["HAE referral", "Referral for hearing aids", "New patient referral"])
    if c.maybe():
        body = new + "\n" + signature(c, his, disp, "Hearing Instrument Specialist") + "\n\n" + \
            outlook_header(f"{au.name} <{c.addr_of(au, aud)}>", when, f"{his.name}", subj) + "\n" + old
        subj = "RE: " + subj
    else:
        body = new + "\n\n" + gmail_fwd(f"{au.name} <{c.addr_of(au, aud)}>", f"{his.name} <{c.addr_of(his, disp)}>", subj, when) + \
            "\n" + old
        subj = "Fwd: " + subj
        return new_message(c, (his.name, c.addr_of(his, disp)), f"scheduling@{disp.domain}", subj, body)
    return new_message(c, (his.name, c.addr_of(his, disp)), (au.name, au.email), subj, body)
