"""Positive templates, hospital and facility workflows: case management, SNF transfers, infusion,
dialysis, urgent care, EMS, decedent care, transplant, sleep lab, fax-to-email. Every message a
template renders names or points to a patient and states a health or care fact (LABELLING 1A)."""

from mailkit import addr, csv_text, docx, html_table, mail, pdf, template

DX = ["CHF exacerbation", "COPD exacerbation", "s/p L hip ORIF", "CVA with R-sided weakness",
      "sepsis, resolved", "pneumonia", "NSTEMI s/p PCI", "cellulitis LLE", "DKA, resolved",
      "AKI on CKD 3b", "syncope", "UTI with delirium", "R TKA"]
NEEDS = ["PT/OT 5x/week", "home O2 2L NC", "IV ceftriaxone x 10 more days", "wound vac changes MWF",
         "insulin teaching", "Foley care", "wheelchair", "hospital bed", "skilled nursing for wound care",
         "dysphagia diet (mechanical soft, nectar-thick liquids)"]


@template("case-mgmt-discharge-planning", "yes", "A: patient name + DOB/MRN + admission diagnosis + discharge needs")
def case_mgmt(c):
    hosp = c.org(["Medical Center", "Hospital", "Regional Medical Center"])
    cm = c.staff(["Case Manager", "RN Case Manager", "Discharge Planner", "Social Worker, Care Management"], hosp)
    agency = c.org(["Home Health", "Rehab & Nursing", "Skilled Nursing and Rehabilitation", "VNA"])
    rcpt = c.staff(["Intake Coordinator", "Admissions Director", "Referral Intake"], agency)
    p = c.patient(age=(55, 88))
    ident = c.some(["DOB %s" % c.dob(p.dob), "MRN %s" % p.mrn, "%s %s" % (p.age, "F" if p.sex == "F" else "M"),
                    "Ins: %s, ID %s" % (c.pick(["Medicare A/B", "Humana Gold", "Aetna MA", "BCBS"]), c.member_id())], 1, 3)
    facts = c.some(["Admitted %s with %s." % (c.sdate(c.day(-9, -2)), c.pick(DX)),
                    "Anticipated d/c %s, %s." % (c.sdate(c.day(1, 4)), c.pick(["pending PT eval", "if cleared by cards", "weekend d/c possible"])),
                    "Needs: %s." % ", ".join(c.some(NEEDS, 1, 3)),
                    "Lives %s; %s." % (c.pick(["alone", "with spouse", "with daughter"]), c.pick(["2 steps to enter", "ranch home", "3rd floor walk-up"])),
                    "Code status %s." % c.pick(["full", "DNR/DNI", "DNR, OK to intubate"])], 3, 5)
    name = c.pick([p.full, p.lastfirst(), "%s %s" % (p.title, p.last)])
    greet = c.pick(["Hi %s," % rcpt.first, "Good morning,", "Hello %s team," % agency.name.split()[0], ""])
    body = "%s\n\n%s\n\n%s (%s)\n%s\n\n%s\n\n%s" % (
        greet, c.pick(["Sending a referral for your review:", "Can you accept the below?", "New referral, please let me know bed/start of care availability:",
                       "Following up on our call - referral details below."]),
        name, "; ".join(ident), "\n".join("- " + f for f in facts),
        c.pick(["Clinicals and H&P to follow via fax.", "Facesheet attached in Allscripts/CarePort.", "Family is aware and agreeable.", "Please call me with questions."]),
        c.signature(cm, c.pick(["RN", "MSW", "RN, BSN", "LCSW", ""]), "Care Management"))
    subj = c.pick(["Referral - %s" % p.last, "D/C planning: %s" % name, "Referral for SOC %s" % c.sdate(c.day(1, 4)),
                   "Bed request - %s %s" % (p.first[0], p.last)])
    return mail(c, addr(cm), addr(rcpt), subj, body)


@template("snf-transfer-form-pdf", "yes", "A: SNF-to-hospital transfer form (PDF text): name, DOB, dx, meds, reason for transfer")
def snf_transfer(c):
    snf = c.org(["Rehab & Nursing Center", "Care Center", "Skilled Nursing Facility", "Health & Rehabilitation"])
    nurse = c.staff(["Charge Nurse", "Unit Manager", "ADON", "Nursing Supervisor"], snf)
    hosp = c.org(["Hospital", "Medical Center"])
    ed = c.staff(["ED Charge RN", "Transfer Center", "ED Case Manager"], hosp)
    p = c.patient(age=(62, 88))
    reason = c.pick(["change in mental status", "fall with L hip pain", "SpO2 84% on 2L", "fever 102.1, hypotensive",
                     "coffee-ground emesis", "new onset chest pain"])
    lines = ["INTERFACILITY TRANSFER FORM", snf.name, "", "Resident: %s" % p.lastfirst(),
             "DOB: %s   Room: %d%s" % (c.dob(p.dob), c.r.randint(100, 340), c.pick("AB")),
             "Transfer date/time: %s %s" % (c.day(-1, 0).strftime("%m/%d/%Y"), c.time()),
             "Reason for transfer: %s" % reason, "Diagnoses: %s" % "; ".join(c.some(DX + ["dementia", "HTN", "DM2", "afib on Eliquis"], 2, 4)),
             "Code status: %s" % c.pick(["Full code", "DNR", "DNR/DNI, POLST attached"]),
             "Allergies: %s" % c.pick(["NKDA", "PCN (rash)", "sulfa, latex"]),
             "Current meds: %s" % ", ".join(c.some(["apixaban 5 mg BID", "metoprolol 25 mg BID", "donepezil 10 mg", "furosemide 40 mg",
                                                    "insulin glargine 18 u qHS", "sertraline 50 mg", "acetaminophen 650 q6h prn"], 3, 5)),
             "Baseline: %s" % c.pick(["A&O x2, ambulates with walker", "nonverbal, total assist", "A&O x3, wheelchair"]),
             "Family/POA: %s %s, %s" % (c.person().first, p.last, c.phone()), "", "Sending nurse: %s" % nurse.full]
    fn = c.pick(["transfer_%s.pdf" % p.last.lower(), "INTERACT_transfer_form.pdf", "scan_%s.pdf" % c.digits(8)])
    body = c.pick(["Transfer form attached, resident sent via %s." % c.pick(["EMS", "ambulance", "BLS"]),
                   "Please see attached for the resident we just sent over. Report called to %s." % ed.first,
                   "Attached.", "Transfer paperwork for today's send-out attached. Please fax back the d/c summary when available."])
    return mail(c, addr(nurse), addr(ed), c.pick(["Transfer form", "Resident transfer", "Send out paperwork", "Fwd: scan"]),
                body + "\n\n" + c.signature(nurse, c.pick(["RN", "LPN"])),
                attach=[(fn, "application/pdf", pdf([lines], compress=c.chance(0.5)))])


@template("infusion-chair-schedule-html", "yes", "A: infusion centre chair schedule: patient names + drugs + appointment times")
def infusion(c):
    ctr = c.org(["Infusion Center", "Infusion Services", "Outpatient Infusion"])
    sch = c.staff(["Infusion Scheduler", "Charge RN, Infusion", "Patient Access Lead"], ctr)
    ph = c.staff(["Infusion Pharmacist", "Pharmacy Buyer", "Pharmacy Tech"], ctr)
    drugs = ["infliximab (Remicade) 5 mg/kg", "ocrelizumab 600 mg", "IVIG 0.4 g/kg", "iron sucrose 200 mg",
             "vedolizumab 300 mg", "zoledronic acid 5 mg", "rituximab 375 mg/m2", "natalizumab 300 mg", "ferric carboxymaltose 750 mg"]
    d = c.day(1, 7)
    rows, col = [], c.pick(["MRN", "DOB"])
    for chair in range(1, c.r.randint(5, 9)):
        p = c.patient(age=(19, 84))
        rows.append([str(chair), c.time(), c.pick([p.lastfirst(), p.full]), p.mrn if col == "MRN" else c.dob(p.dob), c.pick(drugs),
                     c.pick(["PA on file", "first dose - premed", "", "auth exp %s" % c.sdate(c.day(10, 60))])])
    hdr = ["Chair", "Time", "Patient", col, "Drug", "Notes"]
    html = "<p>%s</p>\n%s\n<p>%s</p>" % (
        c.pick(["Schedule for %s below - please have drug mixed by start times." % c.sdate(d), "Tomorrow's chairs:", "Updated schedule (two adds):"]),
        html_table(hdr, rows, c.chance(0.5)), c.signature(sch).replace("\n", "<br>\n"))
    text = None if c.chance(0.5) else "Schedule for %s\n\n%s\n\n%s" % (c.sdate(d), csv_text(hdr, rows, "\t").replace("\r\n", "\n"), c.signature(sch))
    return mail(c, addr(sch), addr(ph), c.pick(["Infusion schedule %s" % c.sdate(d), "Chair schedule", "Tomorrow's infusions - mix list"]), text, html)


@template("dialysis-transient-request", "yes", "A: dialysis travel request: patient name, DOB, access, hep B status, treatment dates")
def dialysis(c):
    home = c.org(["Dialysis", "Kidney Center", "Renal Care"])
    sw = c.staff(["Social Worker", "Transient Coordinator", "Clinic Manager", "Unit Secretary"], home)
    dest = c.org(["Dialysis", "Kidney Care", "Dialysis Center"])
    rcpt = c.staff(["Transient Coordinator", "Admissions"], dest)
    p = c.patient(age=(30, 86))
    a, b = c.day(10, 25), c.day(26, 40)
    facts = ["Patient: %s   DOB %s" % (c.pick([p.full, p.lastfirst(True)]), c.dob(p.dob)),
             "Travel dates: %s - %s (visiting %s)" % (c.sdate(a), c.sdate(b), c.pick(["family", "daughter", "for a wedding"])),
             "Schedule: %s %s chair" % (c.pick(["MWF", "TTS"]), c.pick(["1st", "2nd", "3rd"])),
             "Access: %s" % c.pick(["L AVF", "R AVG", "R IJ tunneled catheter"]),
             "EDW %.1f kg, %s bath, Qb %d" % (c.r.uniform(55, 110), c.pick(["2K/2.5Ca", "3K/2.5Ca"]), c.pick([350, 400, 450])),
             "Hep B: %s (%s)" % (c.pick(["sAg neg, sAb 42", "immune", "sAg negative"]), c.sdate(c.day(-30, -5))),
             "Ins: %s %s" % (c.pick(["Medicare", "Medicare + Medicaid", "UnitedHealthcare"]), c.pick([c.mbi(), c.member_id()]))]
    keep = facts[:2] + c.some(facts[2:], 2, 5)
    body = "%s\n\n%s\n\n%s\n\n%s" % (c.pick(["Hello,", "Hi %s," % rcpt.first, "Good afternoon,"]),
                                     c.pick(["We have a patient requesting transient treatment at your unit.",
                                             "Requesting chair time for one of our patients, details below:",
                                             "Please advise if you can accommodate:"]),
                                     "\n".join(keep),
                                     c.pick(["Packet (H&P, last 3 run sheets, labs, CXR, PPD) will be faxed once accepted.",
                                             "Full packet attached via secure fax.", "Thanks in advance!"]) + "\n\n" + c.signature(sw))
    return mail(c, addr(sw), addr(rcpt), c.pick(["Transient request", "Travel tx request %s-%s" % (c.sdate(a), c.sdate(b)),
                                                  "Visitor treatment - %s" % p.last]), body)


@template("urgent-care-pcp-followup", "yes", "A: urgent care visit note to the PCP: patient name/DOB + visit date + dx + treatment")
def urgent_care(c):
    uc = c.org(["Urgent Care", "Walk-In Clinic", "Express Care"])
    pa = c.staff(["PA-C", "Nurse Practitioner", "Physician"], uc)
    pcp_org = c.org(["Family Medicine", "Primary Care", "Internal Medicine Associates"])
    pcp = c.staff(["Physician", "Office Manager", "Referral Coordinator"], pcp_org)
    p = c.patient()
    visit = c.pick(["laceration R hand, 4 sutures placed, removal in 10 days",
                    "strep pharyngitis (rapid strep +), amoxicillin 500 mg BID x10d",
                    "R ankle sprain, x-ray neg for fx, ASO brace",
                    "UTI, started nitrofurantoin, culture pending",
                    "otitis media, augmentin", "asthma exacerbation, neb x2, prednisone burst",
                    "BP 182/104 in clinic, asymptomatic - needs PCP f/u this week"])
    body = "%s\n\n%s %s was seen at %s on %s for %s.\n%s\n\n%s" % (
        c.pick(["Dr. %s," % pcp.last, "To the PCP office:", "Hello,"]),
        c.pick(["Your patient", "FYI, your patient", "Patient"]),
        c.pick([p.full, "%s (DOB %s)" % (p.full, c.dob(p.dob)), "%s, %s" % (p.lastfirst(), c.dob(p.dob))]),
        uc.name, c.sdate(c.day(-3, 0)), visit,
        c.pick(["Please arrange follow up within 1 week.", "Visit note is attached to the chart via HIE.", "Pt instructed to call your office Monday.", ""]),
        c.signature(pa, {"PA-C": "", "Nurse Practitioner": "FNP-C"}.get(pa.role, c.pick(["MD", "DO"]))))
    return mail(c, addr(pa), addr(pcp), c.pick(["Urgent care visit - your patient", "UC f/u needed: %s" % p.last, "Visit notification", "ER/UC visit"]), body)


@template("ems-run-report-xml", "yes", "A: EMS patient care report (NEMSIS-style XML + note): name, DOB, chief complaint, vitals, destination")
def ems(c):
    agency = c.org(["Fire-Rescue", "EMS", "Ambulance Service"])
    medic = c.staff(["Paramedic", "EMS Supervisor", "QA Coordinator"], agency)
    hosp = c.org(["Medical Center", "Hospital"])
    rc = c.staff(["ED Nurse Manager", "EMS Liaison", "Trauma Registrar"], hosp)
    p = c.patient(age=(18, 88))
    inc = "%s-%s" % (c.when.year, c.digits(6))
    cc = c.pick(["chest pain", "fall from ladder", "shortness of breath", "syncope", "MVC restrained driver", "hypoglycemia, BGL 38", "seizure"])
    vit = "HR %d BP %d/%d RR %d SpO2 %d%%" % (c.r.randint(50, 130), c.r.randint(90, 180), c.r.randint(50, 100), c.r.randint(12, 28), c.r.randint(86, 99))
    xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EMSDataSet>\n <PatientCareReport>\n"
           "  <eResponse.03>%s</eResponse.03>\n  <ePatient.02>%s</ePatient.02>\n  <ePatient.03>%s</ePatient.03>\n"
           "  <ePatient.17>%s</ePatient.17>\n  <ePatient.13>%s</ePatient.13>\n  <eSituation.04>%s</eSituation.04>\n"
           "  <eVitals>%s</eVitals>\n  <eDisposition.01>%s</eDisposition.01>\n </PatientCareReport>\n</EMSDataSet>\n"
           % (inc, p.last, p.first, p.dob.isoformat(), "Female" if p.sex == "F" else "Male", cc, vit, hosp.name))
    body = "%s\n\n%s\n\n%s" % (c.pick(["ePCR for incident %s attached as requested." % inc, "Attached is the PCR export for the %s call." % cc,
                                       "Run report for your trauma registry:"]),
                               c.pick(["Pt %s, %s. Transported %s." % (p.lastfirst(), cc, c.pick(["priority 1", "non-emergent"])),
                                       "Narrative: %s y/o %s found %s. %s. Tx'd per protocol." % (p.age, "female" if p.sex == "F" else "male", cc, vit),
                                       "Patient name on the report is %s; let me know if your registry shows something different." % p.full]),
                               c.signature(medic, c.pick(["NRP", "FP-C", "EMT-P", ""])))
    return mail(c, addr(medic), addr(rc), c.pick(["PCR %s" % inc, "Run report request", "ePCR export - incident %s" % inc]), body,
                attach=[("PCR_%s.xml" % inc, c.pick(["application/xml", "text/xml"]), xml)])


@template("decedent-release-funeral-home", "yes", "A: decedent's name + date of death + hospital care (release to a funeral home)")
def decedent(c):
    hosp = c.org(["Hospital", "Medical Center"])
    dec_staff = c.staff(["Decedent Affairs", "Nursing Supervisor", "Patient Relations"], hosp)
    fh = c.org(["Funeral Home", "Funeral Chapel", "Cremation Services"])
    rc = c.staff(["Funeral Director", "Removal Coordinator"], fh)
    p = c.patient(age=(40, 88))
    dod = c.day(-2, 0)
    body = "%s\n\n%s\n%s\n%s\n\n%s" % (
        c.pick(["Good morning %s," % rc.first, "Hello,", "%s -" % rc.first]),
        c.pick(["%s expired on %s on our %s unit." % (p.full, c.sdate(dod), c.pick(["4 West", "ICU", "oncology", "hospice"])),
                "Release is ready for %s (DOD %s)." % (p.lastfirst(), dod.strftime("%m/%d/%Y"))]),
        c.pick(["Attending %s has signed the death certificate; cause %s." % (c.person().last, c.pick(["metastatic pancreatic cancer", "cardiopulmonary arrest due to ischemic cardiomyopathy", "sepsis"])),
                "Not an ME case.", "ME declined jurisdiction, body may be released."]),
        c.pick(["Family (%s, %s) has chosen your home." % (c.pick(["son", "wife", "daughter", "husband"]), c.phone()),
                "DOB %s for your paperwork." % c.dob(p.dob), ""]),
        c.pick(["Please call the morgue at %s before pickup." % hosp.phone, "Pickup after 10 am please."]) + "\n\n" + c.signature(dec_staff))
    return mail(c, addr(dec_staff), addr(rc), c.pick(["Release - %s" % p.last, "Decedent release", "Pick up ready"]), body)


@template("transplant-coordinator-update", "yes", "A: transplant candidate/recipient name + labs/levels/listing status")
def transplant(c):
    ctr = c.org(["Transplant Institute", "Medical Center"])
    co = c.staff(["Pre-Transplant Coordinator", "Post-Transplant Coordinator", "Living Donor Coordinator"], ctr)
    neph = c.org(["Nephrology Associates", "Hepatology", "Kidney Specialists"])
    rc = c.staff(["Nephrologist", "Nurse", "Office Manager"], neph)
    p = c.patient(age=(25, 72))
    organ = c.pick(["kidney", "liver", "kidney-pancreas"])
    facts = c.some(["listed for %s %s" % (organ, c.sdate(c.day(-300, -30))), "MELD %d" % c.r.randint(15, 34),
                    "tacrolimus trough %.1f (goal 6-8)" % c.r.uniform(3, 14), "cPRA %d%%" % c.r.randint(0, 98),
                    "Cr %.1f" % c.r.uniform(0.9, 6.5), "crossmatch %s" % c.pick(["negative", "pending", "positive - donor declined"]),
                    "needs dental clearance before activation", "status 7 (inactive) until %s" % c.pick(["weight < 40 BMI", "cardiac clearance"])], 2, 4)
    name = c.pick([p.full, p.lastfirst(), "%s (MRN %s)" % (p.full, p.mrn), "%s %s" % (p.title, p.last)])
    body = "%s\n\nUpdate on %s: %s.\n%s\n\n%s" % (
        c.pick(["Hi,", "Dr. %s," % rc.last, "Team,"]), name, "; ".join(facts),
        c.pick(["We'll need monthly labs faxed to %s." % ctr.fax, "Please adjust dose and recheck in 1 week.", "Next clinic visit %s." % c.sdate(c.day(3, 30))]),
        c.signature(co, c.pick(["RN, CCTC", "RN", "BSN, RN"]), "Transplant"))
    return mail(c, addr(co), addr(rc), c.pick(["Transplant update", "%s - levels" % p.last, "Listing status", "re: your mutual patient"]), body)


@template("sleep-study-report-docx", "yes", "A: sleep study report (DOCX): name, DOB, study date, AHI, CPAP plan")
def sleep(c):
    lab = c.org(["Sleep Center", "Sleep Disorders Lab", "Sleep Medicine"])
    tech = c.staff(["Sleep Lab Coordinator", "RPSGT", "Scoring Technologist"], lab)
    ref = c.org(["Family Practice", "Pulmonary Associates", "ENT Associates"])
    rc = c.staff(["Referral Coordinator", "Medical Assistant", "Physician"], ref)
    p = c.patient(age=(25, 80))
    ahi = c.r.uniform(6, 70)
    paras = ["%s - Polysomnography Report" % lab.name, "Patient: %s    DOB: %s" % (p.full, c.dob(p.dob)),
             "Study: %s  Date: %s" % (c.pick(["diagnostic PSG", "split night", "home sleep test", "CPAP titration"]), c.day(-14, -2).strftime("%m/%d/%Y")),
             "AHI %.1f/h, RDI %.1f/h, SpO2 nadir %d%%." % (ahi, ahi + c.r.uniform(1, 8), c.r.randint(70, 89)),
             "Impression: %s obstructive sleep apnea." % ("severe" if ahi > 30 else "moderate" if ahi > 15 else "mild"),
             "Recommendation: %s" % c.pick(["auto-CPAP 5-15 cm H2O", "CPAP 9 cm H2O, medium full-face mask", "oral appliance referral"])]
    body = "%s\n\n%s\n\n%s" % (c.pick(["Attached is the sleep study report for your patient.", "Please see attached results.",
                                       "Report for %s attached; DME order sent to %s." % (p.last, c.pick(["Apria", "Lincare", "AdaptHealth"]))]),
                               c.pick(["Follow-up visit in 6 weeks for compliance download.", "", "Let us know if you need the raw data."]),
                               c.signature(tech, c.pick(["RPSGT", "RST", ""])))
    fn = c.pick(["PSG_%s_%s.docx" % (p.last, c.day(-14, -2).strftime("%m%d%y")), "sleep_report.docx", "Report_%s.docx" % c.digits(6)])
    return mail(c, addr(tech), addr(rc), c.pick(["Sleep study results", "PSG report", "HST results - %s" % p.last]), body,
                attach=[(fn, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx(paras))])


@template("fax-to-email-referral-pdf", "yes", "A: fax server delivery; the faxed pages (PDF text) are a referral with name, DOB, dx")
def fax_referral(c):
    clinic = c.org(["Orthopedics", "Cardiology", "Gastroenterology", "Neurology", "Dermatology"])
    fax_from = c.org(["Family Medicine", "Pediatrics", "Primary Care"])
    p = c.patient()
    pages = c.r.randint(2, 5)
    cover = ["FAX", "To: %s" % clinic.name, "Fax: %s" % clinic.fax, "From: %s" % fax_from.name, "Phone: %s" % fax_from.phone,
             "Pages (incl. cover): %d" % pages, "Re: %s" % c.pick(["Referral", "Urgent referral", "Consult request"]), "",
             "CONFIDENTIAL: This facsimile contains health information that is privileged."]
    ref = ["REFERRAL FORM", "Patient name: %s" % p.full, "Date of birth: %s" % c.dob(p.dob),
           "Phone: %s" % p.phone, "Insurance: %s  Member ID: %s" % (c.pick(["Aetna", "Cigna", "Tufts", "Medicaid"]), c.member_id()),
           "Reason for referral: %s" % c.pick(["chronic R knee pain, failed PT", "palpitations, Holter showed SVT runs", "rectal bleeding, +FIT",
                                                "new onset seizures", "changing mole L shoulder"]),
           "ICD-10: %s" % c.pick(["M17.11", "R00.2", "K62.5", "R56.9", "D48.5"]), "Referring provider: %s, MD" % c.person().full]
    sysname = c.pick(["RightFax", "eFax Corporate", "XMediusFAX", "Biscom", "OpenText Fax"])
    body = ("%s\n\nYou have received a %d page fax from %s at %s.\nReceived: %s\nFax ID: %s\n\n%s" %
            (c.pick(["New fax received", "Inbound fax delivered"]), pages, c.pick([fax_from.fax, fax_from.name]),
             c.when.strftime("%m/%d/%Y %I:%M %p"), c.when.strftime("%Y-%m-%d"), c.digits(10),
             "This is an automated message from %s. Do not reply." % sysname))
    fn = c.pick(["fax_%s.pdf" % c.digits(10), "%s.pdf" % c.digits(14), "Fax_%s.pdf" % c.when.strftime("%Y%m%d%H%M")])
    return mail(c, "%s <fax-noreply@%s>" % (sysname, clinic.domain), "referrals@%s" % clinic.domain,
                c.pick(["Fax from %s" % fax_from.fax, "New fax (%d pages)" % pages, "[%s] Fax received" % sysname]), body,
                attach=[(fn, "application/pdf", pdf([cover, ref] + [["Clinical notes page %d" % i, "Seen for %s." % ref[5].split(": ")[1]] for i in range(pages - 2)],
                                                      compress=c.chance(0.6), producer=sysname))])
