"""Positive templates, part B: payers, billing, research extracts, Spanish, threads."""

from mailkit import csv_text, html_doc, html_table, make_pdf, template


@template("claim-denial", True)
def claim_denial(c):
    payer, clinic, rep = c.org("payer"), c.org(), c.staff("claims")
    rows = []
    for _ in range(c.r.randint(2, 6)):
        p = c.patient()
        rows.append([p["name"], p["member"], c.ids.claim_no(), c.ids.short_date(c.ids.visit_date()),
                     c.pick(["CO-197 no prior authorization", "CO-50 not medically necessary",
                             "CO-16 missing dx pointer", "PR-27 coverage terminated", "CO-29 timely filing"])])
    text = ("The following claims for %s were denied. Corrected claims or appeals must be received within "
            "60 days.\n\n" % clinic["name"] +
            "\n".join("%s | %s | claim %s | DOS %s | %s" % tuple(r) for r in rows) + "\n" + c.sig(rep, payer))
    return {"from": (rep["name"], c.role_addr(payer, "provider.services")),
            "to": [("Billing", c.role_addr(clinic, "billing"))],
            "subject": c.pick(["Claim denials", "Denied claims - action needed", "Remittance issues"]),
            "text": text}


@template("eob-html", True)
def eob(c):
    p, payer = c.patient(min_age=20), c.org("payer")
    billed = c.r.randint(180, 4200)
    allowed = int(billed * c.r.uniform(0.3, 0.7))
    paid = int(allowed * 0.8)
    rows = [[c.ids.visit_date().strftime("%m/%d/%Y"), c.pick(["Office visit, est. patient", "Mammogram screening",
                                                               "Physical therapy eval", "ER visit level 4",
                                                               "Psychotherapy 53 min", "Prenatal ultrasound"]),
             "$%d.00" % billed, "$%d.00" % allowed, "$%d.00" % paid, "$%d.00" % (allowed - paid)]]
    html = html_doc(["Explanation of Benefits - THIS IS NOT A BILL",
                     "Member: %s    Member ID: %s" % (p["name"], p["member"]),
                     "Claim number: %s    Provider: %s" % (c.ids.claim_no(), c.org()["name"]),
                     ("raw", html_table(["Date of service", "Service", "Billed", "Allowed", "Plan paid",
                                         "You owe"], rows)),
                     "Questions? Call Member Services at %s." % payer["phone"]])
    return {"from": (payer["name"], c.role_addr(payer, "noreply")), "to": [(p["name"], p["email"])],
            "subject": c.pick(["Your Explanation of Benefits is ready", "New EOB for claim",
                               "Explanation of Benefits"]), "html": html}


@template("workers-comp-report", True)
def workers_comp(c):
    p, clinic, ins, doc = c.patient(min_age=20, max_age=64), c.org(), c.org("payer"), c.staff("MD")
    employer = c.fake.company()
    text = ("Re: %s, claim # %s, DOI %s\nEmployer: %s\n\n%s was seen today in follow-up for %s. %s\n"
            "Work status: %s\nNext visit in 2 weeks.\n%s") % (
        p["name"], c.ids.claim_no(), c.ids.short_date(c.ids.visit_date()), employer, p["first"],
        c.pick(["a lumbar strain from lifting boxes", "a crush injury of the L index finger",
                "R carpal tunnel syndrome", "a concussion after a fall from a ladder"]),
        c.pick(["Pain 6/10, improving with PT.", "Still unable to grip, ortho referral placed.",
                "Headaches persist, avoid screens."]),
        c.pick(["modified duty, no lifting >10 lbs", "off work until re-evaluation", "full duty"]),
        c.sig(doc, clinic))
    return {"from": (doc["name"], c.addr(doc, clinic)), "to": [("Adjuster", c.role_addr(ins, "wc.claims"))],
            "subject": c.pick(["WC progress report", "Work comp update %s" % p["last"], "Work status note"]),
            "text": text}


@template("research-limited-dataset", True)
def limited_dataset(c):
    site, sponsor, crc = c.org("hospital"), c.org(), c.staff("research coordinator")
    rows = []
    for i in range(c.r.randint(10, 25)):
        p = c.patient(min_age=40)
        rows.append(["S%03d" % (i + 1), p["dob"].isoformat(), p["zip"], p["city"],
                     c.ids.visit_date().isoformat(), c.pick(["I21.4", "I50.23", "E11.9", "C34.90"]),
                     c.r.randint(1, 30)])
    csv = csv_text(["subject_id", "birth_date", "zip", "city", "admit_date", "dx", "los_days"], rows)
    return {"from": (crc["name"], c.addr(crc, site)), "to": [("Data team", c.role_addr(sponsor, "data"))],
            "subject": c.pick(["Limited data set - Q3 extract", "LDS extract per DUA", "study data pull"]),
            "text": ("Attached is the Q3 extract for the readmissions study (limited data set per the DUA: "
                     "dates and zip retained, names/MRNs removed).\n" + c.sig(crc, site)),
            "attachments": [("extract_q3.csv", "text/csv", csv)]}


@template("billing-dispute", True)
def billing_dispute(c):
    p, clinic, rep, cbo = c.patient(min_age=20), c.org(), c.staff("billing"), c.org()
    text = ("Hi,\n\nI spoke with %s today about account %s. She says the %s on %s should have been billed "
            "to %s (member ID %s), not self-pay, and she is disputing the $%d balance. Can you re-bill "
            "and put the account on hold?\n%s") % (
        p["name"], c.ids.account_no(), c.pick(["ER visit", "ultrasound", "sleep study", "ambulance transport",
                                                "colonoscopy", "therapy sessions"]),
        c.ids.short_date(c.ids.visit_date()), c.pick(["Medicaid", "her husband's Aetna plan", "Tricare"]),
        p["member"], c.r.randint(90, 3800), c.sig(rep, clinic))
    return {"from": (rep["name"], c.addr(rep, clinic)), "to": [("CBO", c.role_addr(cbo, "patientaccounts"))],
            "subject": c.pick(["billing dispute", "Acct hold request", "Patient called re: bill"]),
            "text": text}


@template("patient-spreadsheet-ssn", True)
def billing_batch(c):
    clinic, bco, rep = c.org(), c.org(), c.staff("billing")
    bco["name"] = "%s Revenue Cycle Services" % c.fake.last_name()
    rows = []
    for _ in range(c.r.randint(5, 15)):
        p = c.patient()
        rows.append([p["last"], p["first"], p["dob_s"], c.ids.ssn(), p["member"],
                     c.pick(["99213", "99214", "90837", "59400", "20610", "G0438"]), "%d.00" % c.r.randint(75, 900)])
    hdr = ["Last", "First", "DOB", "SSN", "Policy #", "CPT", "Charge"]
    return {"from": (rep["name"], c.addr(rep, bco)), "to": [("Office Manager", c.role_addr(clinic, "manager"))],
            "subject": c.pick(["Unbilled charges", "charges missing info", "batch %s" % c.ids.digits(4)]),
            "text": "Please review the attached charges - they are missing referring provider.\n" + c.sig(rep, bco),
            "attachments": [(c.pick(["charges.csv", "unbilled.csv", "batch.csv"]), "text/csv", csv_text(hdr, rows))]}


@template("spanish-appointment-reminder", True)
def es_reminder(c):
    p, clinic, fd = c.patient(spanish=True, min_age=18, sex="F"), c.org(), c.staff("front desk")
    cita = c.ids.visit_date(True)
    motivo = c.pick(["control de diabetes", "resultados de su mamografía", "seguimiento de presión alta",
                     "su control prenatal de 32 semanas", "revisión de su tratamiento para la depresión",
                     "la prueba de VIH"])
    text = ("Estimada %s:\n\nLe recordamos su cita el %d/%d/%d a las %s para %s con la Dra. %s.\n"
            "Por favor traiga su tarjeta de seguro (número de afiliado %s) y su lista de medicamentos.\n"
            "Si necesita cambiar la cita llame al %s.\n\nSaludos,\n%s\n%s") % (
        p["name"], cita.day, cita.month, cita.year, c.ids.time(), motivo, c.fake_es.last_name(),
        p["member"], clinic["phone"], fd["name"], clinic["name"])
    return {"from": (clinic["name"], c.role_addr(clinic, "citas")), "to": [(p["name"], p["email"])],
            "subject": c.pick(["Recordatorio de cita", "Su cita médica", "Confirmación de cita"]),
            "text": text}


@template("spanish-lab-results", True)
def es_labs(c):
    p, clinic, nurse = c.patient(spanish=True, min_age=18), c.org(), c.staff("RN")
    text = ("Hola %s,\n\nLe escribo de la clínica sobre sus análisis. %s\nFecha de nacimiento en el "
            "expediente: %s. Por favor llámenos para hablar del tratamiento.\n\n%s") % (
        p["first"], c.pick(["Su hemoglobina A1c salió en 9.1%, más alta que la vez pasada.",
                            "El cultivo de orina salió positivo para infección; le enviamos un antibiótico.",
                            "Su prueba de embarazo salió positiva.",
                            "Su colesterol LDL está en 190, el doctor quiere empezar atorvastatina."]),
        p["dob_s"], nurse["name"])
    return {"from": (nurse["name"], c.addr(nurse, clinic)), "to": [(p["name"], p["email"])],
            "subject": c.pick(["Resultados de laboratorio", "Sus resultados", "resultados"]), "text": text}


@template("reply-thread-quoted", True)
def reply_thread(c):
    p, clinic, other, a, b = c.patient(min_age=20), c.org(), c.org("hospital"), c.staff("RN"), c.staff("MD")
    orig = ("%s\n\nWe saw %s in the ED last night for %s. %s. Can your office see " + p["her"] + " this week?\n\n%s") % (
        c.pick(["Hi,", "Good morning,"]), p["name"], c.pick(["chest pain, trop negative", "a COPD flare",
                                                               "a fall with rib fractures", "an overdose",
                                                               "hyperglycemia, glucose 540"]),
        c.pick(["Discharged home", "Sent home on prednisone", "Psych cleared"]), b["shown"])
    quoted = "\n".join("> " + l for l in orig.splitlines())
    text = "%s\n\nOn %s, %s wrote:\n%s" % (
        c.pick(["Yes, we can fit %s in Thursday at 2." % p["her"], "Scheduled for Monday. Thanks for the heads up.",
                "Done - on the schedule for tomorrow."]) + "\n" + a["first"],
        c.ids.visit_date().strftime("%a, %b %d, %Y"), b["name"], quoted)
    return {"from": (a["name"], c.addr(a, clinic)), "to": [(b["name"], c.addr(b, other))],
            "subject": "RE: " + c.pick(["ED f/u", "follow up needed", "patient seen last night"]), "text": text}


@template("behavioral-health-update", True)
def bh_update(c):
    p, clinic, pcp_org, th = c.patient(min_age=14, max_age=70), c.org(), c.org(), c.staff("LCSW")
    text = ("Dr. %s,\n\nUpdate on our mutual patient %s (%s): %s %s I'd recommend %s.\n%s") % (
        c.fake.last_name(), p["name"], p["dob_s"],
        c.pick(["PHQ-9 today was 18, up from 11.", "She disclosed passive SI, denies plan or intent; safety plan updated.",
                "He relapsed on alcohol after 90 days sober.", "PTSD symptoms worse since the anniversary."]),
        c.pick(["Denies HI.", "Attending IOP 3x/week.", "Sleep 4 hrs/night."]),
        c.pick(["increasing sertraline to 150 mg", "a psychiatry consult", "checking a lithium level",
                "restarting naltrexone"]), c.sig(th, clinic))
    return {"from": (th["name"], c.addr(th, clinic)), "to": [("PCP office", c.role_addr(pcp_org, "clinical"))],
            "subject": c.pick(["Coordination of care", "mutual patient update", "FYI - therapy update"]),
            "text": text}


@template("reproductive-health-followup", True)
def repro(c):
    p, clinic, nurse = c.patient(min_age=18, max_age=45, sex="F"), c.org(), c.staff("NP")
    item = c.pick(["your IUD insertion on %s", "your postpartum visit", "the results of your pap and HPV test",
                   "your medication abortion follow-up", "the ultrasound at 8 weeks", "your STI panel"])
    text = "Hi %s,\n\nJust checking in after %s. %s Reply here or call %s with any questions.\n%s" % (
        p["first"], item % c.ids.short_date(c.ids.visit_date()) if "%s" in item else item,
        c.pick(["Some cramping and spotting is normal for a few weeks.", "Everything looked normal.",
                "Chlamydia was positive; please pick up the azithromycin we sent.",
                "Please repeat the hCG on Friday."]), clinic["phone"], c.sig(nurse, clinic))
    return {"from": (nurse["name"], c.addr(nurse, clinic)), "to": [(p["first"] + " " + p["last"], p["email"])],
            "subject": c.pick(["Checking in", "follow-up from your visit", "Your results"]), "text": text}


@template("eob-pdf-statement", True)
def patient_statement(c):
    p, clinic, bill = c.patient(), c.org(), c.staff("billing")
    lines = ["PATIENT STATEMENT", clinic["name"], "", "Guarantor: %s" % p["name"],
             "%s" % p["street"], "%s, %s %s" % (p["city"], p["state"], p["zip"]),
             "Account: %s   Statement date: %s" % (c.ids.account_no(), c.ids.visit_date().strftime("%m/%d/%Y")), "",
             "Date       Description                          Charges   Ins paid   Balance"]
    for _ in range(c.r.randint(2, 5)):
        lines.append("%s  %-36s %8.2f  %8.2f  %8.2f" % (
            c.ids.visit_date().strftime("%m/%d/%y"), c.pick(["Office visit 99214", "Venipuncture", "Flu vaccine",
                                                             "Spirometry", "Counseling 90834", "Xray chest 2v"]),
            c.r.uniform(40, 300), c.r.uniform(0, 150), c.r.uniform(0, 80)))
    lines += ["", "Amount due: $%.2f   Please pay by %s" % (c.r.uniform(20, 400), "12/31/2026")]
    return {"from": (bill["name"], c.role_addr(clinic, "billing")), "to": [(p["name"], p["email"])],
            "subject": c.pick(["Your statement", "Statement from %s" % clinic["name"], "Balance due"]),
            "text": "Hello %s,\n\nYour statement is attached.\n%s" % (p["first"], c.sig(bill, clinic)),
            "attachments": [("statement.pdf", "application/pdf", make_pdf(lines, "Statement"))]}


@template("medicare-eligibility", True)
def mbi_check(c):
    p, dme, rep, clinic = c.patient(min_age=66, max_age=88), c.org("vendor"), c.staff("intake"), c.org()
    text = ("Hi,\n\nWe received the order for %s for %s. Can you confirm the Medicare number? We have "
            "%s but eligibility is coming back inactive. DOB on the order is %s.\nWe also need the "
            "face-to-face note documenting %s.\n%s") % (
        c.pick(["a hospital bed", "a power wheelchair", "CPAP supplies", "oxygen concentrator", "a walker"]),
        p["name"], c.ids.mbi(), p["dob_s"], c.pick(["COPD with hypoxemia", "mobility limitation", "OSA"]),
        c.sig(rep, dme))
    return {"from": (rep["name"], c.addr(rep, dme)), "to": [("Orders", c.role_addr(clinic, "orders"))],
            "subject": c.pick(["Order question", "DME order - missing info", "Medicare # check"]), "text": text}
