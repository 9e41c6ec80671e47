"""Positive templates, part B: payer care management and utilisation review, pharmacy, lab and
imaging, billing and collections, long-term care, research (identified)."""

import datetime as dt

from mailkit import (csv_text, fhir, html_doc, html_table, message, para, pdf, quote_outlook, template,
                     xlsx)


@template("payer-concurrent-review-html", True, "A+B: member ID, admit date, diagnosis, days approved")
def ur_review(c):
    plan, p, nurse = c.org("payer"), c.person(), c.staff(("RN", "RN, CCM"))
    admit = c.past(1, 6)
    rows = [["Member", p["full"]], ["Member ID", c.member_id()], ["DOB", c.dob(p["dob"])],
            ["Admit date", c.mdY(admit)], ["Facility", c.org("clinic")["name"]],
            ["Dx", c.pick(["CHF exacerbation", "sepsis, UTI source", "COPD w/ acute exacerbation", "NSTEMI",
                           "DKA", "acute pancreatitis"])],
            ["Level of care", c.pick(["Inpatient", "Observation", "Acute rehab"])],
            ["Days approved", "%d (through %s)" % (c.r.randint(1, 4), c.mdY(c.soon(1, 4)))],
            ["Next review", c.mdY(c.soon(1, 3))]]
    html = html_doc(para("Concurrent review determination below. Please fax updated clinicals (vitals, labs, "
                         "O2 requirement, PT notes) by %s." % c.pick(["noon", "3pm", "EOD"]))
                    + html_table(["Field", "Value"], rows)
                    + para("%s\nUtilization Management | %s\nPh %s  Fax %s"
                           % (nurse["sig"], plan["name"], nurse["phone"], plan["fax"])))
    return message(c, c.addr(nurse, plan), c.box(c.org("clinic"), "um"), c.pick(["Concurrent review", "UM update",
                   "Auth #%s - review" % c.digits(9)]), html=html)


@template("payer-care-mgmt-outreach-xlsx", True, "A: member rows with name, DOB (serial date), condition, last ED visit")
def cm_outreach(c):
    plan, cm = c.org("payer"), c.staff(("RN, CCM", "LCSW", "RN"))
    rows = [["Member Name", "Member ID", "DOB", "Risk", "Condition", "Last ED visit", "PCP"]]
    for _ in range(c.r.randint(4, 10)):
        p = c.person()
        rows.append([p["full"], c.member_id(), p["dob"], c.pick(["High", "Rising", "Med"]),
                     c.pick(["CHF", "COPD", "T2DM uncontrolled", "ESRD", "SUD", "sickle cell"]), c.past(3, 80),
                     "Dr. " + c.f().last_name()])
    text = ("Hi team,\n\nAttached are your members for outreach this month. Please document attempts in the CM "
            "platform; 3 unsuccessful attempts then send the UTR letter.\n\nThanks,\n%s\nCare Management" % cm["sig"])
    return message(c, c.addr(cm, plan), c.box(plan, "cm-team"), "Outreach list %s" % c.today.strftime("%B"),
                   text=text, attach=[("outreach_%s.xlsx" % c.today.strftime("%m%Y"),
                                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                       xlsx(rows, "Members"))])


@template("pharmacy-prior-auth-thread", True, "A: patient name + drug + PA denial/criteria, nested replies")
def pa_thread(c):
    ph, clinic, p, tech, ma = c.org("pharm"), c.org("clinic"), c.person(), c.staff(("CPhT", "")), c.staff()
    drug = c.pick(["Ozempic 0.5 mg", "Mounjaro 5 mg", "Dupixent 300 mg", "Humira pen", "Eliquis 5 mg",
                   "Jardiance 10 mg", "Vyvanse 30 mg", "Biktarvy"])
    m1 = ("Hi, PA for %s was denied for %s, DOB %s. Plan wants %s. Can you send to the plan or change "
          "therapy?\n\n%s" % (drug, p["full"], c.dob(p["dob"]), c.pick(["A1c history and trial of metformin",
                                                                          "documentation of failed step therapy",
                                                                          "chart notes from last 6 months"]),
                              tech["sig"]))
    m2 = "We resubmitted through CoverMyMeds w/ the labs. Key %s" % c.pick(["B%sK" % c.digits(4), c.digits(8)])
    m3 = c.pick(["Approved! Filling today.", "Still pending, will let you know.", "ok thx"])
    body = m3 + c.signature(tech, ph, heavy=False)
    body += quote_outlook(c, c.addr(ma, clinic), c.addr(tech, ph), "RE: PA %s" % p["last"],
                          c.now - dt.timedelta(hours=5), m2 + "\n\n" + ma["sig"])
    body += quote_outlook(c, c.addr(tech, ph), c.addr(ma, clinic), "PA %s" % p["last"],
                          c.now - dt.timedelta(days=2), m1)
    return message(c, c.addr(tech, ph), c.addr(ma, clinic), "RE: RE: PA %s" % p["last"], text=body)


@template("pharmacy-refill-terse", True, "A: patient name + medication")
def refill_terse(c):
    ph, p, rph = c.org("pharm"), c.person(), c.staff(("RPh", "PharmD", "CPhT"))
    drug = c.pick(["lisinopril 20mg", "sertraline 100", "levothyroxine 75mcg", "Descovy", "atorvastatin 40",
                   "Adderall XR 20", "buprenorphine 8mg", "norethindrone"])
    text = c.pick(["Refill req: %s %s DOB %s - %s, 0 RF left, pls send new Rx" % (p["first"], p["last"],
                                                                                   c.dob(p["dob"]), drug),
                   "need new script for %s on %s, pt out tomorrow" % (p["full"], drug),
                   "%s %s, %s #90 - MD approve?" % (p["last"].upper(), p["first"].upper(), drug)])
    return message(c, c.addr(rph, ph), c.box(c.org("clinic"), "rx"), c.pick(["refill", "Rx", "RF req"]),
                   text=text + c.signature(rph, ph, heavy=False))


@template("lab-critical-callback", True, "A: critical result + patient name/DOB + accession")
def lab_critical(c):
    lab, p, tech = c.org("lab"), c.person(), c.staff(("MLS(ASCP)", "MT", ""))
    val = c.pick(["K 6.9 mmol/L", "Hgb 5.8 g/dL", "INR 7.2", "glucose 38 mg/dL", "troponin I 2.41 ng/mL",
                  "Na 118 mmol/L", "positive blood culture, GPC in clusters"])
    acc = "%s-%s" % (c.pick(["CH", "HM", "MB"]), c.digits(7))
    text = c.pick([
        "CRITICAL VALUE - please call back to acknowledge\n\nPatient: %s\nDOB: %s\nAccession: %s\n"
        "Result: %s\nCollected: %s\n\nWe tried the office line twice. Call %s ext %s."
        % (p["full"], c.dob(p["dob"]), acc, val, c.mdY(c.past(0, 1)), lab["phone"], tech["ext"]),
        "Hi - couldn't reach anyone at your after-hours line. Your pt %s, %s (born %s) has a critical %s on "
        "today's draw (acc %s). Need read-back from a licensed person per CAP. %s"
        % (p["last"].upper(), p["first"], c.dob(p["dob"]), val, acc, lab["phone"])])
    return message(c, c.addr(tech, lab), c.box(c.org("clinic"), "nurse"), "CRITICAL - call back", text=text)


@template("imaging-hl7-oru", True, "A: HL7 ORU with PID (name, DOB, MRN) and a report")
def imaging_hl7(c):
    lab, p, st = c.org("lab"), c.person(), c.staff()
    ts = c.now.strftime("%Y%m%d%H%M")
    exam = c.pick(["CT HEAD WO CONTRAST", "MRI L SPINE WO", "US ABDOMEN COMPLETE", "XR CHEST 2V", "MAMMO SCREEN BIL"])
    imp = c.pick(["No acute intracranial abnormality.", "L4-5 disc extrusion with L5 nerve root impingement.",
                  "Cholelithiasis without cholecystitis.", "RLL infiltrate, pneumonia.", "BI-RADS 0, callback."])
    seg = ["MSH|^~\\&|RIS|%s|EHR|CLINIC|%s||ORU^R01|%s|P|2.5.1" % (lab["name"][:12].upper(), ts, c.digits(9)),
           "PID|1||%s^^^MRN||%s^%s||%s|%s|||%s^^%s^%s^%s||%s" % (c.digits(8), p["last"].upper(), p["first"].upper(),
                                                                p["dob"].strftime("%Y%m%d"), p["sex"], p["street"],
                                                                p["city"], p["state"], p["zip"], p["phone"]),
           "OBR|1||%s|%s|||%s" % (c.digits(10), exam, ts),
           "OBX|1|TX|IMP||%s||||||F" % imp]
    msg = "\r".join(seg) + "\r"
    ctype = c.pick(["application/hl7-v2", "text/plain", "application/octet-stream"])
    return message(c, c.box(lab, "interfaces"), c.box(c.org("clinic"), "results"), "Result %s" % c.digits(6),
                   text="Result resend per your request (interface was down).",
                   attach=[("ORU_%s.hl7" % c.digits(6), ctype, msg)])


@template("fhir-appointment-json", True, "A: FHIR Patient + Appointment resources")
def fhir_appt(c):
    o, p, st = c.org(c.pick(["eye", "pt", "dental", "bh"])), c.person(), c.staff()
    start = dt.datetime.combine(c.soon(), dt.time(c.r.randint(8, 16), 0))
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": c.digits(6),
                      "name": [{"family": p["last"], "given": [p["first"]]}], "birthDate": p["dob"].isoformat(),
                      "telecom": [{"system": "phone", "value": p["phone"]}]}},
        {"resource": {"resourceType": "Appointment", "status": "booked",
                      "serviceType": [{"text": c.pick(["New patient eval", "Comprehensive eye exam",
                                                       "Therapy session", "Crown prep #19"])}],
                      "start": start.isoformat() + "-05:00",
                      "participant": [{"actor": {"reference": "Patient/%s" % c.digits(6)}, "status": "accepted"}]}}]}
    return message(c, c.addr(st, o), c.box(c.org("vendor"), "integrations"),
                   c.pick(["Sample payload failing validation", "Appointment sync error"]),
                   text="This one errored on your side with a 422, payload attached." + c.signature(st, o),
                   attach=[("appointment.json", c.pick(["application/fhir+json", "application/json"]), fhir(bundle))])


@template("billing-statement-html", True, "A+B: account number, dates of service, balance, patient name")
def billing_statement(c):
    b, p = c.org("billing"), c.person()
    rows = [[c.mdY(c.past(30, 200)), c.pick(["Office visit", "X-ray", "Lab panel", "PT session", "Crown"]),
             "$%d.00" % c.r.randint(40, 900), "$%d.00" % c.r.randint(0, 300)] for _ in range(c.r.randint(1, 4))]
    html = html_doc(para("Dear %s,\n\nOur records show a balance on your account with %s. Account number: %s."
                         % (p["full"], c.org(c.pick(["clinic", "lab", "eye"]))["name"], c.digits(9)))
                    + html_table(["Date of service", "Description", "Charges", "Insurance paid"], rows)
                    + para("Amount due: $%d.%02d. Pay online or call %s. %s"
                           % (c.r.randint(25, 1500), c.r.randint(0, 99), b["phone"],
                              c.pick(["", "This account may be referred to collections if unpaid in 30 days."]))))
    return message(c, c.box(b, "statements"), p["email"], "Your statement is ready", html=html)


@template("ltc-fall-incident-family", True, "A: resident first name + relation to the addressee + room + fall date + injury")
def ltc_fall(c):
    o, p, rn = c.org("ltc"), c.person(old=c.chance(0.5)), c.staff(("RN", "LPN", "RN, DON"))
    kin = c.person()
    text = ("Hi %s,\n\nI wanted to follow up on our call. Your %s %s had an unwitnessed fall in room %d on %s "
            "around %s. %s. Dr. %s was notified and we've %s.\n\nPlease call me with any questions.\n"
            % (kin["first"], c.pick(["mother", "father", "aunt"]), p["first"], c.r.randint(100, 340),
               c.day(c.past(0, 2)), c.clock(), c.pick(["She had a skin tear on her R forearm, no other injuries",
                                                        "X-ray showed no fracture", "Sent to ED for head CT, negative"]),
               c.f().last_name(), c.pick(["started 15-min checks", "added a bed alarm", "ordered PT eval"])))
    return message(c, c.addr(rn, o), kin["email"], "Follow up - %s" % p["first"], text=text + c.signature(rn, o))


@template("research-screening-log-identified", True, "A: screening log rows with names, MRN, DOB, eligibility")
def research_log(c):
    o, crc = c.org("research"), c.staff(("CCRC", "CRC", "RN, CCRP"))
    rows = [["Pt name", "MRN", "DOB", "Screen date", "Eligible", "Reason"]]
    for _ in range(c.r.randint(3, 8)):
        p = c.person()
        rows.append([p["full"], c.digits(8), c.dob(p["dob"]), c.mdY(c.past(1, 30)), c.pick(["Y", "N"]),
                     c.pick(["eGFR < 30", "prior MI < 6 mo", "consented", "declined", "on anticoag"])])
    sep = c.pick([",", "\t"])
    return message(c, c.addr(crc, o), c.box(c.org("research"), "sponsor-cra"), "Screening log - site %s" % c.digits(3),
                   text="Updated screening log attached for the monitoring visit." + c.signature(crc, o),
                   attach=[("screening_log.%s" % ("csv" if sep == "," else "txt"),
                            "text/csv" if sep == "," else "text/plain", csv_text(rows, sep))])


@template("claim-denial-appeal-pdf", True, "A+B: claim number, member ID, DOS, denial reason in a PDF letter")
def denial_pdf(c):
    plan, p, b, bill = c.org("payer"), c.person(), c.staff(), c.org("billing")
    lines = [plan["name"], "Notice of Adverse Benefit Determination", "", "Member: %s" % p["full"],
             "Member ID: %s" % c.member_id(), "Claim #: %s" % c.digits(12), "Date of service: %s" % c.mdY(c.past(20, 90)),
             "Service: %s" % c.pick(["MRI lumbar spine", "physical therapy visits 13-20", "sleep study",
                                     "orthodontic treatment", "bariatric consult"]),
             "Reason: not medically necessary per InterQual criteria.", "You may appeal within 180 days."]
    return message(c, c.addr(b, bill), c.box(c.org("clinic"), "appeals"),
                   c.pick(["denial for appeal", "FW: denial letter", "Appeal needed"]),
                   text="Another one for the appeals pile, letter attached." + c.signature(b, bill),
                   attach=[("denial_%s.pdf" % c.digits(6), "application/pdf", pdf(lines))])
