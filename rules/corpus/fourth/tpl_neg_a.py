"""Negative templates, part A: veterinary records, HR/benefits, payroll, vendor invoices, IT, facilities,
birthdays, recruiting, W-9. None needs protection (LABELLING.md section 2); each is written with the words
and number shapes a careless classifier keys on."""

import datetime as dt

from mailkit import html_doc, html_table, message, para, pdf, template, vcard, xlsx


@template("vet-vaccination-record", False, "2: a pet's health record; the owner is named for the animal's care only")
def vet_record(c):
    o, owner, st = c.org("vet"), c.person(), c.staff(("CVT", "RVT", ""))
    pet = c.pick(["Bella", "Max", "Luna", "Charlie", "Cooper", "Daisy", "Milo"])
    lines = [o["name"], "VACCINATION & MEDICAL RECORD", "", "Client: %s" % owner["full"],
             "Address: %s, %s, %s %s" % (owner["street"], owner["city"], owner["state"], owner["zip"]),
             "Patient: %s  Species: %s  Breed: %s" % (pet, c.pick(["Canine", "Feline"]),
                                                      c.pick(["Labrador mix", "DSH", "Goldendoodle", "Beagle"])),
             "Patient DOB: %s  Weight: %.1f lb" % (c.mdY(c.today - dt.timedelta(days=c.r.randint(400, 4000))),
                                                  c.r.uniform(8, 80)),
             "Rabies (3 yr) given %s, tag #%s, lot %s" % (c.mdY(c.past(1, 300)), c.digits(6), c.digits(7)),
             "DHPP given %s" % c.mdY(c.past(1, 300)),
             "Dx: %s" % c.pick(["otitis externa", "diabetes mellitus - on Vetsulin", "hypothyroidism", "dental disease "
                                "grade 2", "allergic dermatitis - Apoquel 16 mg"])]
    text = ("Hi %s,\n\nAttached is %s's vaccine and medical history for the boarding facility. Balance of $%d.%02d "
            "was paid with the card on file. See you at %s's recheck on %s!\n" % (owner["first"], pet, c.r.randint(60,
            400), c.r.randint(0, 99), pet, c.day(c.soon())))
    return message(c, c.addr(st, o), owner["email"], "%s's records" % pet, text=text + c.signature(st, o),
                   attach=[("%s_%s_records.pdf" % (owner["last"], pet), "application/pdf", pdf(lines))])


@template("vet-surgery-estimate-html", False, "2: a dog's surgical estimate to the owner; no human health or care fact")
def vet_estimate(c):
    o, owner, dvm = c.org("vet"), c.person(), c.doctor(creds=("DVM",))
    pet = c.pick(["Rocky", "Bailey", "Sadie", "Buddy", "Lola", "Zeus"])
    rows = [["Pre-anesthetic bloodwork", "$%d" % c.r.randint(90, 180)], ["Anesthesia & monitoring", "$%d" %
            c.r.randint(300, 700)], [c.pick(["TPLO (R stifle)", "Mass removal", "Dental extractions x4",
                                             "Cystotomy"]), "$%d" % c.r.randint(800, 4200)],
            ["Hospitalization (1 night)", "$%d" % c.r.randint(100, 300)], ["Carprofen 75 mg #14", "$%d" %
            c.r.randint(30, 70)]]
    html = html_doc(para("Hi %s,\n\nHere is the estimate Dr. %s discussed for %s's surgery on %s. A 50%% deposit is "
                         "due at drop-off." % (owner["first"], dvm["last"], pet, c.day(c.soon())))
                    + html_table(["Item", "Estimate"], rows)
                    + para("Questions? Call %s.\n%s" % (o["phone"], o["name"])))
    return message(c, c.box(o, "frontdesk"), owner["email"], "Estimate for %s" % pet, html=html)


@template("hr-open-enrollment-newsletter", False, "2: benefits newsletter to staff; generic screening words")
def open_enrollment(c):
    o, hr, e = c.org("clinic"), c.staff(("SHRM-CP", "")), c.staff()
    d = c.soon(5, 20)
    text = ("Dear %s,\n\nOpen enrollment for %d benefits runs through %s. This year:\n\n"
            "- Preventive screenings (mammogram, colonoscopy, A1c) remain covered at 100%% in-network\n"
            "- The HSA employer match rises to $%d\n- Our EAP offers 6 free confidential counseling sessions\n"
            "- Refer a friend: $%d referral bonus for RN hires\n\nLog in to Workday with your employee ID (%s) to "
            "elect. Questions? Benefits office ext %s.\n\n%s, HR Benefits" % (e["first"], c.today.year + 1,
            c.mdY(d), c.pick([500, 750, 1000]), c.pick([1500, 2500, 3000]), "E%s" % c.digits(6), hr["ext"], hr["sig"]))
    return message(c, c.addr(hr, o), c.addr(e, o), "Open enrollment ends %s" % c.day(d), text=text)


@template("payroll-direct-deposit", False, "2: payroll notice with employee IDs and masked account digits")
def payroll(c):
    o, pay = c.org(c.pick(["clinic", "ltc", "home"])), c.staff(("", "CPP"))
    rows = [["Employee ID", "Name", "Pay date", "Deposit acct", "Hours"]]
    for _ in range(c.r.randint(3, 7)):
        e = c.staff()
        rows.append(["%s" % c.digits(6), e["full"], c.mdY(c.soon(1, 5)), "****%s" % c.digits(4),
                     c.r.randint(24, 84)])
    html = html_doc(para("Payroll for period ending %s is finalized. The following direct deposits failed "
                         "validation - employees please update banking in the portal by Wed." % c.mdY(c.past(1, 5)))
                    + html_table(rows[0], rows[1:]) + para("Thanks,\n%s\nPayroll" % pay["sig"]))
    return message(c, c.addr(pay, o), c.box(o, "managers"), "Payroll - failed direct deposits", html=html)


@template("vendor-invoice-xlsx", False, "2: supply invoice with PO, NDC, lot numbers; no patient")
def vendor_invoice(c):
    v, ar = c.org("vendor"), c.staff()
    rows = [["Invoice #", "PO #", "Item", "NDC / Cat #", "Lot", "Exp", "Qty", "Unit $"]]
    inv, po = "INV-%s" % c.digits(7), "PO%s" % c.digits(8)
    for _ in range(c.r.randint(3, 8)):
        rows.append([inv, po, c.pick(["Lidocaine 1% 20mL", "Nitrile gloves M", "Suture 4-0 nylon", "Flu vaccine QIV",
                                      "Ceftriaxone 1g vial", "Gauze 4x4"]),
                     "%s-%s-%s" % (c.digits(5), c.digits(4), c.digits(2)), c.digits(6), c.soon(200, 700),
                     c.r.randint(1, 40), round(c.r.uniform(2, 90), 2)])
    return message(c, c.addr(ar, v), c.box(c.org("clinic"), "ap"), "Invoice %s / %s" % (inv, po),
                   text="Please find attached invoice %s. Net 30. Remit to our lockbox." % inv + c.signature(ar, v),
                   attach=[("%s.xlsx" % inv, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            xlsx(rows, "Invoice"))])


@template("it-ticket-epic-downtime", False, "2: IT ticket about downtime; mentions PHI, MRN fields, no values")
def it_ticket(c):
    o, tech, u = c.org("clinic"), c.staff(("", "CompTIA A+")), c.staff()
    text = ("Ticket INC%s has been updated.\n\nRequester: %s\nCategory: EHR > Printing\nPriority: P2\n\n"
            "Update from %s: The label printers on 3 North were printing blank MRN and DOB fields because the "
            "driver update (KB%s) reset the template. Rolled back on %d workstations. Please ask users to reprint; "
            "if a wristband prints with a blank patient name, do NOT use it.\n\nScheduled downtime: %s 02:00-04:00 "
            "for the Epic upgrade. Use the downtime BCA workstations and paper forms.\n\nReply above this line."
            % (c.digits(7), u["full"], tech["full"], c.digits(7), c.r.randint(2, 12), c.mdY(c.soon(2, 9))))
    return message(c, c.box(o, "servicedesk"), c.addr(u, o), "[INC%s] Label printers - resolved" % c.digits(7),
                   text=text)


@template("facility-parking-notice", False, "2: facilities notice; staff names and room numbers only")
def facility(c):
    o, fm = c.org(c.pick(["clinic", "ltc"])), c.staff(("", "CHFM"))
    d = c.soon(1, 10)
    text = ("All staff,\n\n%s\n\nImpacted: Medical Office Bldg B, suites %d-%d; %s.\nContact: %s, Facilities, "
            "pager %s.\n\nThank you for your patience." % (c.pick([
                "The north parking garage will be closed %s for resurfacing. Park in Lot C; shuttles every 10 min."
                % c.day(d), "A fire drill will take place %s between 10-11 AM." % c.day(d),
                "Water will be shut off in the east wing %s from 6-9 AM for valve replacement." % c.day(d)]),
                c.r.randint(100, 200), c.r.randint(201, 300), c.pick(["Imaging waiting room", "Cafeteria", "Lab draw "
                                                                       "station 2"]), fm["full"], c.digits(4)))
    return message(c, c.addr(fm, o), c.box(o, "allstaff"), "Facilities notice", text=text)


@template("staff-birthdays-anniversaries", False, "2/3: staff birthdays with dates; employment context")
def birthdays(c):
    o, hr = c.org(c.pick(["dental", "clinic", "pt", "eye"])), c.staff()
    items = []
    for _ in range(c.r.randint(3, 6)):
        s = c.staff()
        items.append("%s (%s) - %s" % (s["full"], c.pick(["front desk", "hygiene", "billing", "RN", "MA"]),
                                       c.day(c.soon(0, 28))))
    text = ("Happy birthday to our %s celebrants!\n\n%s\n\nCake in the break room Friday. Also congrats to %s on "
            "%d years with %s!\n\n%s" % (c.today.strftime("%B"), "\n".join(items), c.f().first_name(),
                                         c.r.randint(5, 25), o["name"], hr["sig"]))
    return message(c, c.addr(hr, o), c.box(o, "team"), "%s birthdays & anniversaries" % c.today.strftime("%B"),
                   text=text)


@template("recruiting-travel-rn", False, "2: job posting with licence and certification requirements")
def recruiting(c):
    v, rec, cand = c.org("vendor"), c.staff(), c.staff(("RN", "RN, BSN"))
    text = ("Hi %s,\n\nSaw your profile - we have a 13-week %s contract at a Magnet hospital in %s, $%d/wk. "
            "Requirements: active %s RN licence (compact ok), BLS/ACLS, 2 yrs recent experience, %s. "
            "Start %s. Referral bonus $%d if you know someone!\n\nText me at %s.\n\n%s\nTalent Acquisition, %s"
            % (cand["first"], c.pick(["ICU", "L&D", "Med-Surg", "OR", "Tele"]), c.f().city(), c.r.randint(2100, 3600),
               c.f().state_abbr(), c.pick(["Epic charting", "NIHSS cert", "TNCC"]), c.mdY(c.soon(14, 40)),
               c.pick([500, 1000]), rec["phone"], rec["sig"], v["name"]))
    return message(c, c.addr(rec, v), c.addr(cand, host="gmail.com"), "Travel RN opportunity", text=text)


@template("w9-vendor-onboarding", False, "2: W-9/EIN/DUNS request to a vendor; business identifiers only")
def w9(c):
    o, ap, v = c.org("clinic"), c.staff(), c.org(c.pick(["vendor", "dme", "lab"]))
    text = ("Hello,\n\nTo set you up as a vendor we need: a signed W-9 (Taxpayer Identification Number), "
            "your remit-to address, and a COI. We have your EIN as %s-%s and DUNS %s - please confirm. "
            "Our NPI is %s and our Tax ID is %s-%s.\n\nPlease do not email SSNs; use the secure upload link.\n"
            % (c.digits(2), c.digits(7), c.digits(9), c.npi(), c.digits(2), c.digits(7)))
    return message(c, c.addr(ap, o), c.box(v, "ar"), "Vendor setup - W-9 needed", text=text + c.signature(ap, o))


@template("vendor-rep-vcard", False, "3: a vendor representative's vCard and a follow-up after a show")
def rep_vcard(c):
    v, rep, buyer = c.org(c.pick(["dme", "vendor", "lab"])), c.staff(("", "MBA")), c.staff()
    card = vcard(rep["full"], rep["last"], rep["first"], org=v["name"], title="Territory Manager",
                 phone=rep["phone"], email="%s@%s" % (rep["first"].lower(), v["domain"]),
                 note="Met at %s expo - interested in CPAP resupply program" % c.f().city())
    text = ("Great meeting you at the booth, %s! My card is attached. Happy to bring lunch and demo the "
            "resupply portal for your sleep patients any Tuesday." % buyer["first"])
    return message(c, c.addr(rep, v), c.addr(buyer, c.org("clinic")), "Nice meeting you",
                   text=text + c.signature(rep, v, True, title="Territory Manager"), attach=[("%s.vcf" % rep["full"], "text/vcard", card)])
