"""Messages that do not need protection, including the tricky ones: invoice, tracking, order and
badge numbers, phone numbers and dates in non-medical mail, and health-flavoured mail about no
one in particular (newsletters, coding webinars, aggregate quality reports, on-call rotas)."""

from ids import CONDITIONS, ICD10, MEDS


def newsletter(c):
    r, f, i = c.rng, c.fake, c.ids
    topic = r.choice(CONDITIONS)
    paras = [
        "%s Health News - %s" % (c.org, f.month_name()),
        "This month we focus on %s. Regular screening and a healthy diet help, and new guidelines recommend talking to your doctor about %s." % (topic, r.choice(["blood pressure", "cholesterol", "a flu shot", "colonoscopy screening"])),
        "Flu shot clinics: %s and %s at our %s location (%s). Walk-ins welcome; to book, call %s." % (i.date(f.date_between("+3d", "+20d"), "long"), i.date(f.date_between("+21d", "+40d"), "long"), f.city(), f.street_address(), i.phone()),
        "Did you know? About 1 in 10 adults has %s. Learn more at our free seminar." % r.choice(["diabetes", "asthma", "chronic kidney disease"]),
        "Unsubscribe | Manage preferences | %s, %s" % (f.street_address(), f.city()),
    ]
    if r.random() < 0.5:
        html = "<html><body>" + "".join("<p>%s</p>" % p for p in paras) + "<p><a href='https://example.org/u'>Unsubscribe</a></p></body></html>"
        return dict(subject="%s newsletter: %s" % (c.org, topic), html=html, text="\n\n".join(paras) if r.random() < 0.5 else None)
    return dict(subject="Your %s wellness update" % f.month_name(), text="\n\n".join(paras))


def marketing(c):
    r, f, i = c.rng, c.fake, c.ids
    text = (
        "%s\n\nSave %d%% this weekend only with code %s. Offer ends %s.\nFree shipping on orders over $%d.\n"
        "Questions? Call %s, Mon-Fri 8am-6pm.\nVisit us at %s, %s.\n\nOrder %s is already on its way? Track it in the app.\n"
    ) % (r.choice(["Big Fall Sale!", "Members-only deals", "New arrivals are here", "Last chance"]), r.choice([10, 15, 20, 30]),
         f.bothify("????##").upper(), i.date(f.date_between("+1d", "+10d")), r.choice([35, 50, 75]), i.phone(), f.street_address(), f.city(), i.order())
    return dict(subject=r.choice(["Don't miss out", "Your weekend deals", "%d%% off ends soon" % r.choice([20, 25])]), text=text)


def it_ticket(c):
    r, f, i = c.rng, c.fake, c.ids
    text = (
        "Ticket %s has been %s.\n\nRequester: %s (badge %s, ext %d)\nLocation: %s, room %d\nAsset: %s  IP %s\n"
        "Summary: %s\nOpened: %s  SLA due: %s\n\nReply to this message to update the ticket, or call the service desk at %s.\n"
    ) % (i.ticket(), r.choice(["opened", "updated", "resolved", "assigned to you"]), f.name(), i.badge(), r.randint(1000, 9999),
         r.choice(["Main building", "North clinic", "Admin wing", "Radiology"]), r.randint(100, 499), i.asset(), i.ip(),
         r.choice(["printer jams on tray 2", "EHR login loops after password change", "VPN disconnects every 20 minutes",
                   "new monitor for the front desk", "badge reader at door 3 not working", "scanner driver for the patient portal kiosk"]),
         i.date(f.date_between("-5d", "today")), i.date(f.date_between("+1d", "+5d")), i.phone())
    return dict(subject="[%s] %s" % (r.choice(["ServiceDesk", "IT", "Helpdesk"]), r.choice(["Ticket update", "New ticket", "Resolved"])), text=text)


def invoice(c, attach=False):
    r, f, i = c.rng, c.fake, c.ids
    inv = i.invoice()
    lines = [
        "%s - Invoice %s" % (f.company(), inv), "Bill to: %s, %s" % (c.org, f.street_address()),
        "Invoice date: %s   Due: %s" % (i.date(f.date_between("-10d", "today")), i.date(f.date_between("+15d", "+45d"))),
        "PO number: %s" % i.digits(7, first="4"), "Tax ID: %s" % i.ein(),
        "%d x %s @ $%d.00" % (r.randint(1, 50), r.choice(["exam gloves (box)", "printer toner", "office chairs", "network switch", "cleaning service"]), r.randint(5, 400)),
        "Remit to: routing %s, account %s" % (i.routing(), i.digits(10)), "Questions: %s" % i.phone(),
    ]
    if attach:
        data = c.docs.pdf(lines, compress=r.random() < 0.5)
        return dict(subject="Invoice %s" % inv, text="Please find our invoice attached. Thank you for your business.", attachments=[("invoice-%s.pdf" % i.digits(5), "pdf", data)])
    return dict(subject=r.choice(["Invoice %s" % inv, "Payment reminder", "Your invoice is ready"]), text="\n".join(lines) + "\n")


def shipping(c):
    r, f, i = c.rng, c.fake, c.ids
    carrier, num = r.choice([("UPS", i.ups()), ("FedEx", i.fedex()), ("USPS", i.usps(r.random() < 0.5))])
    text = (
        "Your order %s has shipped!\n\nCarrier: %s\nTracking number: %s\nEstimated delivery: %s\nShip to: %s\n\n"
        "Need help? Call %s or reply to this email.\n"
    ) % (i.order(), carrier, num, i.date(f.date_between("+1d", "+6d")), f.city(), i.phone())
    return dict(subject=r.choice(["Your order has shipped", "Shipment update", "Delivery scheduled"]), text=text)


def order_confirmation(c):
    r, f, i = c.rng, c.fake, c.ids
    rows = [("SKU", "Item", "Qty", "Price")] + [(i.digits(10, first="1"), f.bs().title(), r.randint(1, 9), "%d.99" % r.randint(3, 300)) for _ in range(r.randint(2, 6))]
    text = "Thank you for your order %s placed %s.\n\n" % (i.order(), i.date(f.date_between("-3d", "today")))
    text += "\n".join("  ".join(str(x) for x in row) for row in rows)
    text += "\n\nCustomer service: %s\n" % i.phone()
    return dict(subject="Order confirmation", text=text)


def badge_facilities(c):
    r, f, i = c.rng, c.fake, c.ids
    text = r.choice([
        "Your new badge %s is ready for pickup at security (room %d) after %s. Parking permit %s is linked to it.\n",
        "Reminder: badge %s expires on %s. Renewal takes 5 minutes at the front desk (room %d); permit %s.\n",
    ])
    if "expires" in text:
        text = text % (i.badge(), i.date(f.date_between("+5d", "+30d")), r.randint(100, 300), i.digits(6))
    else:
        text = text % (i.badge(), r.randint(100, 300), i.date(f.date_between("+1d", "+7d")), i.digits(6))
    return dict(subject=r.choice(["Badge pickup", "Badge renewal", "Facilities notice"]), text=text + "\nFacilities - " + i.phone() + "\n")


def meeting(c):
    r, f, i = c.rng, c.fake, c.ids
    d = f.date_between("+1d", "+30d")
    text = r.choice([
        "Hi all,\n\nThe budget review moves to %s at 2:30 pm in conference room %d. Dial-in %s, access code %s.\n",
        "Team,\n\nPlease join us on %s in room %d to celebrate %s's birthday - she was born on a leap day, so we celebrate early! Cake at 3. Questions: %s.\n",
        "Reminder: quarterly all-hands on %s, auditorium %d. Bring your badge. Call %s if you need a ride between campuses.\n",
    ])
    if "birthday" in text:
        text = text % (i.date(d), r.randint(100, 500), f.first_name_female(), i.phone())
    elif "Dial-in" in text:
        text = text % (i.date(d), r.randint(100, 500), i.phone(), i.digits(9))
    else:
        text = text % (i.date(d), r.randint(1, 4), i.phone())
    return dict(subject=r.choice(["Meeting moved", "Celebration!", "All-hands reminder", "Schedule change"]), text=text + "\n" + f.name() + "\n")


def spreadsheet(c, ext):
    r, f, i = c.rng, c.fake, c.ids
    rows = [("Order", "Date", "Region", "Units", "Revenue", "Phone")]
    for _ in range(r.randint(5, 20)):
        rows.append((i.order().lstrip("#"), i.date(f.date_between("-90d", "today"), "us"), f.state_abbr(), r.randint(1, 500), r.randint(100, 90000), i.phone()))
    data = c.docs.xlsx(rows) if ext == "xlsx" else c.docs.csv_bytes(rows)
    return dict(subject=r.choice(["Q3 sales", "Inventory export", "Weekly numbers"]), text="Numbers attached.", attachments=[("report.%s" % ext, ext, data)])


def minutes_docx(c):
    r, f, i = c.rng, c.fake, c.ids
    paras = ["Minutes: %s committee" % r.choice(["Facilities", "Budget", "IT steering", "Safety"]), "Date: " + i.date(f.date_between("-10d", "today")),
             "Attendees: " + ", ".join(f.name() for _ in range(4)), "Action: replace badge readers (PO %s)." % i.digits(7),
             "Next meeting: " + i.date(f.date_between("+20d", "+40d"))]
    return dict(subject="Minutes", text="Minutes attached.", attachments=[("minutes.docx", "docx", c.docs.docx(paras))])


def coding_webinar(c):
    r, i = c.rng, c.ids
    codes = r.sample(ICD10, 3)
    text = (
        "Join our free webinar on ICD-10-CM coding updates for %d.\n\nTopics: documenting %s (%s), %s (%s) and %s (%s); "
        "what payers look for in prior authorization requests; common denial reasons.\nDate: %s, 12:00 ET. Register by calling %s.\n"
    ) % (2026, codes[0][1], codes[0][0], codes[1][1], codes[1][0], codes[2][1], codes[2][0], i.date(c.fake.date_between("+7d", "+30d"), "long"), i.phone())
    return dict(subject="Webinar: ICD-10 coding updates", text=text)


def quality_report(c):
    r, i = c.rng, c.ids
    text = (
        "Quality dashboard, %s\n\n- %d patients with diabetes had an A1c below 8%% (%d%%).\n- Hypertension control: %d%% of panel.\n"
        "- Flu vaccination rate: %d%%.\n- %d colonoscopy referrals completed.\nNo patient-level data in this summary; see the dashboard for details.\n"
    ) % (c.fake.month_name(), r.randint(100, 900), r.randint(55, 85), r.randint(60, 80), r.randint(40, 75), r.randint(10, 90))
    return dict(subject="Monthly quality metrics", text=text)


def oncall(c):
    r, f, i = c.rng, c.fake, c.ids
    rows = ["%s  %s: Dr. %s, pager %s, cell %s" % (i.date(f.date_between("+1d", "+14d"), "us"), r.choice(["Cardiology", "Dialysis unit", "Oncology", "ED", "Labor and delivery"]), f.last_name(), i.digits(4), i.phone()) for _ in range(r.randint(3, 7))]
    return dict(subject="On-call schedule", text="On-call rota for the next two weeks:\n\n" + "\n".join(rows) + "\n\nSwaps go through the scheduling office.\n")


def health_article(c):
    r = c.rng
    med = r.choice(MEDS)[0]
    text = (
        "Interesting read: a new study of %d adults found that %s lowered the risk of %s by %d%% compared with placebo. "
        "Side effects were mild. The authors call for larger trials before guidelines change.\n\nShared from the journal club list.\n"
    ) % (r.randint(800, 20000), med, r.choice(CONDITIONS), r.randint(5, 40))
    return dict(subject=r.choice(["Journal club", "Article", "Worth reading"]), text=text)


def job_posting(c):
    r, f, i = c.rng, c.fake, c.ids
    text = (
        "We're hiring: %s (req %s). Experience with %s patients and EHR documentation preferred. Shift differential, "
        "start date %s. Apply by %s or call recruiting at %s.\n"
    ) % (r.choice(["Registered Nurse", "Medical Assistant", "Pharmacy Technician", "Billing Specialist"]), i.digits(6),
         r.choice(["cardiac", "pediatric", "dialysis", "oncology"]), i.date(f.date_between("+20d", "+60d")), i.date(f.date_between("+5d", "+19d")), i.phone())
    return dict(subject="Job opening", text=text)


def staff_spotlight(c):
    r, f, i = c.rng, c.fake, c.ids
    who = "%s %s" % (r.choice(["Ms.", "Mr.", "Mrs."]), f.last_name())
    text = (
        "Staff spotlight\n\nMeet %s, our certified %s educator, who has led the %s support group since %d. "
        "%s's tip of the month: keep a list of your medications, such as %s, and bring it to every appointment.\n"
        "Classes meet on %s in room %d. Call %s to sign up.\n"
    ) % (who, r.choice(["diabetes", "asthma", "heart failure"]), r.choice(CONDITIONS), r.randint(2005, 2024), who,
         r.choice(MEDS)[0], i.date(c.fake.date_between("+2d", "+20d")), r.randint(100, 400), i.phone())
    return dict(subject="Staff spotlight", text=text)


def pharmacy_marketing(c):
    r, i = c.rng, c.ids
    meds = r.sample(MEDS, 3)
    text = (
        "Save on your prescription refills!\n\nThis month: generic %s, %s and %s from $4 for a 30-day supply. "
        "Transfer your prescription in minutes online or call %s. Offer valid until %s at participating stores.\n"
        "Flu shots available, no appointment needed.\n"
    ) % (meds[0][0], meds[1][0], meds[2][0], i.phone(), i.date(c.fake.date_between("+5d", "+30d")))
    return dict(subject="Pharmacy savings for you", text=text)


def personal_notice(c):
    r, f, i = c.rng, c.fake, c.ids
    text = r.choice([
        "Dear %s,\n\nYour BLS certification expires on %s. Renew online or call the education office at %s.\n",
        "Dear %s,\n\nYour password for the staff portal expires on %s. If you did not request a reset, call %s.\n",
        "Dear %s,\n\nYour parking permit renewal is due on %s. Questions: %s.\n",
        "Dear %s,\n\nYour expense report for the conference was approved on %s and will be paid with the next payroll. Call %s with questions.\n",
    ]) % (f.name(), i.date(f.date_between("+3d", "+40d")), i.phone())
    return dict(subject=r.choice(["Action needed", "Reminder", "Notice"]), text=text)


GENERATORS = [
    ("newsletter", newsletter, 5), ("marketing", marketing, 4), ("it-ticket", it_ticket, 5), ("invoice", invoice, 4),
    ("invoice-pdf", lambda c: invoice(c, True), 2), ("shipping", shipping, 4), ("order", order_confirmation, 3),
    ("badge", badge_facilities, 2), ("meeting", meeting, 3), ("sales-xlsx", lambda c: spreadsheet(c, "xlsx"), 2),
    ("sales-csv", lambda c: spreadsheet(c, "csv"), 2), ("minutes-docx", minutes_docx, 1), ("coding-webinar", coding_webinar, 2),
    ("quality-report", quality_report, 2), ("on-call", oncall, 2), ("health-article", health_article, 2), ("job-posting", job_posting, 1),
    ("staff-spotlight", staff_spotlight, 2), ("pharmacy-marketing", pharmacy_marketing, 2),
    ("personal-notice", personal_notice, 3),
]
