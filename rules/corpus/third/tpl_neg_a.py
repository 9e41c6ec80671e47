"""Negative templates, part A: operations, HR, IT, vendors (staff names, dates and numbers, no patient)."""

from mailkit import csv_text, html_doc, html_table, make_pdf, template


@template("staff-schedule", False)
def staff_schedule(c):
    org, mgr = c.org(), c.staff("RN")
    rows = [[c.staff("RN")["name"], c.pick(["7a-7p", "7p-7a", "8a-4:30p", "off", "on call"]),
             c.pick(["4 West", "ICU", "ED", "PACU", "L&D", "clinic"])] for _ in range(c.r.randint(6, 12))]
    html = html_doc(["Team,", "Here is the coverage for the week of %s. Swap requests to me by Friday." %
                     c.ids.short_date(c.ids.visit_date(True)), ("raw", html_table(["Name", "Shift", "Unit"], rows)),
                     mgr["shown"] + ", Nurse Manager"])
    return {"from": (mgr["name"], c.addr(mgr, org)), "to": [("Agency staffing", c.role_addr(c.org(), "staffing"))],
            "subject": c.pick(["Schedule next week", "coverage", "Nursing schedule"]), "html": html,
            "text": "Schedule attached below (HTML)." if c.chance(0.5) else None}


@template("it-helpdesk-ticket", False)
def it_ticket(c):
    org, tech, user = c.org("hospital"), c.staff("IT"), c.staff("RN")
    issue = c.pick(["Printer in exam room 3 jams on label stock", "Epic Hyperspace freezes when opening In Basket",
                    "Badge reader at the north entrance not working", "Dictation mic not recognised after update",
                    "Cannot log in to Citrix from home", "Fax-to-email queue stuck since 6am"])
    text = ("Ticket %s has been updated.\n\nRequester: %s\nLocation: %s\nIssue: %s\nStatus: %s\n"
            "Asset tag: %s\n\nReply to this email to add a comment.\n") % (
        c.ids.ticket(), user["name"], c.pick(["Clinic B 2nd floor", "ED triage", "Pharmacy"]), issue,
        c.pick(["In progress", "Waiting on vendor", "Resolved"]), "PC" + c.ids.digits(6))
    vendor = c.org("vendor")
    return {"from": ("Service Desk", c.role_addr(org, "servicedesk")), "to": [(tech["name"], c.addr(tech, vendor))],
            "subject": "[%s] %s" % (c.ids.ticket(), issue[:40]), "text": text}


@template("vendor-invoice", False)
def vendor_invoice(c):
    vendor, clinic, ar = c.org("vendor"), c.org(), c.staff("accounts receivable")
    items = [[c.pick(["Nitrile exam gloves M, case", "Syringe 10 mL luer lock, bx 100", "Alcohol prep pads",
                      "Sharps container 2 gal", "Blood pressure cuff adult", "Specimen cups sterile"]),
              c.r.randint(1, 40), "%.2f" % c.r.uniform(4, 90)] for _ in range(c.r.randint(3, 7))]
    lines = ["INVOICE %s" % c.ids.digits(7), vendor["name"], "Federal Tax ID %s" % c.ids.ein(),
             "Bill to: %s" % clinic["name"], "PO: %s   Terms: Net 30" % c.ids.digits(6), ""] + \
        ["%-40s %4d  %8s" % tuple(i) for i in items]
    att = ("invoice.pdf", "application/pdf", make_pdf(lines, "Invoice")) if c.chance(0.5) else \
        ("invoice.csv", "text/csv", csv_text(["Item", "Qty", "Unit price"], items))
    return {"from": (ar["name"], c.role_addr(vendor, "ar")), "to": [("Accounts Payable", c.role_addr(clinic, "ap"))],
            "subject": c.pick(["Invoice", "Invoice %s" % c.ids.digits(7), "Past due invoice reminder"]),
            "text": "Please find your invoice attached. Remit to the lockbox on file.\n" + c.sig(ar, vendor),
            "attachments": [att]}


@template("job-posting", False)
def job_posting(c):
    org, rec = c.org("hospital"), c.staff("recruiter")
    role = c.pick(["Registered Nurse - Oncology", "Medical Assistant", "Clinical Research Coordinator",
                   "Patient Access Representative", "Behavioral Health Therapist (LCSW)"])
    html = html_doc(["We're hiring: %s" % role,
                     "%s is looking for a compassionate %s to care for patients with cancer, diabetes, heart "
                     "disease and mental health conditions. Experience with Epic and HIPAA compliance preferred."
                     % (org["name"], role), "Sign-on bonus $%d,000. Apply by %s. Refer a friend and earn a referral bonus!"
                     % (c.r.randint(2, 15), c.ids.short_date(c.ids.visit_date(True))), rec["shown"]])
    return {"from": (rec["name"], c.addr(rec, org)), "to": [("Nursing school career office", "careers@%s.edu" % c.fake.last_name().lower())],
            "subject": "Job opening: " + role, "html": html}


@template("staff-birthday-list", False)
def birthdays(c):
    org, hr = c.org(), c.staff("HR")
    rows = []
    for _ in range(c.r.randint(5, 10)):
        s = c.staff()
        rows.append("%s - December %d" % (s["name"], c.r.randint(1, 31)))
    text = ("Hi everyone!\n\nDecember birthdays - cake in the break room on the 15th:\n\n%s\n\nHappy birthday all!\n%s") % (
        "\n".join(rows), hr["first"])
    return {"from": (hr["name"], c.addr(hr, org)), "to": [("Staff", c.role_addr(c.org(), "allstaff"))],
            "subject": c.pick(["December birthdays!", "Birthday celebration", "Happy birthday team"]), "text": text}


@template("hr-benefits-open-enrollment", False)
def benefits(c):
    org, hr = c.org("hospital"), c.staff("HR")
    emp = c.staff()
    html = html_doc(["Dear %s %s," % (emp["first"], emp["last"]),
                     "Open enrollment runs through %s. This year's medical plans include free preventive screenings "
                     "(mammograms, colonoscopy, A1c checks), $0 telehealth visits and a new mental health benefit."
                     % c.ids.short_date(c.ids.visit_date(True)),
                     "Your employee ID is %s. Log in to the benefits portal to choose your plan." % ("E" + c.ids.digits(6)),
                     "Earn a $50 wellness credit by completing your biometric screening. Refer a colleague to our "
                     "referral program.", hr["shown"] + ", Benefits Team"])
    broker = c.org()
    return {"from": ("Benefits", c.role_addr(org, "benefits")), "to": [(emp["name"], c.addr(emp, broker))],
            "subject": c.pick(["Open enrollment starts now", "Your 2027 benefits", "Reminder: enroll by Friday"]),
            "html": html}


@template("order-confirmation-luhn", False)
def order_conf(c):
    vendor, clinic, buyer = c.org("vendor"), c.org(), c.staff("purchasing")
    text = ("Thank you for your order!\n\nOrder number: %s\nConfirmation: %s\nShip to: %s, %s\n"
            "Tracking: 1Z%s\nEstimated delivery: %s\n\nItems: %s\n") % (
        c.ids.order_no(), c.ids.order_no(), clinic["name"], c.fake.street_address(), c.ids.digits(16),
        c.ids.short_date(c.ids.visit_date(True)),
        c.pick(["exam table paper (12 rolls)", "otoscope specula", "flu vaccine storage fridge", "A1c test cartridges"]))
    return {"from": (vendor["name"], c.role_addr(vendor, "orders")), "to": [(buyer["name"], c.addr(buyer, clinic))],
            "subject": c.pick(["Order confirmation", "Your order has shipped", "Order received"]), "text": text}


@template("w9-request", False)
def w9(c):
    clinic, payer_org, ap = c.org(), c.org("payer"), c.staff("accounts payable")
    text = ("Hello,\n\nTo complete provider enrollment we need an updated W-9 for %s. Our records show TIN %s "
            "and group NPI %s. Please also confirm the remit address.\n%s") % (
        clinic["name"], c.ids.ein(), c.ids.npi(), c.sig(ap, payer_org))
    return {"from": (ap["name"], c.addr(ap, payer_org)), "to": [("Office manager", c.role_addr(clinic, "office"))],
            "subject": c.pick(["W-9 request", "Updated W9 needed", "Provider enrollment - W-9"]), "text": text}


@template("provider-npi-roster", False)
def npi_roster(c):
    clinic, payer, cred = c.org(), c.org("payer"), c.staff("credentialing")
    rows = [[d["name"], c.pick(["MD", "DO", "NP", "PA-C"]), c.ids.npi(),
             c.pick(["Family Medicine", "Cardiology", "Pediatrics", "OB/GYN"]), "Accepting"]
            for d in (c.staff("MD") for _ in range(c.r.randint(4, 9)))]
    return {"from": (cred["name"], c.addr(cred, clinic)), "to": [("Provider data", c.role_addr(payer, "providerdata"))],
            "subject": c.pick(["Provider roster update", "Directory update Q4", "roster"]),
            "text": "Updated provider roster for the directory attached.\n" + c.sig(cred, clinic),
            "attachments": [("provider_roster.csv", "text/csv",
                             csv_text(["Provider", "Degree", "NPI", "Specialty", "Panel"], rows))]}


@template("payroll-notice", False)
def payroll(c):
    org, emp = c.org("hospital"), c.staff()
    vendor = c.org()
    text = ("Hi %s,\n\nYour direct deposit change has been processed. Employee ID %s. The change takes effect "
            "with the pay date %s. Your PTO balance is %d hours.\n\nPayroll Department\n") % (
        emp["first"], c.ids.digits(6), c.ids.short_date(c.ids.visit_date(True)), c.r.randint(8, 200))
    return {"from": ("Payroll", c.role_addr(org, "payroll")), "to": [(emp["name"], c.addr(emp, vendor))],
            "subject": c.pick(["Direct deposit updated", "Payroll change confirmation"]), "text": text}


@template("facilities-notice", False)
def facilities(c):
    org, fac = c.org("hospital"), c.staff("facilities")
    text = ("Please note the %s will be %s on %s from %s. %s Patients and visitors should use the %s.\n%s") % (
        c.pick(["parking garage level 2", "main elevator bank", "cafeteria", "east entrance"]),
        c.pick(["closed", "under maintenance", "unavailable"]), c.ids.short_date(c.ids.visit_date(True)),
        c.ids.time(), c.pick(["Sorry for the inconvenience.", "Signs will be posted."]),
        c.pick(["west lot", "visitor elevators", "south entrance"]), c.sig(fac, org))
    contractor = c.org()
    return {"from": (fac["name"], c.addr(fac, org)), "to": [("Contractor", c.role_addr(contractor, "projects"))],
            "subject": c.pick(["Closure notice", "Facilities update", "Heads up - maintenance"]), "text": text}


@template("equipment-maintenance", False)
def equipment(c):
    org, svc, biomed = c.org("hospital"), c.org("vendor"), c.staff("biomed")
    text = ("Service report %s\nEquipment: %s, serial %s\nWork performed: %s\nNext PM due: %s\nTech: %s\n") % (
        c.ids.digits(8), c.pick(["Siemens MAGNETOM 1.5T MRI", "GE Logiq E10 ultrasound", "Alaris pump module",
                                 "Philips IntelliVue MX450"]), c.ids.digits(9),
        c.pick(["replaced coolant filter", "firmware update, calibration verified", "replaced battery"]),
        c.ids.visit_date(True).strftime("%m/%d/%Y"), c.staff()["name"])
    return {"from": (biomed["name"], c.addr(biomed, org)), "to": [("Field service", c.role_addr(svc, "service"))],
            "subject": c.pick(["Service report", "PM completed", "equipment downtime"]), "text": text}


@template("catering-order", False)
def catering(c):
    org, admin = c.org(), c.staff("office manager")
    cater = c.org("vendor")
    text = ("Hi,\n\nConfirming lunch for %d on %s at noon for our staff meeting: 2 trays of sandwiches, 1 vegetarian, "
            "1 gluten-free, salad and cookies. Please deliver to suite %d. Card on file.\n%s") % (
        c.r.randint(10, 40), c.ids.short_date(c.ids.visit_date(True)), c.r.randint(100, 450), c.sig(admin, org))
    return {"from": (admin["name"], c.addr(admin, org)), "to": [("Catering", "orders@%sdeli.com" % c.fake.last_name().lower())],
            "subject": c.pick(["Lunch order", "catering for Thursday", "staff lunch"]), "text": text}


@template("travel-nurse-recruiting", False)
def recruiting(c):
    agency, rec, nurse = c.org(), c.staff("recruiter"), c.staff("RN")
    agency["name"] = "%s Travel Nursing" % c.fake.last_name()
    text = ("Hi %s,\n\nI have a 13-week ICU contract in %s paying $%d/week starting %s. Need 2 years ICU experience, "
            "BLS/ACLS, compact license. Interested?\n%s") % (
        nurse["first"], c.fake.city(), c.r.randint(2400, 3900), c.ids.short_date(c.ids.visit_date(True)),
        c.sig(rec, agency))
    return {"from": (rec["name"], c.addr(rec, agency)), "to": [(nurse["name"], "%s.%s@gmail.com" % (
        nurse["first"].lower(), nurse["last"].lower()))],
            "subject": c.pick(["ICU travel contract", "New assignment opportunity", "Quick question"]), "text": text}


@template("shipping-tracking", False)
def shipping(c):
    vendor, clinic, buyer = c.org("vendor"), c.org(), c.staff("purchasing")
    html = html_doc(["Your shipment is on its way.", "Tracking number: 9400%s" % c.ids.digits(18),
                     "Order %s - %d boxes of %s" % (c.ids.digits(9), c.r.randint(1, 6),
                                                    c.pick(["specimen bags", "urine cups", "gauze 4x4"])),
                     "Delivery to: %s, %s" % (clinic["name"], c.fake.street_address())])
    return {"from": ("Shipping", c.role_addr(vendor, "shipping")), "to": [(buyer["name"], c.addr(buyer, clinic))],
            "subject": "Shipment notification", "html": html}


@template("test-data-labelled", False)
def test_data(c):
    org, dev = c.org(), c.staff("developer")
    rows = [["ZZTEST, PATIENT%s" % chr(65 + i), "01/01/1900", "TEST%05d" % i, "TEST - not a real patient"]
            for i in range(c.r.randint(3, 8))]
    vendor = c.org()
    return {"from": (dev["name"], c.addr(dev, org)), "to": [("Vendor QA", c.role_addr(vendor, "qa"))],
            "subject": c.pick(["Test patients for UAT", "dummy data for interface testing", "UAT test file"]),
            "text": ("Attached are the TEST patients built in the TST environment for UAT. These are fictitious "
                     "records (ZZTEST), no real patient data.\n" + c.sig(dev, org)),
            "attachments": [("uat_test_patients.csv", "text/csv",
                             csv_text(["Name", "DOB", "MRN", "Note"], rows))]}
