"""Positive templates, part B: third parties (insurers, courts, employers, brokers), odd places for
the PHI (subject only, file name only, quoted history only), mixed languages.
Every message each template renders is `yes` under rules/corpus/LABELLING.md (rule in `why`)."""

import datetime as dt

from mailkit import template, csv_text, html_table, html_doc, text_to_html, pdf, quote_gmail, quote_outlook


@template("life-insurance-aps-reply", True,
          "A: attending physician statement to a life insurer: applicant name, DOB, diagnoses, last visit (PDF)")
def aps(c):
    org, dom = c.org("primary")
    ins, idom = c.org("insurer")
    p = c.patient()
    s = c.staff(c.pick(["RHIT", "MA", ""]) or "RHIT")
    dx = c.some(["Type 2 diabetes (E11.9), A1c 7.4%", "Essential hypertension", "Hyperlipidemia on atorvastatin",
                 "Obstructive sleep apnea on CPAP", "Major depressive disorder, in remission", "Former smoker, quit 2019",
                 "Atrial fibrillation on apixaban"], 2, 4)
    lines = ["ATTENDING PHYSICIAN STATEMENT", "Proposed insured: %s" % p.full, "Date of birth: %s" % c.dob(1955, 1995, "us"),
             "Policy/application no.: %s" % c.pick(["L", "AP", "T"]) + c.digits(9),
             "First visit: %s   Last visit: %s" % (c.fmt_date(c.past(400, 3000), "us"), c.fmt_date(c.past(5, 120), "us")), "Diagnoses:"]
    lines += ["  - " + d for d in dx] + ["Current medications: %s" % ", ".join(c.some(["metformin 1000 mg BID", "lisinopril 20 mg", "atorvastatin 40 mg",
                                                                                      "sertraline 100 mg", "apixaban 5 mg BID"], 1, 3)),
                                        "Completed by: %s" % s.full, "Authorization on file dated %s" % c.fmt_date(c.past(20, 60), "us")]
    text = "%s\n\n%s\n\n%s\n%s" % (c.greet(), c.pick(["Attached is the APS you requested along with the office notes.",
                                                      "Please see the completed attending physician statement; invoice for the $%d fee to follow." % c.pick([25, 50, 75]),
                                                      "Re your request ref %s - completed APS attached." % c.digits(7)]),
                                   c.thanks(), c.sig(s, org, role="Medical Records"))
    fn = c.pick(["APS_completed.pdf", "APS_%s.pdf" % c.digits(7), "attending_physician_statement.pdf"])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["aps.requests@" + idom], subject=c.pick(
        ["APS - completed", "Re: Attending Physician Statement request", "Records request - APS"]), text=text,
        attachments=[(fn, "application", "pdf", pdf(lines, "APS"))])


@template("court-ordered-evaluation-scheduling", True,
          "A: defendant's name + court-ordered competency/psych evaluation date (behavioural health care)")
def court_eval(c):
    org, dom = c.org("behavioral")
    law, ldom = c.org("law")
    p = c.patient()
    s = c.staff(c.pick(["PhD", "PsyD", "MD"]))
    d = c.future(3, 25)
    kind = c.pick(["competency to stand trial evaluation", "criminal responsibility evaluation", "custody evaluation (parent)",
                   "risk assessment", "psychological evaluation per court order"])
    cause = "%s-CR-%s" % (c.num(2025, 2026), c.digits(5)) if c.chance(0.6) else "Case No. %s" % c.digits(8)
    atty = c.person(staff=True)
    text = "\n".join([c.greet(c.pick(["Counsel", atty.title, atty.first])), "",
                      c.pick(["Per the order entered in %s, our office has scheduled the %s of %s." % (cause, kind, p.full),
                              "Writing to confirm the %s for your client, %s (%s)." % (kind, p.full, cause)]),
                      "", "Date/time: %s at %s" % (c.fmt_date(d, "long"), c.time()),
                      "Location: %s" % c.pick(["county jail, attorney visit room", "our office, suite %d" % c.num(100, 450), "via video from the detention center"]),
                      c.maybe(0.6, "Records needed beforehand: prior psychiatric records, medication list (currently on %s per jail medical)." % c.pick(["quetiapine", "lithium", "aripiprazole", "buprenorphine"])),
                      "", c.pick(["The report will be filed with the court within 30 days.", "Please advise if the date conflicts with a hearing."]),
                      "", c.thanks(), c.sig(s, org)])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.email_for(atty, ldom)], subject=c.pick(
        ["Evaluation scheduled - %s" % p.last, "%s - court-ordered evaluation" % cause, "Re: eval of %s" % p.full]), text=text)


@template("dot-medical-card-pdf", True,
          "A: DOT medical examiner's certificate (PDF) to the employer: driver name, DOB, licence no., exam date, restrictions")
def dot_card(c):
    org, dom = c.org("occ")
    emp, edom = c.org("employer")
    p = c.patient()
    s = c.staff(c.pick(["NP", "DO", "PA-C", "MD"]))
    exam = c.past(0, 5)
    term = c.pick(["2 years", "1 year", "3 months"])
    why = {"2 years": "no restrictions", "1 year": "hypertension, monitoring", "3 months": "BP 152/96 - one-time 3-month certificate"}[term]
    lines = ["MEDICAL EXAMINER'S CERTIFICATE", "Driver: %s" % p.full, "DOB: %s" % c.dob(1960, 2002, "us"),
             "CDL: %s%s (%s)" % (c.pick("ABDFGHKLMNRSTW"), c.digits(8), c.fk("en_US").state_abbr()),
             "Exam date: %s" % c.fmt_date(exam, "us"), "Certified for: %s (%s)" % (term, why),
             "Qualifying conditions: %s" % c.pick(["wearing corrective lenses", "wearing hearing aid", "none", "accompanied by SPE certificate"]),
             "Medical examiner: %s, NRCME %s" % (s.full, c.digits(10))]
    text = "%s\n\n%s\n\n%s\n%s" % (c.greet(), c.pick(["DOT physical completed today, card attached.", "Attached is the med card for your driver.",
                                                      "%s passed the DOT physical; certificate attached." % p.first]), c.thanks(), c.sig(s, org))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["safety@" + edom, "hr@" + edom][:c.num(1, 2)],
                subject=c.pick(["DOT card - %s" % p.last, "Med card", "DOT physical results", "MEC %s" % p.full]), text=text,
                attachments=[(c.pick(["MEC_%s.pdf" % p.last, "med_card.pdf", "DOT_certificate.pdf"]), "application", "pdf", pdf(lines, "MEC"))])


@template("travel-clinic-visit-summary", True,
          "A: patient (own address) + vaccines given, antimalarial prescription, trip dates")
def travel(c):
    org, dom = c.org("travel")
    p = c.patient()
    s = c.staff(c.pick(["RN", "NP", "PharmD"]))
    dest = c.pick(["Kenya and Tanzania", "Peru (Cusco, Amazon)", "Ghana", "India and Nepal", "Vietnam and Cambodia", "Brazil"])
    vax = c.some(["Yellow fever (lot %s)" % c.digits(6), "Typhoid Vi", "Hepatitis A #1", "Tdap", "Rabies pre-exposure #1", "Japanese encephalitis #1",
                  "Chikungunya (Ixchiq)"], 1, 3)
    mal = c.pick(["atovaquone-proguanil 250/100 mg, 1 daily starting 2 days before travel", "doxycycline 100 mg daily",
                  "no malaria prophylaxis needed for your route"])
    text = "\n".join([c.greet(p.first), "", "Summary of your travel visit on %s for %s:" % (c.fmt_date(c.past(0, 3)), dest), ""] +
                     ["- Given today: %s" % v for v in vax] +
                     ["- Malaria: %s" % mal, "- Traveler's diarrhea: azithromycin 1 g once if needed (sent to your pharmacy)",
                      c.maybe(0.5, "- Your yellow fever certificate (ICVP) is ready for pickup."), "",
                      c.pick(["Safe travels!", "Have a great trip.", "Bon voyage!"]), c.sig(s, org)])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.addr(p, c.personal_email(p))], subject=c.pick(
        ["Your travel visit summary", "Travel clinic - vaccines and prescriptions", "Trip to %s" % dest.split()[0]]), text=text)


@template("telepharmacy-verification-hold", True,
          "A: patient name + prescription + interaction/allergy hold, remote pharmacist to a rural technician")
def telepharmacy(c):
    org, dom = c.org("pharmacy")
    p = c.patient()
    s = c.staff("PharmD")
    issue = c.pick([("clarithromycin", "interacts with simvastatin on profile - call prescriber for azithro"),
                    ("tramadol 50 mg", "on sertraline 200 mg - serotonin risk, need prescriber OK"),
                    ("amoxicillin 875", "PCN allergy (hives) on file - verify with patient"),
                    ("warfarin 7.5 mg", "INR from %s was 4.1 - dose looks high" % c.short(c.past(2, 8))),
                    ("methotrexate 2.5 mg", "sig says daily - should be weekly, DO NOT fill")])
    text = c.pick([
        "Rx %s for %s (%s) on hold: %s.\n\n%s" % (c.digits(7), p.full, issue[0], issue[1], c.sig(s, org, phone=False)),
        "%s\n\n%s - %s, DOB %s. %s. Leave in queue pls.\n\n%s" % (c.greet(c.person(staff=True).first), p.rev, issue[0], c.dob(), issue[1], c.thanks() + "\n" + s.first),
        "Holding %s's %s - %s. Will call the office at 2.\n%s" % (p.full, issue[0], issue[1], c.pick(["-" + s.first, "Sent from mobile"]))])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["store%d@%s" % (c.num(2, 40), dom)], subject=c.pick(
        ["Verification hold", "RPh hold - %s" % p.last, "re: queue", "DUR hold"]), text=c.typo(text))


@template("phi-only-in-subject", True,
          "A: the subject line carries name + DOB or name + diagnosis; the body is bare logistics")
def subj_only(c):
    org, dom = c.org(c.pick(["primary", "hospital", "derm", "peds"]))
    p = c.patient()
    s = c.staff()
    subj = c.pick(["%s %s - path back, %s" % (p.rev, c.dob(1940, 2005, "us_short"), c.pick(["melanoma", "BCC", "benign", "adenoma"])),
                   "FW: %s DOB %s - needs %s" % (p.full, c.dob(1940, 2005), c.pick(["echo", "colonoscopy", "sleep study", "MRI lumbar"])),
                   "Re: %s %s - %s" % (p.title, c.pick(["CHF readmit", "new A-fib", "+ pregnancy test", "positive strep", "HbA1c 10.2"]), c.pick(["pls call", "FYI", "urgent"])),
                   "%s, %s: chemo start %s" % (p.last.upper(), p.first, c.short(c.future(2, 14)))])
    body = c.pick(["Can you call me when you get a sec?", "see above. thx", "Pls handle today.", "Called, no answer - will retry at 3.",
                   "Got it, I'll take care of it.", "Added to tomorrow's list.", "ok"])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.email_for(c.staff(), dom)], subject=subj,
                text=body + "\n\n" + c.pick([s.first, "-" + s.first[0], c.sig(s, org), "Sent from my iPhone"]))


@template("mixed-language-patient-note", True,
          "A: patient name (own address) + result/medication/appointment in Polish, Italian, German or Turkish mixed with English")
def mixed_lang(c):
    org, dom = c.org(c.pick(["primary", "hospital"]))
    lang = c.pick(["pl", "it", "de", "tr"])
    p = c.patient(locale={"pl": "pl_PL", "it": "it_IT", "de": "de_DE", "tr": "tr_TR"}[lang])
    s = c.staff(c.pick(["RN", "MA", "NP"]))
    d = c.future(2, 20)
    val = c.num(71, 119) / 10
    t = {
        "pl": c.pick(["Dzień dobry %s,\n\nwyniki badań z %s: HbA1c %.1f%%. Dr. %s prosi o zwiększenie dawki metforminy do 1000 mg dwa razy dziennie. (Your A1c is %.1f - metformin increased.)",
                      "Pani/Pan %s,\n\nprzypominamy o wizycie kontrolnej %s (kolonoskopia). Prosimy o przygotowanie jelita dzień wcześniej. / Reminder: colonoscopy %s."]),
        "it": c.pick(["Gentile %s,\n\ni risultati degli esami del %s: emoglobina glicata %.1f%%. Il dottor %s consiglia di aumentare la metformina a 1000 mg due volte al giorno. (In English: A1c %.1f, metformin increased.)",
                      "Buongiorno %s,\n\nle ricordiamo l'appuntamento del %s per la colonscopia. Preparazione intestinale il giorno prima. / Reminder: colonoscopy %s."]),
        "de": c.pick(["Hallo %s,\n\nIhre Laborwerte vom %s: HbA1c %.1f %%. Dr. %s empfiehlt, Metformin auf 2x täglich 1000 mg zu erhöhen. (English: A1c %.1f, metformin increased.)",
                      "Guten Tag %s,\n\nwir erinnern an Ihren Termin am %s zur Darmspiegelung (Koloskopie). Bitte am Vortag abführen. / Reminder: colonoscopy %s."]),
        "tr": c.pick(["Merhaba %s,\n\n%s tarihli tahlil sonuçlarınız: HbA1c %%%.1f. Dr. %s metformin dozunu günde iki kez 1000 mg'a çıkarmanızı öneriyor. (English: A1c %.1f, metformin increased.)",
                      "Sayın %s,\n\n%s tarihindeki kolonoskopi randevunuzu hatırlatırız. Bir gün önce bağırsak hazırlığı yapınız. / Reminder: colonoscopy %s."]),
    }[lang]
    if "%.1f" in t or "%%%.1f" in t:
        body = t % (p.full, c.past(2, 10).strftime("%d/%m/%Y" if lang == "it" else "%d.%m.%Y"), val, c.person(staff=True).last, val)
    else:
        body = t % (p.full, d.strftime("%d/%m/%Y" if lang == "it" else "%d.%m.%Y"), c.wd(d))
    close = {"pl": ["Pozdrawiam / Regards,", "Z poważaniem,"], "it": ["Cordiali saluti,", "Saluti / Regards,"],
             "de": ["Mit freundlichen Grüßen,", "Viele Grüße / Regards,"], "tr": ["Saygılarımla,", "İyi günler / Regards,"]}[lang]
    subj = {"pl": ["Wyniki / results", "Przypomnienie / reminder"], "it": ["Risultati / your results", "Promemoria appuntamento"],
            "de": ["Ihre Ergebnisse / your results", "Terminerinnerung"], "tr": ["Sonuçlarınız / results", "Randevu hatırlatma"]}[lang]
    text = "%s\n\n%s\n%s" % (body, c.pick(close + ["Thanks,"]), c.sig(s, org))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.addr(p, c.personal_email(p))], subject=c.pick(
        subj + ["Message from your care team"]), text=text)


@template("mrn-only-in-filename", True,
          "B: the only protected content is an MRN (with study name/date) in the attachment's file name; the PDF is a blank cover")
def mrn_filename(c):
    org, dom = c.org(c.pick(["hospital", "radiology"]))
    s = c.staff(c.pick(["RHIT", "MA", "CPhT", "RN"]) if c.chance(0.7) else "MA")
    mrn = c.pick(["MRN%s", "MRN_%s", "MRN-%s", "mrn%s"]) % c.digits(8)
    study = c.pick(["echo", "CTA_chest", "holter", "EEG", "PFT", "EMG"])
    fn = c.pick(["%s_%s_%s.pdf", "%s-%s-%s.pdf"]) % (mrn, study, c.past(1, 20).strftime("%Y%m%d"))
    cover = pdf(["FAX COVER SHEET", "From: %s" % org, "Pages: %d (including cover)" % c.num(2, 9),
                 "Re: requested report", "The information in this fax is confidential."], "cover")
    text = "%s\n\n%s\n\n%s" % (c.greet(), c.pick(["Report attached as requested.", "Please see attached.", "Here you go.", "Resending - first one bounced."]),
                               c.sig(s, org))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.email_for(c.person(staff=True), c.org("primary")[1])],
                subject=c.pick(["Requested report", "Report", "attached", "Fax: report"]), text=text,
                attachments=[(fn, "application", "pdf", cover)])


@template("cardiac-rehab-attendance-html", True,
          "A: HTML table, one row per patient: name, session dates, resting/peak heart rate, diagnosis")
def cardiac_rehab(c):
    org, dom = c.org("hospital")
    s = c.staff(c.pick(["RN", "MS, CEP", "RCEP"]) if c.chance(0.5) else "RN")
    rows = []
    for _ in range(c.num(3, 8)):
        p = c.patient()
        rows.append([p.full if c.chance(0.5) else p.rev, c.pick(["s/p CABG", "STEMI s/p PCI", "HFrEF EF 30%", "AVR", "stable angina"]),
                     "%d/36" % c.num(1, 36), c.fmt_date(c.past(1, 4), "us"), "%d / %d" % (c.num(55, 85), c.num(95, 140)),
                     c.pick(["progressing", "missed 2", "BP high - called MD", "graduating " + c.short(c.future(3, 20))])])
    body = "<p>%s</p><p>%s</p>%s<p>%s</p>" % (c.greet("Dr. " + c.person(staff=True).last), c.pick(["Weekly cardiac rehab summary for your patients:",
                                                                                                  "Here is this week's Phase II attendance."]),
                                           html_table(["Patient", "Dx", "Session", "Last session", "HR rest/peak", "Notes"], rows),
                                           c.sig(s, org, role="Cardiac Rehab").replace("\n", "<br>"))
    header = ["Patient", "Dx", "Session", "Last session", "HR rest/peak", "Notes"]
    form = c.pick(["alt", "html_only", "csv"])
    m = dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.email_for(c.staff("MD"), dom)], subject=c.pick(
        ["Cardiac rehab weekly", "Phase II attendance", "Rehab summary wk of %s" % c.short(c.today), "CR progress - your pts"]))
    if form == "alt":
        m["text"] = "\n".join(["\t".join(str(x) for x in r) for r in [header] + rows])
        m["html"] = html_doc(body)
    elif form == "html_only":
        m["html"], m["html_only"] = html_doc(body), True
    else:
        m["text"] = "%s\n\n%s\n\n%s" % (c.greet(), c.pick(["Weekly rehab attendance attached (CSV).", "Attached: this week's phase II summary for your patients.",
                                                          "See attached - two pts flagged in the notes column."]), c.sig(s, org, role="Cardiac Rehab"))
        m["attachments"] = [("cardiac_rehab_%s.csv" % c.today.strftime("%m%d"), "text", "csv", csv_text([header] + rows))]
    return m


@template("trial-stipend-reimbursement-csv", True,
          "A: research subjects' names + study visit dates + study (condition) in a stipend file to finance")
def stipend(c):
    org, dom = c.org("research")
    s = c.staff(c.pick(["CCRC", "CRA", ""]) or "CCRC")
    study = c.pick(["psoriasis biologic trial", "HFpEF device study", "major depression ketamine study", "NASH study", "RSV vaccine study (65+)"])
    rows = [["Subject name", "Address", "Visit", "Visit date", "Amount"]]
    for _ in range(c.num(3, 9)):
        p = c.patient()
        rows.append([p.full, "%s, %s" % (c.street(), c.city_zip()), c.pick(["Screening", "Week 4", "Week 12", "EOS"]),
                     c.fmt_date(c.past(2, 30), "us"), "%d.00" % c.pick([50, 75, 100, 150])])
    text = "%s\n\n%s\n\n%s\n%s" % (c.greet("Finance"), c.pick(["Please process the attached stipend payments for the %s." % study,
                                                              "Subject payments for %s attached; checks to home addresses." % study]),
                                   c.thanks(), c.sig(s, org))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["research.finance@" + dom], subject=c.pick(
        ["Subject stipends", "Participant payments - %s" % c.today.strftime("%b"), "Stipend request"]), text=text,
        attachments=[("stipends_%s.csv" % c.today.strftime("%Y%m"), "text", "csv", csv_text(rows))])


@template("nemt-ride-booking", True,
          "A+B: Medicaid member ID + member name, pickup address and dialysis/clinic appointment times")
def nemt(c):
    org, dom = c.org("nemt")
    clinic, cdom = c.org(c.pick(["hospital", "primary"]))
    p = c.patient()
    s = c.staff("")
    s.cred = None
    d = c.future(1, 10)
    dest = c.pick(["dialysis", "chemo infusion", "PT", "methadone clinic", "wound clinic", "cardiology"])
    text = "\n".join([c.greet(), "", c.pick(["Trip confirmed:", "Your ride request has been booked.", "Standing order set up:"]),
                      "Member: %s  ID %s" % (p.full, c.member_id()),
                      "Pickup: %s, %s at %s" % (c.street(), c.city_zip(), c.time()),
                      "Destination: %s (%s)" % (clinic, dest),
                      "Dates: %s" % (c.pick(["M/W/F through %s" % c.short(c.future(20, 40)), c.fmt_date(d), "Tu/Th"])),
                      "Mobility: %s" % c.pick(["ambulatory", "wheelchair", "stretcher", "ambulatory + attendant"]),
                      "Trip #: %s" % c.digits(9), "", c.sig(s, org, role="Trip Coordinator")])
    return dict(frm="%s <trips@%s>" % (org, dom), to=["frontdesk@" + cdom], subject=c.pick(
        ["Trip confirmation", "Ride booked - %s" % p.last, "Standing order confirmation"]), text=text)


@template("employee-health-tb-conversion", True,
          "2 (decided limit): employee health names an employee's positive TB test and treatment plan")
def tb(c):
    org, dom = c.org("hospital")
    e = c.person(staff=True)
    s = c.staff(c.pick(["RN", "NP"]))
    text = "\n".join([c.greet(e.first), "",
                      c.pick(["Your annual TB screening (QuantiFERON) came back positive.",
                              "Your TB skin test read at %d mm, which is a positive result for healthcare workers." % c.num(10, 18)]),
                      c.pick(["Your chest x-ray on %s was clear, so this is latent TB infection, not active disease." % c.short(c.past(1, 6)),
                              "We've ordered a chest x-ray; please get it done by %s." % c.wd(c.future(1, 5))]),
                      c.pick(["We recommend treatment with rifampin daily for 4 months; Dr. %s can prescribe." % c.person(staff=True).last,
                              "Let's discuss 3HP (weekly isoniazid + rifapentine for 12 weeks).", ""]),
                      "You may continue working. Employee ID %s - your manager only sees 'cleared'." % c.digits(6), "",
                      c.thanks(), c.sig(s, org, role="Employee Health")])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.addr(e, c.email_for(e, dom))], subject=c.pick(
        ["Your TB screening result", "Employee Health - follow up", "QuantiFERON result"]), text=text)


@template("quoted-thread-phi-in-quote", True,
          "A: new text is logistics; the quoted (Gmail '>' or Outlook) history names the patient with a diagnosis/order")
def quoted(c):
    org, dom = c.org(c.pick(["supplier", "infusion", "wound"]))
    clinic, cdom = c.org(c.pick(["wound", "primary", "hospital"]))
    a = c.staff(c.pick(["RN", "MA"]))
    b = c.staff("")
    b.cred = None
    p = c.patient()
    item, dx = c.pick([("wound vac (KCI ActiV.A.C.)", "stage 4 sacral ulcer"), ("hospital bed with alternating-pressure mattress", "ALS"),
                       ("enteral pump + Jevity 1.5", "dysphagia after CVA"), ("portable oxygen concentrator", "COPD, sats 86% RA"),
                       ("Dexcom G7 sensors", "T1DM on pump")])
    old = "%s\n\nNew order for %s, DOB %s - %s for %s. Face-to-face was %s. %s\n\n%s" % (
        c.greet(b.first), p.full, c.dob(1935, 1995), item, dx,
        c.fmt_date(c.past(2, 9), "us"), c.pick(["Pls deliver to home.", "Insurance is Medicare A/B.", ""]), a.first)
    new = c.pick(["Thanks, will do.", "Got it - driver can do Thursday. Does that work?", "Received. Missing the signed order, can you resend?",
                  "Delivered this morning.", "ok thx"])
    when = dt.datetime.combine(c.past(1, 4), dt.time(c.num(8, 16), c.num(0, 59)))
    if c.chance(0.5):
        hist = quote_gmail(c, when, "%s <%s>" % (a.full, c.email_for(a, cdom)), old)
    else:
        hist = quote_outlook(c, when, "%s <%s>" % (a.full, c.email_for(a, cdom)), "%s <%s>" % (b.full, c.email_for(b, dom)),
                             "New order", old)
    if c.chance(0.4):  # one more layer of logistics on top
        hist = quote_gmail(c, when + dt.timedelta(hours=3), b.full, c.pick(["Checking stock, will confirm.", "Who's the ordering MD?"]) + "\n\n" + hist)
    return dict(frm=c.addr(b, c.email_for(b, dom)), to=[c.addr(a, c.email_for(a, cdom))], subject=c.pick(["Re: New order", "RE: RE: order", "Re: delivery"]),
                text="%s\n\n%s\n\n%s" % (new, b.first, hist))


@template("post-visit-survey-with-date", True,
          "A/3: survey invite to the patient's own address naming the visit date and provider (care relationship)")
def survey_pos(c):
    kind = c.pick(["primary", "derm", "audiology", "travel", "peds"])
    org, dom = c.org(kind)
    p = c.patient()
    doc = c.staff(c.pick({"audiology": ["Au.D."], "travel": ["NP", "RN", "MD"]}.get(kind, ["MD", "NP", "PA-C", "DO"])))
    d = c.past(1, 6)
    sid = c.digits(10)
    body = "%s<p>%s</p><p>%s</p><p><a href=\"https://survey.%s/s/%s\">Start the survey</a></p><p style=\"font-size:9pt\">%s</p>" % (
        "<p>%s</p>" % c.greet(p.first),
        c.pick(["Thank you for your visit with %s on %s." % (doc.full + ", " + doc.cred, c.fmt_date(d, "long")),
                "How was your appointment on %s with %s?" % (c.fmt_date(d), doc.full)]),
        "It takes 2 minutes and helps us improve.", dom, sid, c.pick(["To unsubscribe, reply STOP.", "%s, %s" % (org, c.city_zip())]))
    return dict(frm="%s <feedback@%s>" % (org, dom), to=[c.addr(p, c.personal_email(p))], subject=c.pick(
        ["How was your visit?", "Tell us about your visit on %s" % c.short(d), "%s, we'd love your feedback" % p.first]),
        text="Thank you for your visit with %s on %s. Survey: https://survey.%s/s/%s" % (doc.full, c.fmt_date(d, "long"), dom, sid),
        html=html_doc(body))
