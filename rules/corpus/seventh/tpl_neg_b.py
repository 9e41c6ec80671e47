"""Negative templates, part B (hard negatives: nothing in these messages needs protection)."""

import datetime as dt

from mailkit import (XLSX, csv_text, docx_bytes, DOCX, fdate, fhir_json, html_doc, html_table, message, org, pdf_bytes, sloppy,
                     sloppy_date, template, tm, vcard_text, xlsx_bytes, zip_bytes)


# 2 (LABELLING 3: blank form): health department education on filling in a case-report form; placeholders only.
@template("public-health-form-instructions", False, "2/3: public-health instructions for a notifiable-disease report form with placeholder fields and a blank PDF; no individual")
def public_health_form_instructions(c):
    o = org(c, c.choice(["%s County Health Department", "%s Public Health District"]))
    ext = org(c, c.choice(["%s Urgent Care", "%s Pediatrics", "%s Family Medicine"]), external=True)
    dz = c.sample(["pertussis", "measles", "hepatitis A", "Lyme disease", "salmonellosis", "mpox", "animal bites (rabies exposure)", "varicella"], 3)
    lines = ["# Confidential Morbidity Report - how to complete", "Patient name: [Last, First]", "Date of birth: MM/DD/YYYY", "Address / ZIP: __________",
             "Medical record #: __________", "Disease: ____________  Onset date: MM/DD/YYYY", "Lab: __________  Specimen date: MM/DD/YYYY",
             "Reporter: __________  Phone: __________", "", "Report within 24 hours: %s." % ", ".join(dz),
             "Fax to the epidemiology line or use the secure portal. Do NOT e-mail completed forms."]
    ef, el, cred = c.staff(c.choice(["MPH", "RN", "MD, MPH"]))
    body = "\n".join([c.greet(), "", c.pick("The state updated the morbidity report form effective %s. Key changes:", "Reminder: the revised confidential morbidity report (CMR) is required starting %s. What changed:",
                                             "Several practices asked about the new reporting form. It takes effect %s; the differences are:") % fdate(c.future(5, 40), "B d, Y"),
                      "  - SSN field removed; use MRN and DOB instead", "  - new checkboxes for pregnancy status and hospitalization",
                      "  - %s added to the 24-hour list" % dz[0], "", "A blank copy with field instructions is attached. Example entries in the guide use placeholders only.",
                      c.sign(o, ef, el, cred, title="Epidemiology")])
    return message(c, ("%s %s" % (ef, el), c.addr_at(ef, el, o.domain)), ("Infection Prevention", "ip@" + ext.domain),
                   c.pick("Updated morbidity report form", "Reminder: how to report notifiable diseases", "New CMR form - effective soon"), text=body,
                   attachments=[("CMR_form_instructions.pdf", "application", "pdf", pdf_bytes(lines))])


# 2: CDI/coding tips newsletter: ICD-10 codes and example query language, no patient.
@template("cdi-coding-tips-newsletter", False, "2: CDI/coding tips newsletter with ICD-10 codes and sample documentation language; no individual")
def cdi_coding_tips_newsletter(c):
    o = org(c, c.choice(["%s Medical Center", "%s Health System"]))
    ext = org(c, c.choice(["%s Hospitalist Group", "%s Surgical Associates"]), external=True)
    tips = c.sample([("Heart failure", "Specify type and acuity: I50.23 acute on chronic systolic; 'CHF' alone codes to I50.9."),
                     ("Sepsis", "Document the source and any organ dysfunction (e.g., R65.20 severe sepsis without shock)."),
                     ("Malnutrition", "Link to RD findings: E43 severe, E44.0 moderate; include BMI and weight-loss %."),
                     ("AKI", "N17.9 requires a documented diagnosis, not just a creatinine rise."),
                     ("Encephalopathy", "Metabolic (G93.41) vs toxic (G92.8) - state the cause."),
                     ("Pressure injury", "Stage and site: L89.154 sacral stage 4; POA status matters.")], 4)
    style = c.choice(["outlook", "gmail"])
    first, last, cred = c.staff("RN, CCDS")
    df, dl, _ = c.staff("MD")
    paras = [c.greet("Dr. %s" % dl), c.pick("CDI Corner - %s edition. This month's top query topics and how to avoid them:" % c.choice(["winter", "spring", "fall", "monthly"]),
                                              "Thanks for answering queries so quickly. A few documentation reminders from the CDI team:",
                                              "Our external audit flagged these documentation gaps across the medical staff (no individual cases):"),
             ("raw", html_table(["Topic", "Tip"], tips, style), ""),
             "Query volume this month: %d (response rate %d%%). Thank you!" % (c.r.randrange(80, 400), c.r.randrange(70, 98)), c.sign(o, first, last, cred)]
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Dr. %s %s" % (df, dl), c.addr_at(df, dl, ext.domain)),
                   c.pick("CDI Corner", "Documentation tips", "Coding tip of the month"), html=html_doc(paras, style))


# 2 / LABELLING 3: new-provider announcement to referring offices with NPI, board certification and the provider's vCard.
@template("new-provider-announcement-vcard", False, "2/3: announcement of a new clinician with NPI, licence, board certification and the clinician's vCard; workforce, no patient")
def new_provider_announcement_vcard(c):
    kind, cred0, lic, interests = c.choice([("%s Sleep & Pulmonary", "MD", "MD", ["insomnia", "pediatric sleep", "narcolepsy"]), ("%s Chiropractic", "DC", "DC", ["sports injuries", "prenatal care", "whiplash"]),
                                            ("%s Optometry", "OD", "OD", ["low vision", "dry eye", "myopia control"]), ("%s Genetics Clinic", "MS, CGC", "GC", ["hereditary cancer", "prenatal genetics", "cardiogenetics"]),
                                            ("%s Periodontics", "DDS, MS", "DDS", ["implants", "gum grafting", "laser therapy"])])
    o = org(c, kind)
    ext = org(c, c.choice(["%s Family Medicine", "%s Internal Medicine"]), external=True)
    f, l, cred = c.staff(cred0)
    npi = c.npi()
    first, last, _ = c.staff("")
    rf, rl, _ = c.staff("MD")
    body = "\n".join([c.greet("Dr. %s" % rl), "",
                      c.pick("We're pleased to welcome %s %s, %s to %s, starting %s.", "%s %s, %s joins %s on %s and is accepting new referrals.",
                             "Please welcome %s %s, %s - the newest member of %s, seeing patients from %s.") % (f, l, cred, o.name, fdate(c.future(5, 40), "B d")),
                      "NPI %s | State licence %s%s | %s" % (npi, lic, c.digits(6), c.choice(["Board certified", "ABGC certified", "Board eligible"])),
                      "Special interests: %s." % ", ".join(c.sample(interests, 2)),
                      "Referrals: fax %s or e-referral. New-patient slots available within 2 weeks." % c.phone(),
                      "Contact card attached.", c.sign(o, first, last, None, title="Physician Liaison")])
    vcf = vcard_text(f, l, org_name=o.name, title=cred, phone=c.phone(), email=c.addr_at(f, l, o.domain), note="NPI %s" % npi)
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Dr. %s %s" % (rf, rl), c.addr_at(rf, rl, ext.domain)),
                   c.pick("Welcome %s %s, %s" % (f, l, cred), "New provider accepting referrals", "Introducing our newest clinician"), text=body,
                   attachments=[("%s_%s.vcf" % (l, f), "text", "vcard", vcf)])


# 3: PBM step-therapy / formulary bulletin to prescribers; drugs and criteria only.
@template("pbm-step-therapy-bulletin", False, "3: PBM/health-plan step-therapy and formulary-exception bulletin to prescribers; drugs, tiers, criteria, no member")
def pbm_step_therapy_bulletin(c):
    o = org(c, c.choice(["%s Health Plan", "%s Pharmacy Benefit Services"]))
    ext = org(c, c.choice(["%s Medical Group", "%s Clinic"]), external=True)
    rows = c.sample([["Dupixent", "Tier 5", "Step: topical steroid + calcineurin inhibitor x 8 wks"], ["Ozempic", "Tier 3", "T2DM dx required; not for weight loss"],
                     ["Humira biosimilars", "Preferred", "Brand Humira requires formulary exception"], ["Nurtec ODT", "Tier 4", "Step: 2 triptans"],
                     ["Xarelto", "Tier 2", "No PA"], ["Vyvanse", "Tier 3", "PA for age > 18"], ["Symbicort", "Tier 3", "Generic budesonide/formoterol preferred"]], 5)
    style = c.choice(["outlook", "gmail"])
    pf, pl, _ = c.staff("MD")
    paras = [c.greet(), "Effective %s the following step-therapy and formulary changes apply to all commercial and Medicaid members:" % fdate(c.future(15, 60), "B d, Y"),
             ("raw", html_table(["Drug", "Status", "Criteria"], rows, style), ""),
             "Formulary exception requests: submit the member's ID, diagnosis and prior trials through the portal - please do not e-mail them.",
             c.sign(o, title="Pharmacy Services")]
    return message(c, ("%s Pharmacy Services" % o.name if "Plan" in o.name else o.name, "pharmacy.bulletin@" + o.domain), ("Dr. %s %s" % (pf, pl), c.addr_at(pf, pl, ext.domain)),
                   c.pick("Step therapy changes", "Formulary update - action needed", "Pharmacy bulletin"), html=html_doc(paras, style))


# 2: vendor payment remittance (check/ACH number, invoice numbers, EIN); looks like an EOB but pays a vendor.
@template("vendor-ach-remittance", False, "2: accounts-payable remittance advice to a vendor: invoice numbers, ACH trace, EIN; business payment, no patient")
def vendor_ach_remittance(c):
    o = org(c, c.choice(["%s Medical Center", "%s Health Partners", "%s Dental Group"]))
    v = org(c, c.choice(["%s Linen Services", "%s Biomedical Repair", "%s Interpreting Services", "%s Courier"]), external=True)
    rows = []
    tot = 0
    for _ in range(c.r.randrange(3, 8)):
        amt = c.r.randrange(150, 9000) + c.r.randrange(100) / 100
        tot += amt
        rows.append(["INV-%s" % c.digits(6), fdate(c.past(20, 60), "%m/%d/%Y"), "%.2f" % amt, "0.00", "%.2f" % amt])
    first, last, _ = c.staff("")
    vf, vl, _ = c.staff("")
    style = c.choice(["outlook", "gmail"])
    paras = [c.pick("Remittance advice", "Payment notification", "Hello, the payment below was released today."), "Payee: %s   Vendor #: V%s   Payer EIN: %s-%s" % (v.name, c.digits(5), c.digits(2), c.digits(7)),
             "Payment: ACH trace %s, settlement %s" % (c.digits(15), fdate(c.future(1, 3), "%m/%d/%Y")),
             ("raw", html_table(["Invoice", "Inv date", "Gross", "Discount", "Paid"], rows, style), ""),
             "Total paid: $%.2f" % tot, c.sign(o, first, last, None, title="Accounts Payable")]
    return message(c, ("Accounts Payable", "ap@" + o.domain), ("%s %s" % (vf, vl), c.addr_at(vf, vl, v.domain)),
                   c.pick("Remittance advice", "Payment notification - ACH", "Remit %s" % c.digits(8)), html=html_doc(paras, style))


# 3: DME/chiro fee schedule with HCPCS/CPT codes and prices as CSV.
@template("fee-schedule-csv", False, "3: fee schedule (HCPCS/CPT/CDT codes with prices) as a CSV; no individual")
def fee_schedule_csv(c):
    kind, codes = c.choice([("%s Home Medical Equipment", [("E0601", "CPAP device", 86.5, "RR"), ("A7030", "Full face mask", 145.2, "NU"), ("A7034", "Nasal pillows", 88.0, "NU"),
                                                            ("E0562", "Heated humidifier", 31.0, "RR"), ("E0149", "Walker, heavy duty", 155.0, "NU"), ("E0143", "Walker, folding, wheeled", 97.0, "NU")]),
                            ("%s Chiropractic", [("98940", "CMT 1-2 regions", 36.0, ""), ("98941", "CMT 3-4 regions", 48.0, ""), ("97110", "Therapeutic exercise 15 min", 31.2, "GP"),
                                                 ("97140", "Manual therapy 15 min", 29.8, "GP"), ("97012", "Mechanical traction", 14.6, "GP"), ("99203", "New patient E/M", 110.0, "25")]),
                            ("%s Dental Group", [("D0120", "Periodic oral evaluation", 48.0, ""), ("D1110", "Prophylaxis adult", 92.0, ""), ("D4341", "SRP 4+ teeth", 210.0, ""),
                                                 ("D4910", "Periodontal maintenance", 128.0, ""), ("D2740", "Crown porcelain/ceramic", 1050.0, ""), ("D0274", "Bitewings, four films", 62.0, "")]),
                            ("%s Optical", [("92015", "Refraction", 45.0, ""), ("V2020", "Frames", 61.0, ""), ("V2100", "Single vision lens", 38.0, "RT"), ("V2200", "Bifocal lens", 52.0, "LT"),
                                            ("92310", "Contact lens fitting", 75.0, ""), ("V2520", "Soft contact lens", 29.0, "")])])
    o = org(c, kind)
    payer = org(c, c.choice(["%s Health Plan", "%s Workers' Comp Network"]), external=True)
    rows = [[cd, d, "%.2f" % p, "%.2f" % (p * c.choice([0.8, 0.85, 0.9])), m] for cd, d, p, m in c.sample(codes, 5)]
    csv = csv_text(["Code", "Description", "Billed", "Proposed allowed", "Modifier"], rows)
    first, last, _ = c.staff("")
    pf, pl, _ = c.staff("")
    body = c.pick("Hi %s,\n\nAttached is our proposed %d fee schedule for the contract renewal." % (pf, c.today.year + 1),
                  "%s - here are the codes we discussed; allowed amounts are our counter-proposal." % pf, "Please see attached fee schedule.")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (pf, pl), c.addr_at(pf, pl, payer.domain)),
                   c.pick("Fee schedule %d" % (c.today.year + 1), "Contract renewal - rates", "Proposed rates"), text=body + "\n" + c.sign(o, first, last, None),
                   attachments=[("fee_schedule.csv", "text", "csv", csv)])


GLOSS = [("diabetes", "bệnh tiểu đường", "diyabetis", "糖尿病", "diabète", "diabetes", "dyabèt"),
         ("high blood pressure", "cao huyết áp", "altapresyon", "高血压", "hypertension", "pressão alta", "tansyon wo"),
         ("appointment", "cuộc hẹn", "appointment / tipanan", "预约", "rendez-vous", "consulta", "randevou"),
         ("take twice a day", "uống hai lần mỗi ngày", "inumin dalawang beses isang araw", "每日两次", "deux fois par jour", "duas vezes ao dia", "de fwa pa jou"),
         ("date of birth", "ngày sinh", "petsa ng kapanganakan", "出生日期", "date de naissance", "data de nascimento", "dat nesans"),
         ("insurance card", "thẻ bảo hiểm", "insurance card", "保险卡", "carte d'assurance", "cartão do seguro", "kat asirans"),
         ("test result", "kết quả xét nghiệm", "resulta ng test", "检查结果", "résultat d'analyse", "resultado do exame", "rezilta tès")]


# 2: translation vendor glossary (English with vi/tl/zh/fr/pt/ht equivalents) for the clinic's letter templates; no individual.
@template("translation-glossary-multilingual", False, "2: translation glossary/term list in Vietnamese, Tagalog, Chinese, French, Portuguese and Haitian Creole for letter templates; no individual")
def translation_glossary_multilingual(c):
    o = org(c, c.choice(["%s Community Health Center", "%s Health Equity Office", "%s Medical Group"]))
    v = org(c, c.choice(["%s Language Solutions", "%s Translation Services"]), external=True)
    rows = c.sample(GLOSS, 5)
    first, last, _ = c.staff(c.choice(["", "MPH"]))
    vf, vl, _ = c.staff("")
    style = c.choice(["outlook", "gmail"])
    paras = [c.greet(vf), "Our health-literacy committee reviewed the glossary for the after-visit summary templates. Please use these terms in the next batch:",
             ("raw", html_table(["English", "Tiếng Việt", "Tagalog", "中文", "Français", "Português", "Kreyòl"], rows, style), ""),
             c.pick("Template placeholders like {PATIENT_NAME} and {DOB} must stay untranslated.", "Keep the placeholders ([Name], [Date]) in English brackets.", "Turnaround for the 6 templates: 10 business days?"),
             c.sign(o, first, last, None, title="Language Access")]
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (vf, vl), c.addr_at(vf, vl, v.domain)),
                   c.pick("Glossary for AVS templates", "Terminology list - 6 languages", "Translation batch %s" % c.digits(4)), html=html_doc(paras, style))


# 2: blood drive recruitment to a community list: blood types, eligibility rules, donor card; no individual.
@template("blood-drive-recruitment", False, "2: blood-drive recruitment to a list: blood types in demand, general eligibility rules; no individual")
def blood_drive_recruitment(c):
    o = org(c, c.choice(["%s Regional Medical Center Blood Donor Program", "%s Hospital Blood Bank"]))
    p = c.patient(minage=20)
    day = c.future(5, 30)
    paras = [c.pick("Hi %s," % p.first, "Dear donor,", "Hello neighbor,"),
             c.pick("Our blood supply is critically low - O negative and B negative are under a 2-day supply.",
                    "Summer travel has cut donations by a third; platelets and type O are needed most.",
                    "One donation can help up to three people. Every blood type is needed this month."),
             "Blood drive: %s, %s-%s at %s." % (fdate(day, "B d"), tm(dt.time(9, 0)), tm(dt.time(15, 0)), c.choice(["the main lobby", "the community center", "the mobile bus in lot C"])),
             "You can donate if you are 16+, weigh at least 110 lb and feel well. Wait 8 weeks after whole blood. Travel and medication questions? See our eligibility page.",
             "Bring your donor card or photo ID. Every donor gets a T-shirt and a free cholesterol check.",
             "Unsubscribe: https://%s/donor/unsub" % o.domain]
    style = c.choice(["outlook", "gmail"])
    return message(c, (o.name, "donors@" + o.domain), ("%s %s" % (p.first, p.last), c.webmail(p)),
                   c.pick("We need you: blood drive %s" % fdate(day, "m/d"), "Type O? Your donation is needed", "Blood drive this month"), html=html_doc(paras, style))


# 2: clinical-trial monitoring visit logistics: protocol/IRB numbers, enrolment counts, staff only.
@template("trial-monitoring-visit-logistics", False, "2: sponsor monitoring-visit logistics: protocol and IRB numbers, enrolment counts, staff and rooms; no subject")
def trial_monitoring_visit_logistics(c):
    o = org(c, c.choice(["%s Research Institute", "%s Clinical Research Unit", "%s Sleep Research Center"]))
    cro = org(c, c.choice(["%s Clinical Research", "%s CRO Services"]), external=True)
    cf, cl, _ = c.staff("")
    first, last, cred = c.staff(c.choice(["CCRC", "RN, CCRP"]))
    day = c.future(5, 25)
    body = "\n".join([c.greet(cf), "",
                      c.pick("Confirming your interim monitoring visit for protocol %s-%s (IRB #%s) on %s, 9:00-4:00.", "We have you down for the IMV on protocol %s-%s (IRB #%s), %s. Coordinator space is booked all day.",
                             "Re protocol %s-%s / IRB #%s: the monitoring visit on %s works for us.") % (c.choice(["ABX", "SLP", "ONC", "RESP"]), c.digits(3), c.digits(8), fdate(day, "B d, Y")),
                      "Status: %d screened, %d enrolled, %d screen failures, %d early terminations." % (c.r.randrange(20, 60), c.r.randrange(5, 20), c.r.randrange(3, 15), c.r.randrange(0, 4)),
                      "Subject binders and source documents will be in %s; EMR access is read-only via the monitor account." % c.choice(["room B204", "room 3-118", "the research office"]),
                      "Please do not take photos of source documents or remove any subject records from the site.",
                      "PI: %s. Sub-I: %s." % (c.staff_name("MD"), c.staff_name(c.choice(["MD", "NP"]))), c.sign(o, first, last, cred)])
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (cf, cl), c.addr_at(cf, cl, cro.domain)),
                   c.pick("IMV confirmation", "Monitoring visit %s" % fdate(day, "%m/%d"), "Re: site visit"), text=body)


# 2: education office sends BLS/ACLS card expirations with staff names, employee IDs and eCard codes (employment record).
@template("staff-bls-expiry-list", False, "2: staff BLS/ACLS card expirations with names, employee IDs, eCard codes and dates to a training vendor; employment record")
def staff_bls_expiry_list(c):
    o = org(c, c.choice(["%s Medical Center", "%s Surgery Center", "%s Dialysis"]))
    v = org(c, c.choice(["%s CPR Training", "%s Life Support Education"]), external=True)
    rows = []
    for _ in range(c.r.randrange(5, 12)):
        f, l, cred = c.staff()
        rows.append(["%s %s" % (f, l), cred, "E%s" % c.digits(6), c.choice(["BLS", "ACLS", "PALS"]), c.future(5, 60), "%s%s" % (c.digits(6), c.choice(["A", "B", "C"]) + c.digits(5))])
    data = xlsx_bytes([("Expiring", ["Name", "Credential", "Employee ID", "Course", "Card expires", "eCard code"], rows)])
    first, last, cred = c.staff("RN, MSN")
    vf, vl, _ = c.staff("")
    body = c.pick("Hi %s,\n\nAttached are the staff whose cards expire in the next 60 days. Can you hold seats in the %s classes?" % (vf, c.choice(["Tuesday", "Saturday"])),
                  "%s - roster for the on-site renewal class attached. Employee IDs are for our LMS import." % vf, "Please see the attached expiration list.")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (vf, vl), c.addr_at(vf, vl, v.domain)),
                   c.pick("BLS/ACLS renewals", "Expiring certifications", "Class roster"), text=body + "\n" + c.sign(o, first, last, cred, title="Clinical Education"),
                   attachments=[("expiring_cards.xlsx", XLSX[0], XLSX[1], data)])


# LABELLING 3: FHIR sample with no patient (Practitioner / PractitionerRole directory).
@template("fhir-practitioner-directory", False, "3: FHIR Bundle of Practitioner/PractitionerRole resources (NPIs, specialties, office phones); no patient")
def fhir_practitioner_directory(c):
    o = org(c, c.choice(["%s Health Plan", "%s Provider Network"]))
    ent = []
    for i in range(c.r.randrange(3, 7)):
        f, l, cred = c.staff(c.choice(["MD", "DO", "NP", "DC", "OD"]))
        ent.append({"resource": {"resourceType": "Practitioner", "id": "pr%d" % i, "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": c.npi()}],
                                 "name": [{"family": l, "given": [f], "suffix": [cred]}], "telecom": [{"system": "phone", "value": c.phone(1), "use": "work"}]}})
        ent.append({"resource": {"resourceType": "PractitionerRole", "practitioner": {"reference": "Practitioner/pr%d" % i},
                                 "specialty": [{"text": c.choice(["Sleep medicine", "Chiropractic", "Optometry", "Pediatrics", "Addiction medicine"])}],
                                 "availableTime": [{"daysOfWeek": ["mon", "wed", "fri"]}], "newPatient": c.choice([True, False])}})
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": len(ent) // 2, "entry": ent}
    first, last, _ = c.staff("")
    dom = c.choice(["devportal-app.example.com", "directory-sync.example.net"])
    body = c.pick("Attached is the sample response from our Provider Directory API (PDex Plan-Net) for your integration testing.",
                  "Here's a page of the practitioner search results; note PractitionerRole.newPatient is now populated.", "Sample bundle attached as requested.")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Integration Team", "integrations@" + dom),
                   c.pick("Provider directory API sample", "FHIR directory bundle", "Plan-Net sample response"), text=body + "\n\n%s %s\nInteroperability, %s" % (first, last, o.name),
                   attachments=[("practitioners.json", "application", "fhir+json", fhir_json(bundle))])


# 2 (HIPAA/compliance style): patient-portal how-to to a list, with masked examples only.
@template("portal-howto-masked-examples", False, "2: portal how-to mailed to a subscriber list (one subscriber per message), masked examples (XXXXXX1234, **/**/****); no individual health or care fact")
def portal_howto_masked_examples(c):
    o = org(c, c.choice(["%s Health", "%s Medical Group", "%s Community Clinics"]))
    p = c.patient(minage=20)
    lang = c.choice(["en", "en", "es", "vi"])
    steps = {"en": ["Go to https://mychart.%s and choose 'Sign up'." % o.domain, "Enter the activation code from our website or front desk (example: XXXXX-XXXXX).",
                    "Verify with your date of birth (**/**/****) and ZIP.", "Your statements show only the last four digits of your account (Account # XXXXXX%s)." % c.digits(4)],
             "es": ["Visite https://mychart.%s y elija 'Registrarse'." % o.domain, "Escriba el código de activación (ejemplo: XXXXX-XXXXX).",
                    "Verifique con su fecha de nacimiento (**/**/****).", "Sus estados de cuenta muestran solo los últimos 4 dígitos (Cuenta # XXXXXX%s)." % c.digits(4)],
             "vi": ["Vào https://mychart.%s và chọn 'Đăng ký'." % o.domain, "Nhập mã kích hoạt (ví dụ: XXXXX-XXXXX).",
                    "Xác minh bằng ngày sinh (**/**/****).", "Hóa đơn chỉ hiện 4 số cuối của tài khoản (Account # XXXXXX%s)." % c.digits(4)]}[lang]
    paras = [c.pick("Dear neighbors,", "Hello from %s," % o.name, "Hi %s," % p.first), "Our patient portal moved to a new login on %s. Here's how to get in:" % fdate(c.future(3, 20), "B d"),
             "\n".join("%d. %s" % (i + 1, s) for i, s in enumerate(steps)),
             "We will never ask for your Social Security number or full card number by e-mail. Questions: %s." % c.phone(),
             "You received this because you subscribed to news and updates from %s." % o.name]
    style = c.choice(["outlook", "gmail"])
    return message(c, (o.name, "portal@" + o.domain), ("%s %s" % (p.first, p.last), c.webmail(p)),
                   c.pick("New portal login - how to sign in", "Your patient portal is changing", "Portal update / Actualización del portal"), html=html_doc(paras, style))


# 2: badly written staff logistics (supplies, rooms, schedules) with clinical words but no patient.
@template("sloppy-staff-logistics", False, "2: lower-case, unpunctuated staff messages about supplies, rooms and coverage; clinical words, staff names, no patient")
def sloppy_staff_logistics(c):
    o = org(c, c.choice(["%s Sleep Lab", "%s Pediatrics", "%s Urgent Care", "%s Dental Group", "%s Home Health"]))
    ext = org(c, c.choice(["%s Staffing", "%s Medical Supply", "%s Courier"]), external=True)
    ef, el, _ = c.staff("")
    first, last, _ = c.staff("RN")
    dr = c.staff()[1].lower()
    txt = c.pick(
        "hey %s can u send 2 more cases of the medium cpap masks and the pediatric spacers b4 the %s. dr %s says were out. thx" % (ef.lower(), sloppy_date(c.future(2, 8), c.r, False), dr),
        "hi its %s. need a prn rn for the %s shift on the %s, 7a-7p, bls required. pls confirm asap" % (first.lower(), c.choice(["day", "night"]), sloppy_date(c.future(2, 10), c.r, False)),
        "pickup moved to 4pm tmrw bc the lab is closed at 3. %d boxes ambient 1 frozen. tracking %s" % (c.r.randrange(1, 5), c.ups()),
        "%s the autoclave is down again room 3 so we cant do extractions til its fixed. can ur tech come %s" % (ef.lower(), sloppy_date(c.future(1, 4), c.r, False)))
    txt = sloppy(txt, c.r, lower=True, typos=0.05)
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (ef, el), c.addr_at(ef, el, ext.domain)),
                   c.pick("", "supplies", "shift", "tmrw", "fyi", "re: order"), text=txt + "\n\n" + first.lower())
