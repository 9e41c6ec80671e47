"""Positive templates, part C: structured attachments (HL7, FHIR, ICS), shorthand, forwards."""

import json
from email import policy
from email.message import EmailMessage

from mailkit import csv_text, fmt_addr, html_doc, template


@template("dental-treatment-plan", True)
def dental(c):
    p, office, ins, fd = c.patient(min_age=8), c.org(), c.org("payer"), c.staff("front desk")
    office["name"] = "%s Family Dentistry" % c.fake.last_name()
    text = ("Predetermination request\nPatient: %s   Subscriber ID: %s   Birthdate %s\n\n"
            "D2740 crown porcelain #%d\nD3330 root canal molar #%d\nD4341 SRP 4+ teeth, %s\n"
            "Perio charting and x-rays attached to the portal submission.\n%s") % (
        p["name"], p["member"], p["dob_s"], c.r.randint(2, 31), c.r.randint(2, 31),
        c.pick(["UR", "LL", "UL"]), c.sig(fd, office))
    return {"from": (fd["name"], c.addr(fd, office)), "to": [("Dental claims", c.role_addr(ins, "dentalclaims"))],
            "subject": c.pick(["Predetermination", "Pre-D request", "treatment plan for review"]), "text": text}


@template("pt-progress-note", True)
def pt_note(c):
    p, clinic, cm_org, pt = c.patient(min_age=18), c.org(), c.org("payer"), c.staff("PT")
    text = ("Progress note - visit %d of %d\n%s  DOB %s\nDx: %s\nROM improved from %d to %d degrees flexion. "
            "Pain %d/10. Requesting %d additional visits.\n%s") % (
        c.r.randint(6, 12), c.r.randint(12, 20), p["name"], p["dob_s"],
        c.pick(["s/p R TKA", "L rotator cuff repair", "cervical radiculopathy", "ACL reconstruction"]),
        c.r.randint(60, 90), c.r.randint(95, 125), c.r.randint(1, 7), c.r.randint(4, 12), c.sig(pt, clinic))
    return {"from": (pt["name"], c.addr(pt, clinic)), "to": [("Case management", c.role_addr(cm_org, "casemgmt"))],
            "subject": c.pick(["PT progress note", "Request for additional visits", "progress report"]),
            "text": text}


@template("hospice-intake", True)
def hospice(c):
    p, hosp, agency, sw = c.patient(min_age=60), c.org("hospital"), c.org(), c.staff("LCSW")
    agency["name"] = "%s Hospice" % c.fake.city()
    html = html_doc(["Hospice referral", "Name: %s" % p["name"], "Date of Birth: %s" % p["dob_s"],
                     "Address: %s, %s, %s %s" % (p["street"], p["city"], p["state"], p["zip"]),
                     "Terminal dx: %s. Prognosis < 6 months per attending. DNR/DNI signed. Family (daughter, %s) "
                     "at bedside." % (c.pick(["metastatic pancreatic cancer", "end-stage COPD", "ALS",
                                              "end-stage heart failure"]), c.ids.phone()),
                     sw["shown"]])
    return {"from": (sw["name"], c.addr(sw, hosp)), "to": [("Intake", c.role_addr(agency, "intake"))],
            "subject": c.pick(["Hospice referral", "New referral - comfort care", "referral"]),
            "text": None if c.chance(0.5) else "Hospice referral for %s, details below.\n" % p["name"], "html": html}


@template("tumor-board-invite", True)
def tumor_board(c):
    hosp, coord = c.org("hospital"), c.staff("nurse navigator")
    cases = []
    for _ in range(c.r.randint(2, 4)):
        p = c.patient(min_age=40)
        cases.append("%s %s %d%s - %s" % (p["first"], p["last"], p["age"], p["sex"],
                                          c.pick(["pancreatic adenocarcinoma", "stage III NSCLC", "triple-negative breast ca",
                                                  "rectal ca s/p neoadjuvant", "DLBCL relapse"])))
    d = c.ids.visit_date(True)
    desc = "Cases:\\n" + "\\n".join(cases)
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
           "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:%s@%s\r\nDTSTART:%sT120000Z\r\nDTEND:%sT130000Z\r\n"
           "SUMMARY:Tumor Board\r\nDESCRIPTION:%s\r\nLOCATION:Conf Rm B / Teams\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n") % (
        c.ids.digits(10), hosp["domain"], d.strftime("%Y%m%d"), d.strftime("%Y%m%d"), desc)
    partner = c.org("hospital")
    return {"from": (coord["name"], c.addr(coord, hosp)),
            "to": [("Oncology", c.role_addr(partner, "oncology"))],
            "subject": "Tumor Board %s" % c.ids.short_date(d),
            "text": "Please join us for tumor board.\n\n" + "\n".join(cases),
            "attachments": [("invite.ics", c.pick(["text/calendar", "application/ics"]), ics)]}


@template("hl7-adt-attachment", True)
def hl7(c):
    p, hosp, partner, it = c.patient(), c.org("hospital"), c.org(), c.staff("interface analyst")
    ts = c.ids.visit_date().strftime("%Y%m%d") + "0930"
    msg = "\r".join([
        "MSH|^~\\&|EPIC|%s|CLINIC|%s|%s||ADT^A03|%s|P|2.5.1" % (hosp["name"][:10].upper(), partner["name"][:8].upper(),
                                                              ts, c.ids.digits(9)),
        "PID|1||%s^^^MRN||%s^%s||%s|%s|||%s^^%s^%s^%s||%s" % (p["mrn"], p["last"].upper(), p["first"].upper(),
                                                          p["dob"].strftime("%Y%m%d"), p["sex"], p["street"],
                                                          p["city"], p["state"], p["zip"], p["phone"]),
        "PV1|1|I|4W^412^A||||%s^%s^%s" % (c.ids.npi(), c.fake.last_name().upper(), c.fake.first_name().upper()),
        "DG1|1||%s^%s^I10" % c.pick([("J18.9", "PNEUMONIA"), ("I50.9", "HEART FAILURE"), ("N39.0", "UTI")]),
    ]) + "\r"
    return {"from": (it["name"], c.addr(it, hosp)), "to": [("Interfaces", c.role_addr(partner, "interfaces"))],
            "subject": c.pick(["Sample ADT that failed", "HL7 A03 rejected by your engine", "interface error"]),
            "text": "This A03 was rejected by your side with AE. Message attached, can you check the PID?\n" + c.sig(it, hosp),
            "attachments": [(c.pick(["msg.hl7", "A03_failed.txt"]), c.pick(["application/hl7-v2", "text/plain"]), msg)]}


@template("fhir-json-attachment", True)
def fhir(c):
    p, clinic, dev = c.patient(), c.org(), c.staff("developer")
    res = {"resourceType": "Patient", "id": c.ids.digits(6),
           "identifier": [{"system": "urn:oid:1.2.36.146.595.217.0.1", "value": p["mrn"]}],
           "name": [{"family": p["last"], "given": [p["first"]]}], "gender": "female" if p["sex"] == "F" else "male",
           "birthDate": p["dob"].isoformat(), "telecom": [{"system": "phone", "value": p["phone"]}]}
    cond = {"resourceType": "Condition", "subject": {"reference": "Patient/%s" % res["id"]},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                 "code": c.pick(["F32.1", "B20", "E10.9", "O24.410"])}]}}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": res}, {"resource": cond}]}
    vendor = c.org()
    return {"from": (dev["name"], c.addr(dev, clinic)), "to": [("Support", c.role_addr(vendor, "support"))],
            "subject": c.pick(["FHIR bundle failing validation", "API payload question", "Ticket: bundle import error"]),
            "text": "Your import rejects this bundle (pulled from prod). Attached.\n" + c.sig(dev, clinic),
            "attachments": [("bundle.json", "application/fhir+json", json.dumps(bundle, indent=2))]}


@template("collections-notice", True)
def collections(c):
    p, agency, clinic = c.patient(min_age=20), c.org(), c.org("hospital")
    agency["name"] = "%s Recovery Services" % c.fake.last_name()
    text = ("%s\n\nThis communication is from a debt collector. Our client %s reports an unpaid balance of $%d.%02d "
            "for medical services provided on %s (account %s). Last 4 of SSN on file: %s.\n"
            "Call %s to arrange payment.\n") % (
        c.pick(["Dear %s %s," % (p["first"], p["last"]), "%s:" % p["name"].upper()]), clinic["name"],
        c.r.randint(100, 9000), c.r.randint(0, 99), c.ids.short_date(c.ids.visit_date()),
        c.ids.account_no(), c.ids.ssn_last4(), agency["phone"])
    return {"from": (agency["name"], c.role_addr(agency, "accounts")), "to": [(p["name"], p["email"])],
            "subject": c.pick(["Past due account", "Notice of balance", "Account %s" % c.ids.digits(6)]), "text": text}


@template("payer-care-mgmt-list", True)
def care_mgmt(c):
    payer, clinic, cm = c.org("payer"), c.org(), c.staff("RN")
    rows = []
    for _ in range(c.r.randint(5, 12)):
        p = c.patient(min_age=30)
        rows.append([p["member"], "%s, %s" % (p["last"].upper(), p["first"].upper()), p["dob_s"],
                     c.r.randint(2, 9), c.pick(["ESRD", "HIV", "opioid use disorder", "high-risk pregnancy",
                                                 "sickle cell", "CHF"])])
    csv = csv_text(["MemberID", "Member Name", "Birth Date", "ED visits 12mo", "Condition"], rows)
    return {"from": (cm["name"], c.addr(cm, payer)), "to": [("Care coordination", c.role_addr(clinic, "carecoord"))],
            "subject": c.pick(["Attributed high utilizers", "Care management roster", "Q4 outreach list"]),
            "text": "Attached are your attributed members with 2+ ED visits. Please prioritise outreach.\n" + c.sig(cm, payer),
            "attachments": [("roster.csv", "text/csv", csv)]}


@template("specimen-manifest", True)
def specimens(c):
    clinic, lab, ma = c.org(), c.org("vendor"), c.staff("MA")
    lines = ["Courier pickup %s - %d specimens" % (c.ids.short_date(c.ids.visit_date()), 0)]
    rows = []
    for _ in range(c.r.randint(4, 10)):
        p = c.patient()
        rows.append("%s\t%s\t%s\t%s" % (p["name"], p["dob_s"], c.ids.digits(10),
                                       c.pick(["CBC, CMP", "HIV-1/2 Ag/Ab", "GC/CT NAAT", "HbA1c", "PSA",
                                               "hCG quant", "Hep C Ab", "lithium level"])))
    lines[0] = lines[0].replace(" 0 ", " %d " % len(rows))
    text = "\n".join(lines + ["", "Name\tDOB\tAccession\tTests"] + rows) + "\n" + c.sig(ma, clinic)
    return {"from": (ma["name"], c.addr(ma, clinic)), "to": [("Client services", c.role_addr(lab, "clientservices"))],
            "subject": c.pick(["Manifest", "missing req for pickup", "today's specimens"]), "text": text}


@template("clinician-shorthand-signout", True)
def signout(c):
    hosp, hosp2, a = c.org("hospital"), c.org(), c.staff("NP")
    pts = []
    for _ in range(c.r.randint(2, 4)):
        p = c.patient(min_age=30)
        pts.append("%s %s %d%s - %s" % (p["last"], p["first"][0] + ".", p["age"], p["sex"],
                                        c.pick(["CHF exac, diuresing, Cr bump", "DKA, gap closed, transition to SQ",
                                                "NSTEMI, cath tmrw, NPO p MN", "cellulitis RLE, on vanc, f/u cx",
                                                "EtOH w/d, CIWA q4", "SI, 1:1 sitter, psych consult pending"])))
    text = "Signout for tonight (cross-cover):\n\n" + "\n".join(pts) + "\n\nCall w/ questions.\n" + a["first"]
    return {"from": (a["name"], c.addr(a, hosp)), "to": [("Hospitalist group", c.role_addr(hosp2, "hospitalists"))],
            "subject": c.pick(["signout", "cross cover list", "tonight"]), "text": text}


@template("portal-message-forwarded", True)
def portal_fwd(c):
    p, clinic, ma, spec = c.patient(min_age=20), c.org(), c.staff("MA"), c.org()
    inner = EmailMessage(policy=policy.SMTP)
    inner["From"] = fmt_addr((p["name"], p["email"]))
    inner["To"] = fmt_addr(("Patient Messages", c.role_addr(clinic, "messages")))
    inner["Subject"] = c.pick(["question about my meds", "side effects", "help"])
    inner.set_content("Hi this is %s, %s. %s\nThanks\n%s" % (
        p["first"], c.pick(["I have been taking the metformin and my stomach is really upset",
                            "my blood pressure has been 160/100 all week", "the rash from the antibiotic is spreading",
                            "I think my depression medication stopped working"]),
        c.pick(["What should I do?", "Can I come in?", ""]), p["first"]))
    return {"from": (ma["name"], c.addr(ma, clinic)), "to": [("Specialist", c.role_addr(spec, "nurse"))],
            "subject": "Fwd: " + str(inner["Subject"]),
            "text": "Forwarding this from the patient, please advise.\n" + c.sig(ma, clinic), "forward": inner}


@template("records-release-attorney", True)
def records_release(c):
    p, clinic, him = c.patient(min_age=20), c.org("hospital"), c.staff("HIM")
    firm = "%s & %s LLP" % (c.fake.last_name(), c.fake.last_name())
    first, last = sorted([c.ids.visit_date(), c.ids.visit_date()])
    text = ("Counsel,\n\nPursuant to the signed authorization received %s, enclosed are the requested records "
            "for %s (DOB %s) for dates of service %s through %s, including ED notes, imaging and the ortho "
            "consult regarding the motor vehicle accident.\nInvoice for copying fees to follow.\n%s") % (
        c.ids.short_date(c.ids.visit_date()), p["name"], p["dob_s"], first.strftime("%m/%d/%Y"),
        last.strftime("%m/%d/%Y"), c.sig(him, clinic))
    notes = "ED NOTE\n%s  MRN %s\nCC: neck pain after MVC. CT c-spine negative. Dx whiplash (S13.4XXA).\n" % (
        p["name"], p["mrn"])
    return {"from": (him["name"], c.role_addr(clinic, "roi")),
            "to": [("Paralegal", "intake@%s.com" % firm.split()[0].lower())],
            "subject": c.pick(["Records request fulfilled", "ROI - records enclosed", "Medical records"]),
            "text": text, "attachments": [("records_%s.txt" % p["last"], "text/plain", notes)]}


@template("age-over-89-resident", True)
def old_resident(c):
    p, facility, clinic, nurse = c.patient(sex="F"), c.org(), c.org(), c.staff("LPN")
    facility["name"] = "%s Senior Living" % c.fake.last_name()
    age = c.r.randint(90, 103)
    text = ("Hello,\n\nOur resident %s, %d y/o, had %s overnight. %s Please advise if you want her sent out.\n%s") % (
        c.pick(["Mrs. %s" % p["last"], p["name"], "%s in room %d" % (p["first"], c.r.randint(101, 240))]), age,
        c.pick(["a fall without head strike", "a temp of 101.2 and new confusion", "two episodes of emesis"]),
        c.pick(["Vitals stable.", "Daughter notified.", "UA sent."]), c.sig(nurse, facility))
    return {"from": (nurse["name"], c.addr(nurse, facility)), "to": [("Triage", c.role_addr(clinic, "triage"))],
            "subject": c.pick(["resident update", "overnight event", "Change in condition"]), "text": text}


@template("immunization-record-request", True)
def immunization(c):
    p, clinic, parent = c.patient(min_age=4, max_age=17), c.org(), c.staff("parent")
    clinic_staff = c.staff("MA")
    html = html_doc(["Hi %s," % parent["first"], "Here is %s's immunization record for camp. Born %s." % (
        p["first"], p["dob_s"]), ("raw", "<table><tr><th>Vaccine</th><th>Date</th></tr>" + "".join(
            "<tr><td>%s</td><td>%s</td></tr>" % (v, c.ids.visit_date().strftime("%m/%d/%Y"))
            for v in ["DTaP", "MMR", "Varicella", "Tdap", "HPV #1"][:c.r.randint(3, 5)]) + "</table>"),
        "Tuberculin skin test negative. " + clinic_staff["shown"]])
    return {"from": (clinic_staff["name"], c.addr(clinic_staff, clinic)),
            "to": [(parent["name"], "%s.%s@%s" % (parent["first"].lower(), parent["last"].lower(),
                                                  c.pick(["gmail.com", "yahoo.com"])))],
            "subject": c.pick(["Shot record", "Immunization record", "camp forms"]), "html": html,
            "text": "Immunization record for %s %s attached below." % (p["first"], p["last"])}
