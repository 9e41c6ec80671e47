"""Negative templates, part A (hard negatives: nothing in these messages needs protection)."""

import datetime as dt

from mailkit import (XLSX, csv_text, esc, fdate, gmail_quote, html_doc, html_table, ics_text, message, org, pdf_bytes, sloppy,
                     sloppy_date, template, tm, vcard_text, xlsx_bytes)

PETS = [("Bella", "Labrador retriever", "canine"), ("Max", "German shepherd", "canine"), ("Luna", "domestic shorthair", "feline"),
        ("Charlie", "beagle", "canine"), ("Milo", "Maine coon", "feline"), ("Daisy", "golden retriever", "canine"),
        ("Oliver", "Siamese", "feline"), ("Rocky", "boxer", "canine"), ("Coco", "miniature poodle", "canine"), ("Nala", "ragdoll", "feline")]


# 2/3 (decided, LABELLING 3): a pet's health record, bloodwork or estimate to the owner; owner's name/address with no human health fact.
@template("vet-clinic-owner-mail", False, "2/3: veterinary reminder, lab result or estimate about an animal; the owner's name and address carry no human health or care fact")
def vet_clinic_owner_mail(c):
    o = org(c, c.choice(["%s Animal Hospital", "%s Veterinary Clinic", "%s Pet Care Center"]))
    own = c.patient(minage=25, maxage=80)
    pet, breed, sp = c.choice(PETS)
    pdob = c.past(365 * 2, 365 * 13)
    st, city, state, z = c.address()
    first, last, cred = c.staff("DVM")
    kind = c.choice(["reminder", "labs", "estimate"])
    if kind == "reminder":
        lines = ["Dear %s %s," % (own.first, own.last), "Our records show %s (%s, born %s) is due for:" % (pet, breed, fdate(pdob, "%m/%d/%Y")),
                 "  - Rabies vaccine (tag #%s expires %s)" % (c.digits(6), fdate(c.future(5, 30), "%m/%d/%Y")),
                 "  - %s" % c.choice(["DHPP booster", "FVRCP booster", "Heartworm test", "Dental cleaning under anesthesia"]),
                 "  - Annual wellness exam and fecal",
                 "Book online or call %s. Account #%s, %s, %s %s." % (c.phone(), c.digits(6), st, city, z)]
    elif kind == "labs":
        lines = ["Hi %s," % own.first, "%s's senior bloodwork from %s came back. BUN %d, creatinine %.1f, SDMA %d - early kidney changes (IRIS stage %d)." % (pet, fdate(c.past(1, 6), "m/d"), c.r.randrange(30, 60), c.r.randrange(18, 32) / 10, c.r.randrange(15, 25), c.r.randrange(1, 3)),
                 "Dr. %s recommends a renal diet and rechecking in 3 months. %s's weight was %d lb." % (last, pet, c.r.randrange(8, 80)),
                 "Patient: %s (%s, %s)   Client: %s %s, %s" % (pet, sp, breed, own.first, own.last, c.phone())]
    else:
        rows = [["Exam", "$68.00"], ["Anesthesia & monitoring", "$%d.00" % c.r.randrange(200, 450)], [c.choice(["Mass removal", "Dental extractions (3)", "TPLO surgery", "Foreign body removal"]), "$%d.00" % c.r.randrange(400, 4200)],
                ["Pain meds (carprofen 75 mg)", "$42.50"], ["E-collar", "$18.00"]]
        lines = ["Hello %s," % own.first, "Here is the estimate for %s's procedure on %s:" % (pet, fdate(c.future(3, 20), "B d, Y"))] + ["  %s ... %s" % tuple(r) for r in rows] + \
                ["A deposit of 50%% is due at drop-off. Client #%s." % c.digits(6)]
    body = "\n".join(lines) + "\n" + c.sign(o, first, last, cred)
    subj = {"reminder": c.pick("%s is due for vaccines" % pet, "Reminder from %s" % o.name, "%s's annual visit" % pet),
            "labs": c.pick("%s's lab results" % pet, "Bloodwork results for %s" % pet), "estimate": c.pick("Estimate for %s" % pet, "%s - surgery estimate" % pet)}[kind]
    return message(c, ("%s" % o.name, "frontdesk@" + o.domain), ("%s %s" % (own.first, own.last), c.webmail(own)), subj, text=body)


# 2/3: vet-to-vet specialty referral with the pet's DOB, owner phone, murmur/echo: animal care only.
@template("vet-specialty-referral", False, "2/3: veterinary referral to a specialty hospital; pet's DOB and diagnosis, owner's contact details, no human health fact")
def vet_specialty_referral(c):
    o = org(c, c.choice(["%s Veterinary Hospital", "%s Animal Clinic"]))
    sp = org(c, c.choice(["%s Veterinary Specialists", "%s Animal Referral Center"]), external=True)
    own = c.patient(minage=25, maxage=80)
    pet, breed, species = c.choice(PETS)
    pdob = c.past(365 * 3, 365 * 14)
    first, last, cred = c.staff("DVM")
    dx, med = c.choice([("grade 4/6 left apical systolic murmur, suspect MMVD", "pimobendan 5 mg BID"), ("hypercalcemia (iCa 1.9), r/o lymphoma", "prednisone 10 mg SID (started before referral)"),
                        ("non-weight-bearing lameness RH, cranial drawer positive", "carprofen 75 mg BID"), ("seizures x3 in 48 h", "levetiracetam 500 mg TID"),
                        ("persistent proteinuria, UPC 3.2", "benazepril 5 mg SID")])
    body = "\n".join([c.greet("Dr. %s" % c.staff()[1]), "",
                      "Referring %s %s, a %s %s (DOB %s, %s), for %s." % (c.choice(["our patient", ""]), pet, c.choice(["MN", "FS", "MI", "FI"]), breed, fdate(pdob, "%m/%d/%Y"), species, dx),
                      "Meds: %s." % med,
                      "Owner: %s %s, %s. Owner prefers morning appointments." % (own.first, own.last, c.phone()),
                      "Records and radiographs are uploaded to your portal under client #%s." % c.digits(6),
                      c.sign(o, first, last, cred)])
    return message(c, ("%s %s, %s" % (first, last, cred), c.addr_at(first, last, o.domain)), ("Referrals", "referrals@" + sp.domain),
                   c.pick("Referral: %s (%s)" % (pet, breed), "New referral - cardiology", "Referral for %s %s" % (pet, own.last)), text=body)


# 2: dental practice marketing newsletter to a list ("Dear <first name>", whitening promo, generic reminders).
@template("dental-marketing-newsletter-html", False, "2: dental practice newsletter/promotion to a mailing list; 'Dear <first name>' and generic reminders, no addressee health fact")
def dental_marketing_newsletter_html(c):
    o = org(c, c.choice(["%s Family Dentistry", "%s Smile Studio", "%s Dental Arts"]))
    p = c.patient(minage=20)
    promo = c.choice(["$99 in-office whitening through %s" % fdate(c.future(10, 40), "B d"), "Free Invisalign consult this month", "20% off night guards",
                      "Refer a friend, get a $25 gift card"])
    paras = ["Dear %s," % p.first, "Happy %s from everyone at %s!" % (["winter", "spring", "summer", "fall"][(c.today.month % 12) // 3] if c.today.month not in (12,) else "holidays", o.name),
             "This month: %s." % promo,
             c.pick("Did you know? Gum disease affects nearly half of adults over 30. Regular cleanings, flossing and a soft brush help.",
                    "Most dental plans cover two cleanings a year - check your benefits before they reset in January.",
                    "Sealants can prevent up to 80% of cavities in children's back teeth. Ask us whether they make sense for your family."),
             "Meet our new hygienist, %s, RDH, who joins us from %s." % (" ".join(c.staff()[:2]), c.choice(["Portland", "Denver", "Austin"])),
             "Book online at https://%s/book or call %s." % (o.domain, c.phone()),
             "You are receiving this because you subscribed at %s. Unsubscribe: https://%s/u?e=%s" % (o.domain, o.domain, c.digits(10))]
    style = c.choice(["outlook", "gmail"])
    html = html_doc(paras, style)
    if c.chance(0.5):
        return message(c, (o.name, "news@" + o.domain), ("%s %s" % (p.first, p.last), c.webmail(p)), c.pick("Smile news", "This month at %s" % o.name, promo.split(" through")[0]), html=html)
    return message(c, (o.name, "news@" + o.domain), ("%s %s" % (p.first, p.last), c.webmail(p)), c.pick("Smile news", "This month at %s" % o.name),
                   text="\n\n".join(paras), html=html)


# 2: job posting for a school-based / pediatric nurse: licences, certifications, duties described generically.
@template("nurse-job-posting", False, "2: job posting (school-based or clinic RN): licence/certification requirements, duties in general terms, pay; no patient")
def nurse_job_posting(c):
    o = org(c, c.choice(["%s Children's Health", "%s School-Based Health Centers", "%s Pediatric Network", "%s Behavioral Health"]))
    role, duties = c.choice([("School-Based Health Center RN", ["asthma action plans and inhaler teaching", "screenings (vision, hearing, scoliosis)", "medication administration and MAR documentation", "HIPAA/FERPA-compliant record keeping"]),
                             ("Pediatric Asthma Nurse Educator", ["asthma action plans and inhaler teaching", "spirometry coaching", "home trigger assessments", "care coordination with PCPs"]),
                             ("Sleep Lab RN", ["CPAP titration assistance", "patient education on sleep hygiene", "care coordination with PCPs", "medication reconciliation"]),
                             ("SUD Program Nurse (MAT)", ["methadone dosing under standing orders", "intake assessments including PHQ-9 and AUDIT-C", "medication administration and MAR documentation", "42 CFR Part 2-compliant record keeping"]),
                             ("LTC Transfer Nurse Coordinator", ["transfer packet review", "medication reconciliation", "care coordination with PCPs", "family communication"])])
    rf, rl, _ = c.staff("")
    cand = c.patient(minage=24, maxage=60)
    body = "\n".join([c.greet(cand.first), "",
                      "We are hiring a %s (req #%s) at %s." % (role, c.digits(6), o.name),
                      "Duties: %s." % "; ".join(c.sample(duties, 3)),
                      "Requirements: active RN licence, BLS; %s preferred. %d+ years experience." % (c.choice(["NCSN", "AE-C", "RPSGT", "CARN"]), c.r.randrange(1, 4)),
                      "Pay: $%d-$%d/hr, sign-on bonus $%d,000. Schedule: %s." % (c.r.randrange(36, 44), c.r.randrange(45, 58), c.r.randrange(2, 10), c.choice(["M-F days, school calendar", "3x12 nights", "4x10"])),
                      "Apply: https://careers.%s/jobs/%s" % (o.domain, c.digits(6)),
                      c.sign(o, rf, rl, None, title="Talent Acquisition")])
    return message(c, ("%s %s" % (rf, rl), c.addr_at(rf, rl, o.domain)), ("%s %s" % (cand.first, cand.last), c.webmail(cand)),
                   c.pick("Opportunity: %s" % role, "We're hiring - %s" % role, "%s position" % role), text=body)


# 2 / LABELLING 3: IT ticket about an HL7 interface: field names (PID-3, MRN, DOB) and placeholders only.
@template("ehr-interface-ticket-placeholders", False, "2/3: IT ticket about an EHR/HL7 interface: field names, counts, staff; sample segments with placeholders, no patient")
def ehr_interface_ticket_placeholders(c):
    o = org(c, c.choice(["%s Health System", "%s Medical Center"]))
    vendor = c.choice(["support@interfaceengine.example.com", "tickets@ehr-vendor.example.com", "servicedesk@labconnect.example.net"])
    first, last, _ = c.staff("")
    tk = "INC%s" % c.digits(7)
    seg = c.choice(["PID|1||<MRN>^^^<AA>^MR||<LAST>^<FIRST>^<MI>||<YYYYMMDD>|<SEX>", "PID|1||{{mrn}}||{{family}}^{{given}}||{{dob}}|{{sex}}",
                    "PID|1||XXXXXXXX||PATIENT^TEST||19000101|U"])
    body = "\n".join([c.greet(), "",
                      "Ticket %s - %s" % (tk, c.choice(["ADT feed to lab system queuing", "ORU results not filing to chart", "duplicate MRNs created by registration interface", "SIU scheduling messages rejected"])),
                      "Impact: %d messages queued since %s; 3 units affected (%s)." % (c.r.randrange(40, 3000), tm(c.clock()), ", ".join(c.sample(["ED", "4 West", "L&D", "Outpatient lab", "Sleep lab", "Dialysis"], 3))),
                      "The mapping expects PID-3 as MRN with assigning authority; PID-7 DOB as YYYYMMDD. Template:", "    " + seg,
                      "No patient data is included in this ticket per policy; sample message IDs available on request.",
                      "Contacts: %s (on call, %s), %s." % (c.staff_name(c.choice(["", "RN Informaticist"])), c.phone(), c.staff_name("")),
                      "", "%s %s\nIntegration Team, %s" % (first, last, o.name)])
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Support", vendor),
                   c.pick("%s - interface queue" % tk, "Sev 2: HL7 interface issue", "RE: %s" % tk), text=body)


# 2: drug shortage notice to clinics: NDCs, lot numbers, alternatives; no individual.
@template("drug-shortage-notice", False, "2: pharmacy drug-shortage notice with NDCs, lots and therapeutic alternatives; patients only in general")
def drug_shortage_notice(c):
    o = org(c, c.choice(["%s Health Pharmacy Services", "%s Medical Center Pharmacy"]))
    ext = org(c, c.choice(["%s Affiliated Clinics", "%s Physician Network"]), external=True)
    drug = c.choice([("albuterol sulfate 0.083% inhalation solution", "levalbuterol or MDI with spacer"), ("amoxicillin 400 mg/5 mL suspension", "cefdinir per guideline"),
                     ("methylphenidate ER 36 mg", "alternative strengths or manufacturer"), ("semaglutide 1 mg pen", "hold titration; no new starts"),
                     ("lidocaine 1% vials", "1% with epi or 2%")])
    first, last, cred = c.staff("PharmD")
    body = "\n".join([c.greet(), "", c.pick("Shortage alert: %s", "Heads up - %s is on national shortage.", "Supply update for %s (FDA shortage list).") % drug[0],
                      "NDC %s-%s-%s and %s-%s-%s are on backorder until about %s (manufacturer estimate)." % (c.digits(5), c.digits(4), c.digits(2), c.digits(5), c.digits(4), c.digits(2), MONTH_YEAR(c)),
                      "Affected lots in stock: %s." % ", ".join("%s%s" % (c.choice(["A", "K", "LT"]), c.digits(5)) for _ in range(3)),
                      "Recommended alternative: %s. For patients already on therapy, continue until supply runs out and follow the substitution protocol." % drug[1],
                      "Questions: pharmacy operations %s." % c.phone(), c.sign(o, first, last, cred)])
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Clinic Managers", "clinicmanagers@" + ext.domain),
                   c.pick("Drug shortage: %s" % drug[0].split(" ")[0], "Shortage alert", "Backorder - %s" % drug[0]), text=body)


def MONTH_YEAR(c):
    d = c.future(20, 90)
    return "%s %d" % (["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][d.month - 1], d.year)


# 2: aggregate asthma/health-room statistics by school and quarter.
@template("school-health-aggregate-report", False, "2: aggregate school health statistics (counts/rates by school and quarter); no row per person")
def school_health_aggregate_report(c):
    o = org(c, c.choice(["%s Children's Hospital Community Health", "%s Pediatric Asthma Program"]))
    sd = org(c, "%s Public Schools", external=True)
    rows = []
    for s in c.sample(["Lincoln Elem", "Roosevelt MS", "Hillcrest Elem", "Central HS", "Oak Park Elem", "Washington MS", "Riverside HS"], 5):
        n = c.r.randrange(300, 1600)
        rows.append([s, n, c.r.randrange(20, 160), "%d%%" % c.r.randrange(40, 95), c.r.randrange(0, 12), c.r.randrange(0, 5)])
    q = c.choice(["Q1", "Q2", "Q3", "Q4"])
    style = c.choice(["outlook", "gmail"])
    sf, sl, _ = c.staff("")
    first, last, cred = c.staff(c.choice(["MPH", "RN, AE-C"]))
    paras = [c.greet(sf), c.pick("Here is the %s %d summary for the school asthma program.", "Attached below are the %s %d program numbers for the district dashboard.",
                                 "As promised at the wellness council, the %s %d aggregate report:") % (q, c.today.year),
             ("raw", html_table(["School", "Enrolled", "Students w/ asthma", "AAP on file", "Health-room visits for asthma", "911 calls"], rows, style), ""),
             "Overall AAP completion rose %d points. No individual student data is included; counts under 11 are shown as reported by the district." % c.r.randrange(2, 12),
             c.sign(o, first, last, cred)]
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (sf, sl), c.addr_at(sf, sl, sd.domain)),
                   c.pick("%s asthma program summary" % q, "Quarterly report", "School asthma dashboard"), html=html_doc(paras, style))


# 3: de-identified SUD case consultation (age under 90, diagnosis, year only; no identifier).
@template("deidentified-case-consult", False, "3: de-identified case consultation for supervision: age under 90, diagnoses and medications, years only, no identifier")
def deidentified_case_consult(c):
    o = org(c, c.choice(["%s Recovery Services", "%s Behavioral Health", "%s Integrated Care"]))
    ext = org(c, c.choice(["%s Addiction Medicine ECHO", "%s University Psychiatry"]), external=True)
    age = c.r.randrange(19, 78)
    sex = c.choice(["woman", "man"])
    case = c.pick(
        "A %d-year-old %s with opioid use disorder on buprenorphine 16 mg since %d, now with a positive fentanyl screen twice this quarter and new depressive symptoms (PHQ-9 in the teens)." % (age, sex, c.r.randrange(2019, 2026), ),
        "A %d-year-old %s with alcohol use disorder, cirrhosis and recurrent withdrawal seizures, discharged from detox in %d, asking about naltrexone vs acamprosate." % (age, sex, c.today.year),
        "A %d-year-old %s in methadone maintenance (dose 110 mg) with QTc 495 ms on a recent ECG and HIV on Biktarvy." % (age, sex))
    ff, fl, _ = c.staff("MD")
    first, last, cred = c.staff(c.choice(["LCSW", "MD", "NP"]))
    body = "\n".join([c.greet(), "", "For Thursday's case conference - de-identified per the ECHO rules:", "", case, "",
                      "Questions for the panel:", "1. %s" % c.choice(["Would you switch to extended-release injectable?", "How do you handle the QTc?", "What dose adjustment would you suggest?"]),
                      "2. How would you involve the family?", "", "No names, dates or record numbers are included.", c.sign(o, first, last, cred)])
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (ff, fl), c.addr_at(ff, fl, ext.domain)),
                   c.pick("Case presentation for Thursday", "ECHO case submission", "De-identified case"), text=body)


# 2: DME supplier invoice as XLSX: PO, HCPCS, lot/serial of stock, dates; no patient.
@template("dme-vendor-invoice-xlsx", False, "2: distributor invoice workbook (PO, item, HCPCS, lot and stock serial numbers, dates); stock, no patient")
def dme_vendor_invoice_xlsx(c):
    o = org(c, c.choice(["%s Sleep Center", "%s Home Medical", "%s Respiratory Care"]))
    v = org(c, c.choice(["%s Medical Distribution", "%s Supply Co."]), external=True)
    items = [("CPAP, auto-titrating", "E0601", 489.0), ("Full face mask, medium", "A7030", 96.0), ("Nasal pillows", "A7034", 71.5),
             ("Heated humidifier", "E0562", 132.0), ("Tubing, heated", "A4604", 38.0), ("Disposable filters (2pk)", "A7038", 4.1), ("Rollator walker", "E0149", 88.0)]
    rows = []
    for it in c.sample(items, c.r.randrange(3, 7)):
        q = c.r.randrange(1, 40)
        rows.append([c.today, "PO-%s" % c.digits(6), it[0], it[1], q, it[2], round(q * it[2], 2), "LOT%s" % c.digits(6), "SN%s-%s" % (c.digits(4), c.digits(5)) if it[1].startswith("E") else ""])
    data = xlsx_bytes([("Invoice %s" % c.digits(6), ["Inv date", "PO", "Item", "HCPCS", "Qty", "Unit", "Ext", "Lot", "Serial (stock)"], rows)])
    first, last, _ = c.staff("")
    vf, vl, _ = c.staff("")
    af, al, _ = c.staff("")
    body = c.pick("Hi %s,\n\nThe attached invoice bills %d units on line 2 but the PO was for %d. Can you send a corrected invoice? Our tax ID is %s-%s." % (af, c.r.randrange(10, 20), c.r.randrange(2, 9), c.digits(2), c.digits(7)),
                  "%s - returning your invoice with the lot numbers we received (tracking %s). Two serials don't match the packing slip." % (af, c.ups()),
                  "Hello,\n\nPlease confirm the attached invoice is paid in full; our AP shows a credit memo pending.")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (af, al), c.addr_at(af, al, v.domain)),
                   c.pick("Invoice question", "FW: invoice %s" % c.digits(6), "Stock order invoice"), text=body + "\n" + c.sign(o, first, last, None, title="Purchasing"),
                   attachments=[("invoice_%s.xlsx" % c.digits(6), XLSX[0], XLSX[1], data)])


# 2: order confirmation with Luhn-valid 16-digit order numbers, UPS tracking and a masked card; no card context for the full numbers.
@template("supply-order-luhn-tracking", False, "2: supply order confirmation with Luhn-valid 16-digit order/reference numbers, UPS tracking, masked card digits; no patient")
def supply_order_luhn_tracking(c):
    o = org(c, c.choice(["%s Pediatrics", "%s Dental Group", "%s Chiropractic", "%s Eye Care"]))
    v = c.choice(["orders@medsupplydirect.example.com", "noreply@dentalsupply.example.com", "service@officedepot-business.example.com"])
    first, last, _ = c.staff("")
    order = c.luhn16(c.choice("456"))
    ref = c.luhn16()
    items = c.sample(["Nitrile gloves M (case)", "Spacer w/ mask, pediatric (10)", "Peak flow meters (12)", "Prophy angles (500)", "Exam table paper (12 rolls)",
                      "Sharps containers 2 gal (20)", "Trial lens kit", "Hot packs (6)", "Activator tips"], 3)
    body = "\n".join(["%s," % first, "", "Your order %s has shipped." % order, "Reference: %s" % ref,
                      "Tracking: UPS %s" % c.ups(), "Items: " + "; ".join(items), "Paid with card ending %s." % c.digits(4),
                      "Ship to: %s, %s" % (o.name, o.street), "", "Questions? Reply to this e-mail."])
    fwd = c.pick("FYI - supplies coming %s." % sloppy_date(c.future(1, 5), c.r, False), "Forwarding the confirmation for the AP file.", "see below, arriving this week")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Accounts Payable", "ap@" + c.choice(["bookkeeping-partners.example.com", "cpa-medical.example.net"])),
                   "FW: Your order %s has shipped" % order, text=fwd + "\n\n---------- Forwarded message ---------\nFrom: %s\n\n" % v + body)


# 3: staff conference invite (.ics) about sleep medicine / asthma with speakers' credentials and "case reviews" in general.
@template("conference-agenda-ics", False, "3: calendar invite to a staff conference/CME; speakers with credentials, case reviews in general, no patient")
def conference_agenda_ics(c):
    o = org(c, c.choice(["%s Sleep Center", "%s Pediatric Pulmonology", "%s Chiropractic Society", "%s Dental Society"]))
    topic = c.choice(["Sleep Medicine Update", "Pediatric Asthma Symposium", "Opioid Treatment Program Best Practices", "Periodontal Disease and Diabetes", "Falls Prevention in LTC"])
    day = c.future(10, 60)
    start = dt.datetime.combine(day, dt.time(8, 0))
    agenda = ["08:00 Registration", "08:30 %s - %s" % (c.choice(["Keynote", "Case reviews (de-identified)", "Coding and documentation"]), c.staff_name("MD")),
              "10:15 %s - %s" % (c.choice(["CPAP adherence data", "Asthma action plans in schools", "42 CFR Part 2 changes", "SRP outcomes"]), c.staff_name(c.choice(["RN", "RDH", "PhD"]))),
              "12:00 Lunch", "13:00 Panel", "15:00 CE certificates (%s credits)" % c.choice(["5.5", "6.0", "4.0"])]
    ext = org(c, "%s Medical Associates", external=True)
    af, al, _ = c.staff("MD")
    ics = ics_text(c, topic, start, 420, c.choice(["Conference Center Room A", "Hotel ballroom", "Teams webinar"]), "\n".join(agenda),
                   ("CME Office", "cme@" + o.domain), [("%s %s" % (af, al), c.addr_at(af, al, ext.domain))], uid_dom=o.domain)
    ctype = c.choice([("text", "calendar"), ("application", "ics")])
    return message(c, ("CME Office", "cme@" + o.domain), ("%s %s" % (af, al), c.addr_at(af, al, ext.domain)), "Invitation: %s" % topic,
                   text="You're invited to %s on %s.\n\n%s\n\nRegistration fee waived for affiliated staff." % (topic, fdate(day, "B d, Y"), "\n".join(agenda)),
                   attachments=[("invite.ics", ctype[0], ctype[1], ics, {"method": "REQUEST"} if ctype[1] == "calendar" else {})])


# 2: benefits enrolment reminder to the broker listing employees (names, employee IDs) who have not enrolled: employment record.
@template("benefits-enrolment-reminder", False, "2: HR benefits enrolment reminder with employee names/IDs and deadlines; employment record, no health fact")
def benefits_enrolment_reminder(c):
    o = org(c, c.choice(["%s Health System", "%s Medical Group", "%s Dental Partners"]))
    br = org(c, c.choice(["%s Benefits Advisors", "%s Insurance Brokerage"]), external=True)
    bf, bl, _ = c.staff("")
    rows = []
    for _ in range(c.r.randrange(4, 10)):
        f, l, _ = c.staff("")
        rows.append(["%s %s" % (f, l), "E%s" % c.digits(5), c.choice(["Nursing", "Lab", "Environmental Svcs", "Pharmacy", "Front Desk"]), c.choice(["not started", "in progress", "dependent docs missing"])])
    first, last, _ = c.staff("")
    style = c.choice(["outlook", "gmail"])
    paras = [c.greet(bf), c.pick("Open enrollment closes %s. These employees still show incomplete elections in the portal - can your team send the reminder e-mails and call them?",
                                 "Only a few days left (deadline %s). Here is who has not finished enrolling; please include them in tomorrow's reminder blast.",
                                 "Per our call, the incomplete list as of this morning (window closes %s):") % fdate(c.future(3, 15), "B d"),
             ("raw", html_table(["Employee", "Emp ID", "Dept", "Status"], rows, style), ""),
             "Reminder: medical, dental, vision, FSA and the new wellness screening incentive are all in the portal. No SSNs are needed for dependents until verification.",
             c.sign(o, first, last, None, title="Benefits, Human Resources")]
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (bf, bl), c.addr_at(bf, bl, br.domain)),
                   c.pick("Open enrollment - incomplete list", "OE reminders", "Benefits enrollment follow-up"), html=html_doc(paras, style))
