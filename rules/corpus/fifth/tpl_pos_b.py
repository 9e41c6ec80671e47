"""Positive templates, payers, public health, legal and administrative mail: workers' comp,
immunisation registry, reportable disease, PBM, records release, subpoena, appeals, interpreters,
EHR alerts, genetic counselling. Each message names or points to a patient (or carries a rule-B
identifier) and states a health, care or payment fact (LABELLING 1A/1B)."""

from mailkit import addr, ascii_fold, docx, mail, pdf, template


@template("workers-comp-work-status", "yes", "A: occupational health work-status report: employee-patient name, claim no., injury, restrictions")
def workers_comp(c):
    occ = c.org(["Occupational Health", "Occupational Medicine", "WorkCare Clinic"])
    cm = c.staff(["Case Manager", "Clinic Coordinator", "Occupational Health Nurse"], occ)
    ins = c.org(["Insurance", "Risk Services", "Claims Management"], ())
    adj = c.staff(["Claims Adjuster", "Nurse Case Manager", "WC Adjuster"], ins)
    p = c.patient(age=(19, 66))
    claim = c.claim()
    injury = c.pick(["lumbar strain lifting a patient", "L wrist fracture after fall on ice", "needlestick, baseline labs drawn",
                     "R shoulder rotator cuff strain", "chemical splash to eyes, irrigated", "laceration L index finger"])
    status = c.pick(["Modified duty: no lifting > 10 lb, no overhead reaching, until %s." % c.sdate(c.day(7, 21)),
                     "Off work until re-evaluation on %s." % c.sdate(c.day(3, 10)),
                     "Full duty released as of %s." % c.sdate(c.day(0, 3)),
                     "Restricted: seated work only; PT 2x/week x 4 weeks."])
    lines = ["Employee: %s" % c.pick([p.full, p.lastfirst()]), "Claim #: %s" % claim,
             "Date of injury: %s" % c.day(-40, -3).strftime("%m/%d/%Y"), "Employer: %s" % c.org(["Logistics", "Foods", "Construction"], ()).name,
             "Diagnosis: %s" % injury, "Work status: %s" % status, "Next visit: %s" % c.sdate(c.day(5, 20))]
    lines = lines[:2] + c.shuffled(lines[2:])
    body = "%s\n\n%s\n\n%s\n\n%s" % (c.pick(["Hi %s," % adj.first, "Good afternoon,", "Adjuster,"]),
                                     c.pick(["Work status report from today's visit:", "Please see the updated status for your claimant below.",
                                             "DWC-73 information:"]), "\n".join(lines), c.signature(cm, c.pick(["RN, COHN", "RN", ""])))
    return mail(c, addr(cm), addr(adj), c.pick(["Work status - claim %s" % claim, "WC update %s" % p.last, "Status report"]), body)


@template("immunization-registry-hl7-errors", "yes", "A: registry rejection report: HL7 VXU with PID name/DOB + vaccines given")
def iis(c):
    clinic = c.org(["Pediatrics", "Family Health Center", "Community Health Center"])
    it = c.staff(["EHR Analyst", "Interface Analyst", "Immunization Coordinator"], clinic)
    reg = c.org(["Department of Public Health"], ())
    rc = c.staff(["IIS Onboarding Specialist", "Registry Data Quality"], reg)
    p = c.patient(age=(0, 17))
    vax = c.some([("08", "Hep B"), ("20", "DTaP"), ("10", "IPV"), ("133", "PCV13"), ("03", "MMR"), ("21", "Varicella"), ("141", "Influenza")], 1, 3)
    given = c.day(-20, -1).strftime("%Y%m%d")
    msh = "MSH|^~\\&|EHR|%s|IIS|STATE|%s||VXU^V04^VXU_V04|%s|P|2.5.1" % (clinic.name.split()[0].upper(), given, c.digits(10))
    pid = "PID|1||%s^^^MR||%s^%s||%s|%s|||%s^^%s^%s^%s" % (p.mrn, ascii_fold(p.last).upper(), ascii_fold(p.first).upper(), p.dob.strftime("%Y%m%d"),
                                                            p.sex, p.street, p.city, p.state, p.zip)
    rxa = ["RXA|0|1|%s||%s^%s^CVX|0.5|mL" % (given, code, name) for code, name in vax]
    hl7 = "\r".join([msh, pid] + rxa) + "\r"
    err = c.pick(["ERR: RXA-5 not a valid CVX for date administered", "ERR: PID-7 birth date after administration date",
                  "ERR: missing VFC eligibility (OBX 64994-7)", "ERR: lot number required"])
    body = "%s\n\n%s\n%s\n\n%s" % (c.pick(["Hi %s," % rc.first, "Hello,"]),
                                   c.pick(["This VXU keeps rejecting; message and error below.", "Can you help with this rejection? Copying the segment.",
                                           "The attached message failed in last night's batch."]),
                                   err if c.chance(0.5) else "%s\n%s" % (err, pid), c.signature(it))
    return mail(c, addr(it), addr(rc), c.pick(["VXU rejection", "IIS error - help", "Batch %s rejects" % given]), body,
                attach=[("vxu_%s.hl7" % c.digits(6), c.pick(["application/hl7-v2", "text/plain", "application/octet-stream"]), hl7.encode())])


@template("reportable-disease-case-report", "yes", "A: case report to the health department: name, DOB, address, disease, onset date")
def reportable(c):
    src = c.org(["Hospital", "Medical Center", "Pediatrics", "Urgent Care"])
    ip = c.staff(["Infection Preventionist", "Infection Control RN", "Lab Supervisor"], src)
    dph = c.org(["County Health Department"], ())
    epi = c.staff(["Epidemiologist", "Disease Investigator", "Communicable Disease Nurse"], dph)
    p = c.patient()
    disease = c.pick(["pertussis (PCR +)", "Salmonella enterica, stool culture", "Lyme disease", "latent TB - positive QFT",
                      "measles IgM +", "hepatitis A", "Legionella urinary antigen +", "mumps", "chronic hepatitis C (RNA detected)"])
    fields = ["Patient: %s" % p.full, "DOB: %s" % c.dob(p.dob), "Condition: %s" % disease,
              "Address: %s, %s %s" % (p.street, p.city, p.zip), "Phone: %s" % p.phone, "Onset: %s" % c.sdate(c.day(-14, -2)),
              "Specimen collected: %s" % c.sdate(c.day(-7, -1)), "Hospitalized: %s" % c.pick(["yes", "no"]),
              "Reported by: %s, %s" % (ip.full, ip.direct)]
    keep = fields[:3] + c.some(fields[3:], 2, 6)
    if c.chance(0.5):
        return mail(c, addr(ip), addr(epi), c.pick(["Case report", "Reportable condition", "CONFIDENTIAL morbidity report"]),
                    c.pick(["Case report attached.", "Please see the attached confidential morbidity report."]) + "\n\n" + c.signature(ip),
                    attach=[("CMR_%s.pdf" % c.digits(5), "application/pdf", pdf([["CONFIDENTIAL MORBIDITY REPORT", ""] + keep]))])
    return mail(c, addr(ip), addr(epi), c.pick(["Reportable: %s" % disease.split()[0], "New case", "Case report"]),
                "%s\n\n%s\n\n%s" % (c.pick(["Reporting the following:", "FYI new case, report also faxed.", "Hi %s, one more for you:" % epi.first]),
                                    "\n".join(keep), c.signature(ip)))


@template("pbm-prior-auth-determination", "yes", "A+B: PBM coverage determination: member name/ID, drug, approved/denied")
def pbm(c):
    pbm_org = c.org(["Rx Solutions", "Pharmacy Benefit Services", "PharmaCare Rx"], ())
    p = c.patient(age=(18, 80))
    prov = c.org(["Endocrinology", "Rheumatology", "Family Medicine", "Neurology"])
    pa = c.staff(["Prior Authorization Specialist", "Medical Assistant"], prov)
    drug = c.pick(["semaglutide (Ozempic) 1 mg", "adalimumab-adaz (Hyrimoz)", "dupilumab (Dupixent) 300 mg", "tirzepatide (Mounjaro) 5 mg",
                   "rimegepant (Nurtec ODT)", "apremilast (Otezla)", "insulin degludec"])
    decision = c.pick(["APPROVED through %s" % c.day(150, 365).strftime("%m/%d/%Y"), "DENIED - step therapy not met (metformin trial not documented)",
                       "DENIED - diagnosis not covered (E66.9)", "PARTIALLY APPROVED - quantity limited to 4 pens / 28 days"])
    lines = ["COVERAGE DETERMINATION", "Member: %s" % p.full.upper(), "Member ID: %s" % c.member_id(), "Date of birth: %s" % c.dob(p.dob),
             "Medication: %s" % drug, "Case #: PA-%s" % c.digits(9), "Determination: %s" % decision,
             "Prescriber: %s, MD" % c.person().full, "You may request a redetermination within 60 days."]
    body = c.pick(["Please find the coverage determination letter attached.", "A determination has been made on the request you submitted. See attached.",
                   "Case %s - determination letter attached." % lines[5].split("#: ")[1]])
    note = c.pick(["", "\n\nThe member has also been notified by mail.", "\n\nThis is an automated notice. Replies are not monitored."])
    frm = "%s <pa-notices@%s>" % (pbm_org.name, pbm_org.domain)
    return mail(c, frm, addr(pa), c.pick(["Coverage determination", "PA determination - %s" % p.last.upper(), "Prior authorization update"]),
                body + note, attach=[("determination_%s.pdf" % c.digits(7), "application/pdf", pdf([lines], compress=True))])


@template("roi-records-release", "yes", "A: release-of-information fulfilment: patient name, DOB, record dates and departments, invoice")
def roi(c):
    him = c.org(["Hospital", "Health System", "Medical Center"])
    spec = c.staff(["Release of Information Specialist", "HIM Specialist", "ROI Coordinator"], him)
    req = c.org(["Law Group", "Insurance Services", "Disability Claims"], ())
    rc = c.staff(["Paralegal", "Records Clerk", "Claims Examiner"], req)
    p = c.patient(age=(20, 85))
    a, b = c.day(-700, -200), c.day(-199, -10)
    body = "%s\n\n%s\n\nPatient: %s\nDOB: %s\nRecords: %s, dates of service %s to %s\nPages: %d\nInvoice #%s: $%d.%02d\n\n%s\n\n%s" % (
        c.pick(["Hello %s," % rc.first, "Good afternoon,", "Dear %s:" % rc.full]),
        c.pick(["Your request for records has been processed.", "Records responsive to your request are available on our secure portal.",
                "We received the authorization; records are ready."]),
        p.full, c.dob(p.dob), ", ".join(c.some(["ED visits", "radiology reports", "discharge summaries", "orthopedic clinic notes",
                                                  "physical therapy notes", "billing ledger"], 1, 3)),
        a.strftime("%m/%d/%Y"), b.strftime("%m/%d/%Y"), c.r.randint(12, 480), c.digits(7), c.r.randint(15, 160), c.r.randint(0, 99),
        c.pick(["Payment is due within 30 days.", "Records will be released once payment is received.", "Reference this invoice on payment."]),
        c.signature(spec, c.pick(["RHIT", "CRIS", ""]), "Health Information Management"))
    return mail(c, addr(spec), addr(rc), c.pick(["Records request - %s" % p.last, "ROI %s" % c.digits(8), "Your records request"]), body)


@template("subpoena-records-correspondence", "yes", "A: legal correspondence about a patient's records: name, DOB/MRN, dates of treatment")
def subpoena(c):
    firm = c.org(["LLP", "& Associates", "Law Offices"], ())
    atty = c.staff(["Attorney", "Associate", "Litigation Paralegal"], firm)
    him = c.org(["Medical Center", "Hospital"])
    rc = c.staff(["Legal Records Coordinator", "Privacy Officer", "HIM Director"], him)
    p = c.patient(age=(18, 85))
    case = "%s v. %s" % (p.last, c.fk().company())
    text = "%s\n\n%s\n\n%s\n\n%s" % (
        c.pick(["Dear %s:" % rc.full, "Ms./Mr. %s," % rc.last, "Hello,"]),
        c.pick(["Re: %s. Enclosed is a subpoena duces tecum for the complete medical records of %s (DOB %s) for treatment on or about %s."
                % (case, p.full, c.dob(p.dob), c.sdate(c.day(-400, -60))),
                "We represent %s in the above matter and request certified copies of all records, including imaging, for %s admission."
                % (p.full, c.day(-400, -60).strftime("the %m/%d/%Y")),
                "Following up on our subpoena for %s's records (your MRN %s). The deposition is scheduled for %s." % (p.full, p.mrn, c.sdate(c.day(10, 40)))]),
        c.pick(["Please include the emergency department and orthopedic surgery records.", "A HIPAA-compliant authorization signed by the patient is enclosed.",
                "Kindly confirm receipt and the expected production date."]),
        c.signature(atty, c.pick(["Esq.", "J.D.", ""])))
    return mail(c, addr(atty), addr(rc), c.pick(["%s - subpoena" % case, "Records subpoena", "Re: %s" % case]), text)


@template("insurance-appeal-letter-docx", "yes", "A+B: first-level appeal (DOCX): member name/ID, claim, DOS, diagnosis, medical necessity")
def appeal(c):
    prac = c.org(["Orthopedic Surgery", "Cardiology", "Imaging Center", "Pain Management"])
    bill = c.staff(["Billing Specialist", "Appeals Coordinator", "Revenue Cycle Specialist"], prac)
    payer = c.org(["Health Plan", "HealthCare", "Insurance Co."], ())
    p = c.patient(age=(20, 80))
    svc = c.pick(["lumbar MRI (72148)", "cardiac PET (78492)", "R knee arthroscopy (29881)", "radiofrequency ablation (64635)", "CGM supplies (A9276)"])
    paras = ["%s Appeals Department" % payer.name, "RE: First-level appeal", "Patient: %s" % p.full, "Member ID: %s" % c.member_id(),
             "Claim #: %s    Date of service: %s" % (c.claim(), c.day(-120, -20).strftime("%m/%d/%Y")),
             "We are appealing the denial of %s. The patient has %s and failed %s." % (
                 svc, c.pick(["lumbar radiculopathy (M54.16)", "ischemic cardiomyopathy", "medial meniscus tear", "facet arthropathy", "type 1 diabetes"]),
                 c.pick(["6 weeks of physical therapy", "NSAIDs and a steroid taper", "conservative management"])),
             "Sincerely,", bill.full]
    body = c.pick(["Appeal letter attached for %s - please upload with the claim." % p.last, "Attached is the appeal, submitting via fax as well.",
                   "Drafted appeal below/attached, needs Dr. signature."])
    return mail(c, addr(bill), c.pick(["appeals@%s" % payer.domain, "%s <%s>" % (c.staff(["Physician"], prac).full, "md@%s" % prac.domain)]),
                c.pick(["Appeal - %s" % p.last, "Denial appeal", "1st level appeal DOS %s" % c.day(-120, -20).strftime("%m/%d")]),
                body + "\n\n" + c.signature(bill), attach=[("Appeal_%s.docx" % p.last.replace(" ", "_"),
                                                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx(paras))])


@template("interpreter-scheduling-request", "yes", "A: interpreter booking: patient name + language + clinic appointment date")
def interpreter(c):
    hosp = c.org(["Medical Center", "Hospital", "Health"])
    sch = c.staff(["Language Services Coordinator", "Patient Access Rep", "Clinic Scheduler"], hosp)
    ag = c.org(["Language Services", "Interpreting", "Translation Group"], ())
    rc = c.staff(["Scheduler", "Dispatch"], ag)
    lang, loc = c.pick([("Portuguese", "pt_BR"), ("Haitian Creole", "ht"), ("Russian", "ru"), ("Korean", "ko"), ("Arabic", "ar"), ("Spanish", "es_MX")])
    p = c.patient(loc)
    dept = c.pick(["Oncology", "OB/GYN", "Cardiology", "Behavioral Health", "Pre-op", "Neurology", "Endoscopy"])
    body = "%s\n\n%s\n\nLanguage: %s\nPatient: %s\nDate/time: %s %s\nLocation: %s, %s\nDuration: %s\n%s\n\n%s" % (
        c.pick(["Hi,", "Hello %s," % rc.first, "Good morning,"]),
        c.pick(["Please book an in-person interpreter:", "Requesting an interpreter (%s) for the appointment below." % lang, "New request:"]),
        lang, c.pick([p.full, p.lastfirst(), "%s (MRN %s)" % (p.full, p.mrn)]), c.sdate(c.day(2, 20)), c.time(),
        dept, c.pick(["Building B 3rd floor", "main campus", "Suite 210"]), c.pick(["1 hr", "2 hrs", "half day"]),
        c.pick(["Visit type: %s" % c.pick(["chemo teaching", "new OB visit", "consent for surgery", "results discussion"]), "", "Pt is hard of hearing, please speak slowly."]),
        c.signature(sch))
    return mail(c, addr(sch), addr(rc), c.pick(["Interpreter request - %s" % lang, "%s interpreter %s" % (lang, c.sdate(c.day(2, 20))), "Booking request"]), body)


@template("ehr-task-alert-identified", "yes", "A: EHR notification that carries a patient's name and MRN with a result/task")
def ehr_alert(c):
    hosp = c.org(["Health", "Medical Group", "Physicians"])
    doc = c.staff(["Physician", "Nurse Practitioner"], hosp)
    p = c.patient()
    sysn = c.pick(["Epic In Basket", "athenaClinicals", "eClinicalWorks", "NextGen", "Cerner PowerChart"])
    item = c.pick(["New abnormal result: %s" % c.pick(["Potassium 6.1 (H)", "Hemoglobin 6.8 (L)", "TSH 0.01 (L)", "Troponin 0.09 (H)"]),
                   "Task due: call patient re: %s" % c.pick(["biopsy results", "INR 4.3", "positive chlamydia NAAT", "MRI findings"]),
                   "Rx renewal request: %s" % c.pick(["sertraline 100 mg", "lisinopril 20 mg", "buprenorphine-naloxone 8-2 mg", "Biktarvy"]),
                   "Patient message: %s" % c.pick(["\"still bleeding after the procedure\"", "\"rash from new med\"", "\"need refill on insulin\""])])
    body = "%s\n\n%s\nPatient: %s\n%s\nPriority: %s\n\n%s" % (
        c.pick(["You have a new item in your %s." % sysn, "Notification from %s" % sysn]), item,
        c.pick([p.lastfirst(True), p.lastfirst(), p.full]), c.pick(["MRN: %s" % p.mrn, "DOB: %s" % c.dob(p.dob), "MRN %s  DOB %s" % (p.mrn, c.dob(p.dob))]),
        c.pick(["High", "Routine", "STAT"]), "Log in to %s to respond. Do not reply to this message." % sysn)
    return mail(c, "%s <no-reply@%s>" % (sysn, hosp.domain), addr(doc), c.pick(["[%s] New result" % sysn, "%s notification" % sysn, "Task alert"]), body)


@template("genetic-counselling-results", "yes", "A: genetic test result: patient name + variant/result + counselling appointment")
def genetics(c):
    gen = c.org(["Cancer Genetics", "Medical Genetics", "Genetic Counseling"])
    gc = c.staff(["Genetic Counselor", "Genetics Coordinator"], gen)
    p = c.patient(age=(18, 75))
    res = c.pick(["pathogenic BRCA2 variant (c.5946delT)", "likely pathogenic MLH1 variant - Lynch syndrome", "variant of uncertain significance in ATM",
                  "carrier of cystic fibrosis (F508del)", "negative on the 84-gene panel", "heterozygous Factor V Leiden"])
    if c.chance(0.5):
        to, greet = addr(p), "Dear %s," % c.pick([p.first, "%s %s" % (p.title, p.last)])
        body = "%s\n\n%s\n\n%s\n\n%s" % (greet, c.pick(["Your results from %s are back and show a %s." % (c.pick(["Invitae", "Ambry", "GeneDx"]), res),
                                                        "As we discussed by phone, your test showed a %s." % res]),
                                         "Your results visit is on %s at %s. Family members may wish to attend." % (c.sdate(c.day(3, 20)), c.time()),
                                         c.signature(gc, c.pick(["MS, CGC", "CGC"])))
    else:
        rc = c.staff(["Oncologist", "Breast Surgeon", "Gynecologist"], c.org(["Oncology", "Women's Health"]))
        to = addr(rc)
        body = "Dr. %s,\n\nGenetics results for %s (DOB %s): %s.\n%s\n\n%s" % (
            rc.last, p.full, c.dob(p.dob), res, c.pick(["Recommend discussing risk-reducing surgery.", "Cascade testing offered to siblings.", "Report will be scanned to Media."]),
            c.signature(gc, "MS, CGC"))
    return mail(c, addr(gc), to, c.pick(["Genetic test results", "Your results", "Genetics results - %s" % p.last]), body)
