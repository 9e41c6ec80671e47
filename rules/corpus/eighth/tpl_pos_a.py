"""Positive templates, part A (every message needs protection; the comment says which rule)."""

import datetime as dt

from mailkit import (apple_fwd, ascii_fold, attach_bytes, attach_text, html_table, html_wrap, mobile_sig, new_message,
                     para_html, rtf, signature, template, thunderbird_fwd)

MEDS = ["metformin 1000 mg BID", "lisinopril 20 mg daily", "sertraline 100 mg daily", "buprenorphine/naloxone 8/2 mg",
        "levetiracetam 500 mg BID", "insulin glargine 24 units qHS", "quetiapine 200 mg qHS", "apixaban 5 mg BID",
        "amlodipine 10 mg", "lithium carbonate 300 mg TID", "Biktarvy 1 tab daily", "gabapentin 300 mg TID"]
DX = ["type 2 diabetes", "hypertension", "seizure disorder", "bipolar I disorder", "opioid use disorder",
      "COPD", "major depressive disorder", "atrial fibrillation", "hepatitis C", "asthma", "HIV", "CHF"]


@template("jail-medical-transfer", True, "A: county jail medical unit to an outside ED/clinic: inmate name, booking no., DOB, "
          "conditions, medications and the transfer or follow-up")
def jail_transfer(c):
    org, hosp = c.org("County Detention Center Medical Unit", "cdcmed"), c.org("Regional Medical Center", "rmc")
    nurse, doc = c.staff(c.pick(["RN", "LPN", "RN, CCHP"])), c.staff("MD")
    p = c.person(age=(19, 70))
    booking = c.pick(["Booking #", "BK#", "Inmate ID", "Booking No."]) + " " + c.digits(7)
    dx, meds = c.sample(DX, 2), c.sample(MEDS, c.r.randrange(1, 4))
    reason = c.pick(["chest pain since 0400, EKG attached, sending out by transport",
                     f"CIWA score {c.r.randrange(14, 26)} despite protocol, please evaluate for alcohol withdrawal",
                     "fall from top bunk, possible wrist fracture, needs x-ray",
                     f"blood glucose {c.r.randrange(380, 560)} on two checks, nausea"])
    lines = [c.pick(["ED charge nurse,", "Good morning,", "To the receiving ED team:", ""]),
             "",
             f"Sending {c.pick(['inmate', 'detainee', 'patient'])} {p.name} ({booking}, {c.dob_phrase(p)}) to your ED "
             f"{c.pick(['this morning', 'now', 'within the hour'])} with two officers.",
             f"Reason: {reason}.",
             f"History: {', '.join(dx)}. Current meds from our MAR: {'; '.join(meds)}.",
             c.pick(["Allergies: NKDA.", "Allergies: penicillin (rash).", "Allergies: sulfa."])]
    if c.maybe():
        lines.append(f"Last dose of {meds[0].split()[0]} given at {c.ftime()} today.")
    lines.append(c.pick(["Please fax discharge paperwork to our medical unit before the patient returns.",
                         f"Call the medical unit at {org.phone} with questions; we staff 24/7."]))
    to = c.staff("RN")
    m = new_message(c, (f"{nurse.name}", c.addr_of(nurse, org)), (to.name, c.addr_of(to, hosp)),
                    c.pick(["Transfer to ED", f"Transfer - {p.last}", "Outgoing transport / med summary", "ED send-out"]),
                    "\n".join(lines) + "\n" + signature(c, nurse, org, "Correctional Health Services"))
    if c.maybe(0.3):
        m["Cc"] = c.addr_of(doc, org)
    return m


@template("school-based-health-centre-parent", True, "A: school-based health centre to a parent's address: the student "
          "named with the visit date, findings and treatment (LABELLING 3: child to parent)")
def sbhc_parent(c):
    org = c.org("School-Based Health Center", "sbhc")
    np_ = c.staff(c.pick(["NP", "PA-C", "RN"]))
    kid = c.person(age=(6, 17))
    parent = c.person()
    parent.last = kid.last
    visit = c.day(-7, -1)
    what = c.pick([("sore throat", "rapid strep was positive", "amoxicillin for 10 days"),
                   ("wheezing after gym", "peak flow was 68% of predicted", "albuterol inhaler with spacer, 2 puffs before PE"),
                   ("ear pain", "left ear infection (otitis media)", "amoxicillin; ibuprofen as needed"),
                   ("sports physical", "blood pressure was high on two readings (138/88)", "a recheck in 2 weeks"),
                   ("rash on arms", "looks like contact dermatitis", "hydrocortisone cream twice a day")])
    body = [f"Dear {parent.first if c.maybe() else 'Parent/Guardian'},", "",
            f"{kid.first} {c.pick(['came to see us', 'visited the health center', 'was seen in our clinic'])} on "
            f"{c.fdate(visit)} for {what[0]}. {what[1].capitalize()}, so we started {what[2]}.",
            c.pick([f"{kid.first} may return to class today.", f"{kid.first} should sit out of PE until {c.fdate(c.day(1, 5))}.",
                    "Please keep your child home if a fever develops."]),
            c.pick(["A copy of the visit note was sent to your pediatrician.",
                    f"Please call us at {org.phone} if you have questions or want to schedule a follow-up."])]
    if c.maybe(0.4):
        body.append(f"Student: {kid.name}, grade {c.r.randrange(1, 12)}, {c.dob_phrase(kid)}")
    m = new_message(c, (np_.name, c.addr_of(np_, org)), (parent.name, parent.email),
                    c.pick([f"{kid.first}'s visit today", "Health center visit", f"Visit note for {kid.first}",
                            "From the school health center"]),
                    "\n".join(body) + "\n" + signature(c, np_, org, "School-Based Health Center"))
    return m


@template("college-counselling-intake", True, "A: college counselling centre to the student's own address: first name + "
          "intake/therapy appointment with a named counsellor, often screening scores (behavioural health)")
def college_counsel(c):
    org = c.org("University Counseling Center", "ucc")
    org.domain = org.domain.replace(".org", ".edu").replace(".com", ".edu")
    couns = c.staff(c.pick(["LPC", "PhD", "LCSW", "PsyD", "LMHC"]))
    st = c.person(age=(18, 24))
    st.email = f"{ascii_fold(st.first[0] + st.last)[:8]}{c.r.randrange(10, 99)}@{org.domain.split('.')[0]}.edu"
    when = dt.datetime.combine(c.day(1, 9), dt.time(c.r.randrange(9, 16), c.pick([0, 30])))
    parts = [f"Hi {st.first},", "",
             c.pick([f"Thanks for completing your screening on {c.fdate(c.day(-5, -1))}.",
                     "Thanks for reaching out to the Counseling Center.", "Following up on your walk-in visit."]),
             f"Your {c.pick(['initial consultation', 'intake appointment', 'first individual session'])} is with "
             f"{couns.first} {couns.last}, {couns.cred}, on {when.strftime('%A, %B %-d at %-I:%M %p')}."]
    if c.maybe(0.6):
        parts.append(f"Your PHQ-9 was {c.r.randrange(12, 24)} and GAD-7 {c.r.randrange(9, 20)}; we will go over these together.")
    if c.maybe(0.5):
        parts.append("Since you mentioned thoughts of self-harm on the form, please use the 24/7 crisis line below if "
                     "things get worse before then.")
    parts.append(c.pick(["Reply to this message or call the front desk to reschedule.",
                         "Please arrive 10 minutes early to finish the consent form."]))
    return new_message(c, (f"{org.name}", f"counseling@{org.domain}"), (st.name, st.email),
                       c.pick(["Your Counseling Center appointment", "Intake scheduled", "Appointment confirmation"]),
                       "\n".join(parts) + "\n" + signature(c, couns, org, c.pick(["Staff Counselor", "Clinical Coordinator"])))


@template("eap-session-authorization", True, "A: employee-assistance programme to a network therapist: client name, "
          "authorisation no., sessions and presenting concern (behavioural health care)")
def eap_auth(c):
    eap, prac = c.org("Employee Assistance Partners", "eap"), c.org("Counseling Associates", "ca")
    coord, ther = c.staff(c.pick(["LCSW", "LPC", "RN"])), c.staff(c.pick(["LCSW", "LMFT", "LPC", "PhD"]))
    p = c.person(age=(22, 64))
    concern = c.pick(["work stress and insomnia", "grief after a parent's death", "marital conflict", "alcohol use concerns",
                      "panic attacks", "anxiety after a workplace injury"])
    n = c.r.randrange(3, 9)
    rows = [("Client", p.name), ("DOB", c.fdob(p.dob)), ("Employer group", c.pick(["Metro Transit", "County Schools", "Brightline Foods"])),
            ("Authorization #", "EAP-" + c.digits(6)), ("Sessions authorized", str(n)),
            ("Valid through", c.fdate(c.day(60, 120))), ("Presenting concern", concern)]
    if c.maybe():
        rows.append(("Client phone", p.phone))
    text = "\n".join([c.pick([f"Hello {ther.first},", "Dear provider,", f"Hi {ther.first} -"]), "",
                      "A new EAP referral has been assigned to you. Details below:", ""]
                     + [f"{k}: {v}" for k, v in c.sample(rows, len(rows))] +
                     ["", c.pick(["The client prefers evening appointments.", "Please contact the client within 2 business days.",
                                  "Claims go to the address on the authorization letter."])])
    html = html_wrap(para_html(text.split("\n\n")[0]) + html_table(["Field", "Value"], rows))
    return new_message(c, (coord.name, c.addr_of(coord, eap)), (ther.name, c.addr_of(ther, prac)),
                       c.pick(["New EAP referral", "EAP authorization", f"Referral - auth EAP"]),
                       text + "\n" + signature(c, coord, eap, "Care Coordinator"), html if c.maybe(0.5) else None)


@template("prosthetics-socket-fitting", True, "A: prosthetics/orthotics shop to the surgeon or PT: patient name, amputation "
          "level, fitting dates, device L-codes and serials")
def prosthetics(c):
    shop, clinic = c.org("Prosthetics & Orthotics", "po"), c.org("Orthopedic & Rehab Clinic", "orc")
    cpo, to = c.staff(c.pick(["CPO", "CP", "CO"])), c.staff(c.pick(["MD", "DPT", "PA-C"]))
    p = c.person(age=(25, 85))
    side = c.pick(["left", "right"])
    level = c.pick(["transtibial", "transfemoral", "partial foot"])
    body = [c.pick([f"Dr. {to.last},", f"Hi {to.first},", "Hello,"]), "",
            f"Update on {c.pick([p.name, 'Mr. ' + p.last if p.sex == 'M' else 'Ms. ' + p.last])} "
            f"({c.dob_phrase(p)}), {side} {level} amputation {c.pick(['secondary to PAD', 'after trauma', 'due to diabetic foot infection'])}.",
            f"Test socket fitted {c.fdate(c.day(-10, -2))}; {c.pick(['distal end pressure, will adjust', 'good fit, volume stable', 'mild redness at the fibular head'])}.",
            f"K-level assessed as K{c.r.randrange(1, 4)}. Definitive socket planned for {c.fdate(c.day(7, 21))}.",
            f"Codes billed: L{c.r.randrange(5100, 5999)}, L{c.r.randrange(5600, 5999)}; foot serial "
            f"{c.pick(['SN', 'S/N '])}{c.digits(8)}.",
            c.pick(["Please sign the updated detailed written order.", "Can you send the latest clinic note for medical necessity?"])]
    return new_message(c, (cpo.name, c.addr_of(cpo, shop)), (to.name, c.addr_of(to, clinic)),
                       c.pick([f"{p.last} - socket update", "Prosthetic fitting update", f"RE: {p.first[0]}. {p.last} BK prosthesis"]),
                       "\n".join(body) + "\n" + signature(c, cpo, shop, "Certified Prosthetist"))


@template("dme-cmn-oxygen-rtf", True, "A+B: DME supplier's home-oxygen certificate of medical necessity (RTF): patient "
          "name, MBI, test date, SpO2 values, diagnosis")
def dme_cmn(c):
    dme, prac = c.org("Home Medical Supply", "hms"), c.org("Family Medicine", "fm")
    rep, doc = c.staff(c.pick(["Intake Specialist", "CSR"])), c.staff("MD")
    p = c.person(age=(60, 88))
    spo2 = c.r.randrange(82, 88)
    doc_lines = ["# CERTIFICATE OF MEDICAL NECESSITY - OXYGEN (CMS-484)",
                 f"Supplier: {dme.name}, {dme.addr()}",
                 f"Patient: {p.rev}    DOB: {c.fdob(p.dob)}", f"Address: {p.addr()}",
                 f"MBI: {c.mbi()}", f"Physician: {doc.first} {doc.last}, MD   NPI {c.npi()}",
                 f"Test date: {c.fdate(c.day(-20, -3), '%m/%d/%Y')}   SpO2 at rest on room air: {spo2}%",
                 f"Diagnosis: {c.pick(['J44.9 COPD', 'J84.10 interstitial lung disease', 'I27.20 pulmonary hypertension'])}",
                 f"Flow rate: {c.pick(['2', '3', '2.5'])} L/min   Length of need: 99 months",
                 "Physician signature: ______________________   Date: ________"]
    body = [c.pick([f"Dr. {doc.last},", "Good afternoon,", "Hello,"]), "",
            f"Attached is the oxygen CMN for {c.pick([p.name, 'your patient ' + p.last])}. "
            "Please sign section D and fax it back so we can bill Medicare.",
            c.pick(["Delivery already happened; we just need the signature.", "This is the second request."])]
    m = new_message(c, (rep.name, c.addr_of(rep, dme)), (doc.name, c.addr_of(doc, prac)),
                    c.pick(["CMN signature needed", "Oxygen CMN - please sign", "Signature request: CMS-484"]),
                    "\n".join(body) + "\n" + signature(c, rep, dme))
    attach_bytes(m, rtf(doc_lines), c.pick(["application/rtf", "text/rtf"]),
                 c.pick(["CMN_oxygen.rtf", f"CMN_{c.digits(6)}.rtf", "CMS484.rtf"]))
    return m


@template("lactation-consult-note", True, "A: lactation consultant to the paediatrician/OB: mother and infant named, "
          "infant DOB/weights, feeding problems and plan (postpartum care)")
def lactation(c):
    lc, peds = c.org("Lactation & Breastfeeding Services", "lbs"), c.org("Pediatrics", "peds")
    ibclc, doc = c.staff("IBCLC"), c.staff(c.pick(["MD", "DO", "NP"]))
    mom = c.person(age=(19, 42), sex="F")
    baby_first = c.faker("en_US").first_name()
    bdob = c.day(-20, -3)
    body = [c.pick([f"Dr. {doc.last},", f"Hi {doc.first},"]), "",
            f"Saw {mom.name} and baby {baby_first} ({c.pick(['DOB', 'born'])} {c.fdate(bdob)}) "
            f"{c.pick(['at home today', 'in clinic this morning', 'by video today'])}.",
            f"Birth weight {c.r.randrange(2900, 4100)} g, today {c.r.randrange(2700, 3900)} g. "
            + c.pick(["Shallow latch, nipple trauma on the left.", "Suspected tongue tie, restricted elevation.",
                      "Low supply; mom on domperidone? Please advise.", "Mastitis symptoms on the right, temp 38.4."]),
            "Plan: " + c.pick(["pump after feeds 8x/day, supplement 30 mL.", "weighted feeds twice weekly.",
                               "refer to ENT for frenotomy eval.", "please consider dicloxacillin for mom."]),
            c.pick(["Full note to follow in the chart.", "Will see them again Friday."])]
    return new_message(c, (ibclc.name, c.addr_of(ibclc, lc)), (doc.name, c.addr_of(doc, peds)),
                       c.pick([f"Lactation visit - {mom.last}", "Feeding consult", f"Baby {baby_first} weight check"]),
                       "\n".join(body) + "\n" + signature(c, ibclc, lc, "Lactation Consultant"))


@template("anesthesia-preop-call-list-tsv", True, "A: anaesthesia pre-op call list (TSV): one row per patient with name, "
          "phone, surgery date, procedure, ASA class and NPO notes")
def preop_tsv(c):
    org = c.org("Surgery Center", "sc")
    crna, nurse = c.staff(c.pick(["CRNA", "RN"])), c.staff("RN")
    surg = c.day(1, 3)
    head = ["Patient", "Phone", "Surgery date", "Arrive", "Procedure", "ASA", "Notes"]
    rows = []
    for _ in range(c.r.randrange(5, 10)):
        p = c.person(age=(18, 85))
        rows.append([p.rev if c.maybe() else p.name, p.phone, surg.strftime("%m/%d/%Y"), c.ftime(),
                     c.pick(["lap chole", "R TKA", "cataract OS", "colonoscopy", "L inguinal hernia", "ACDF C5-6", "D&C"]),
                     str(c.r.randrange(1, 4)), c.pick(["hold metformin AM", "OSA - bring CPAP", "hold Eliquis x48h",
                                                       "needs ride home", "latex allergy", ""])])
    tsv = "\t".join(head) + "\n" + "\n".join("\t".join(r) for r in rows) + "\n"
    body = [c.pick(["Team,", "Hi all,", ""]),
            f"Pre-op calls for {surg.strftime('%A %-m/%-d')} attached ({len(rows)} patients). "
            + c.pick(["Please initial when called.", "Split the list as usual.", "Flag anyone who can't be reached."])]
    m = new_message(c, (crna.name, c.addr_of(crna, org)), (f"preop@{org.domain}"),
                    c.pick(["Pre-op call list", f"Calls for {surg.strftime('%-m/%-d')}", "PAT call list"]),
                    "\n".join(body) + "\n" + signature(c, crna, org, "Anesthesia"))
    attach_text(m, tsv, "tab-separated-values", f"preop_calls_{surg.strftime('%m%d')}.tsv")
    return m


@template("coroner-records-reply", True, "A: hospital HIM answering a coroner/medical examiner: decedent's name, date of "
          "death, ED/inpatient dates and records sent")
def coroner(c):
    him, me = c.org("Memorial Hospital", "mh"), c.org("County Medical Examiner", "me")
    me.domain = me.domain.split(".")[0] + ".gov"
    clerk, inv = c.staff(c.pick(["RHIT", "RHIA", "ROI Specialist"])), c.staff("Death Investigator")
    p = c.person(age=(20, 88))
    dod = c.day(-20, -2)
    case = c.pick(["ME case", "Case #", "ME#"]) + " " + f"{c.today.year}-{c.digits(4)}"
    body = [c.pick([f"Investigator {inv.last},", f"Hi {inv.first},", "Good morning,"]), "",
            f"In response to your request for {case}: records for {p.name}, {c.dob_phrase(p)}, "
            f"date of death {c.fdate(dod)}.",
            f"{c.pick(['ED visit', 'Admission', 'EMS arrival and ED course'])} {c.fdate(dod - dt.timedelta(days=c.r.randrange(0, 4)))}; "
            + c.pick(["includes the code sheet and toxicology screen.", "includes nursing notes, MAR and the CT head report.",
                      "the blood alcohol level and the urine drug screen are on page 14."]),
            c.pick(["The records are on the secure share under the case number.", "Total 86 pages, sent by fax as well."]),
            c.pick(["No fee for ME requests.", "Let me know if you also need the radiology images."])]
    return new_message(c, (clerk.name, c.addr_of(clerk, him)), (inv.name, c.addr_of(inv, me)),
                       c.pick([f"RE: Records request {case}", "Medical records - ME request", f"{case} records"]),
                       "\n".join(body) + "\n" + signature(c, clerk, him, "Health Information Management"))


@template("ehr-txt-export-encounter", True, "A: plain-text EHR export (.txt) of an encounter: patient header with name, "
          "DOB, MRN, visit date, assessment and plan")
def ehr_txt(c):
    clinic, dest = c.org("Internal Medicine", "im"), c.org("Cardiology", "card")
    ma, to = c.staff(c.pick(["MA", "Referral Coordinator"])), c.staff("RN")
    p, doc = c.person(age=(30, 88)), c.staff("MD")
    visit = c.day(-30, -1)
    txt = "\n".join(["ENCOUNTER SUMMARY - PRINTED FROM EHR", "=" * 40,
                     f"Patient: {p.rev.upper()}", f"DOB: {c.fdob(p.dob)}   Sex: {p.sex}", c.mrn_labelled(),
                     f"Visit: {c.fdate(visit, '%m/%d/%Y')}   Provider: {doc.last}, {doc.first} MD", "",
                     "CHIEF COMPLAINT:", c.pick(["palpitations x 2 weeks", "exertional chest tightness", "syncope while standing"]),
                     "", "ASSESSMENT/PLAN:",
                     f"1. {c.pick(['Paroxysmal atrial fibrillation (I48.0)', 'Stable angina (I20.8)', 'Syncope (R55)'])}",
                     f"   - {c.pick(['start metoprolol 25 mg BID', 'Holter 48h', 'echo ordered'])}",
                     "2. " + c.pick(["Hyperlipidemia - continue atorvastatin 40", "HTN - controlled"]), "",
                     "Electronically signed"])
    body = [c.pick(["Hi,", "Hello,", ""]), f"Referral for {c.pick([p.last, p.name, 'the patient below'])} - "
            "encounter summary attached. " + c.pick(["Please schedule first available.", "Patient prefers mornings."])]
    m = new_message(c, (ma.name, c.addr_of(ma, clinic)), (to.name, c.addr_of(to, dest)),
                    c.pick(["Referral", "New cardiology referral", "Referral - encounter summary"]),
                    "\n".join(body) + "\n" + signature(c, ma, clinic))
    attach_text(m, txt.replace("\n", "\r\n") if c.maybe(0.5) else txt, "plain",
                c.pick(["EncounterSummary.txt", f"export_{c.digits(8)}.txt", "visit_note.txt"]))
    return m


@template("patient-fwd-apple-iphone", True, "A: the patient's own mail (name, symptoms, medication) forwarded by staff "
          "from Apple Mail / iPhone to a nurse")
def patient_fwd_apple(c):
    clinic = c.org("Family Health Clinic", "fhc")
    front, nurse = c.staff(c.pick(["Front Desk", "Patient Services"])), c.staff("RN")
    p = c.person(age=(18, 85))
    sent = c.now - dt.timedelta(hours=c.r.randrange(2, 40))
    med = c.pick(MEDS).split(" ")[0]
    pt_text = "\n".join([c.pick(["Hi,", "Hello Dr office,", "To whom it may concern"]), "",
                         c.pick([f"I started the {med} last week and I have been dizzy every morning, is that normal?",
                                 f"My blood sugar was {c.r.randrange(250, 400)} this morning even with the {med}.",
                                 f"I ran out of {med} and the pharmacy says the refill needs approval."]),
                         c.pick(["Can someone call me back?", "Should I stop taking it?", "Thank you"]),
                         "", p.name if c.maybe() else p.first, c.pick([p.phone, c.dob_phrase(p), ""]), "", mobile_sig(c)])
    subj = c.pick(["Question", "medication", "Refill", "dizzy", "(no subject)"])
    fwd = apple_fwd(f"{p.name} <{p.email}>", f"info@{clinic.domain}", subj, sent)
    body = c.pick(["Can you call this pt back?", "FYI - pt message from the general inbox.", "Please advise", ""]) + \
        "\n\n" + mobile_sig(c) + "\n\n" + fwd + "\n" + pt_text
    return new_message(c, (front.name, c.addr_of(front, clinic)), (nurse.name, c.addr_of(nurse, clinic)),
                       "Fwd: " + subj.replace("(no subject)", ""), body)


@template("patient-fwd-thunderbird-billing", True, "A+B: a patient's billing question (account number, date of service, "
          "balance) forwarded by staff in Thunderbird style to the billing office")
def patient_fwd_tb(c):
    clinic, billing = c.org("Medical Group", "mg"), c.org("Revenue Cycle Services", "rcs")
    st, biller = c.staff("Patient Services"), c.staff("Billing Specialist")
    p = c.person(age=(20, 85))
    acct = c.pick(["Acct #", "account number ", "Guarantor #"]) + c.digits(8)
    dos = c.day(-90, -20)
    pt_text = "\n".join([c.pick(["Hello,", "Hi there,"]), "",
                         f"I got a bill for ${c.r.randrange(80, 2400)}.{c.digits(2, False)} ({acct}) for my visit on {c.fdate(dos)}. "
                         + c.pick(["My insurance should have covered the MRI.", "I already paid the copay at the front desk.",
                                   "The ER visit was an emergency and my plan says in network."]),
                         c.pick(["Please fix this before it goes to collections.", "Can I set up a payment plan?"]),
                         "", p.name])
    subj = c.pick(["Bill question", "Statement", "billing error", "Payment plan?"])
    fwd = thunderbird_fwd(f"{p.name} <{p.email}>", f"billing@{clinic.domain}", subj,
                          c.now - dt.timedelta(days=c.r.randrange(1, 5)))
    body = c.pick(["Forwarding to billing.", "Patient says she paid, can you look?", "See below, thanks."]) + "\n\n" + \
        signature(c, st, clinic, footer=False) + "\n\n" + fwd + "\n" + pt_text
    return new_message(c, (st.name, c.addr_of(st, clinic)), (biller.name, c.addr_of(biller, billing)),
                       "Fwd: " + subj, body)


@template("arabic-script-patient-letter", True, "A: patient's name + appointment, result or medication in Arabic script "
          "(often mixed with English), to the patient's own address")
def arabic_letter(c):
    clinic = c.org("Community Health Center", "chc")
    st = c.staff(c.pick(["MA", "RN", "Patient Navigator"]))
    p = c.person(hand="ar", age=(18, 80))
    ar_first = {"Omar": "عمر", "Layla": "ليلى", "Yousef": "يوسف", "Mariam": "مريم", "Khaled": "خالد", "Huda": "هدى",
                "Samir": "سمير", "Rania": "رانيا", "Tariq": "طارق", "Noor": "نور"}[p.first]
    d = c.day(2, 20)
    fact = c.pick([f"موعدك مع طبيب القلب يوم {d.strftime('%-d/%-m/%Y')} الساعة {c.r.randrange(8, 12)} صباحاً.",
                   f"نتيجة تحليل السكر التراكمي (A1c) هي {c.r.randrange(72, 118) / 10}٪، ويرغب الطبيب في زيادة جرعة الميتفورمين.",
                   "تم إرسال وصفة الأموكسيسيلين إلى الصيدلية. خذ حبة واحدة ثلاث مرات يومياً لمدة عشرة أيام.",
                   f"موعد تصوير الثدي بالأشعة (mammogram) يوم {d.strftime('%-d/%-m/%Y')}. لا تستخدمي مزيل العرق في ذلك اليوم."])
    lines = [f"السيد/السيدة {ar_first} {p.last}،" if c.maybe() else f"مرحباً {ar_first}،", "", fact,
             f"للاستفسار اتصل بنا على {clinic.phone}."]
    if c.maybe(0.6):
        lines += ["", f"Dear {p.name},", "English: " + c.pick(["your appointment details are above.", "your lab result is above.",
                                                               "please see the Arabic message above from your care team."])]
    return new_message(c, (st.name, c.addr_of(st, clinic)), (p.name, p.email),
                       c.pick(["رسالة من العيادة", "موعدك القادم", "Your appointment / موعدك", "نتيجة التحليل"]),
                       "\n".join(lines) + "\n" + signature(c, st, clinic))


@template("podiatry-nail-care-roster-html", True, "A: podiatry visit roster for a nursing home, HTML table with merged "
          "(rowspan) unit cells: residents' names, rooms, diabetic status and service")
def podiatry_roster(c):
    pod, snf = c.org("Foot & Ankle Specialists", "fas"), c.org("Care Center", "cc")
    dpm, don = c.staff("DPM"), c.staff(c.pick(["RN, DON", "ADON", "Unit Manager"]))
    visit = c.day(2, 10)
    cell = 'style="border:1px solid #777;padding:2px 5px"'
    rows_html = []
    for unit in c.sample(["North", "South", "Memory Care", "Rehab", "East"], c.r.randrange(2, 4)):
        res = [c.person(age=(62, 88)) for _ in range(c.r.randrange(2, 5))]
        for i, r in enumerate(res):
            u = f'<td {cell} rowspan="{len(res)}"><b>{unit}</b></td>' if i == 0 else ""
            rows_html.append(f"<tr>{u}<td {cell}>{r.rev}</td><td {cell}>{c.r.randrange(100, 340)}{c.pick('AB')}</td>"
                             f"<td {cell}>{c.pick(['DM2 - Q8 mo', 'DM2, PVD', 'no', 'DM2, neuropathy', 'on warfarin'])}</td>"
                             f"<td {cell}>{c.pick(['nail debridement', 'callus paring', 'debride + wound check L hallux', 'new eval'])}</td></tr>")
    table = (f'<table style="border-collapse:collapse"><tr><th {cell}>Unit</th><th {cell}>Resident</th><th {cell}>Room</th>'
             f"<th {cell}>Diabetic / risk</th><th {cell}>Service</th></tr>{''.join(rows_html)}</table>")
    intro = (f"{c.pick(['Hi', 'Hello', 'Good morning'])} {don.first},<br><br>Here is the list for our visit on "
             f"{visit.strftime('%A %-m/%-d')}. {c.pick(['Please have consents on the chart.', 'Residents should have socks off if possible.'])}<br><br>")
    html = html_wrap(intro + table + "<br>" + signature(c, dpm, pod).replace("\n", "<br>"))
    return new_message(c, (dpm.name, c.addr_of(dpm, pod)), (don.name, c.addr_of(don, snf)),
                       c.pick(["Podiatry visit list", f"Podiatry {visit.strftime('%-m/%-d')}", "Nail care roster"]), html=html)


@template("home-infusion-delivery-ticket", True, "A: home-infusion pharmacy delivery ticket (plain text): patient name, "
          "home address, drug, pump serial number and nurse visit")
def infusion_ticket(c):
    ph, nursing = c.org("Home Infusion Pharmacy", "hip"), c.org("Home Health Nursing", "hhn")
    tech, rn = c.staff(c.pick(["CPhT", "Delivery Coordinator", "PharmD"])), c.staff("RN")
    p = c.person(age=(20, 85))
    drug = c.pick(["ceftriaxone 2 g IV q24h", "vancomycin 1.25 g IV q12h", "TPN 1800 mL nightly",
                   "ertapenem 1 g IV daily", "IVIG 40 g", "milrinone 0.375 mcg/kg/min continuous"])
    ticket = [f"DELIVERY TICKET  #{c.digits(7)}", f"Deliver to: {p.name}", f"Address: {p.addr()}",
              f"Phone: {p.phone}", f"Therapy: {drug}", f"Pump: {c.pick(['CADD-Solis', 'Curlin 6000', 'Sapphire'])} "
              f"S/N {c.digits(9)}", f"Supplies: {c.r.randrange(7, 15)} days", f"Delivery window: {c.fdate(c.day(0, 2))} "
              f"{c.pick(['8-12', '12-4', '4-8'])}", f"Line: {c.pick(['PICC R basilic', 'port', 'midline L'])}"]
    c.r.shuffle(ticket[4:])
    body = [c.pick([f"{rn.first},", "Nursing team,", "Hi -"]), "",
            c.pick(["Delivery confirmed for the start of care below.", "Ticket for tomorrow's delivery, first dose in home:",
                    "Please coordinate the SOC visit with this delivery:"]), ""] + ticket
    return new_message(c, (tech.name, c.addr_of(tech, ph)), (rn.name, c.addr_of(rn, nursing)),
                       c.pick(["Delivery ticket", f"SOC delivery - {p.last}", "Infusion delivery confirmation"]),
                       "\n".join(body) + "\n" + signature(c, tech, ph))
