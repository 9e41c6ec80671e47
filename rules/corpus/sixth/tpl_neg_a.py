"""Negative templates, part A: clinical-looking mail with no individual (aggregates, staff,
vendors, education, public health). Every message each template renders is `no` under
rules/corpus/LABELLING.md (rule in `why`)."""

import datetime as dt

from mailkit import template, csv_text, html_table, html_doc, text_to_html, pdf, ics


@template("readmission-aggregate-report-html", False,
          "2: de-identified aggregate readmission/quality rates by quarter and service line; no row per person")
def readmit(c):
    org, dom = c.org("hospital")
    s = c.staff(c.pick(["MPH", "RN, CPHQ", "MBA"]))
    rows = []
    for svc in c.some(["Cardiology", "Orthopedics", "General Medicine", "Pulmonology", "Bariatrics", "Wound Care", "Oncology"], 4, 6):
        n = c.num(40, 400)
        r = c.num(5, 22)
        rows.append([svc, n, r, "%.1f%%" % (100.0 * r / n), "%.1f" % (c.num(30, 70) / 10)])
    q = c.pick(["Q2 2026", "Q3 2026", "FY2026 YTD"])
    body = "<p>%s</p><p>%s</p>%s<p>%s</p><p>%s</p>" % (
        c.greet(), c.pick(["Attached below is the 30-day all-cause readmission summary for %s." % q,
                           "Here are the %s readmission numbers ahead of Quality Council." % q]),
        html_table(["Service line", "Index discharges", "Readmits", "Rate", "ALOS (days)"], rows),
        c.pick(["Counts under 11 are suppressed in the external version. No patient-level data is included; the MRN-level "
                "drill-down stays in the secure Tableau workbook.", "Source: EDW discharge abstract; excludes planned readmissions, "
                "hospice and AMA discharges. Patients age 90+ are grouped with 80-89."]),
        c.sig(s, org, role="Quality Analytics").replace("\n", "<br>"))
    head = ["Service line", "Index discharges", "Readmits", "Rate", "ALOS (days)"]
    m = dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.pick(["qualitycouncil@", "cmo-office@", "nursing-leaders@"]) + dom], subject=c.pick(
        ["%s readmission summary" % q, "Readmissions dashboard - %s" % q, "Quality Council pre-read", "FW: readmission rates %s" % q]))
    form = c.pick(["alt", "html_only", "csv"])
    if form == "alt":
        m["text"] = "\n".join(["\t".join(str(x) for x in r) for r in [head] + rows])
        m["html"] = html_doc(body)
    elif form == "html_only":
        m["html"], m["html_only"] = html_doc(body), True
    else:
        m["text"] = "%s\n\n%s\n\n%s" % (c.greet(), c.pick(["Readmission rates by service line for %s attached (aggregate only)." % q,
                                                          "CSV attached for %s; counts under 11 suppressed." % q]), c.sig(s, org, role="Quality Analytics"))
        m["attachments"] = [("readmissions_%s.csv" % q.replace(" ", "_"), "text", "csv", csv_text([head] + rows))]
    return m


@template("staff-credentialing-renewal", False,
          "2: medical-staff office mail about clinicians' licences, DEA/NPI numbers and expiry dates (workforce)")
def cred(c):
    org, dom = c.org("hospital")
    s = c.staff(c.pick(["CPMSM", "CPCS"]))
    docs = [c.staff(c.pick(["MD", "DO", "NP", "PA-C", "DPM", "Au.D."])) for _ in range(c.num(2, 6))]
    lic = {"MD": "MD", "DO": "DO", "NP": "APRN", "PA-C": "PA", "DPM": "POD", "Au.D.": "AUD"}
    rows = [[d.full + ", " + d.cred, "NPI " + c.npi(), "%s%s" % (lic[d.cred], c.digits(6)),
             c.fmt_date(c.future(10, 90), "us"), c.pick(["state license", "DEA", "board cert", "BLS/ACLS", "malpractice COI"])] for d in docs]
    text = "%s\n\n%s\n\n%s\n\n%s\n\n%s\n%s" % (
        c.greet(), c.pick(["The following practitioners have credentials expiring in the next 90 days:",
                           "Reappointment reminder - items due before the %s MEC meeting:" % c.fmt_date(c.future(20, 50), "long")]),
        "\n".join(" | ".join(r) for r in rows),
        c.pick(["Please upload copies to the credentialing portal. Privileges lapse automatically on the expiry date.",
                "Reminder: we never need your SSN by email; use the portal. DOB and DEA go in the secure form only."]),
        c.thanks(), c.sig(s, org, role="Medical Staff Services"))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["department.chairs@" + dom], subject=c.pick(
        ["Credentials expiring - action needed", "Reappointment reminder", "Licensure/DEA expirations"]), text=text)


@template("device-vendor-sales", False,
          "2: device vendor marketing to clinic buyers: models, prices, promo codes (Luhn-valid, no card context)")
def vendor_sales(c):
    org, dom = c.org("vendor")
    clinic, cdom = c.org(c.pick(["audiology", "wound", "derm", "fertility"]))
    rep = c.staff("")
    rep.cred = None
    prod = c.pick([("NovaFit R7 rechargeable RIC hearing aid", "$1,150/pair"), ("NPWT unit PX-200 (wound vac)", "$38/day rental"),
                   ("DermaScope 4K dermatoscope", "$3,490"), ("CryoTherm 5 liquid nitrogen sprayer", "$1,275"),
                   ("embryo incubator TL-6 time-lapse", "quote on request")])
    text = "\n".join([c.greet(c.person(staff=True).first), "",
                      c.pick(["Great meeting you at the show last week!", "Following up on your inquiry about %s." % prod[0],
                              "I wanted to share our year-end pricing."]),
                      "%s - %s. %s" % (prod[0], prod[1], c.pick(["FDA 510(k) cleared.", "Now with Bluetooth LE Audio.", "Ships in 5 days."])),
                      "Promo reference %s (valid through %s)." % (c.luhn16(c.pick(["4", "5", "6"])), c.fmt_date(c.future(20, 40), "long")),
                      c.maybe(0.5, "Clinics using it report 30% fewer follow-up visits and higher patient satisfaction."),
                      "", "Happy to set up a demo - what does next week look like?", "",
                      c.sig(rep, org, role=c.pick(["Territory Manager", "Account Executive", "Clinical Sales Specialist"]))])
    atts = []
    if c.chance(0.4):
        from mailkit import vcard
        atts.append(("%s_%s.vcf" % (rep.first, rep.last), "text", "vcard", vcard(rep.first, rep.last, org, "Territory Manager", c.phone(), c.email_for(rep, dom))))
    return dict(frm=c.addr(rep, c.email_for(rep, dom)), to=["purchasing@" + cdom], subject=c.pick(
        ["Year-end pricing", "Following up - %s" % prod[0].split()[0], "Demo?", "Special offer for %s" % clinic]), text=text, attachments=atts)


@template("nursing-ce-announcement", False,
          "2/3: continuing-education announcement with a generic case vignette (age < 90, no identifier)")
def ce(c):
    org, dom = c.org("hospital")
    s = c.staff(c.pick(["MSN, RN", "DNP, RN", "RN, CWOCN"]))
    topic, vig = c.pick([
        ("Diabetic foot ulcer offloading", "A 62-year-old man with type 2 diabetes presents with a plantar ulcer under the first metatarsal head..."),
        ("Hearing loss and fall risk in older adults", "An 81-year-old woman with bilateral hearing aids falls twice in one month..."),
        ("Recognizing ovarian hyperstimulation syndrome", "A 31-year-old undergoing IVF calls on day 3 after retrieval with abdominal distension..."),
        ("Post-bariatric nutrition", "A 45-year-old six months after sleeve gastrectomy reports hair loss and fatigue..."),
        ("Pediatric vaccine hesitancy conversations", "A parent of a 4-year-old declines MMR at the well visit...")])
    d = c.future(10, 40)
    text = "\n".join([c.greet(), "", "Nursing Grand Rounds: %s" % topic, "%s, %s-%s, %s and Teams" % (
        c.fmt_date(d, "long"), *c.pick([("12:00", "1:00 PM"), ("7:30", "8:30 AM"), ("15:00", "16:00")]), c.pick(["Auditorium B", "Conf Rm 3"])), "",
        "Case for discussion: " + vig, "", "1.0 contact hour (ANCC). Register in the LMS by %s." % c.short(d - dt.timedelta(days=2)),
        c.maybe(0.5, "No patient information will be shared; cases are composites."), "", c.sig(s, org, role="Clinical Education")])
    atts = []
    if c.chance(0.5):
        start = dt.datetime.combine(d, dt.time(12, 0))
        atts.append(("grand_rounds.ics", "text", "calendar", ics(c, "Nursing Grand Rounds: " + topic, start, 60, "Auditorium B / Teams",
                                                                 "1.0 contact hour. " + vig, "education@" + dom)))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["allnursing@" + dom], subject=c.pick(
        ["Nursing Grand Rounds - %s" % topic, "CE opportunity: %s" % topic, "Save the date: grand rounds"]), text=text, attachments=atts)


@template("drug-recall-notice-all-patients", False,
          "2/3: pharmacy recall notice to its whole patient list: drug, NDC, lot numbers; no individual")
def recall(c):
    org, dom = c.org("pharmacy")
    s = c.staff("PharmD")
    drug = c.pick(["metformin ER 500 mg", "valsartan 160 mg", "children's ibuprofen oral suspension", "levothyroxine 50 mcg",
                   "ranitidine 150 mg", "insulin pen needles 32G"])
    lots = ", ".join("%s%s" % (c.pick(["A", "L", "K"]), c.digits(5)) for _ in range(c.num(2, 4)))
    text = "\n".join([c.greet("Valued Patient" if c.chance(0.6) else None), "",
                      "The manufacturer has voluntarily recalled certain lots of %s (NDC %s-%s-%s), lots %s, because of %s." % (
                          drug, c.digits(5), c.digits(3), c.digits(2), lots, c.pick(["possible NDMA impurity", "incorrect tablet strength", "particulate matter", "mislabeling"])),
                      "If you take this medicine, do not stop it without talking to your prescriber. Bring your bottle in and we will check the lot and exchange it at no cost.",
                      "This notice is sent to everyone on our mailing list; it does not mean you received an affected lot.", "",
                      c.sig(s, org, role="Pharmacist-in-Charge")])
    return dict(frm="%s <news@%s>" % (org, dom), to=["undisclosed-recipients:;"], subject=c.pick(
        ["Important recall notice: %s" % drug, "Drug recall information", "Recall - please read"]), text=text)


@template("travel-health-advisory", False,
          "2: public-health advisory to clinicians: aggregate case counts, vaccine supply, testing guidance")
def advisory(c):
    org, dom = c.org("pubhealth")
    s = c.staff(c.pick(["MD, MPH", "MPH", "RN"]))
    dis = c.pick(["dengue", "measles", "yellow fever vaccine shortage", "mpox clade I", "chikungunya", "pertussis"])
    text = "\n".join(["HEALTH ADVISORY - %s" % dis.upper(), "", c.greet("Colleagues"), "",
                      "Since %s, %d cases of %s have been reported in the county (%d hospitalized, ages %d-%d); %d were travel-associated." % (
                          c.pick(["January", "July", "September"]), c.num(5, 60), dis.split()[0], c.num(0, 8), c.num(1, 20), c.num(40, 85), c.num(1, 10)),
                      "Recommendations for clinicians:", "1. Ask every patient with fever about travel in the past 14 days.",
                      "2. Report suspected cases within 24 hours by phone (not email) to %s." % c.phone(),
                      "3. Collect serum and urine; do not send patient identifiers in this mailbox.", "",
                      c.sig(s, org, role="Epidemiology")])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["han-subscribers@" + dom], subject=c.pick(
        ["Health Advisory: %s" % dis, "HAN: %s update" % dis, "Clinician alert - %s" % dis]), text=text)


@template("specialty-job-posting", False,
          "2: job posting for specialty clinic staff (licence/certification requirements, pay); no patient")
def job(c):
    org, dom = c.org(c.pick(["fertility", "audiology", "wound", "bariatric", "hospice", "travel"]))
    s = c.staff("")
    s.cred = None
    role = c.pick(["IVF Nurse Coordinator (RN)", "Audiologist (Au.D.)", "Certified Wound Care Nurse", "Bariatric Program Coordinator",
                   "Hospice Admissions RN", "Travel Medicine Nurse"])
    text = "\n".join([c.greet(), "", "We're hiring: %s at %s" % (role, org), "",
                      "Requirements: active state license, BLS, %s; 2+ years experience." % c.pick(["CWCN preferred", "REI experience preferred", "ABA certification a plus", "CHPN preferred"]),
                      "Pay: $%d-$%d/hr, sign-on bonus $%d,000. Referral bonus for current staff." % (c.num(38, 55), c.num(56, 75), c.num(3, 10)),
                      "Schedule: %s" % c.pick(["M-F days, no weekends", "4x10s", "weekday days, 1 in 6 weekend call"]),
                      "Apply at careers.%s/jobs/%s. Pre-employment drug screen and TB test required." % (dom, c.digits(5)), "",
                      c.sig(s, org, role="Talent Acquisition")])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["jobs-list@" + dom], subject="Now hiring: " + role, text=text)


@template("ehr-change-notice", False,
          "2/3: IT change notice for the EHR: fields, units, downtime window; field names like MRN/DOB but no values")
def ehr_change(c):
    org, dom = c.org("hospital")
    s = c.staff("")
    s.cred = None
    d = c.future(3, 20)
    chg = "CHG%s" % c.digits(7)
    text = "\n".join([c.pick(["CHANGE NOTICE %s" % chg, "%s\n\nPlanned change %s:" % (c.greet(c.pick(["all", "colleagues", "clinical staff"])), chg),
                              "** Scheduled maintenance ** (%s)" % chg]), "", "System: %s" % c.pick(["Epic (PRD)", "Cerner Millennium", "athenaOne", "MEDITECH Expanse"]),
                      "Window: %s %s-%s" % (c.fmt_date(d, "long"), c.pick(["01:00", "02:00", "23:00"]), c.pick(["04:00", "05:30", "03:00"])),
                      "Impact: %s" % c.pick(["Registration screens will show the new Sex/Gender fields; MRN and DOB search unchanged.",
                                             "Lab interface (HL7 ORU) paused; results will queue and post after.",
                                             "Patient portal (MyChart) read-only; in-basket messages delayed.",
                                             "Fax server migration: inbound faxes route to the new queue."]),
                      "Units: %s" % ", ".join(c.some(["4 West", "ICU", "ED", "Wound Clinic", "Fertility", "Audiology", "Infusion"], 2, 4)),
                      "Downtime procedures: use paper forms in the red binder; label with patient sticker.", "",
                      "Contact: %s, %s" % (s.full, c.phone()), "Service desk ticket reference %s" % c.luhn16("8")])
    return dict(frm="IT Change Management <itcm@%s>" % dom, to=["allstaff@" + dom], subject=c.pick(
        ["[Change] %s - EHR maintenance %s" % (chg, c.short(d)), "Scheduled downtime %s" % c.short(d), "EHR change notice"]), text=text)


@template("conference-abstract-deidentified", False,
          "3: conference abstract with a case report: age under 90, diagnosis, year only; no identifier")
def abstract(c):
    org, dom = c.org("hospital")
    s = c.staff(c.pick(["MD", "DO", "NP"]))
    case = c.pick([
        "A 34-year-old woman undergoing her second IVF cycle developed severe OHSS after a GnRH-agonist trigger in 2025, requiring paracentesis.",
        "A 71-year-old man with bilateral cochlear implants presented with device extrusion eight months after surgery.",
        "A 58-year-old with diabetes and a Charcot foot was treated with a total contact cast for 14 weeks; the ulcer healed.",
        "A 47-year-old after Roux-en-Y gastric bypass presented with Wernicke encephalopathy in late 2025.",
        "A 66-year-old returning traveler from Ghana had P. falciparum malaria with 6% parasitemia."])
    text = "\n".join([c.greet(c.pick(["Dr. " + c.person(staff=True).last, None]) or None), "",
                      c.pick(["Here's the draft abstract for the spring meeting - edits welcome by Friday.",
                              "Abstract as submitted (ID %s)." % c.digits(5)]), "",
                      "Title: %s" % c.pick(["An unusual presentation", "A rare complication", "Lessons from a difficult case"]),
                      "Case: " + case, "Discussion: %s" % c.pick(["Early recognition changed management.", "Literature review found 12 similar cases."]),
                      "Consent: not required; case de-identified per Safe Harbor (no dates beyond year, no identifiers).", "",
                      c.sig(s, org)])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.email_for(c.staff("MD"), dom)], subject=c.pick(
        ["Abstract draft", "Case report abstract", "Re: abstract for submission"]), text=text)


@template("supply-backorder-notice", False,
          "2: distributor backorder notice with NDC, lot, PO and order numbers; supplies, no patient")
def backorder(c):
    org, dom = c.org("supplier")
    clinic, cdom = c.org(c.pick(["wound", "fertility", "infusion", "peds", "hospital"]))
    s = c.staff("")
    s.cred = None
    rows = [["Item", "NDC/Ref", "PO", "Ordered", "Status", "ETA"]]
    for _ in range(c.num(2, 6)):
        rows.append([c.pick(["Menopur 75 IU", "silver alginate 4x4", "0.9% NaCl 100 mL", "Tdap vaccine 10-pk", "PICC dressing kit",
                             "cetrorelix 0.25 mg", "hydrocolloid 6x6", "IV tubing 20 drop"]),
                     "%s-%s-%s" % (c.digits(5), c.digits(4), c.digits(2)), "PO" + c.digits(7), c.num(2, 40),
                     c.pick(["backordered", "allocation", "substitute offered", "discontinued"]), c.pick(["TBD", c.fmt_date(c.future(7, 60), "us")])])
    text = "%s\n\n%s\n\n%s\n\nOrder confirmation %s. %s\n\n%s" % (
        c.greet(), c.pick(["The following items on your recent orders are affected by manufacturer backorders:",
                           "Backorder update for your account:"]),
        "\n".join("\t".join(str(x) for x in r) for r in rows), c.luhn16(c.pick(["4", "3"])),
        c.pick(["Reply to accept substitutes.", "We'll ship partials automatically."]), c.sig(s, org, role="Customer Service"))
    return dict(frm="%s <orders@%s>" % (org, dom), to=["purchasing@" + cdom], subject=c.pick(
        ["Backorder notice", "Order status update", "Product availability - action needed"]), text=text)
