"""Positive templates, part B (every message these produce needs protection)."""

import datetime as dt

from mailkit import (DOCX, csv_text, docx_bytes, fdate, fhir_json, gmail_quote, hl7_ts, html_doc, html_table, message, org,
                     outlook_block, pdf_bytes, png_of_text, reply_id, sloppy, sloppy_date, sloppy_dob, template, tm)


# A: TB contact investigation list (names, phones, exposure, TST/IGRA results and dates) between health departments.
@template("tb-contact-investigation-csv", True, "A: TB contact-investigation list with contacts' names, phones, test results and dates (CSV)")
def tb_contact_investigation_csv(c):
    o = org(c, c.choice(["%s County Health Department TB Clinic", "%s Public Health TB Control", "%s County Public Health Clinic"]))
    other = org(c, "%s County Health Department", external=True)
    of, ol, _ = c.staff("RN")
    first, last, cred = c.staff(c.choice(["RN, PHN", "MPH", "RN"]))
    idx = c.patient(minage=20, maxage=80)
    rows = []
    for _ in range(c.r.randrange(5, 12)):
        p = c.patient()
        rows.append(["%s %s" % (p.first, p.last), fdate(p.dob, "%m/%d/%Y"), c.phone(1), c.choice(["household", "coworker", "household", "friend", "carpool"]),
                     c.r.randrange(8, 200), c.choice(["TST 0 mm", "TST 14 mm", "QFT negative", "QFT positive", "pending", "refused"]),
                     fdate(c.past(1, 30), "%m/%d/%Y"), c.choice(["", "CXR ordered", "moved to your county", "LTBI tx 3HP"])])
    csv = csv_text(["Contact", "DOB", "Phone", "Relationship", "Exposure hrs", "Result", "Test date", "Note"], rows)
    body = c.pick(
        "Hi %s,\n\nAs discussed, here is the contact list for our index case (%s %s, smear-positive, diagnosed %s). Contacts who now live in your jurisdiction are marked 'moved to your county'." % (of, idx.first, idx.last, fdate(c.past(20, 60), "m/d/Y")),
        "%s - attached is the updated contact investigation spreadsheet. Second-round testing is due 8 weeks after last exposure." % of,
        "Good afternoon,\n\nTransferring follow-up for the contacts listed in the attached file. The index case is on RIPE therapy and DOT with us.")
    body += "\n" + c.sign(o, first, last, cred, title="TB Control Program")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (of, ol), c.addr_at(of, ol, other.domain)),
                   c.pick("TB contact investigation - transfer", "Contacts list", "CI update %s" % c.today.strftime("%m/%d"), "Interjurisdictional TB referral"),
                   text=body, attachments=[(c.choice(["contacts.csv", "CI_contacts.csv", "contact_list_%s.csv" % c.today.strftime("%Y%m%d")]), "text", "csv", csv)])


AVS = {
    "vi": dict(hi="Chào %s,", intro="Đây là bản tóm tắt lần khám ngày %s của anh/chị.", dx="Chẩn đoán", med="Thuốc mới", fu="Hẹn tái khám",
               at="lúc", with_="với bác sĩ", call="Nếu có câu hỏi, xin gọi %s.",
               dxs={"t2dm": "tiểu đường loại 2", "htn": "cao huyết áp", "pna": "viêm phổi", "asthma": "hen suyễn", "gerd": "trào ngược dạ dày"}),
    "tl": dict(hi="Magandang araw %s,", intro="Narito ang buod ng inyong pagpapatingin noong %s.", dx="Diagnosis", med="Bagong gamot", fu="Susunod na appointment",
               at="ng", with_="kay Dr.", call="Kung may tanong, tumawag sa %s.",
               dxs={"t2dm": "diyabetis", "htn": "altapresyon", "pna": "pulmonya", "asthma": "hika", "gerd": "asido sa sikmura"}),
    "zh": dict(hi="%s 您好，", intro="以下是您%s就诊的总结。", dx="诊断", med="新药", fu="复诊时间", at="", with_="医生：", call="如有问题，请致电 %s。",
               dxs={"t2dm": "2型糖尿病", "htn": "高血压", "pna": "肺炎", "asthma": "哮喘", "gerd": "胃食管反流"}),
    "fr": dict(hi="Bonjour %s,", intro="Voici le résumé de votre consultation du %s.", dx="Diagnostic", med="Nouveau médicament", fu="Prochain rendez-vous",
               at="à", with_="avec le Dr", call="Pour toute question, appelez le %s.",
               dxs={"t2dm": "diabète de type 2", "htn": "hypertension artérielle", "pna": "pneumonie", "asthma": "asthme", "gerd": "reflux gastro-œsophagien"}),
    "pt": dict(hi="Olá %s,", intro="Segue o resumo da sua consulta de %s.", dx="Diagnóstico", med="Novo medicamento", fu="Próxima consulta",
               at="às", with_="com o Dr.", call="Em caso de dúvidas, ligue para %s.",
               dxs={"t2dm": "diabetes tipo 2", "htn": "hipertensão", "pna": "pneumonia", "asthma": "asma", "gerd": "refluxo gastroesofágico"}),
    "ht": dict(hi="Bonjou %s,", intro="Men rezime vizit ou te fè %s.", dx="Dyagnostik", med="Nouvo medikaman", fu="Pwochen randevou",
               at="a", with_="ak Dr.", call="Si w gen kesyon, rele %s.",
               dxs={"t2dm": "dyabèt tip 2", "htn": "tansyon wo", "pna": "nemoni", "asthma": "opresyon", "gerd": "asid nan lestomak"}),
}
DX_EN = {"t2dm": ("type 2 diabetes", "metformin 500 mg", "1 tab twice daily with meals"), "htn": ("hypertension", "lisinopril 10 mg", "1 tab every morning"),
         "pna": ("pneumonia", "amoxicillin-clavulanate 875 mg", "twice daily x 7 days"), "asthma": ("asthma", "budesonide-formoterol 160/4.5", "2 puffs twice daily"),
         "gerd": ("GERD", "omeprazole 20 mg", "1 cap before breakfast")}


# A: bilingual after-visit summary (patient language + English) to the patient's own address; DOCX and mixed-language body.
@template("bilingual-after-visit-summary", True, "A: patient's name/own address + diagnosis, new medication and follow-up date in Vietnamese, Tagalog, Chinese, French, Portuguese or Haitian Creole mixed with English")
def bilingual_after_visit_summary(c):
    lang = c.choice(sorted(AVS))
    L = AVS[lang]
    loc = {"fr": "fr_CH", "pt": "pt_PT"}.get(lang, lang)
    p = c.patient(loc if lang in ("fr", "pt") else lang, minage=18)
    o = org(c, c.choice(["%s Community Health Center", "%s Family Health Center", "%s Neighborhood Clinic"]))
    key = c.choice(sorted(DX_EN))
    en, med, dose = DX_EN[key]
    visit = c.past(1, 7)
    fu = c.future(14, 60)
    t = c.clock()
    doc = c.staff()[1]
    name = p.full if lang != "zh" else "%s %s" % (p.last, p.first)
    phone = c.phone()
    lines = [L["hi"] % name, L["intro"] % fdate(visit, "%m/%d/%Y"),
             "%s: %s (%s)" % (L["dx"], L["dxs"][key], en), "%s: %s - %s" % (L["med"], med, dose),
             "%s: %s %s %s %s %s" % (L["fu"], fdate(fu, "%m/%d/%Y"), L["at"], tm(t), L["with_"], doc), L["call"] % phone]
    eng = ["", "English:", "Visit %s - Dx %s. Start %s %s. Follow-up %s %s with Dr. %s." % (fdate(visit, "m/d"), en, med, dose, fdate(fu, "m/d"), tm(t), doc)]
    first, last, cred = c.staff(c.choice(["MA", "RN", "Medical Interpreter"]))
    body = "\n".join(lines + (eng if c.chance(0.6) else [])) + "\n" + c.sign(o, first, last, cred)
    atts = []
    if c.chance(0.6):
        atts.append((c.choice(["AVS_%s.docx" % visit.strftime("%m%d%Y"), "After Visit Summary.docx", "tom_tat.docx" if lang == "vi" else "summary.docx"]), DOCX[0], DOCX[1],
                     docx_bytes(["# After Visit Summary / %s" % L["intro"].split(" ")[0], "Patient: %s   DOB: %s" % (p.full, fdate(p.dob, "%m/%d/%Y"))] + lines[1:] + eng[1:])))
    subj = {"vi": "Tóm tắt lần khám / Visit summary", "tl": "Buod ng pagpapatingin / Visit summary", "zh": "就诊总结 Visit summary",
            "fr": "Résumé de consultation", "pt": "Resumo da consulta", "ht": "Rezime vizit / Visit summary"}[lang]
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), (name, c.webmail(p)), subj, text=body, attachments=atts)


# A: a family member's message (quoted) names the parent, the medication and symptoms; the clinic replies.
@template("family-member-reply-chain", True, "A: reply to a patient's relative; the quoted message (and often the reply) names the patient with symptoms and medication")
def family_member_reply_chain(c):
    o = org(c, c.choice(["%s Internal Medicine", "%s Cardiology", "%s Senior Care Clinic", "%s Neurology"]))
    role = c.choice(["daughter", "son", "wife", "husband", "niece"])
    pt = c.patient(minage=65, maxage=88, sex={"wife": "M", "husband": "F"}.get(role))
    rel = c.patient(minage=30, maxage=60, sex={"daughter": "F", "son": "M", "wife": "F", "husband": "M", "niece": "F"}[role])
    rel.last = pt.last if c.chance(0.6) else rel.last
    if role in ("daughter", "son", "niece"):
        parent = {"F": c.choice(["Mom", "my mother"]), "M": c.choice(["Dad", "my father"])}[pt.sex] if role != "niece" else {"F": "my aunt", "M": "my uncle"}[pt.sex]
    else:
        parent = "my husband" if role == "wife" else "my wife"
    pron = "she" if pt.sex == "F" else "he"
    med = c.choice(["amlodipine", "the new donepezil", "Eliquis", "carvedilol", "gabapentin", "the water pill (furosemide)"])
    sym = c.choice(["been dizzy when standing up", "been more confused at night", "had swollen ankles again", "had bruising on both arms", "been sleeping all day"])
    nf, nl, cred = c.staff(c.choice(["RN", "LPN", "MA"]))
    dr = c.staff()[1]
    rel_addr = c.webmail(rel)
    orig = c.pick(
        "Hi, this is %s %s, %s's %s. %s has %s since starting %s last week. BP this morning was %d/%d. Should %s keep taking it? %s appt with Dr. %s isn't until %s." % (rel.first, rel.last, pt.full, role, parent[0].upper() + parent[1:], sym, med, c.r.randrange(90, 170), c.r.randrange(50, 100), pron, "Her" if pt.sex == "F" else "His", dr, sloppy_date(c.future(10, 40), c.r, False)),
        "hello my %s %s (dob %s) is your patient. %s has %s. the pharmacy said to ask u about %s. pls call me %s" % (parent.lower().replace("my ", "").replace("mom", "mother").replace("dad", "father"), pt.full.lower(), sloppy_dob(pt.dob, c.r), pron, sym, med, c.phone()),
        "Dear Dr. %s's nurse,\nI'm writing about %s (%s). %s fell on %s and has %s. Is it okay to give %s?\nThank you, %s" % (dr, pt.full, parent, parent[0].upper() + parent[1:], sloppy_date(c.past(1, 5), c.r, False), sym, med, rel.first))
    when = c.now - dt.timedelta(hours=c.r.randrange(2, 40))
    reply = c.pick(
        "Hi %s,\n\nThank you for letting us know. Dr. %s reviewed this and would like %s to hold %s until the visit and check BP twice daily. Please bring the log." % (rel.first, dr, pt.first, med),
        "Got it - I've sent this to Dr. %s and will call you back this afternoon." % dr,
        "Hi %s, yes, please keep the appointment. If %s gets worse go to the ER." % (rel.first, pron))
    if c.chance(0.5):
        quote = gmail_quote(orig, "%s %s" % (rel.first, rel.last), rel_addr, when)
    else:
        quote = outlook_block("%s %s <%s>" % (rel.first, rel.last, rel_addr), when, "Nurse Line <nurseline@%s>" % o.domain, "question", orig)
    body = reply + "\n\n" + nf + " " + nl + ", " + cred + "\n" + o.name + "\n\n" + quote
    return message(c, ("%s %s" % (nf, nl), c.addr_at(nf, nl, o.domain)), ("%s %s" % (rel.first, rel.last), rel_addr),
                   "Re: " + c.choice(["question about %s" % parent.lower(), "question", "meds", "%s %s" % (pt.first, pt.last)]), text=body,
                   reply_to=reply_id(c, rel_addr.split("@")[1]))


# A: badly written nurse-to-nurse message: lower-case name, sloppy DOB, age, symptoms, order change.
@template("sloppy-nurse-handoff", True, "A: all-lower-case, unpunctuated message naming the patient (lower case) with DOB, phone or street address, symptoms and an order")
def sloppy_nurse_handoff(c):
    o = org(c, c.choice(["%s Family Medicine", "%s Heart & Vascular", "%s Primary Care", "%s Internal Medicine"]))
    hh = org(c, c.choice(["%s Home Health", "%s Visiting Nurse Assn", "%s Home Care"]), external=True)
    p = c.patient(minage=55, maxage=88)
    nf, nl, _ = c.staff("RN")
    hf, hl, _ = c.staff("RN")
    dr = c.staff()[1].lower()
    age = p.age(c.today)
    ident = c.choice(["dob %s" % sloppy_dob(p.dob, c.r), "%d y/o %s dob %s" % (age, p.sex.lower(), sloppy_dob(p.dob, c.r)), "ph %s" % c.phone(), "%d yo %s lives on %s" % (age, p.sex, c.address()[0].lower())])
    issue = c.choice([("legs more swollen wt up %d lbs since the %s" % (c.r.randrange(3, 7), sloppy_date(c.past(2, 6), c.r, False)), "lasix increased to 40 bid"),
                      ("bs running 300s all wk", "lantus up to 24u at night"),
                      ("new rash on back from the bactrim", "stop bactrim start doxy 100 bid x7d"),
                      ("inr 4.6 yesterday", "hold coumadin x2 days then 5mg daily"),
                      ("c/o cp when walking to mailbox", "get ekg + trop, if cp at rest send to er")])
    txt = c.pick(
        "hey its %s from dr %s office. pt %s %s %s. %s. dr wants %s. can u do a visit tmrw and let me know. thx" % (nf.lower(), dr, p.first.lower(), p.last.lower(), ident, issue[0], issue[1]),
        "hi %s\nre %s %s %s\n%s\norder: %s\nfaxing the signed order now\n%s" % (hf.lower(), p.last.lower(), p.first.lower(), ident, issue[0], issue[1], nf.lower()),
        "%s %s %s - %s... per dr %s %s. pls confirm u got this thx %s" % (p.first.lower(), p.last.lower(), ident, issue[0], dr, issue[1], nf.lower()))
    txt = sloppy(txt, c.r, lower=True, typos=0.04, keep=(p.first.lower(), p.last.lower()))
    return message(c, ("%s %s" % (nf, nl), c.addr_at(nf, nl, o.domain)), ("%s %s" % (hf, hl), c.addr_at(hf, hl, hh.domain)),
                   c.pick("pt update", "order change", "fyi", "%s" % p.last.lower(), "re: visit tmrw", ""), text=txt + "\n\nsent from my iphone" * c.chance(0.4))


# B: HIM deficiency list whose only identifiers are MRNs ("Med Rec #" column) and discharge dates.
@template("him-deficiency-medrec-html", True, "B+A: HIM chart-deficiency table to a physician; 'Med Rec #' and discharge date columns, no names")
def him_deficiency_medrec_html(c):
    o = org(c, c.choice(["%s Medical Center", "%s Community Hospital", "%s Surgical Hospital"]))
    dr = org(c, c.choice(["%s Anesthesia Partners", "%s Locum Physicians", "%s Surgical Group"]), external=True)
    df, dl, _ = c.staff("MD")
    rows = []
    for _ in range(c.r.randrange(4, 12)):
        dd = c.past(5, 40)
        rows.append([c.mrn(), c.digits(9), fdate(dd, "%m/%d/%Y"), c.choice(["Discharge summary - dictate", "H&P - sign", "Op note - sign", "Verbal order - authenticate", "Progress note - cosign"]),
                     (c.today - dd).days])
    style = c.choice(["outlook", "gmail"])
    first, last, cred = c.staff(c.choice(["RHIT", "RHIA", ""]))
    paras = [c.greet("Dr. %s" % dl), c.pick("You have the following incomplete records. Charts delinquent over 30 days will be reported to the medical staff office.",
                                              "Below are your open deficiencies as of this morning. Most can be signed in the in-basket.",
                                              "Friendly reminder - these records are still open:"),
             ("raw", html_table(["Med Rec #", "Acct", "Disch Date", "Deficiency", "Days open"], rows, style), ""),
             "Please complete by %s." % fdate(c.future(3, 10), "B d, Y"), c.sign(o, first, last, cred, title="Health Information Management")]
    return message(c, ("HIM Deficiency - %s" % o.name, "him.deficiency@" + o.domain), ("Dr. %s %s" % (df, dl), c.addr_at(df, dl, dr.domain)),
                   c.pick("Incomplete records", "Delinquent chart notice", "Open deficiencies - action needed", "HIM reminder"), html=html_doc(paras, style))


# B (+A): a guarantor's SSN written with spaces or dots in an account correction to the collection agency.
@template("guarantor-ssn-correction", True, "B: a guarantor's full SSN (spaces/dots/no separators) in an account correction; often with name and balance")
def guarantor_ssn_correction(c):
    o = org(c, c.choice(["%s Medical Group", "%s Hospital", "%s Anesthesia Billing"]))
    ag = org(c, c.choice(["%s Recovery Services", "%s Collection Bureau", "%s Credit Management"]), external=True)
    p = c.patient(minage=25, maxage=80)
    af, al, _ = c.staff("")
    first, last, _ = c.staff("")
    ssn_old, ssn_new = c.ssn(c.choice([1, 2, 3])), c.ssn(c.choice([1, 1, 2]))
    acct = c.account_no()
    txt = c.pick(
        "%s,\n\nPlease correct the guarantor on account %s (%s %s). The SSN we sent in the placement file was wrong; the correct one is %s. Balance placed $%d.%02d." % (af, acct, p.first, p.last, ssn_new, c.r.randrange(200, 4000), c.r.randrange(100)),
        "Hi %s - on the %s placement, %s, SSN should read %s not %s. Sorry about that." % (af, c.choice(["October", "November", "last"]), acct, ssn_new, ssn_old),
        "Credit bureau dispute on %s: the patient says SS# %s belongs to her son. Please recall the account until we fix the guarantor." % (acct, ssn_old))
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (af, al), c.addr_at(af, al, ag.domain)),
                   c.pick("Account correction", "Guarantor update", "Re: placement file", "Recall request"), text=txt + "\n" + c.sign(o, first, last, None, title="Patient Financial Services"))


# A: low-vision / driving evaluation to the licensing authority: name, DOB, licence number, acuity and field results.
@template("low-vision-driving-eval", True, "A: vision report to the DMV medical review unit: driver's name, DOB, licence number, acuity/field loss and restrictions")
def low_vision_driving_eval(c):
    o = org(c, c.choice(["%s Eye Associates", "%s Low Vision Center", "%s Vision & Driving Rehabilitation"]))
    p = c.patient(minage=45, maxage=88)
    first, last, cred = c.staff(c.choice(["OD", "MD", "OTR/L, CDRS"]))
    dl = c.choice(["%s%s" % (p.last[0].upper(), c.digits(7)), "%s-%s-%s" % (c.digits(3), c.digits(3), c.digits(3)), "D%s" % c.digits(8)])
    va_r, va_l = c.choice(["20/40", "20/50", "20/70", "20/100", "20/200"]), c.choice(["20/30", "20/60", "20/80", "20/200"])
    field = c.choice(["%d degrees horizontal" % c.r.randrange(60, 120), "left homonymous hemianopia", "superior arcuate defect OD"])
    cond = c.choice(["glaucoma", "dry macular degeneration", "diabetic retinopathy", "s/p stroke"])
    rec = c.choice(["Daylight driving only, no freeways", "Not safe to drive at this time", "Corrective lenses required; re-examine in 12 months", "Bioptic telescope required"])
    lines = ["# Vision Report for Driver Licensing", "Driver: %s %s    DOB: %s    DL #: %s" % (p.first, p.last, fdate(p.dob, "%m/%d/%Y"), dl),
             "Exam date: %s" % fdate(c.past(1, 14), "%m/%d/%Y"), "Best corrected acuity: OD %s  OS %s  OU %s" % (va_r, va_l, va_l),
             "Visual field: %s" % field, "Condition: %s" % cond, "Recommendation: %s" % rec, "Examiner: %s %s, %s" % (first, last, cred)]
    atts = []
    if c.chance(0.5):
        body = "Medical Review Unit,\n\nAttached is the completed vision report for the driver named in your letter of %s." % fdate(c.past(15, 50), "B d, Y")
        atts.append(("vision_report_%s.pdf" % dl.replace("-", ""), "application", "pdf", pdf_bytes(lines)))
    else:
        body = "Medical Review Unit,\n\nIn response to your request:\n\n" + "\n".join(lines[1:])
    body += "\n" + c.sign(o, first, last, cred)
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("DMV Medical Review", "medicalreview@dmv.state.example.gov"),
                   c.pick("Vision report - DL %s" % dl, "Completed vision examination report", "Response to medical review request"), text=body, attachments=atts)


# A+B: FHIR bundle (Patient, Coverage with subscriber ID, Condition, MedicationRequest) sent to a specialty pharmacy intake.
@template("fhir-specialty-rx-bundle", True, "A+B: FHIR Bundle with Patient (name, DOB, address), Coverage member ID, Condition and MedicationRequest")
def fhir_specialty_rx_bundle(c):
    drug = c.choice([("adalimumab 40 mg/0.4 mL pen", "M05.79", "Rheumatoid arthritis", "%s Rheumatology"), ("dupilumab 300 mg/2 mL pen", "L20.9", "Atopic dermatitis", "%s Dermatology"),
                     ("ustekinumab 90 mg/mL", "K50.90", "Crohn's disease", "%s Gastroenterology"), ("ocrelizumab 300 mg/10 mL", "G35", "Multiple sclerosis", "%s Neurology"),
                     ("secukinumab 150 mg/mL pen", "L40.0", "Psoriasis vulgaris", "%s Dermatology")])
    o = org(c, drug[3])
    sp = org(c, c.choice(["%s Specialty Pharmacy", "%s Infusion & Specialty Rx"]), external=True)
    p = c.patient(minage=18, maxage=80)
    st, city, state, z = c.address()
    pid = "pt-%s" % c.digits(6)
    bundle = {"resourceType": "Bundle", "type": "collection", "timestamp": c.now.strftime("%Y-%m-%dT%H:%M:%S-06:00"), "entry": [
        {"resource": {"resourceType": "Patient", "id": pid, "identifier": [{"system": "urn:oid:2.16.840.1.113883.3.%s" % c.digits(4), "value": c.mrn()}],
                      "name": [{"family": p.last, "given": [p.first]}], "gender": "female" if p.sex == "F" else "male", "birthDate": p.dob.isoformat(),
                      "address": [{"line": [st], "city": city, "state": state, "postalCode": z}], "telecom": [{"system": "phone", "value": c.phone(1)}]}},
        {"resource": {"resourceType": "Coverage", "status": "active", "subscriberId": c.member_id(), "beneficiary": {"reference": "Patient/" + pid},
                      "payor": [{"display": c.choice(["Summit Health Plan", "Aetna", "Cigna", "BCBS"])}]}},
        {"resource": {"resourceType": "Condition", "subject": {"reference": "Patient/" + pid},
                      "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": drug[1], "display": drug[2]}]}}},
        {"resource": {"resourceType": "MedicationRequest", "status": "active", "intent": "order", "subject": {"reference": "Patient/" + pid},
                      "authoredOn": c.today.isoformat(), "medicationCodeableConcept": {"text": drug[0]},
                      "dosageInstruction": [{"text": c.choice(["Inject every 14 days", "Inject SC every 4 weeks after loading", "IV per protocol"])}],
                      "dispenseRequest": {"numberOfRepeatsAllowed": c.r.randrange(1, 6)}}}]}
    first, last, cred = c.staff(c.choice(["MA", "RN", "CPhT"]))
    body = c.pick("New referral attached as FHIR bundle (our e-Rx integration is down). Prior auth is approved through %s." % fdate(c.future(90, 300), "%m/%d/%Y"),
                  "Hi intake team, please see attached referral. Patient prefers delivery to home; copay card enrollment requested.",
                  "Attached JSON export of the order. Let us know if you need chart notes or labs.")
    body += "\n" + c.sign(o, first, last, cred)
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Intake", "intake@" + sp.domain),
                   c.pick("New specialty referral", "Referral - FHIR export", "Rx referral", "New start"), text=body,
                   attachments=[(c.choice(["referral.json", "bundle_%s.json" % c.digits(5), "order.fhir.json"]), "application", "fhir+json", fhir_json(bundle))])


# A: an interface analyst sends a failing HL7 MDM^T02 (PID + op-note text) to the EHR vendor's support desk.
@template("hl7-mdm-vendor-ticket", True, "A: HL7 MDM^T02 sample in a vendor support ticket: PID (name, DOB, MRN) plus transcribed note text")
def hl7_mdm_vendor_ticket(c):
    o = org(c, c.choice(["%s Health System", "%s Medical Center", "%s Hospital"]))
    vendor = c.choice(["interfacesupport@medtranscribe.example.com", "support@dictation-vendor.example.com", "hl7help@ehrconnect.example.com"])
    p = c.patient()
    first, last, _ = c.staff("")
    ts = dt.datetime.combine(c.past(0, 3), c.clock())
    note = c.choice(["PROCEDURE: Laparoscopic cholecystectomy. FINDINGS: Acute cholecystitis with gallstones.",
                     "ASSESSMENT: Major depressive disorder, recurrent, moderate. PLAN: Increase sertraline to 100 mg.",
                     "IMPRESSION: Moderate aortic stenosis, EF 45%. PLAN: Repeat echo 6 months.",
                     "HPI: 3 days of dysuria and fever. DX: Pyelonephritis. Started ceftriaxone."])
    segs = ["MSH|^~\\&|DICT|%s|EHR|%s|%s||MDM^T02|%s|P|2.5.1" % (o.name.split()[0].upper(), o.name.split()[0].upper(), hl7_ts(c.now), c.digits(10)),
            "EVN|T02|%s" % hl7_ts(c.now),
            "PID|1||%s^^^MRN||%s^%s^%s||%s|%s|||%s^^%s^%s^%s||%s" % (c.mrn(), p.last.upper(), p.first.upper(), c.choice(["A", "M", "J", ""]), p.dob.strftime("%Y%m%d"), p.sex,
                                                                 c.address()[0], c.address()[1], c.address()[2], c.address()[3], c.phone(1)),
            "PV1|1|%s|%s||||%s^%s^%s" % (c.choice(["I", "O"]), c.choice(["4W^412^1", "OR^^", "CLINIC^^"]), c.npi(), c.staff()[1].upper(), c.staff()[0].upper()),
            "TXA|1|%s|TX|%s||%s||||||%s||||AU" % (c.choice(["OP", "PN", "CN"]), hl7_ts(ts), hl7_ts(ts), c.digits(8)),
            "OBX|1|TX|%s||%s||||||F" % (c.choice(["11504-8^Operative note^LN", "11506-3^Progress note^LN", "11488-4^Consult note^LN"]), note)]
    hl7 = "\r".join(segs) + "\r"
    body = c.pick("Hi support,\n\nSince last night's upgrade the MDM feed is rejecting with AE 'TXA-12 unique document number missing'. Sample message attached. Ticket %s." % c.digits(7),
                  "Attaching one of the failed messages from the error queue (%d stuck). Can you confirm whether your side is truncating OBX-5?" % c.r.randrange(20, 400),
                  "Per our call, here is the raw message that keeps erroring.")
    body += "\n\n%s %s\nInterface Analyst, %s" % (first, last, o.name)
    ctype = c.choice([("application", "hl7-v2"), ("text", "plain"), ("application", "octet-stream")])
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Interface Support", vendor),
                   c.pick("MDM interface errors", "Ticket %s - failed messages" % c.digits(6), "HL7 sample for troubleshooting"), text=body,
                   attachments=[(c.choice(["failed_msg.hl7", "mdm_sample.txt", "error_queue_1.hl7"]), ctype[0], ctype[1], hl7.encode("utf-8"))])


# A: newborn screen repeat request: baby (name or "Baby Girl <surname>"), DOB, mother's name, abnormal analyte.
@template("newborn-screen-repeat", True, "A: newborn's name/'Baby Boy <surname>' + DOB + mother's name + abnormal newborn-screen result and repeat request")
def newborn_screen_repeat(c):
    o = org(c, c.choice(["%s Birth Center", "%s Women & Infants Hospital", "%s Medical Center Nursery"]))
    ped = org(c, c.choice(["%s Pediatrics", "%s Kids Clinic", "%s Pediatric Partners"]), external=True)
    mom = c.patient(minage=18, maxage=42, sex="F")
    sex = c.choice(["Girl", "Boy"])
    dob = c.past(3, 12)
    baby = c.choice(["Baby %s %s" % (sex, mom.last), "%s %s" % (c.patient(lang=mom.loc if mom.loc in ("vi", "so") else None).first, mom.last)])
    res = c.choice(["TSH 38 uIU/mL (borderline)", "C0 carnitine low", "IRT elevated (CF screen)", "17-OHP 52 ng/mL", "galactose elevated - specimen transfused?"])
    pf, pl, _ = c.staff("")
    first, last, cred = c.staff(c.choice(["RN", "IBCLC, RN", "NNP"]))
    txt = c.pick(
        "Hi,\n\nThe state lab called with an abnormal newborn screen for %s, DOB %s, mother %s %s. Result: %s. A repeat specimen is needed within %d days; the family is following up at your office on %s." % (baby, fdate(dob, r=c.r), mom.first, mom.last, res, c.r.randrange(2, 8), fdate(c.future(1, 5), "m/d")),
        "%s - NBS repeat needed for %s (born %s, %s). %s. Mom's phone %s." % (pf, baby, fdate(dob, "%m/%d/%Y"), c.choice(["39w", "36w", "41w", "34w NICU grad"]), res, c.phone()),
        "Dr. %s's office,\n\nYour new patient %s (DOB %s) had an initial screen with %s. Please collect the repeat at the first visit and send to the state lab." % (pl, baby, fdate(dob, "B d, Y"), res))
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (pf, pl), c.addr_at(pf, pl, ped.domain)),
                   c.pick("Newborn screen repeat", "NBS - action needed", "Abnormal newborn screen", "repeat PKU"), text=txt + "\n" + c.sign(o, first, last, cred))


# A: PHI only inside an attached message/rfc822 (lab callback about a culture); the new text is "FYI".
@template("ed-culture-callback-rfc822", True, "A: forward whose only PHI is an attached message/rfc822: culture result, patient name, phone and antibiotic change")
def ed_culture_callback_rfc822(c):
    from email.message import EmailMessage
    from email.utils import format_datetime
    o = org(c, c.choice(["%s Emergency Department", "%s Hospital ED", "%s Medical Center"]))
    uc = org(c, c.choice(["%s Urgent Care", "%s Primary Care", "%s Family Physicians"]), external=True)
    p = c.patient(minage=5, maxage=85)
    lf, ll, _ = c.staff("MLS")
    pf, pl, pc = c.staff("PharmD")
    bug = c.choice([("E. coli >100,000 CFU/mL", "cephalexin", "nitrofurantoin 100 mg BID x5d", "cephalexin", "urine"), ("Strep pyogenes", "none", "amoxicillin", "no antibiotic", "throat"),
                    ("MRSA", "cephalexin", "doxycycline 100 mg BID x7d", "cephalexin", "wound"), ("Klebsiella pneumoniae ESBL", "ciprofloxacin", "fosfomycin 3 g once", "ciprofloxacin", "urine")])
    inner = EmailMessage()
    inner["From"] = "%s %s <%s>" % (lf, ll, c.addr_at(lf, ll, o.domain))
    inner["To"] = "ED Culture Callback <edcallback@%s>" % o.domain
    inner["Subject"] = "Positive culture - %s %s" % (p.first, p.last) if c.chance(0.5) else "Positive culture"
    inner["Date"] = format_datetime(c.now.replace(tzinfo=dt.timezone(dt.timedelta(hours=-6))) - dt.timedelta(hours=3))
    inner.set_content("Patient: %s, %s  DOB %s  Ph %s\nED visit %s, discharged on %s\nCulture (%s): %s\nResistant to: %s\nPharmacist review: change to %s\n" % (
        p.last, p.first, fdate(p.dob, r=c.r), c.phone(), fdate(c.past(2, 4), "%m/%d/%Y"), bug[3], bug[4], bug[0], bug[1], bug[2]))
    body = c.pick("FYI - see attached. We could not reach the patient by phone x2; sending to the PCP listed at registration.",
                  "Forwarding the callback below for your follow-up, thanks.", "Please see the attached message from our lab. Letter mailed today as well.")
    body += "\n\n%s %s, %s\nED Pharmacy" % (pf, pl, pc)
    uf, ul, _ = c.staff("")
    return message(c, ("%s %s" % (pf, pl), c.addr_at(pf, pl, o.domain)), ("%s %s" % (uf, ul), c.addr_at(uf, ul, uc.domain)),
                   c.pick("FW: culture callback", "Culture follow-up", "FYI callback", "Unable to reach patient"), text=body,
                   attachments=[("callback.eml", "message", "rfc822", inner)])


# A: a scanned referral (PNG of real text pixels) is the only place the patient appears.
@template("scanned-referral-png", True, "A: scanned referral form as a PNG image (real text pixels): patient name, DOB, reason for referral")
def scanned_referral_png(c):
    o = org(c, c.choice(["%s Family Practice", "%s Primary Care", "%s Internal Medicine"]))
    sp_kind, reason = c.choice([("%s Gastroenterology", "Screening colonoscopy, FH colon ca (father age 52)"), ("%s ENT", "Chronic sinusitis, failed 3 courses abx"),
                                ("%s Endocrinology", "Thyroid nodule 2.1 cm, TI-RADS 4"), ("%s Allergy & Asthma", "Food allergy testing - peanut reaction"),
                                ("%s Gastroenterology", "Iron deficiency anemia, Hgb 9.1 - EGD/colonoscopy")])
    spec = org(c, sp_kind, external=True)
    p = c.patient()
    lines = ["# REFERRAL / CONSULTATION REQUEST", "To: %s" % spec.name, "From: %s" % o.name, "",
             "Patient: %s %s" % (p.first, p.last), "DOB: %s" % fdate(p.dob, "%m/%d/%Y"), "Phone: %s" % c.phone(1),
             "Insurance: %s  ID: %s" % (c.choice(["Aetna", "UHC", "Cigna", "Medicaid"]), c.member_id()), "",
             "Reason: %s" % reason, "Urgency: %s" % c.choice(["Routine", "Urgent - within 2 weeks"]), "Referring: %s" % c.staff_name("MD")]
    png = png_of_text(lines, c.r)
    first, last, cred = c.staff(c.choice(["MA", "Referral Coordinator"]))
    body = c.pick("Please see attached referral. Records to follow.", "Hi, attaching a scanned referral - our fax is down. Please call the patient to schedule.",
                  "Referral attached (scan). Thank you!")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Referrals", "referrals@" + spec.domain),
                   c.pick("Referral", "New referral (scan)", "Scanned referral", "Referral - please schedule"), text=body + "\n" + c.sign(o, first, last, cred),
                   attachments=[(c.choice(["scan_%s.png" % c.digits(4), "referral.png", "IMG_%s.png" % c.digits(4)]), "image", "png", png)])


# B: a bare Medicare MBI (lower case/spaced), Medicaid ID or prefixed member ID in an eligibility question; no name.
@template("bare-beneficiary-id", True, "B: a bare MBI (any case, spaced), Medicaid ID or prefixed member ID with no name, in a short eligibility question")
def bare_beneficiary_id(c):
    o = org(c, c.choice(["%s Ambulance Billing", "%s Dialysis", "%s Medical Supply", "%s Podiatry"]))
    kind = c.choice(["mbi", "mbi", "medicaid", "member"])
    val = {"mbi": c.mbi(c.choice([1, 2, 3, 3])), "medicaid": c.medicaid_id(), "member": c.member_id()}[kind]
    lab = {"mbi": c.choice(["mbi", "MBI#", "medicare id", "Medicare #"]), "medicaid": c.choice(["Mcaid #", "medicaid id", "MCD ID"]),
           "member": c.choice(["subscriber id", "member #", "ID on card"])}[kind]
    rf, rl, _ = c.staff("")
    dom = c.choice(["clearinghouse-support.example.com", "edi-helpdesk.example.net", "provider-enroll.example.org"])
    first, last, _ = c.staff("")
    txt = c.pick("can u re-run elig on %s %s - keeps coming back not found" % (lab, val),
                 "Hi %s,\n\nThe 270 for %s %s rejected with AAA 72. Is the format right on our end?" % (rf, lab, val),
                 "%s %s  -- pls check if active, dos next week" % (lab, val))
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (rf, rl), c.addr_at(rf, rl, dom)),
                   c.pick("elig", "eligibility question", "rejected 270", "quick check"), text=txt + "\n\n" + first + "\n" + o.name)


# A: an animal-bite report from urgent care: the human victim's name, DOB/address, wound and rabies PEP (a human's health).
@template("animal-bite-report", True, "A: animal-bite report to animal control naming the human patient with DOB/address, wound and rabies post-exposure prophylaxis")
def animal_bite_report(c):
    o = org(c, c.choice(["%s Urgent Care", "%s Emergency Department", "%s Walk-In Clinic"]))
    ac = org(c, "%s County Animal Services", external=True)
    p = c.patient(minage=4, maxage=85)
    st, city, state, z = c.address()
    af, al, _ = c.staff("")
    first, last, cred = c.staff(c.choice(["RN", "PA-C", "NP"]))
    animal = c.choice(["neighbor's dog (brown pit mix, 'Rocky')", "stray cat", "dog at a dog park, owner unknown", "family's new puppy, 10 wks, unvaccinated", "bat found in bedroom"])
    site = c.choice(["R hand, two puncture wounds", "L calf laceration 3 cm", "face/cheek, superficial", "L forearm, multiple punctures"])
    bite = c.past(0, 3)
    pep = c.choice(["Rabies PEP started: HRIG + vaccine day 0; next doses days 3, 7, 14", "No PEP - animal available for 10-day observation", "Tdap given; PEP pending observation result"])
    lines = ["Animal bite report", "Victim: %s %s, DOB %s" % (p.first, p.last, fdate(p.dob, r=c.r)), "Address: %s, %s %s %s" % (st, city, state, z),
             "Phone: %s" % c.phone(), "Date of bite: %s" % fdate(bite, "%m/%d/%Y"), "Animal: %s" % animal, "Wound: %s; irrigated, %s" % (site, c.choice(["Augmentin started", "closed with steri-strips", "left open"])),
             pep]
    body = "%s\n\n%s\n\n%s" % (c.greet(af), "\n".join(lines), c.sign(o, first, last, cred))
    if c.chance(0.5):
        return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (af, al), c.addr_at(af, al, ac.domain)),
                       c.pick("Animal bite report", "Bite report %s" % fdate(bite, "%m/%d"), "Reportable animal bite"), text=body)
    html = html_doc([c.greet(af), ("raw", html_table(["Field", "Value"], [l.split(": ", 1) if ": " in l else [l, ""] for l in lines[1:]], "gmail"), ""),
                     c.sign(o, first, last, cred)], "gmail")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (af, al), c.addr_at(af, al, ac.domain)),
                   c.pick("Animal bite report", "Bite report %s" % fdate(bite, "%m/%d")), html=html)


# A (LABELLING 3, file name): a records-release cover sheet whose only PHI is the attachment's file name (name + DOB + record type).
@template("roi-cover-phi-in-filename", True, "A/3: the only PHI is the attachment's file name (patient name + DOB + record type); the PDF is a blank fax/cover sheet")
def roi_cover_phi_in_filename(c):
    o = org(c, c.choice(["%s Medical Center", "%s Behavioral Health Hospital", "%s Sleep Center", "%s Orthopedic Institute"]))
    vendor = c.choice(["requests@recordsrelease-partners.example.com", "fulfillment@roi-services.example.net", "intake@chartcopy.example.com"])
    p = c.patient()
    kind = c.choice(["PSG_report", "MRI_Lspine", "psych_eval", "op_note", "discharge_summary", "PT_notes"])
    dob = c.choice([p.dob.strftime("%m%d%Y"), p.dob.strftime("%Y-%m-%d"), p.dob.strftime("%m-%d-%Y")])
    fname = c.choice(["%s_%s_%s_%s.pdf" % (p.last, p.first, dob, kind), "%s, %s DOB %s %s.pdf" % (p.last, p.first, dob, kind.replace("_", " ")),
                      "ROI_%s%s_%s_%s.pdf" % (p.last.upper(), p.first[0].upper(), dob, kind)])
    lines = ["# FAX / TRANSMITTAL COVER SHEET", "From: Health Information Management, %s" % o.name, "Pages: %d (including cover)" % c.r.randrange(2, 30),
             "Request type: %s" % c.choice(["Attorney", "Insurance", "Patient", "Continuity of care"]),
             "", "The documents accompanying this transmission are confidential. If you received this in error, call %s." % c.phone()]
    first, last, cred = c.staff(c.choice(["RHIT", "ROI Specialist", ""]))
    body = c.pick("Cover sheet for request #%s attached. Records will upload to the portal tonight." % c.digits(7),
                  "Hi, please match the attached cover to the open request and invoice the requester.",
                  "Attached per your checklist. Let me know if the requester's authorization is missing.")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Release Requests", vendor),
                   c.pick("ROI request #%s" % c.digits(6), "Cover sheet", "Records request - cover attached"), text=body + "\n" + c.sign(o, first, last, cred or None),
                   attachments=[(fname, "application", "pdf", pdf_bytes(lines))])


# A (subject only): the subject carries name + DOB/diagnosis + device data; the body is bare logistics.
@template("cpap-phi-only-in-subject", True, "A: only the subject carries the patient's name with DOB and CPAP/therapy facts; the body is logistics")
def cpap_phi_only_in_subject(c):
    o = org(c, c.choice(["%s Sleep Center", "%s Home Respiratory", "%s Pulmonary & Sleep"]))
    ext = org(c, c.choice(["%s Medical Supply", "%s Home Medical Equipment", "%s Family Medicine"]), external=True)
    p = c.patient(minage=30, maxage=85)
    rf, rl, _ = c.staff("")
    first, last, _ = c.staff(c.choice(["RRT", "RPSGT", "MA"]))
    subj = c.choice([
        "%s %s dob %s - CPAP compliance %d%% (<4h)" % (p.first, p.last, fdate(p.dob, "m/d/yy"), c.r.randrange(20, 69)),
        "RE: %s, %s %s - mask leak, AHI %.1f on APAP" % (p.last.upper(), p.first, fdate(p.dob, "%m/%d/%Y"), c.r.randrange(60, 250) / 10),
        "%s %s - 90 day download, needs new cushion (OSA)" % (p.first, p.last),
        "fw: %s %s new BiPAP setup %s" % (p.first.lower(), p.last.lower(), sloppy_date(c.future(1, 10), c.r, False))])
    body = c.pick("See subject. Can you call me when you get a chance? %s" % c.phone(), "pls handle, thx", "Following up on this one - any update?",
                  "%s - see subject line, fax coming." % rf)
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (rf, rl), c.addr_at(rf, rl, ext.domain)), subj,
                   text=body + "\n\n" + first + "\n" + o.name)
