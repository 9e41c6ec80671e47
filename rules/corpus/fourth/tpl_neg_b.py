"""Negative templates, part B: newsletters, conferences, marketing, training, statistics, order numbers,
de-identified research, case discussion, fee schedules, on-call rosters, interface specs. None needs
protection (LABELLING.md sections 2 and 3)."""

import datetime as dt

from mailkit import csv_text, fhir, html_doc, html_table, ics, message, para, pdf, template


@template("disease-awareness-newsletter", False, "2: newsletter to a list about a disease; 'Dear <first name>'")
def newsletter(c):
    o, e = c.org(c.pick(["clinic", "eye", "dental", "pharm"])), c.person()
    topic = c.pick([("Diabetes Awareness Month", "Diabetes is the leading cause of blindness in adults. If you have "
                     "diabetes, a yearly dilated eye exam and an A1c check every 3-6 months are recommended."),
                    ("Gum disease and your heart", "Periodontitis is linked to heart disease and diabetes. Bleeding "
                     "gums are not normal - schedule a cleaning every six months."),
                    ("Fall prevention for seniors", "One in four adults over 65 falls each year. Ask your provider "
                     "about a balance assessment and a medication review."),
                    ("Colorectal cancer screening at 45", "Screening now starts at age 45. Options include a "
                     "colonoscopy every 10 years or a stool test (FIT) every year.")])
    html = html_doc("<h2>%s</h2>" % topic[0] + para("Dear %s,\n\n%s\n\nBook online or call %s. You are receiving "
                                                   "this because you subscribed to our newsletter. Unsubscribe."
                                                   % (e["first"], topic[1], o["phone"])))
    return message(c, c.box(o, "newsletter"), e["email"], topic[0], html=html)


@template("cme-conference-invite-ics", False, "3: calendar invite for a staff training / conference")
def conference(c):
    o, org = c.org("clinic"), c.staff(("MD", "RN, MSN", "PharmD"))
    start = dt.datetime.combine(c.soon(7, 40), dt.time(c.pick([7, 12, 17]), 30))
    topic = c.pick(["Grand Rounds: Managing CHF readmissions", "Opioid prescribing CME (2 credits)",
                    "Sepsis bundle compliance update", "Pediatric asthma action plans"])
    cal = ics(c, topic, start, 60, "Auditorium B / Teams", ["allproviders@%s" % o["domain"]], c.addr(org, o),
              "Speaker: %s. CME: 1.0 AMA PRA Category 1. Join: https://teams.example.com/l/%s Dial-in PIN %s"
              % (org["sig"], c.digits(10), c.digits(6)))
    return message(c, c.addr(org, o), c.box(o, "allproviders"), topic, text="Please join us. " + topic,
                   attach=[("invite.ics", c.pick(["text/calendar", "application/ics"]), cal)])


@template("pharmacy-marketing-list", False, "2: pharmacy promotion to a mailing list")
def pharm_marketing(c):
    ph, e = c.org("pharm"), c.person()
    html = html_doc(para("Hi %s!\n\nFlu shots are here - no appointment needed. Get $5 off your next purchase with "
                         "any vaccine. Also available: shingles (Shingrix), RSV for adults 60+, COVID boosters.\n\n"
                         "Refill reminders by text: reply REFILL to %s. Free delivery on maintenance meds for "
                         "blood pressure, cholesterol and diabetes.\n\nCoupon code FLU%s. Unsubscribe anytime."
                         % (e["first"], c.digits(5), c.digits(4))))
    return message(c, c.box(ph, "offers"), e["email"], c.pick(["Flu shots are here!", "Save on your wellness"]),
                   html=html)


@template("hipaa-training-reminder", False, "2: compliance training with masked example identifiers")
def hipaa_training(c):
    o, co = c.org(c.pick(["clinic", "billing", "home", "payer"])), c.staff(("CHC", "CHPC", ""))
    text = ("Annual HIPAA Privacy & Security training is due by %s. Reminders:\n\n"
            "- Never email a Social Security number (XXX-XX-1234), MRN or DOB without [secure] in the subject.\n"
            "- Minimum necessary: use initials and the last 4 of the MRN (*****%s) on whiteboards.\n"
            "- Phishing: report emails asking you to 'verify your password'.\n- PHI includes names with diagnoses, "
            "dates of service, claim numbers and photos.\n\nCompletion is tracked by employee ID in the LMS.\n\n%s\n"
            "Privacy Officer" % (c.mdY(c.soon(5, 25)), c.digits(4), co["sig"]))
    return message(c, c.addr(co, o), c.box(o, "allstaff"), "Action required: HIPAA training", text=text)


@template("deidentified-quality-stats-csv", False, "2: aggregate counts/rates by quarter and clinic; no rows per person")
def stats(c):
    o, qa = c.org(c.pick(["clinic", "home", "payer", "dental"])), c.staff(("MPH", "RN, CPHQ"))
    rows = [["Site", "Quarter", "Patients", "A1c>9 %", "BP controlled %", "No-show %", "30d readmit %"]]
    for site in c.r.sample(["Eastside", "Northgate", "Downtown", "Riverside", "Mobile unit"], 3):
        for q in ("Q1", "Q2", "Q3"):
            rows.append([site, "%d %s" % (c.today.year, q), c.r.randint(300, 4000), round(c.r.uniform(8, 30), 1),
                         round(c.r.uniform(50, 80), 1), round(c.r.uniform(5, 20), 1), round(c.r.uniform(6, 19), 1)])
    return message(c, c.addr(qa, o), c.box(o, "quality-committee"), "Q3 dashboard (de-identified)",
                   text="Attached. Counts under 11 suppressed. No PHI." + c.signature(qa, o),
                   attach=[("dashboard_q3.csv", "text/csv", csv_text(rows))])


@template("order-confirmation-luhn-tracking", False, "2/3: Luhn-valid order numbers and UPS tracking; no card context")
def order_conf(c):
    v, buyer = c.org(c.pick(["vendor", "dme"])), c.staff()
    rows = [[c.luhn16(), c.pick(["Exam gloves L (case)", "Sharps container 2 gal", "Otoscope tips", "Toner HP 58A"]),
             c.r.randint(1, 12), c.ups()] for _ in range(c.r.randint(1, 4))]
    html = html_doc(para("Thank you for your order, %s! Confirmation number %s." % (buyer["first"], c.luhn16()))
                    + html_table(["Order #", "Item", "Qty", "Tracking"], rows)
                    + para("Ship to: %s, %s. Account %s." % (c.org("clinic")["name"], c.f().street_address(),
                                                              c.digits(8))))
    return message(c, c.box(v, "orders"), c.addr(buyer, c.org("clinic")), "Order confirmation", html=html)


@template("research-deidentified-dataset", False, "2/Safe Harbor: study codes (164.514(c)), age bands, years only")
def research_deid(c):
    o, crc = c.org("research"), c.staff(("CCRC", "PhD"))
    rows = [["Subject", "Arm", "Age band", "Sex", "Enrolled (yr)", "Wk12 HbA1c change", "AE grade"]]
    for i in range(c.r.randint(6, 14)):
        rows.append(["S%02d-%03d" % (c.r.randint(1, 9), i + 1), c.pick(["A", "B"]), c.pick(["40-49", "50-59",
                     "60-69", "70-79"]), c.pick("MF"), c.today.year - c.r.randint(0, 1), round(c.r.uniform(-2.5, .5),
                                                                                                 1), c.pick([0, 0, 1, 2])])
    text = ("Per the DUA, attached is the de-identified extract (Safe Harbor: no names, dates reduced to year, "
            "ages banded, no geography). Subject codes are site-assigned and not derived from any identifier; "
            "the key stays at the site.\n" + crc["sig"])
    return message(c, c.addr(crc, o), c.box(c.org("research"), "biostats"), "De-identified extract",
                   text=text, attach=[("extract_deid.csv", "text/csv", csv_text(rows))])


@template("clinical-case-discussion-noid", False, "3: case discussion with age < 90 and no identifier")
def case_discussion(c):
    o, md = c.org("clinic"), c.doctor()
    text = ("Colleagues - curbside for the listserv. %d%s with %s, on %s, now with %s. Would you %s? "
            "Thinking about it for our protocol too.\n\n%s" % (c.r.randint(24, 86), c.pick("MF"),
            c.pick(["HFrEF (EF 25%)", "T2DM and CKD 3b", "HIV well controlled on Biktarvy", "bipolar I"]),
            c.pick(["Entresto", "metformin + glipizide", "lithium", "apixaban"]), c.pick(["AKI (Cr 2.4)",
            "recurrent hypoglycemia", "new tremor", "GI bleed"]), c.pick(["hold it", "switch", "refer"]), md["sig"]))
    return message(c, c.addr(md, o), "clinicians-list@%s" % c.org("clinic")["domain"], "Curbside: med question",
                   text=text)


@template("fee-schedule-cpt", False, "3: fee schedule with CPT/CDT codes and prices")
def fee_schedule(c):
    o, mgr = c.org(c.pick(["dental", "pt", "eye", "clinic"])), c.staff()
    codes = [("D0120", "Periodic oral eval"), ("D1110", "Prophylaxis adult"), ("97110", "Therapeutic exercise"),
             ("92014", "Eye exam est."), ("99214", "Office visit est. mod"), ("D2740", "Crown porcelain")]
    rows = [[code, desc, "$%d" % c.r.randint(40, 1200)] for code, desc in c.r.sample(codes, 4)]
    lines = ["%s - %d self-pay fee schedule" % (o["name"], c.today.year + 1), ""] + ["%s  %s  %s" % tuple(r) for r in rows]
    return message(c, c.addr(mgr, o), c.box(o, "frontdesk"), "New fee schedule",
                   text="New fees effective Jan 1. PDF attached." + c.signature(mgr, o),
                   attach=[("fees_%d.pdf" % (c.today.year + 1), "application/pdf", pdf(lines))])


@template("oncall-schedule-html", False, "2: provider on-call roster with pagers and dates")
def oncall(c):
    o, coord = c.org("clinic"), c.staff()
    rows = []
    d = c.soon(1, 5)
    for i in range(7):
        md = c.doctor()
        rows.append([(d + dt.timedelta(days=i)).strftime("%a %m/%d"), md["title"], md["cred"], c.digits(4),
                     md["phone"]])
    html = html_doc(para("On-call schedule for next week. Swaps must be approved by the chief.")
                    + html_table(["Date", "Provider", "Cred", "Pager", "Cell"], rows) + para(coord["sig"]))
    return message(c, c.addr(coord, o), c.box(o, "providers"), "On-call next week", html=html)


@template("hl7-fhir-interface-spec", False, "3: interface spec with field layouts and a blank/placeholder patient")
def iface_spec(c):
    o, ana = c.org(c.pick(["lab", "clinic"])), c.staff(("", "PMP"))
    sample = ("MSH|^~\\&|SENDAPP|SENDFAC|RECAPP|RECFAC|YYYYMMDDHHMM||ADT^A04|<control id>|P|2.5.1\r"
              "PID|1||<MRN>^^^<assigning authority>||<LAST>^<FIRST>||<YYYYMMDD>|<sex>\r")
    prac = {"resourceType": "Practitioner", "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi",
                                                            "value": c.npi()}],
            "name": [{"family": c.f().last_name(), "given": [c.f().first_name()], "suffix": ["MD"]}]}
    text = ("Attached is the v%d.%d interface spec. PID-3 carries the MRN, PID-7 the DOB (YYYYMMDD), PID-19 the SSN "
            "(we do NOT send it). Sample below uses placeholders only. The FHIR Practitioner sample is our "
            "provider directory format.\n\n%s" % (c.r.randint(1, 4), c.r.randint(0, 9), ana["sig"]))
    return message(c, c.addr(ana, o), c.box(c.org("vendor"), "integrations"), "Interface spec",
                   text=text, attach=[("sample_template.hl7", "text/plain", sample),
                                      ("practitioner.json", "application/fhir+json", fhir(prac))])


@template("multilingual-closure-notice", False, "2: clinic-wide notice to a patient list in es/vi/zh/tl; no individual")
def closure(c):
    o = c.org(c.pick(["clinic", "dental", "eye", "pharm"]))
    d = c.soon(3, 30)
    text = c.pick([
        "Estimados pacientes:\n\n%s estará cerrado el %s por el día festivo. Para emergencias llame al 911. "
        "Las recetas pueden resurtirse en línea. La vacuna contra la gripe está disponible sin cita."
        % (o["name"], d.strftime("%d/%m/%Y")),
        "Kính gửi quý bệnh nhân:\n\nPhòng khám %s sẽ đóng cửa ngày %s. Vui lòng gọi %s để đặt lịch hẹn mới. "
        "Chủng ngừa cúm miễn phí cho người trên 65 tuổi." % (o["name"], d.strftime("%d/%m/%Y"), o["phone"]),
        "各位患者:\n\n本诊所 %d月%d日 休息。流感疫苗现已到货,欢迎预约。如有紧急情况请拨打911。" % (d.month, d.day),
        "Mahal naming mga pasyente:\n\nSarado po ang %s sa %s. Libre po ang flu shot para sa mga senior. "
        "Tumawag po sa %s para sa appointment." % (o["name"], c.mdY(d), o["phone"])])
    return message(c, c.box(o, "noreply"), c.box(o, "patients-list"), c.pick(["Aviso", "Thông báo", "通知",
                                                                             "Paalala"]), text=text)


@template("staff-huddle-invite-ics", False, "3: recurring staff huddle invite; talks about patients in general only")
def huddle(c):
    o, mgr = c.org(c.pick(["home", "pt", "dental", "bh", "ltc"])), c.staff(("RN", "", "MA"))
    start = dt.datetime.combine(c.soon(1, 6), dt.time(7, 45))
    desc = ("Daily huddle: review today's schedule, open referrals, PTO coverage, and any falls or med errors "
            "(no patient names in the chat please). Room 2B or Teams, meeting ID %s %s %s, passcode %s"
            % (c.digits(3), c.digits(3), c.digits(3), c.digits(6)))
    cal = ics(c, "Morning huddle", start, 15, "Conf room 2B", ["team@%s" % o["domain"]], c.addr(mgr, o), desc)
    return message(c, c.addr(mgr, o), c.box(o, "team"), "Morning huddle (daily)", text=desc,
                   attach=[("huddle.ics", c.pick(["text/calendar", "application/ics"]), cal)])
