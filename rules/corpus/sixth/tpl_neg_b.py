"""Negative templates, part B: list mail, operations, policy, research administration.
Every message each template renders is `no` under rules/corpus/LABELLING.md (rule in `why`)."""

import datetime as dt

from mailkit import template, csv_text, html_table, html_doc, text_to_html, pdf, ics


@template("research-recruitment-flyer", False,
          "2: study recruitment flyer to a list; eligibility criteria, no individual")
def recruit(c):
    org, dom = c.org("research")
    s = c.staff(c.pick(["CCRC", "MPH"]))
    cond, short = c.pick([("moderate-to-severe psoriasis", "psoriasis"), ("hearing loss and tinnitus", "tinnitus"), ("obesity (BMI 30-45)", "obesity"),
                          ("diabetic foot ulcers", "foot ulcers"), ("unexplained infertility", "infertility"), ("migraine", "migraine")])
    body = "<h2>Do you have %s?</h2><p>You may be eligible for a research study of an investigational treatment.</p><ul>%s</ul><p>%s</p><p>%s</p>" % (
        cond, "".join("<li>%s</li>" % x for x in c.some(["Age 18-75", "No cost to participate", "Compensation up to $%d" % c.num(300, 1500),
                                                          "%d visits over %d months" % (c.num(4, 12), c.num(3, 12)), "Parking provided"], 3)),
        "Call %s or visit https://studies.%s/%s" % (c.phone(), dom, c.digits(4)), "IRB-approved protocol %s. %s" % (c.digits(8), c.sig(s, org).replace("\n", "<br>")))
    return dict(frm="%s <studies@%s>" % (org, dom), to=["community-list@" + dom], subject=c.pick(
        ["Research study: %s" % cond, "Now enrolling", "Could you help research on %s?" % short]),
        text=c.pick(["Do you have %s? Learn about our study." % cond, "Now enrolling adults with %s. Call %s." % (cond, c.phone()),
                     "Research study for %s - compensation for time and travel. Details inside." % short]), html=html_doc(body))


@template("staff-wellness-program", False,
          "2: employee wellness programme announcement (steps challenge, screenings for staff); no individual health fact")
def wellness(c):
    org, dom = c.org("hospital")
    s = c.staff("")
    s.cred = None
    text = "\n".join([c.greet(c.pick(["Team", "everyone", "colleagues"])), "",
                      c.pick(["Our winter step challenge starts %s!" % c.fmt_date(c.future(3, 15), "long"),
                              "Free biometric screenings for employees are back this month."]),
                      c.pick(["Teams of 5, prizes for top 3 units. Last year 4 West won with 2.1 million steps.",
                              "Screenings include blood pressure, cholesterol and A1c; results go only to you, never to your manager.",
                              "Earn $%d off your premium by completing the health questionnaire by %s." % (c.pick([200, 300, 500]), c.short(c.future(20, 40)))]),
                      c.maybe(0.6, "Flu shots for staff: Employee Health, walk-ins M-F 7-3. Bring your badge (employee ID)."),
                      c.maybe(0.4, "EAP counselling is free and confidential: %s." % c.phone()), "",
                      c.sig(s, org, role="Employee Wellness")])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["allstaff@" + dom], subject=c.pick(
        ["Wellness challenge kickoff", "Free screenings for staff", "Your wellness program update"]), text=text)


@template("community-survey-invite", False,
          "2 (decided): survey to a whole mailing list that does not say the addressee is or was a patient, no visit, no health fact")
def survey_neg(c):
    org, dom = c.org(c.pick(["hospital", "primary", "peds"]))
    body = "<p>%s</p><p>%s</p><p>%s</p><p><a href=\"https://survey.%s/c/%s\">Take the survey</a></p><p style=\"font-size:9pt\">%s</p>" % (
        c.pick(["Dear neighbor,", "Hello,", "Dear community member,"]),
        c.pick(["%s is planning new services for %s and wants your input - whether or not you have ever used our services." % (org, c.num(2027, 2028)),
                "Every three years we ask our community what health services matter most."]),
        c.pick(["Which would you use: evening hours, telehealth, a hearing clinic, a travel clinic, weight-management classes?",
                "The survey is anonymous and takes 5 minutes; no personal or medical information is asked."]),
        dom, c.digits(6), "You receive this because you subscribed to the %s newsletter. Unsubscribe anytime." % org)
    return dict(frm="%s <community@%s>" % (org, dom), to=["newsletter@" + dom], subject=c.pick(
        ["Community health needs survey", "Help shape our services", "5-minute survey"]),
        text="We want your input. Survey: https://survey.%s/c/%s" % (dom, c.digits(6)), html=html_doc(body))


@template("service-line-marketing", False,
          "2: clinic marketing of a new service line to a list; generic benefits, no addressee health fact")
def marketing(c):
    org, dom = c.org(c.pick(["derm", "audiology", "bariatric", "fertility", "travel", "wound"]))
    sub = c.person()
    svc = c.pick(["cosmetic dermatology and laser hair removal", "same-day hearing aid repairs", "medical weight loss with GLP-1 medications",
                  "egg freezing", "pre-travel consultations", "hyperbaric oxygen therapy"])
    body = "<h1>New at %s: %s</h1><p>%s</p><p>%s</p><p>%s</p>" % (
        org, svc, c.pick(["Book online or call %s." % c.phone(), "Now open at our %s location." % c.pick(["downtown", "north", "Maple Ave"])]),
        c.pick(["Most insurance accepted.", "Introductory pricing through %s." % c.fmt_date(c.future(20, 60), "long"),
                "Free 15-minute consultations in %s." % c.pick(["January", "February"])]),
        "Dear %s, you're receiving this as a subscriber to our newsletter. <a href=\"https://%s/unsub\">Unsubscribe</a>" % (sub.first, dom))
    return dict(frm="%s <hello@%s>" % (org, dom), to=[c.personal_email(sub)], subject=c.pick(
        ["New service: %s" % svc, "Introducing %s" % svc, "Now offering %s" % svc.split(" and ")[0]]), text="New at %s: %s" % (org, svc), html=html_doc(body))


@template("biomed-maintenance-ticket", False,
          "2/3: clinical engineering ticket: device model/serial, room, PM due; staff only, no patient")
def biomed(c):
    org, dom = c.org("hospital")
    s = c.staff("")
    s.cred = None
    dev = c.pick(["Alaris 8015 infusion pump", "GE Voluson E10 ultrasound", "audiometer AD629", "hyperbaric chamber Sechrist 3600",
                  "Embryoscope+ incubator", "Welch Allyn Spot vitals", "Hill-Rom Centrella bed"])
    text = "\n".join(["Work order WO-%s" % c.digits(7), "Device: %s" % dev, "Serial: %s  Asset tag: %s" % (c.pick(["SN", ""]) + c.digits(9), c.digits(6)),
                      "Location: %s" % c.pick(["Room %d, %s" % (c.num(100, 499), c.pick(["4 West", "Fertility lab", "Audiology booth 2", "Wound clinic"])), "OR 6", "Infusion bay 12"]),
                      "Problem: %s" % c.pick(["occlusion alarm false-triggering", "PM overdue", "display flicker", "failed electrical safety test", "temp drift 0.4C"]),
                      "Reported by: %s, %s" % (c.staff().full, c.pick(["RN", "charge nurse", "embryologist"])),
                      "Status: %s" % c.pick(["tagged out of service", "loaner delivered", "parts ordered", "closed - passed"]), "",
                      "Reminder: clean and disinfect before pickup; remove any patient labels.", "", c.sig(s, org, role="Clinical Engineering")])
    return dict(frm="Clinical Engineering <biomed@%s>" % dom, to=[c.email_for(c.staff(), dom)], subject=c.pick(
        ["WO update - %s" % dev.split()[0], "Service ticket", "Equipment out of service"]), text=text)


@template("billing-office-policy-memo", False,
          "2: billing-office policy memo with masked example identifiers (***-**-1234, last four of card); no patient")
def billing_memo(c):
    org, dom = c.org(c.pick(["hospital", "primary", "ambulance"]))
    s = c.staff("")
    s.cred = None
    items = ["Payment plans: minimum $%d/month; balances over $%d need supervisor approval." % (c.pick([25, 50]), c.pick([2500, 5000])),
             c.pick(["Never write out a full SSN or card number in notes or email. Use the masked form, e.g. SSN ***-**-%s or card ending %s.",
                     "Masking: SSN shows as XXX-XX-%s and cards as **** **** **** %s on every screen print and email."]) % (c.digits(4), c.digits(4)),
             "Statements cycle on the %s; collections referral after %d days and 3 statements." % (c.pick(["5th and 20th", "1st and 15th"]), c.pick([90, 120])),
             "Financial assistance applications: income at or below %d%% FPL qualify for full write-off." % c.pick([200, 250, 300]),
             "Card-on-file consent must be signed before any recurring charge; never read a card number back on a recorded line.",
             "New CPT %s / %s fee schedule is on the SharePoint page." % (c.pick(["99213", "99214"]), c.pick(["92557", "11102", "43775"]))]
    items = c.some(items, 3, 6)
    text = "\n".join([c.greet(c.pick(["Billing team", "PFS staff", "all", "Patient Accounts team"])), "",
                      c.pick(["Effective %s:", "Policy changes starting %s -", "Please review before %s:"]) % c.fmt_date(c.future(5, 30), "long")] +
                     ["%d. %s" % (i + 1, x) for i, x in enumerate(items)] +
                     ["", c.pick(["Questions to %s." % s.full, "Reach out to your supervisor with questions.", "Sign the attestation in the LMS by Friday."]),
                      "", c.sig(s, org, role=c.pick(["Revenue Cycle Director", "PFS Manager", "Billing Compliance"]))])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["billingoffice@" + dom], subject=c.pick(
        ["Policy update: payment plans", "Billing office memo", "Reminder - masking SSNs and cards"]), text=text)


@template("irb-continuing-review-no-subjects", False,
          "2: IRB continuing-review approval with protocol numbers and enrolment counts only")
def irb_cr(c):
    org, dom = c.org("hospital")
    s = c.staff("")
    s.cred = None
    pi = c.staff(c.pick(["MD", "PhD"]))
    proto = "%s-%s" % (c.pick(["IRB", "STUDY"]), c.digits(8))
    text = "\n".join([c.greet("Dr. " + pi.last), "",
                      "The IRB approved the continuing review of %s, \"%s\", on %s." % (proto, c.pick(["Hearing aids and cognitive decline", "Offloading devices in DFU",
                                                                                                      "Letrozole vs clomiphene", "Pharmacist-led telepharmacy"]), c.fmt_date(c.past(1, 5), "long")),
                      "Enrollment to date: %d of %d; %d withdrawals; %d SAEs reported this period (none unanticipated)." % (c.num(10, 80), c.num(80, 200), c.num(0, 5), c.num(0, 3)),
                      "Approval expires %s. Use the stamped consent form v%d." % (c.fmt_date(c.future(300, 365), "long"), c.num(3, 9)),
                      "Reminder: subject identifiers must not be emailed; use the study ID log in REDCap.", "", c.sig(s, org, role="IRB Analyst")])
    return dict(frm="IRB Office <irb@%s>" % dom, to=[c.email_for(pi, dom)], subject="Continuing review approved - %s" % proto, text=text)


@template("lab-courier-route-schedule", False,
          "2: courier route sheet (stops, pickup times, bag/tracking numbers); no specimen or patient")
def courier(c):
    org, dom = c.org("hospital")
    s = c.staff("")
    s.cred = None
    rows = [["Stop", "Location", "Pickup", "Bag seal", "Tracking"]]
    for i in range(c.num(4, 9)):
        rows.append([i + 1, "%s - %s" % (c.org(c.pick(["primary", "derm", "fertility", "wound", "peds"]))[0], c.street()),
                     c.time(), c.digits(7), "1Z%s%s" % (c.digits(6).upper(), c.digits(10))])
    text = "%s\n\n%s\n\n%s\n\n%s" % (c.greet("Drivers"), c.pick(["Updated route for the holiday week. Ambient bags first, frozen last.",
                                                                "Route %s changes start Monday." % c.pick("ABCD")]),
                                     c.pick(["Manifests stay in the bag - don't photograph them.", "Dry ice restock at the main lab."]),
                                     c.sig(s, org, role="Courier Dispatch"))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["couriers@" + dom], subject=c.pick(["Route update", "Courier schedule", "Pickup times - week of %s" % c.short(c.today)]),
                text=text, attachments=[("route_%s.csv" % c.pick("ABCD"), "text", "csv", csv_text(rows))])


@template("payer-provider-bulletin", False,
          "2/3: health plan bulletin to network providers: prior-auth list changes with CPT codes; no member")
def payer_bulletin(c):
    org, dom = c.org("payer")
    codes = c.some([("43775", "sleeve gastrectomy"), ("92557", "comprehensive audiometry"), ("97597", "debridement, open wound"),
                    ("58970", "oocyte retrieval"), ("E0486", "oral appliance for OSA"), ("J1569", "IVIG"), ("A6197", "alginate dressing")], 3, 5)
    lines = ["PROVIDER BULLETIN %s-%s" % (c.today.year, c.digits(2)), "", "Effective %s, prior authorization changes:" % c.fmt_date(c.future(30, 60), "long")]
    lines += ["  %s  %s  - %s" % (cd, desc, c.pick(["PA required", "PA removed", "notification only"])) for cd, desc in codes]
    lines += ["", c.pick(["Submit requests through the portal. Include the member ID and DOB on the request form, not in email.",
                          "Requests go through the provider portal or fax %s; never email member identifiers." % c.phone(),
                          "Use the updated PA request form (rev. %s); clinical notes must support medical necessity." % c.today.strftime("%m/%y")]),
              c.maybe(0.5, "Claims with dates of service on or after the effective date will deny without an approved authorization."),
              "Questions: Provider Services %s." % c.phone(), "", c.pick(["%s Network Management", "%s Provider Relations", "- %s"]) % org]
    text = "\n".join(lines)
    atts = [("bulletin.pdf", "application", "pdf", pdf(lines, "Provider bulletin"))] if c.chance(0.5) else []
    return dict(frm="%s <provider.news@%s>" % (org, dom), to=["network-providers@" + dom], subject=c.pick(
        ["Provider bulletin: prior authorization changes", "PA list update", "Network news"]), text=text, attachments=atts)


@template("tumor-board-teaching-agenda", False,
          "3: educational tumour-board review of past cases by age/sex/diagnosis and year only (ages under 90, no names, MRNs or dates of care)")
def tumor_board(c):
    org, dom = c.org("hospital")
    s = c.staff(c.pick(["RN, OCN", "MSN"]))
    cases = []
    for i in range(c.num(3, 6)):
        cases.append("%d. %d%s, treated %s - %s - presenting: Dr. %s (%s)" % (
            i + 1, c.num(28, 88), c.pick("MF"), c.pick(["2024", "2025", "in 2025", "2023-2025"]), c.pick(["stage IIIA NSCLC, post-induction", "T2N1 breast ca, HER2+", "rectal adenoca, MRI restaging",
                                                         "melanoma, SLNB positive", "HCC, transplant candidacy", "pancreatic head mass, borderline resectable"]),
            c.person(staff=True).last, c.pick(["Med Onc", "Surg Onc", "Rad Onc", "Derm"])))
    d = c.future(1, 8)
    intro = c.pick(["Quarterly teaching tumor board - %s, 7:00 AM, Conf B / Teams. Fellows present completed cases (outcomes known):",
                    "Education conference %s 12:00: \"cases we learned from\" - retrospective, de-identified:",
                    "Reminder: M&M-style tumor board review on %s. Cases below are closed and de-identified (year only)."]) % c.fmt_date(d, "long")
    text = "\n".join([c.greet(), "", intro, ""] + cases +
                     ["", c.pick(["Slides must follow the de-identification checklist: no names, MRNs, dates beyond year, faces or accession numbers.",
                                  "Please don't put patient details in the slides or in email."]), "",
                      "1.0 AMA PRA Category 1 credit.", "", c.sig(s, org, role="Cancer Center Education")])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["tumorboard@" + dom, "hemonc-fellows@" + dom][:c.num(1, 2)], subject=c.pick(
        ["Teaching tumor board %s" % c.short(d), "Education conf - tumor board cases", "Tumor board teaching session"]), text=text)
