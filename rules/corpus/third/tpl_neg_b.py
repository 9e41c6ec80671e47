"""Negative templates, part B: health topics with no individual (newsletters, statistics, policy)."""

from mailkit import csv_text, html_doc, html_table, make_pdf, template


@template("disease-awareness-newsletter", False)
def newsletter(c):
    org = c.org("hospital")
    topic = c.pick([("Diabetes Awareness Month", "Type 2 diabetes affects 1 in 10 adults. Know your A1c, "
                     "stay active and ask about our free prediabetes class."),
                    ("Heart Health", "High blood pressure and high cholesterol raise your risk of heart attack "
                     "and stroke. Our cardiologists recommend a yearly check."),
                    ("Breast Cancer Awareness", "Women 40 and over should talk to their doctor about a "
                     "screening mammogram every 1-2 years."),
                    ("Mental Health Matters", "Depression and anxiety are treatable. If you or someone you love "
                     "is struggling, call or text 988.")])
    html = html_doc([topic[0], topic[1], "Join Dr. %s for a free community talk on %s at the %s library." % (
        c.fake.last_name(), c.ids.short_date(c.ids.visit_date(True)), c.fake.city()),
        "You are receiving this newsletter because you subscribed at %s. Unsubscribe." % org["domain"]])
    return {"from": (org["name"], c.role_addr(org, "news")), "to": [("Subscriber", "%s%d@%s" % (
        c.fake.first_name().lower(), c.r.randint(1, 99), c.pick(["gmail.com", "yahoo.com"])))],
            "subject": topic[0] + ": " + c.pick(["tips for your family", "what you should know", "free events"]),
            "html": html}


@template("deidentified-aggregate-stats", False)
def aggregate(c):
    org, analyst = c.org("hospital"), c.staff("analyst")
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]
    rows = [[m, c.r.randint(3000, 5200), c.r.randint(300, 800), "%.1f%%" % c.r.uniform(8, 17),
             "%.1f" % c.r.uniform(3, 6)] for m in months]
    agency = c.org()
    return {"from": (analyst["name"], c.addr(analyst, org)), "to": [("State HA", c.role_addr(agency, "data"))],
            "subject": c.pick(["Monthly volume report", "ED utilization summary", "Aggregate stats Q3"]),
            "text": ("Aggregate ED volumes, admissions, 30-day readmission rate and mean LOS for 2026 YTD. "
                     "No patient-level data; cells under 11 suppressed.\n" + c.sig(analyst, org)),
            "attachments": [("ed_summary_2026.csv", "text/csv",
                             csv_text(["Month", "ED visits", "Admissions", "Readmit rate", "Mean LOS"], rows))]}


@template("conference-invite", False)
def conference(c):
    org, coord = c.org("hospital"), c.staff("CME coordinator")
    d = c.ids.visit_date(True)
    title = c.pick(["Advances in Heart Failure Management", "Opioid Stewardship Summit", "Pediatric Asthma Update",
                    "Sepsis Grand Rounds"])
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nMETHOD:REQUEST\r\n"
           "BEGIN:VEVENT\r\nUID:%s@%s\r\nDTSTART:%sT130000Z\r\nDTEND:%sT210000Z\r\nSUMMARY:%s\r\n"
           "DESCRIPTION:Keynote by Dr. %s. 6.5 CME credits.\r\nLOCATION:%s Conference Center\r\nEND:VEVENT\r\n"
           "END:VCALENDAR\r\n") % (c.ids.digits(12), org["domain"], d.strftime("%Y%m%d"), d.strftime("%Y%m%d"), title,
                                  c.fake.last_name(), c.fake.city())
    guest = c.staff("MD")
    return {"from": (coord["name"], c.addr(coord, org)), "to": [(guest["name"], c.addr(guest, c.org()))],
            "subject": "Invitation: %s" % title,
            "text": "You're invited to %s on %s. Registration is free for affiliated clinicians.\n%s" % (
                title, d.strftime("%B %d"), c.sig(coord, org)),
            "attachments": [("invite.ics", "text/calendar", ics)]}


@template("hipaa-policy-document", False)
def policy_doc(c):
    org, priv = c.org("hospital"), c.staff("privacy officer")
    lines = ["POLICY PRIV-%03d: Minimum Necessary Standard" % c.r.randint(1, 200), org["name"], "",
             "Purpose: To comply with 45 CFR 164.502(b) and 164.514(d), workforce members shall use, disclose",
             "and request only the minimum necessary protected health information (PHI).",
             "Definitions: PHI includes names, dates (except year) related to an individual, telephone numbers,",
             "Social Security numbers, medical record numbers, health plan beneficiary numbers and the other",
             "identifiers listed at 164.514(b)(2).",
             "Procedure: Email containing PHI sent outside the organisation must be encrypted by typing",
             "[secure] in the subject line.", "Effective date: 01/01/2027   Review: annually"]
    consultant = c.org()
    return {"from": (priv["name"], c.addr(priv, org)), "to": [("Compliance consultant", c.role_addr(consultant, "review"))],
            "subject": c.pick(["Draft policy for review", "Minimum necessary policy - redline", "policy update"]),
            "text": "Attached is the revised policy for your review before committee.\n" + c.sig(priv, org),
            "attachments": [("PRIV_min_necessary.pdf", "application/pdf", make_pdf(lines, "Policy"))]}


@template("public-health-notice", False)
def public_health(c):
    dept = c.org()
    dept["name"] = "%s County Health Department" % c.fake.last_name()
    dis = c.pick([("measles", "%d confirmed cases"), ("pertussis", "%d cases among school-age children"),
                  ("hepatitis A", "%d cases linked to a restaurant"), ("influenza", "%d hospitalisations this week")])
    text = ("HEALTH ADVISORY\n\n%s is reporting %s of %s in the county since %s. Clinicians should consider %s in "
            "patients with compatible symptoms, report suspected cases within 24 hours and review vaccination "
            "status. No further details about cases will be released.\n") % (
        dept["name"], dis[1] % c.r.randint(3, 40), dis[0], c.ids.short_date(c.ids.visit_date()), dis[0])
    clinic = c.org()
    return {"from": (dept["name"], c.role_addr(dept, "alerts")), "to": [("Providers", c.role_addr(clinic, "info"))],
            "subject": "Health Advisory: %s" % dis[0], "text": text}


@template("hipaa-training-reminder", False)
def training(c):
    org, comp = c.org("hospital"), c.staff("compliance")
    emp = c.staff()
    text = ("Hi %s,\n\nYour annual HIPAA Privacy & Security training is due %s. The module covers phishing, "
            "minimum necessary, sending PHI securely and reporting a breach. It takes about 30 minutes.\n%s") % (
        emp["first"], c.ids.short_date(c.ids.visit_date(True)), c.sig(comp, org))
    return {"from": (comp["name"], c.addr(comp, org)), "to": [(emp["name"], c.addr(emp, c.org()))],
            "subject": c.pick(["Action required: HIPAA training", "Training due", "Reminder: annual compliance"]),
            "text": text}


@template("quality-committee-minutes", False)
def quality(c):
    org, qa = c.org("hospital"), c.staff("quality")
    html = html_doc(["Quality Committee minutes - %s" % c.ids.visit_date().strftime("%B %Y"),
                     "Present: %s" % ", ".join(c.staff("MD")["shown"] for _ in range(3)),
                     ("raw", html_table(["Measure", "Target", "Actual"], [
                         ["CLABSI per 1000 line days", "0.8", "%.2f" % c.r.uniform(0.2, 1.4)],
                         ["Sepsis bundle compliance", "85%", "%d%%" % c.r.randint(70, 95)],
                         ["HF 30-day readmissions", "18%", "%d%%" % c.r.randint(12, 24)],
                         ["Falls with injury", "0", str(c.r.randint(0, 4))]])),
                     "Action: pharmacy to review anticoagulation protocol. Next meeting in 30 days."])
    return {"from": (qa["name"], c.addr(qa, org)), "to": [("Board members", c.role_addr(c.org(), "board"))],
            "subject": "Quality committee minutes", "html": html}


@template("research-protocol-summary", False)
def protocol(c):
    org, pi = c.org("hospital"), c.staff("MD")
    sponsor = c.org()
    text = ("Attached please find the protocol synopsis for the IRB submission. Design: randomised, open-label; "
            "N = %d adults with type 2 diabetes and CKD stage 3; primary endpoint change in eGFR at 52 weeks. "
            "Inclusion: age 40-80, A1c 7-10%%. Exclusion: dialysis, pregnancy.\n%s") % (
        c.r.randint(120, 600), c.sig(pi, org))
    return {"from": (pi["name"], c.addr(pi, org)), "to": [("Study team", c.role_addr(sponsor, "clinops"))],
            "subject": c.pick(["Protocol synopsis v3", "IRB submission docs", "study design comments"]), "text": text}


@template("formulary-update", False)
def formulary(c):
    payer = c.org("payer")
    rows = [["Ozempic", "Tier 3", "PA required"], ["Biktarvy", "Tier 2", "None"], ["Eliquis", "Tier 2", "None"],
            ["Humira", "Specialty", "PA, step therapy"], ["Suboxone film", "Tier 2", "Quantity limit"],
            ["atorvastatin", "Tier 1", "None"]]
    c.r.shuffle(rows)
    html = html_doc(["Formulary changes effective %s" % c.ids.short_date(c.ids.visit_date(True)),
                     ("raw", html_table(["Drug", "Tier", "Utilization management"], rows[:c.r.randint(3, 6)])),
                     "Prescribers: submit prior authorization requests through the provider portal."])
    return {"from": (payer["name"], c.role_addr(payer, "pharmacy")), "to": [("Providers", c.role_addr(c.org(), "info"))],
            "subject": "Formulary update", "html": html}


@template("spanish-clinic-closure", False)
def es_closure(c):
    clinic = c.org()
    text = ("Estimados pacientes:\n\nLa clínica estará cerrada el %s por el día festivo. Para emergencias llame al "
            "911. Para resurtir medicamentos use el portal del paciente. Reanudamos el horario normal el día "
            "siguiente a las 8:00.\n\nAtentamente,\n%s\n%s") % (
        c.pick(["25 de diciembre", "1 de enero", "4 de julio", "jueves de Acción de Gracias"]), clinic["name"],
        clinic["phone"])
    return {"from": (clinic["name"], c.role_addr(clinic, "avisos")), "to": [("Pacientes", c.role_addr(clinic, "pacientes"))],
            "subject": c.pick(["Aviso: clínica cerrada", "Horario festivo"]), "text": text}


@template("patient-satisfaction-aggregate", False)
def satisfaction(c):
    org, mgr = c.org(), c.staff("practice manager")
    text = ("Q3 patient experience results (n=%d surveys): likelihood to recommend %d%%, wait time satisfaction "
            "%d%%, provider communication %d%%. Comments mention parking and phone hold times.\n%s") % (
        c.r.randint(200, 900), c.r.randint(80, 95), c.r.randint(55, 80), c.r.randint(85, 97), c.sig(mgr, org))
    vendor = c.org()
    return {"from": (mgr["name"], c.addr(mgr, org)), "to": [("Survey vendor", c.role_addr(vendor, "accounts"))],
            "subject": "Q3 survey results", "text": text}


@template("clinical-guideline-summary", False)
def guideline(c):
    org, doc = c.org("hospital"), c.staff("MD")
    text = ("Colleagues,\n\nReminder of the updated sepsis bundle: lactate within 1 hour, blood cultures before "
            "antibiotics, 30 mL/kg crystalloid for hypotension or lactate >= 4, vasopressors for MAP < 65. "
            "For suspected DKA follow the insulin drip order set; for CHF exacerbation start IV furosemide at 2.5x "
            "the home dose.\n%s") % c.sig(doc, org)
    return {"from": (doc["name"], c.addr(doc, org)), "to": [("Residents", c.role_addr(c.org(), "residency"))],
            "subject": c.pick(["Sepsis bundle reminder", "Teaching points", "Order set update"]), "text": text}


@template("deidentified-case-study", False)
def case_study(c):
    org, doc = c.org("hospital"), c.staff("MD")
    text = ("For Thursday's M&M: a man in his 50s presented with chest pain and diaphoresis. ECG showed "
            "inferior ST elevation; door-to-balloon time was 94 minutes because the cath lab was occupied. "
            "Discussion: activation pathway and backup lab. All identifiers removed.\n%s") % c.sig(doc, org)
    return {"from": (doc["name"], c.addr(doc, org)), "to": [("M&M list", c.role_addr(c.org(), "education"))],
            "subject": c.pick(["M&M case", "Case for conference", "Teaching case"]), "text": text}


@template("pharmacy-flu-clinic-marketing", False)
def flu_marketing(c):
    pharm = c.org("vendor")
    pharm["name"] = c.pick(["Main Street Pharmacy", "Corner Drug", "Family Pharmacy"])
    html = html_doc(["Flu shots are here!", "Walk in for your flu, COVID-19 and shingles vaccines - most insurance "
                     "plans cover them at $0. Ask our pharmacist about RSV vaccines for adults 60+.",
                     "Save 20%% on vitamins with code %s." % c.ids.digits(6), "Unsubscribe"])
    return {"from": (pharm["name"], "deals@%s.com" % pharm["name"].replace(" ", "").lower()),
            "to": [("Customer", "%s%d@gmail.com" % (c.fake.first_name().lower(), c.r.randint(1, 999)))],
            "subject": "Your flu shot is waiting", "html": html}


@template("vendor-webinar-prior-auth", False)
def webinar(c):
    vendor = c.org()
    vendor["name"] = "%s Health IT" % c.fake.last_name()
    text = ("Struggling with prior authorizations and claim denials? Join our webinar on %s to see how practices "
            "cut denial rates by 30%% with automated eligibility checks and ICD-10 coding assistance.\n"
            "Register: https://%s/webinar\n") % (c.ids.short_date(c.ids.visit_date(True)), vendor["domain"])
    return {"from": (vendor["name"], c.role_addr(vendor, "events")), "to": [("Billing", c.role_addr(c.org(), "billing"))],
            "subject": "Webinar: fix prior auth in 2027", "text": text}


@template("board-agenda", False)
def board(c):
    org, ea = c.org("hospital"), c.staff("executive assistant")
    text = ("Board of Directors - agenda for %s\n1. Call to order\n2. CEO report\n3. Finance: Q3 operating margin "
            "%.1f%%\n4. Medical staff credentialing (%d providers)\n5. Capital request: MRI replacement\n6. Adjourn\n%s") % (
        c.ids.short_date(c.ids.visit_date(True)), c.r.uniform(-2, 4), c.r.randint(3, 20), c.sig(ea, org))
    return {"from": (ea["name"], c.addr(ea, org)), "to": [("Directors", c.role_addr(c.org(), "board"))],
            "subject": "Board meeting agenda", "text": text}
