"""Negative templates (part 1), operations and vendors: shift swaps, vendor quotes, IT outages,
conference invites, de-identified unit metrics, recruiting, drug-rep marketing, public-health press
releases, shipments, job offers, a staff call-out without a condition. Each is full of the words and
number shapes a careless classifier keys on, and none is about an identified patient (LABELLING 2)."""

from mailkit import addr, csv_text, html_table, mail, template

UNITS = ["4 West", "Dialysis", "Infusion", "ICU", "Med/Surg", "Oncology", "Sleep Lab", "Urgent Care", "ED"]


@template("staff-shift-swap", "no", "2: workforce scheduling; staff names, credentials, units and dates only")
def shift_swap(c):
    org = c.org(["Medical Center", "Dialysis", "Hospital"])
    a, b = (c.staff(["RN", "PCT", "LPN", "RT"], org) for _ in range(2))
    mgr = c.staff(["Nurse Manager", "Staffing Coordinator", "Charge Nurse"], org)
    unit = c.pick(UNITS)
    d1, d2 = c.day(3, 20), c.day(3, 20)
    body = "%s\n\n%s\n\n%s\n\n%s" % (c.pick(["Hi %s," % mgr.first, "Hello,", "%s -" % mgr.first]),
                                     c.pick([("%s and I would like to swap: I take " + c.pron(b) + " %s 7p-7a and %s takes my %s 7a-7p on %s.") % (b.first, c.sdate(d1), b.first, c.sdate(d2), unit),
                                             "Can I pick up %s's shift on %s (%s, nights)? I'm under 36 hrs that week." % (b.full, c.sdate(d1), unit),
                                             "Requesting %s off for my daughter's graduation; %s agreed to cover." % (c.sdate(d1), b.full)]),
                                     c.pick(["We're both chemo-certified / ACLS current.", "Already cleared it with staffing office.", "Let me know if that works with the patient ratios.", ""]),
                                     c.signature(a, {"RN": "RN, BSN", "PCT": "CCHT", "LPN": "LPN", "RT": "RRT"}[a.role]))
    return mail(c, addr(a), addr(mgr), c.pick(["Shift swap %s" % c.sdate(d1), "Schedule request", "Swap w/ %s" % b.first]), body, cc=addr(b) if c.chance(0.5) else None)


@template("vendor-quote-equipment", "no", "2: vendor quote with quote/model/serial numbers and prices; no patient")
def quote_eq(c):
    ven = c.org(["Medical Systems", "Healthcare Solutions", "Biomedical"], ())
    rep = c.staff(["Account Executive", "Territory Manager", "Inside Sales"], ven)
    org = c.org(["Hospital", "Infusion Center", "Sleep Center", "Dialysis"])
    buyer = c.staff(["Materials Manager", "Biomed Supervisor", "Purchasing Agent"], org)
    items = c.some([("Large-volume infusion pump", 3195), ("Syringe pump module", 2450), ("Pole clamp", 42), ("Hemodialysis machine 2008T refurb", 16900),
                    ("CPAP titration unit", 4100), ("Vital signs monitor", 2875), ("Extended service plan (per device, 3 yr)", 389)], 2, 4)
    rows = [[("MDL-%s" % c.digits(5)), n, str(c.r.randint(1, 20)), "$%s" % format(p, ","), "SN range %s-%s" % (c.digits(7), c.digits(3))] for n, p in items]
    html = "<p>%s</p>%s<p>Quote #Q-%s valid 30 days. FOB destination, net 45. %s</p><p>%s</p>" % (
        c.pick(["Hi %s, as discussed here's pricing for the %s refresh." % (buyer.first, c.pick(UNITS)), "Please find our quote below.", "Updated quote with the GPO discount applied:"]),
        html_table(["Part", "Description", "Qty", "Unit", "Notes"], rows), c.digits(8), c.pick(["Includes in-service training for nursing staff.", "Patient-safety firmware 4.2 preinstalled.", ""]),
        c.signature(rep).replace("\n", "<br>"))
    return mail(c, addr(rep), addr(buyer), c.pick(["Quote Q-%s" % c.digits(6), "Pricing - infusion pumps", "Your quote request"]), None, html)


@template("it-outage-patient-portal", "no", "2: IT outage notice about the patient portal/EHR; systems and staff only")
def outage(c):
    org = c.org(["Health", "Medical Group", "Health System"])
    it = c.staff(["IT Service Desk", "Applications Manager", "Change Management"], org)
    start = c.day(1, 10)
    body = "%s\n\n%s\n\nWhat's affected: %s\nWhen: %s %s - %s\nTicket/Change: %s\n\n%s\n\n%s" % (
        c.pick(["ATTENTION ALL USERS", "Planned downtime notice", "UNPLANNED OUTAGE - UPDATE %d" % c.r.randint(1, 4)]),
        c.pick(["The patient portal (MyChart), e-check-in and telehealth video links will be unavailable.",
                "Patient portal messaging and lab result release are degraded; MRN lookup in the scheduling module is slow.",
                "The fax server and e-prescribing (Surescripts) interface will be down for an upgrade."]),
        ", ".join(c.some(["patient portal", "MyChart proxy access", "video visits", "bill pay", "appointment reminders", "In Basket notifications"], 2, 4)),
        c.sdate(start), c.pick(["22:00", "11 PM", "02:00"]), c.pick(["04:00", "6 AM", "TBD"]), c.pick(["CHG%s" % c.digits(7), "INC%s" % c.digits(7)]),
        c.pick(["Use downtime procedures: paper registration forms are in the red binder. Do not send PHI by personal email.",
                "Patients who call can be told the portal is down for maintenance.", "BCA workstations remain available for read-only access."]),
        c.signature(it))
    return mail(c, addr(it), "all-staff@%s" % org.domain, c.pick(["Patient portal downtime %s" % c.sdate(start), "IT notice: outage", "[Planned] EHR maintenance"]), body)


@template("conference-invite-disease-ics", "no", "3: invitation to a CME conference about a disease (calendar part); no individual")
def conference(c):
    soc = c.org(["Society", "Foundation", "Association"], ())
    org = c.org(["Medical Center", "Hospital"])
    topic = c.pick(["Advances in Sickle Cell Disease", "Kidney Transplant Symposium", "Sleep Apnea Update", "Oncology Nursing Summit",
                    "Dialysis Access Workshop", "Pediatric Speech & Language Disorders", "Genetic Counseling in Hereditary Cancer"])
    d = c.day(20, 60)
    dt_s = d.strftime("%Y%m%d")
    ics = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//%s//EN" % soc.name, "METHOD:REQUEST", "BEGIN:VEVENT",
                       "UID:%s@%s" % (c.digits(12), soc.domain), "DTSTAMP:%sT120000Z" % c.when.strftime("%Y%m%d"), "DTSTART:%sT130000Z" % dt_s,
                       "DTEND:%sT210000Z" % dt_s, "SUMMARY:%s" % topic, "LOCATION:%s Convention Center" % c.fk().city(),
                       "DESCRIPTION:Case-based sessions on diagnosis and management. 6.5 CME/CNE.", "END:VEVENT", "END:VCALENDAR"]) + "\r\n"
    body = "%s\n\nJoin us for %s on %s. Sessions include %s. Speakers: Dr. %s, %s; %s, PhD.\nRegister by %s. Fee waived for residents.\n\n%s" % (
        c.pick(["Dear colleague,", "Save the date!", "You're invited"]), topic, c.sdate(d),
        ", ".join(c.some(["new therapies and trial results", "managing patients on immunosuppression", "HIV PrEP in transplant candidates", "CPAP adherence",
                          "pathogenic variants and cascade testing", "vascular access complications"], 2, 3)),
        c.person().full, c.pick(["MD", "MD, MPH"]), c.person().full, c.sdate(c.day(5, 19)), soc.name)
    return mail(c, "%s <events@%s>" % (soc.name, soc.domain), "%s <%s>" % (org.name, "medstaff@%s" % org.domain), "Invitation: %s" % topic, body,
                attach=[("invite.ics", c.pick(["text/calendar", "application/ics"]), ics)])


@template("deidentified-unit-metrics", "no", "2: aggregate quality metrics by month/quarter and unit; no row per person")
def metrics(c):
    org = c.org(["Dialysis", "Kidney Center", "Dialysis Center"])
    qa = c.staff(["Quality Manager", "QAPI Coordinator", "Data Analyst"], org)
    mgr = c.staff(["Medical Director", "Clinic Manager"], org)
    rows = [[m, str(c.r.randint(60, 140)), "%.2f" % c.r.uniform(1.2, 1.7), "%d%%" % c.r.randint(55, 80), "%d%%" % c.r.randint(5, 20), str(c.r.randint(0, 4))]
            for m in ["Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026"]]
    hdr = ["Month", "Patients", "Mean Kt/V", "AVF rate", "Catheter >90d", "Bloodstream infections"]
    body = "%s\n\n%s\n\n%s\n\n%s" % (c.pick(["Monthly QIP dashboard attached.", "Here are the numbers for the QAPI meeting.", "Q3 facility metrics:"]),
                                     csv_text(hdr, rows, "\t").replace("\r\n", "\n"),
                                     c.pick(["Hospitalization rate 1.4 per patient-year; no patient-level data included.", "Two of the BSIs were in catheter patients; RCA pending.",
                                             "All figures are de-identified aggregates."]), c.signature(qa))
    return mail(c, addr(qa), addr(mgr), c.pick(["QIP metrics", "QAPI dashboard %s" % c.pick(["Q3", "Oct"]), "Monthly quality numbers"]), body,
                attach=[("metrics.csv", "text/csv", csv_text(hdr, rows))] if c.chance(0.5) else ())


@template("recruiting-mail-clinician", "no", "2: recruiter mail to a clinician; licences and job facts only")
def recruiting(c):
    ag = c.org(["Staffing", "Healthcare Recruiters", "Talent Partners"], ())
    rec = c.staff(["Recruiter", "Senior Recruiter"], ag)
    cand = c.person("en_US")
    cand.email = c.email_for(cand)
    role = c.pick(["Dialysis RN (CCHT/CNN)", "Infusion RN", "Sleep Tech (RPSGT)", "Transplant Coordinator", "Speech-Language Pathologist", "Paramedic - Critical Care"])
    body = "Hi %s,\n\n%s\n\n- %s, %s\n- $%d/hr + %s\n- Requirements: %s\n- Start %s\n\n%s\n\n%s" % (
        cand.first, c.pick(["I came across your profile and think you'd be a great fit.", "Following up on our call.", "Hot job alert!"]),
        role, c.fk().city(), c.r.randint(42, 95), c.pick(["$5k sign-on", "housing stipend", "relocation"]),
        c.pick(["active RN licence, BLS/ACLS, 2 yrs experience", "RPSGT, CPR", "current licence and CCC"]), c.sdate(c.day(14, 60)),
        c.pick(["Reply with a good time to chat.", "Are you open to travel contracts?", "Refer a friend, get $1,000!"]), c.signature(rec))
    return mail(c, addr(rec), addr(cand), c.pick(["%s opportunity" % role, "Re: your availability", "New role: %s" % role]), body)


@template("drug-rep-marketing-html", "no", "2: pharmaceutical marketing to clinicians with drug names and indications; no individual")
def drug_rep(c):
    ph = c.org(["Pharmaceuticals", "Therapeutics", "BioPharma"], ())
    drug, ind = c.pick([("Biktarvy", "HIV-1 treatment"), ("Ozempic", "type 2 diabetes"), ("Entresto", "heart failure"), ("Dupixent", "atopic dermatitis"),
                        ("Keytruda", "NSCLC"), ("Xarelto", "stroke prevention in nonvalvular AF"), ("Jardiance", "CKD and heart failure")])
    doc = c.person("en_US")
    doc.email = c.email_for(doc)
    html = ("<html><body><h1>%s</h1><p>Dr. %s, %s for appropriate adult patients with %s.</p><ul><li>%s</li><li>Savings card: eligible commercially insured patients may pay as little as $0</li>"
            "<li>Request samples: <a href=\"https://hcp.%s/samples?rid=%x\">hcp.%s</a></li></ul>"
            "<p>Please see full Prescribing Information, including Boxed Warning.</p><p>Your rep: %s, %s</p>"
            "<img src=\"https://pixel.%s/t/%x.gif\"></body></html>"
            % (drug, doc.last, c.pick(["consider %s" % drug, "discover %s" % drug, "learn more about %s" % drug]), ind, c.pick(["Once-daily dosing", "New 2026 guideline update", "Now on formulary at most plans"]),
               ph.domain, c.r.getrandbits(48), ph.domain, c.person().full, c.phone(), ph.domain, c.r.getrandbits(48)))
    return mail(c, "%s <hcp@%s>" % (drug, ph.domain), addr(doc), c.pick(["%s: %s" % (drug, ind), "New data for your patients", "Your %s samples" % drug]), None, html)


@template("public-health-press-release", "no", "2: health department press release with aggregate counts, percentages and age ranges; no individual")
def press(c):
    dph = c.org(["County Health Department", "Department of Health"], ())
    pio = c.staff(["Public Information Officer", "Communications Director"], dph)
    disease = c.pick(["measles", "pertussis", "influenza", "hepatitis A", "Legionnaires' disease", "West Nile virus"])
    body = "FOR IMMEDIATE RELEASE\n%s\n\n%s\n\n%s\n\n%s\n\nMedia contact: %s, %s\n###" % (
        c.when.strftime("%B %d, %Y"),
        c.pick(["Health officials confirm %d cases of %s in the region since %s." % (c.r.randint(3, 40), disease, c.pick(["October", "September"])),
                "%s activity is increasing: %d%% of emergency visits last week were for %s-like illness." % (disease.title(), c.r.randint(3, 12), disease)]),
        c.pick(["Most cases are in unvaccinated children under 5 and adults over 65.", "No deaths have been reported.", "Cases range in age from 2 to 71."]),
        c.pick(["Residents should check vaccination records. Free clinics are listed at the department's website.", "Anyone with symptoms should call their provider before visiting."]),
        pio.full, pio.direct)
    return mail(c, addr(pio), "media-list@%s" % dph.domain, c.pick(["PRESS RELEASE: %s cases" % disease.title(), "Health advisory: %s" % disease]), body)


@template("supply-shipment-tracking", "no", "2: shipment notice with Luhn-valid order numbers and UPS/USPS tracking; supplies, no patient")
def shipment(c):
    ven = c.org(["Medical Supply", "Surgical", "Healthcare Distribution"], ())
    org = c.org(["Clinic", "Dialysis", "Urgent Care", "Sleep Center"])
    buyer = c.staff(["Office Manager", "Supply Coordinator"], org)
    order = c.luhn16(c.pick(["4", "5", ""]))
    trk = c.pick(["1Z%s%s" % (c.pick(["999", "A12", "V45"]).upper(), c.digits(13)), "9400%s" % c.digits(18)])
    items = c.some(["Dialyzer F180NR x 24", "Blood tubing sets x 48", "Nasal pillow masks (M) x 10", "Exam gloves L x 10 bx", "IV start kits x 100",
                    "Sharps containers 2 gal x 12", "Specimen bags x 500"], 2, 4)
    body = "%s\n\nOrder number: %s\nPO: %s\nTracking: %s\nItems:\n%s\n\n%s" % (
        c.pick(["Your order has shipped!", "Shipping confirmation", "Good news - your order is on the way."]), order, c.digits(8), trk,
        "\n".join("  " + i for i in items), c.pick(["Ship to: %s, %s" % (org.name, org.address()), "Questions? Reply to this email or call %s." % ven.phone]))
    return mail(c, "%s <orders@%s>" % (ven.name, ven.domain), addr(buyer), c.pick(["Your order %s has shipped" % order[-6:], "Shipment notification", "Order %s" % order]), body)


@template("job-offer-start-date", "no", "2: HR job offer: employee ID, start date, pay, onboarding; employment record, no health fact")
def job_offer(c):
    org = c.org(["Health", "Medical Center", "Dialysis"])
    hr = c.staff(["Talent Acquisition Partner", "HR Generalist"], org)
    cand = c.person()
    cand.email = c.email_for(cand)
    role = c.pick(["Registered Nurse - Infusion", "Patient Care Technician", "Sleep Technologist", "Interpreter (Portuguese)", "Case Manager RN"])
    body = "Dear %s,\n\n%s\n\nPosition: %s\nStart date: %s\nRate: $%d.%02d/hr\nEmployee ID: %s\n\n%s\n\n%s" % (
        cand.first, c.pick(["We are delighted to offer you the position below.", "Congratulations! Here is your offer."]), role,
        c.day(14, 45).strftime("%m/%d/%Y"), c.r.randint(22, 58), c.r.randint(0, 99), c.digits(6),
        c.pick(["The offer is contingent on a background check and the pre-employment health screening, which Employee Health will schedule.",
                "Orientation starts at 8 AM in the Education Center. Bring two forms of ID for your I-9.", "Benefits begin the first of the month after your start date."]),
        c.signature(hr))
    return mail(c, addr(hr), addr(cand), c.pick(["Offer of employment", "Your offer - %s" % role, "Welcome to %s" % org.name]), body)


@template("staff-callout-no-condition", "no", "2 (decided): staff member calling out sick with no diagnosis, symptom detail or treatment")
def callout(c):
    org = c.org(["Hospital", "Urgent Care", "Dialysis", "Medical Group"])
    me = c.staff(["RN", "MA", "Front Desk", "PCT", "Tech"], org)
    mgr = c.staff(["Manager", "Charge Nurse", "Supervisor"], org)
    body = "%s\n\n%s %s\n\n%s%s" % (c.pick(["Hi %s," % mgr.first, "%s," % mgr.first, "Good morning"]),
                                     c.pick(["I need to call out today, not feeling well.", "I'm sick and won't make my shift tonight.",
                                             "Calling out %s, sorry for the short notice." % c.sdate(c.day(0, 1)), "I'll need to use a sick day today."]),
                                     c.pick(["I already let the charge nurse know.", "I'll update you tomorrow.", "Can %s cover?" % c.person().first, ""]),
                                     me.first, "\n\n" + c.mobile_tag() if c.chance(0.5) else "")
    return mail(c, addr(me), addr(mgr), c.pick(["Call out", "Out today", "sick day", "Can't come in"]), body)
