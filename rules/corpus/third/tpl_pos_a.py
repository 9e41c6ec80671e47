"""Positive templates, part A: clinical correspondence between providers and with patients."""

from mailkit import csv_text, html_doc, html_table, make_pdf, template

REFERRAL_REASONS = [
    ("cardiology", "new onset afib, CHADS-VASc 3, started on apixaban", "I48.91"),
    ("cardiology", "CHF exacerbation x2 this year, EF 35% on last echo", "I50.22"),
    ("GI", "positive FIT test, needs colonoscopy", "R19.5"),
    ("endocrinology", "poorly controlled T2DM, A1c 10.4 despite metformin and glipizide", "E11.65"),
    ("orthopedics", "R knee pain, MRI shows medial meniscus tear", "S83.241A"),
    ("neurology", "recurrent migraines with aura, failed topiramate", "G43.109"),
    ("psychiatry", "treatment-resistant depression, PHQ-9 of 21, passive SI no plan", "F33.2"),
    ("pulmonology", "COPD with frequent exacerbations, 2L home O2", "J44.1"),
    ("nephrology", "CKD stage 3b, eGFR trending down to 34", "N18.32"),
    ("dermatology", "changing pigmented lesion L shoulder, r/o melanoma", "D48.5"),
]


@template("referral-letter", True)
def referral(c):
    p, doc, org = c.patient(min_age=30), c.staff("MD"), c.org()
    spec_org, ma = c.org(), c.staff("MA")
    svc, why, icd = c.pick(REFERRAL_REASONS)
    lines = [
        "Hello,", "",
        "Please see the referral below for %s. Records attached; call if you need anything else." % svc,
        "", "Patient: %s" % p["name"] if c.chance(0.5) else "Pt %s" % p["name"],
        "DOB %s" % p["dob_s"] if c.chance(0.6) else "Date of birth: %s" % p["dob_s"],
        "Insurance: %s  ID %s" % (c.pick(["Aetna", "Cigna", "UHC", "Medicaid", "BCBS"]), p["member"]),
        "Reason for referral: %s" % why,
        "Dx: %s" % icd if c.chance(0.6) else "",
        "Referring provider: %s, NPI %s" % (doc["shown"], c.ids.npi()),
        "Urgency: %s" % c.pick(["routine", "urgent - within 2 weeks", "next available"]),
    ]
    return {"from": (ma["name"], c.addr(ma, org)), "to": [("Referrals", c.role_addr(spec_org, "referrals"))],
            "subject": c.pick(["Referral - %s" % svc, "New referral %s" % p["last"], "referral",
                               "Referral for %s %s" % (p["first"], p["last"])]),
            "text": "\n".join(lines) + "\n" + c.sig(ma, org)}


@template("discharge-summary-pdf", True)
def discharge(c):
    p, hosp, snf = c.patient(min_age=55), c.org("hospital"), c.org()
    cm, hosp_md = c.staff("RN"), c.staff("MD")
    adm, dis = c.ids.visit_date(), c.ids.visit_date()
    dx = c.pick(["NSTEMI s/p PCI to LAD", "community-acquired pneumonia", "DKA, new insulin start",
                 "L hip fracture s/p ORIF", "sepsis due to UTI", "acute on chronic systolic CHF",
                 "cellulitis of R lower leg", "GI bleed, transfused 2u PRBC"])
    doc = ["DISCHARGE SUMMARY", hosp["name"], "",
           "Patient Name: %s    MRN: %s" % (p["name"], p["mrn"]), "DOB: %s   Sex: %s" % (p["dob_s"], p["sex"]),
           "Admit: %s   Discharge: %s" % (adm.strftime("%m/%d/%Y"), dis.strftime("%m/%d/%Y")),
           "Attending: %s" % hosp_md["shown"], "",
           "Principal diagnosis: %s" % dx, "",
           "Hospital course: Patient admitted via ED. Treated per protocol, improved, tolerating diet,",
           "ambulating with walker. PT/OT recommend SNF for short-term rehab.", "",
           "Discharge medications:", "  metoprolol succinate 25 mg daily", "  atorvastatin 40 mg nightly",
           "  %s" % c.pick(["apixaban 5 mg BID", "insulin glargine 18 units qhs", "cephalexin 500 mg QID x7d",
                            "furosemide 40 mg daily", "pantoprazole 40 mg BID"]),
           "", "Follow-up: PCP in 7 days, labs (BMP) in 1 week."]
    fname = c.pick(["discharge_summary.pdf", "%s_%s_DC_summary.pdf" % (p["last"], p["first"]),
                    "DC Summary %s.pdf" % p["last"], "scan0042.pdf"])
    body = c.pick(["Attached is the discharge summary for our patient transferring to you today. "
                   "Transport is scheduled for %s." % c.ids.time(),
                   "Please find the d/c summary attached for tomorrow's admission. Med rec is on page 1.",
                   "DC summary attached. Family is aware of the transfer."])
    return {"from": (cm["name"], c.addr(cm, hosp)), "to": [("Admissions", c.role_addr(snf, "admissions"))],
            "subject": c.pick(["Discharge summary", "D/C summary - transfer today", "SNF transfer docs"]),
            "text": "Hi,\n\n" + body + "\n" + c.sig(cm, hosp),
            "attachments": [(fname, "application/pdf", make_pdf(doc, "Discharge Summary"))]}


@template("lab-results-to-patient", True)
def lab_to_patient(c):
    p, org, nurse = c.patient(min_age=25), c.org(), c.staff("RN")
    res = c.pick([
        "Your A1c came back at %.1f%%, up from %.1f%% in the spring." % (c.r.uniform(7, 11), c.r.uniform(6, 8)),
        "Your cholesterol panel: total 242, LDL 168, HDL 39, triglycerides 210.",
        "Your TSH is %.2f (normal 0.4-4.0), so Dr. %s wants to increase your levothyroxine." % (
            c.r.uniform(5, 12), c.fake.last_name()),
        "Your urine culture grew E. coli, sensitive to nitrofurantoin. A prescription was sent to your pharmacy.",
        "Your iron is low (ferritin 8). Please start ferrous sulfate 325 mg every other day.",
        "Your PSA came back at %.1f, which is higher than last year." % c.r.uniform(4.5, 9),
    ])
    greet = c.pick(["Hi %s," % p["first"], "%s," % p["first"], "Dear %s %s," % (p["first"], p["last"])])
    text = "%s\n\nI'm following up on your labs from %s. %s\nPlease call us at %s to set up a follow up visit.\n%s" % (
        greet, c.ids.short_date(c.ids.visit_date()), res, org["phone"], c.sig(nurse, org))
    return {"from": (nurse["name"], c.addr(nurse, org)), "to": [(p["name"], p["email"])],
            "subject": c.pick(["Your lab results", "lab results", "Re: blood work", "Results from your visit"]),
            "text": text}


@template("prior-auth-request", True)
def prior_auth(c):
    p, org, payer, pa = c.patient(min_age=18), c.org(), c.org("payer"), c.staff("billing")
    item = c.pick([("MRI lumbar spine w/o contrast", "72148", "M54.16 lumbar radiculopathy"),
                   ("Ozempic 1 mg weekly", "J3490", "E11.9 type 2 diabetes"),
                   ("sleep study (PSG)", "95810", "G47.33 obstructive sleep apnea"),
                   ("Humira 40 mg q2wk", "J0135", "L40.50 psoriatic arthritis"),
                   ("lap chole", "47562", "K80.20 cholelithiasis"),
                   ("cataract extraction w/ IOL, right eye", "66984", "H25.11 nuclear cataract")])
    text = ("Prior auth request\n\nMember: %s\nMember ID: %s\nDOB: %s\nRequested: %s (CPT/HCPCS %s)\n"
            "Diagnosis: %s\nOrdering provider NPI: %s\nClinical notes attached. Failed conservative "
            "tx x 6 wks.\n\nPlease fax determination to %s.\n%s") % (
        p["name"], p["member"], p["dob_s"], item[0], item[1], item[2], c.ids.npi(), org["fax"], c.sig(pa, org))
    return {"from": (pa["name"], c.addr(pa, org)), "to": [("UM Intake", c.role_addr(payer, "priorauth"))],
            "subject": c.pick(["PA request - %s" % item[0].split()[0], "Prior authorization request",
                               "prior auth %s" % p["last"]]), "text": text}


@template("scheduling-chatter", True)
def sched_chatter(c):
    p, org, a, b = c.patient(), c.org(), c.staff("front desk"), c.staff("MA")
    proc = c.pick(["colonoscopy", "EGD", "cardiac cath", "IUD insertion", "lap chole", "cataract surgery",
                   "stress test", "Mohs", "C-section pre-op", "infusion"])
    line = c.pick([
        "Can we move %s's %s from Tues to Thursday? %s has a ride then." % (p["name"], proc, p["he"].title()),
        "%s %s called, needs to reschedule %s - says the prep made %s sick last time." % (
            p["first"], p["last"], proc, p["her"]),
        "FYI %s (%s) is confirmed for %s on %s, NPO after midnight." % (p["name"], p["dob_s"], proc,
                                                                        c.ids.short_date(c.ids.visit_date(True))),
        "Dr wants %s squeezed in for the %s this week if anything opens, %s pain is worse." % (
            p["name"], proc, "her" if p["sex"] == "F" else "his"),
    ])
    return {"from": (a["name"], c.addr(a, org)), "to": [(b["name"], c.addr(b, c.org()))],
            "subject": c.pick(["schedule change", "quick q", "Re: Thursday", proc + " slot"]),
            "text": line + "\n\n" + a["first"]}


@template("pharmacy-refill-request", True)
def refill(c):
    p, pharm, clinic, rph = c.patient(min_age=20), c.org("vendor"), c.org(), c.staff("PharmD")
    pharm["name"] = c.pick(["Main Street Pharmacy", "Corner Drug", "Riverside Apothecary", "Family Pharmacy"])
    pharm["domain"] = c.pick(["mainstrx.com", "cornerdrug.net", "riversiderx.com", "familyrx.com"])
    drug = c.pick(["Biktarvy 50/200/25 mg", "sertraline 100 mg", "lisinopril 20 mg", "Descovy",
                   "buprenorphine/naloxone 8/2 mg film", "levothyroxine 88 mcg", "Eliquis 5 mg",
                   "Adderall XR 20 mg", "Xarelto 20 mg", "insulin lispro KwikPen"])
    text = ("Refill request\n\nPatient: %s\nDOB: %s\nMedication: %s, #%d, last filled %s\n"
            "Prescriber: %s\nPatient is out of medication, please send new Rx electronically.\n"
            "Pharmacy phone %s, NCPDP %s\n%s") % (
        p["name"], p["dob_s"], drug, c.pick([30, 60, 90]), c.ids.short_date(c.ids.visit_date()),
        c.staff("MD")["shown"], pharm["phone"], c.ids.digits(7), c.sig(rph, pharm))
    return {"from": (rph["name"], c.role_addr(pharm, "rx")), "to": [("Refills", c.role_addr(clinic, "refills"))],
            "subject": c.pick(["Refill request", "RX refill - %s" % p["last"], "refill auth needed"]),
            "text": text}


@template("home-health-visit-note", True)
def home_health(c):
    p, agency, clinic, nurse = c.patient(min_age=60), c.org(), c.org(), c.staff("RN")
    agency["name"] = "%s Home Health" % c.fake.city()
    text = ("SN visit %s\n%s %s, %s yo %s, SOC %s\nVitals: BP %d/%d, HR %d, SpO2 %d%% RA\n"
            "Wound: %s\nPlan: %s\nPlease sign the attached 485 and return.\n%s") % (
        c.ids.short_date(c.ids.visit_date()), p["first"], p["last"], p["age"], p["sex"],
        c.ids.short_date(c.ids.visit_date()), c.r.randint(110, 170), c.r.randint(60, 100),
        c.r.randint(58, 110), c.r.randint(89, 99),
        c.pick(["sacral stage 3 pressure injury 3x2 cm, granulating", "L heel diabetic ulcer, no drainage",
                "surgical incision healing well, staples intact", "venous stasis ulcer R calf, moderate serous"]),
        c.pick(["continue wet-to-dry BID", "recert for 60 days", "add PT 2x/wk", "call MD if temp >100.4"]),
        c.sig(nurse, agency))
    return {"from": (nurse["name"], c.addr(nurse, agency)), "to": [("Dr office", c.role_addr(clinic, "office"))],
            "subject": c.pick(["visit note", "SN visit note %s" % p["last"], "485 for signature"]),
            "text": text,
            "attachments": [("485_%s.txt" % p["last"], "text/plain",
                             "HOME HEALTH CERTIFICATION AND PLAN OF CARE\nPatient: %s\nHICN/MBI: %s\n"
                             "Primary dx: %s\nCert period: 60 days\n" % (p["name"], c.ids.mbi(),
                                                                           c.pick(["I50.9", "L89.153", "E11.621"])))]}


@template("school-nurse-form", True)
def school_nurse(c):
    p, school, clinic, sn = c.patient(min_age=6, max_age=16), c.org(), c.org(), c.staff("RN")
    school["name"] = "%s %s School" % (c.fake.last_name(), c.pick(["Elementary", "Middle", "High"]))
    school["domain"] = c.pick(["k12.pa.us", "district.org", "schools.net"])
    cond = c.pick([("asthma", "albuterol inhaler 2 puffs q4h prn"), ("type 1 diabetes", "insulin per sliding scale"),
                   ("peanut allergy", "EpiPen Jr 0.15 mg"), ("ADHD", "methylphenidate 10 mg at lunch"),
                   ("seizure disorder", "rectal diazepam for seizure >5 min")])
    text = ("Good morning,\n\nI am the nurse at %s. We need an updated medication authorization for %s "
            "(grade %d, born %s) for %s - %s. The form on file expired. Could Dr. %s sign and fax back?\n%s") % (
        school["name"], p["name"], c.r.randint(1, 11), p["dob_s"], cond[0], cond[1], c.fake.last_name(), c.sig(sn, school))
    form = csv_text(["Student", "DOB", "Condition", "Medication", "Parent phone"],
                    [[p["name"], p["dob_s"], cond[0], cond[1], p["phone"]]])
    spec = {"from": (sn["name"], c.addr(sn, school)), "to": [("Front Desk", c.role_addr(clinic, "info"))],
            "subject": c.pick(["Medication authorization", "school med form", "Form needed for student"]),
            "text": text}
    if c.chance(0.5):
        spec["attachments"] = [("med_auth_form.csv", "text/csv", form)]
    return spec


RADIOLOGY = [
    ("MRI", "lumbar spine w/o", "low back pain radiating to L leg",
     "L4-5 disc herniation with L5 nerve root impingement"),
    ("CT", "abdomen/pelvis w contrast", "RLQ pain, fever", "acute appendicitis without perforation"),
    ("MRI", "R shoulder", "pain and weakness after fall", "full-thickness supraspinatus tear"),
    ("CT", "head w/o contrast", "fall on anticoagulation", "no acute intracranial abnormality"),
    ("US", "pelvis transvaginal", "pelvic pain", "5.2 cm L ovarian cyst, no torsion"),
]


@template("radiology-report-forward", True)
def radiology(c):
    p, org, rad, ma = c.patient(min_age=30), c.org("hospital"), c.org(), c.staff("MA")
    study, region, why, impression = c.pick(RADIOLOGY)
    fname = c.pick(["%s_%s_%s_%s.txt" % (p["last"], p["first"], p["dob"].strftime("%m%d%Y"), study),
                    "%s %s %s.txt" % (p["last"], study, p["dob"].strftime("%Y%m%d")), "report.txt"])
    report = "%s %s\nExam date: %s\nIndication: %s\nImpression: %s\n" % (
        study, region, c.ids.visit_date().isoformat(), why, impression)
    text = "%s\n\nForwarding %s's %s report from %s as requested, see attached.\n%s" % (
        c.pick(["Hi", "Hello Dr.", "Team,"]), p["name"], study, rad["name"], c.sig(ma, org))
    return {"from": (ma["name"], c.addr(ma, org)), "to": [("Ortho", c.role_addr(c.org(), "ortho"))],
            "subject": "Fw: %s report" % study, "text": text,
            "attachments": [(fname, "text/plain", report)]}


@template("appointment-list-csv", True)
def appt_list(c):
    org, fd = c.org(), c.staff("front desk")
    rows = []
    for _ in range(c.r.randint(6, 14)):
        p = c.patient()
        rows.append([c.ids.time(), p["name"], p["dob_s"], p["phone"],
                     c.pick(["f/u HTN", "new OB", "well child", "DM check", "med refill", "depression f/u",
                             "post-op", "STI screen", "knee pain", "prenatal 28wk"])])
    csv = csv_text(["Time", "Patient Name", "DOB", "Phone", "Reason"], rows)
    return {"from": (fd["name"], c.addr(fd, org)), "to": [("Satellite office", c.role_addr(c.org(), "frontdesk"))],
            "subject": c.pick(["tomorrow's schedule", "Schedule for %s" % c.ids.short_date(c.ids.visit_date(True)),
                               "appt list"]),
            "text": "Attached is the list for the %s clinic tomorrow. Please call to confirm.\n%s" % (
                org["city"], c.sig(fd, org)),
            "attachments": [(c.pick(["schedule.csv", "appts_tomorrow.csv", "list.csv"]), "text/csv", csv)]}


@template("html-patient-table", True)
def html_roster(c):
    org, cm = c.org(), c.staff("RN")
    rows = []
    for _ in range(c.r.randint(4, 9)):
        p = c.patient(min_age=40)
        rows.append(["%s, %s" % (p["last"], p["first"]) if c.chance(0.5) else p["name"], p["mrn"],
                     c.pick(["CHF", "COPD", "ESRD on HD", "post-stroke", "uncontrolled DM", "dementia"]),
                     c.ids.short_date(c.ids.visit_date())])
    hdr = c.pick([["Patient Name", "MRN", "Dx", "Last visit"], ["Name", "Acct", "Problem", "Seen"]])
    html = html_doc(["Hi all,", "Here are the high-risk patients who missed follow-up this month:",
                     ("raw", html_table(hdr, rows)), "Please reach out this week. " + cm["shown"]])
    return {"from": (cm["name"], c.addr(cm, org)), "to": [("Care team", c.role_addr(org, "careteam"))],
            "subject": c.pick(["High risk f/u list", "missed follow-ups", "outreach list"]), "html": html}
