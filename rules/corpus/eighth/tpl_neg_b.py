"""Negative templates, part B (hard negatives: no message needs protection; the comment says why)."""

import datetime as dt

from mailkit import (apple_fwd, attach_bytes, attach_text, html_table, html_wrap, ics, mobile_sig, new_message,
                     para_html, rtf, signature, template)


@template("medical-examiner-annual-aggregate", False, "2: medical examiner's annual statistics: deaths by manner, "
          "cause group and age band (ages under 90 in bands, 90+ as one band); no decedent")
def me_stats(c):
    me, hd = c.org("Office of the Medical Examiner", "ome"), c.org("Public Health Department", "phd")
    me.domain = me.domain.split(".")[0] + ".gov"
    st, epi = c.staff("Statistician"), c.staff("Epidemiologist")
    manners = ["Natural", "Accident", "Suicide", "Homicide", "Undetermined"]
    rows = [(m, str(c.r.randrange(5, 900))) for m in manners]
    bands = [(b, str(c.r.randrange(2, 300))) for b in ["0-17", "18-34", "35-54", "55-74", "75-89", "90 and over"]]
    text = [f"{epi.first},", "", f"Preliminary {c.today.year - 1} case counts for the annual report:", ""] + \
        [f"{m}: {n}" for m, n in rows] + ["", "Overdose deaths by age band:"] + [f"  {b}: {n}" for b, n in bands] + \
        ["", "Counts under 10 will be suppressed in the public version."]
    return new_message(c, (st.name, c.addr_of(st, me)), (epi.name, c.addr_of(epi, hd)),
                       c.pick(["Annual report counts", "Preliminary ME statistics", "Data request: annual counts"]),
                       "\n".join(text) + "\n" + signature(c, st, me))


@template("jail-health-rfp", False, "2: county RFP for correctional health services: average daily population, intake "
          "and sick-call counts, staffing; no inmate")
def jail_rfp(c):
    county = c.org("County Purchasing", "cp")
    county.domain = county.domain.split(".")[0] + ".gov"
    buyer = c.staff("Procurement Officer")
    vendor = c.org("Correctional Healthcare", "ch")
    vrep = c.staff("Business Development")
    body = [c.pick(["Prospective offerors,", f"Dear {vrep.first},"]), "",
            f"Addendum {c.r.randrange(1, 4)} to RFP {c.today.year}-{c.digits(3)} (Inmate Medical and Behavioral Health Services):",
            f"- Average daily population: {c.r.randrange(300, 2400)}; annual bookings {c.r.randrange(8000, 40000):,}",
            f"- Monthly sick-call requests: about {c.r.randrange(400, 3000)}; ED send-outs {c.r.randrange(10, 80)}/month",
            f"- Inmates on MAT at any time: about {c.r.randrange(20, 200)}",
            "- Required staffing: 24/7 RN coverage, psychiatrist 16 h/week, dentist 8 h/week",
            f"Questions are due {c.fdate(c.day(5, 15))}; proposals {c.fdate(c.day(20, 40))} at 2:00 pm."]
    return new_message(c, (buyer.name, c.addr_of(buyer, county)), (vrep.name, c.addr_of(vrep, vendor)),
                       c.pick(["RFP addendum - inmate health services", "Correctional health RFP questions", "RFP update"]),
                       "\n".join(body) + "\n" + signature(c, buyer, county, "Purchasing Division"))


@template("sbhc-blank-consent-form-rtf", False, "3: school-based health centre enrolment form (RTF) sent to families "
          "with blank fields (Student name ____, DOB __/__/____, insurance ID ____)")
def blank_consent(c):
    sbhc = c.org("School-Based Health Center", "sbhc")
    coord = c.staff("Enrollment Coordinator")
    form = ["# Consent for Services - School-Based Health Center",
            "Student name: ______________________   Date of birth: __/__/____   Grade: ___",
            "Parent/guardian: ______________________   Phone: (___) ___-____",
            "Insurance: [ ] Medicaid  [ ] private  [ ] none    Member ID: ______________",
            "Services: [ ] physical exams  [ ] immunizations  [ ] sick visits  [ ] behavioral health  [ ] dental screening",
            "Allergies / conditions we should know about: __________________________________",
            "Signature: ____________________   Date: ________"]
    m = new_message(c, (coord.name, c.addr_of(coord, sbhc)), f"families-{c.pick(['k5', '6-8', 'hs'])}@{sbhc.domain}",
                    c.pick(["Health center enrollment form", "Consent forms for the new school year", "Sign up for the health center"]),
                    "Dear families,\n\nAttached is the enrollment and consent form. Return it to the front office; "
                    "services are free regardless of insurance.\n" + signature(c, coord, sbhc))
    attach_bytes(m, rtf(form), c.pick(["application/rtf", "text/rtf"]), "SBHC_consent_form.rtf")
    return m


@template("eap-newsletter-all-staff", False, "2: EAP newsletter to all staff: free sessions, depression screening day, "
          "hotline numbers; no individual")
def eap_news(c):
    eap, hosp = c.org("Employee Assistance Partners", "eap"), c.org("Health System", "hs")
    ed = c.staff("EAP Account Manager")
    html = html_wrap(f"<h3>{c.pick(['Your EAP', 'Wellbeing Matters', 'EAP Connection'])} - {c.fdate(c.today, '%B %Y')}</h3>"
                     "<p>Every employee and household member gets six free, confidential counseling sessions a year for stress, "
                     "grief, depression, substance use or relationship concerns.</p>"
                     f"<p>National Depression Screening Day is {c.fdate(c.day(3, 20), '%B %-d')}: take the anonymous PHQ-9 "
                     f"online. Call 1-800-{c.digits(3)}-{c.digits(4, False)} any time, or 988 in a crisis.</p>"
                     "<p>Your employer never learns who uses the EAP.</p>", outlook=c.maybe())
    return new_message(c, (ed.name, c.addr_of(ed, eap)), f"all-employees@{hosp.domain}",
                       c.pick(["EAP newsletter", "Support is here: your EAP", "Mental health resources"]), html=html)


@template("counselling-group-offerings", False, "2: college counselling centre's list of therapy groups this term, sent to "
          "all students; no member named")
def group_offer(c):
    org = c.org("University Counseling Center", "ucc")
    org.domain = org.domain.split(".")[0] + ".edu"
    dr = c.staff(c.pick(["PhD", "PsyD"]))
    groups = c.sample(["Anxiety Toolbox (Tue 3-4:30)", "Grief and Loss (Wed 4-5:30)", "Understanding Self and Others (Thu 2-3:30)",
                       "Recovery Community (Mon 6-7)", "Eating Concerns Support (Fri 1-2)", "LGBTQ+ Support (Wed 6-7:30)"], 4)
    text = ["Dear Students,", "", "Groups starting this term (free, confidential, screening appointment required):"] + \
        [f"  - {g}" for g in groups] + ["", f"Call {org.phone} or walk in Mon-Fri 9-4 to sign up."]
    return new_message(c, (f"{org.name}", f"counseling@{org.domain}"), f"all-students@{org.domain}",
                       c.pick(["Therapy groups this semester", "Counseling Center groups", "New support groups"]),
                       "\n".join(text) + "\n" + signature(c, dr, org, "Group Program Coordinator"))


@template("prosthetics-component-price-list", False, "2/3: O&P component price list with L-codes, part numbers and stock "
          "serial numbers; no patient")
def op_prices(c):
    mfr, shop = c.org("Orthopedic Components", "oc"), c.org("Prosthetics & Orthotics", "po")
    rep, buyer = c.staff("Territory Manager"), c.staff("CPO")
    rows = [(f"L{c.r.randrange(5000, 5999)}", c.pick(["Carbon foot, cat 3", "Pin lock liner", "Microprocessor knee", "Vacuum pump",
                                                    "Pylon 30mm", "Socket adapter"]), f"PN {c.digits(6)}",
             f"SN {c.digits(8)}", f"${c.r.randrange(90, 38000):,}") for _ in range(c.r.randrange(4, 8))]
    html = html_wrap(para_html(f"Hi {buyer.first},\n\nUpdated pricing and demo stock available this month:") +
                     html_table(["HCPCS", "Item", "Part #", "Demo unit", "List"], rows) +
                     para_html(signature(c, rep, mfr)))
    return new_message(c, (rep.name, c.addr_of(rep, mfr)), (buyer.name, c.addr_of(buyer, shop)),
                       c.pick(["Q1 price list", "Demo stock and pricing", "Component pricing"]), html=html)


@template("dme-accreditation-supplier-numbers", False, "2: DME supplier accreditation notice with PTAN, NSC supplier "
          "number, NPI and EIN of the business; no beneficiary")
def dme_accred(c):
    dme, payer = c.org("Medical Equipment", "me"), c.org("Health Plan", "hp")
    comp, pr = c.staff("Compliance Manager"), c.staff("Provider Relations")
    body = [f"Hello {pr.first},", "",
            f"Our accreditation was renewed through {c.fdate(c.day(700, 1000), '%B %Y')}. Updated identifiers for the "
            "provider file:",
            f"Legal name: {dme.name} LLC", f"NPI (organization): {c.npi()}", f"NSC supplier number: {c.digits(10)}",
            f"PTAN: {c.pick('ABCDEFGH')}{c.digits(5)}", f"EIN: {c.digits(2)}-{c.digits(7, False)}",
            "Product categories: oxygen, CPAP/BiPAP, hospital beds, power mobility.", "Certificate attached in the portal."]
    return new_message(c, (comp.name, c.addr_of(comp, dme)), (pr.name, c.addr_of(pr, payer)),
                       c.pick(["Accreditation renewal", "Provider file update", "Updated supplier identifiers"]),
                       "\n".join(body) + "\n" + signature(c, comp, dme))


@template("lactation-class-ics", False, "3: calendar invite for a public breastfeeding class; instructor named, no "
          "participant")
def lact_class(c):
    hosp = c.org("Women's Hospital", "wh")
    lc = c.staff("IBCLC")
    start = dt.datetime.combine(c.day(5, 30), dt.time(c.pick([10, 18])))
    m = new_message(c, (lc.name, c.addr_of(lc, hosp)), f"prenatal-classes@{hosp.domain}",
                    c.pick(["Breastfeeding Basics class", "Class: Feeding your newborn", "Prenatal class invite"]),
                    f"Breastfeeding Basics, {start.strftime('%A %B %-d, %-I %p')}. Partners welcome; free for anyone "
                    "expecting, whether or not you deliver here.\n" + signature(c, lc, hosp, "Lactation Services"))
    attach_text(m, ics(c, hosp, "Breastfeeding Basics", start, 120, "Class led by " + f"{lc.first} {lc.last}, IBCLC. "
                       "Topics: latch, pumping, returning to work.", "Education Center Room B"), "calendar", "invite.ics")
    return m


@template("anesthesia-call-schedule-tsv", False, "2: anaesthesia department call schedule (TSV): staff names, roles, "
          "pagers and dates")
def call_sched(c):
    hosp = c.org("Anesthesia Associates", "aa")
    chief = c.staff("MD")
    rows = ["Date\tIn-house\tBackup\tOB\tPager"]
    start = c.day(1, 10)
    for i in range(7):
        a, b, o = (c.staff(c.pick(["MD", "CRNA", "DO"])) for _ in range(3))
        rows.append(f"{(start + dt.timedelta(days=i)).strftime('%m/%d/%Y')}\t{a.last}, {a.cred}\t{b.last}, {b.cred}\t"
                    f"{o.last}\t{c.digits(3)}-{c.digits(4, False)}")
    m = new_message(c, (chief.name, c.addr_of(chief, hosp)), f"anesthesia-all@{hosp.domain}",
                    c.pick(["Call schedule", "Next week's call", "Updated call schedule (swaps included)"]),
                    "All,\n\nCall schedule attached. Trades go through the scheduler.\n" + signature(c, chief, hosp, "Chief of Anesthesia"))
    attach_text(m, "\n".join(rows) + "\n", "tab-separated-values", "call_schedule.tsv")
    return m


@template("multilingual-clinic-move-notice", False, "2: clinic relocation notice to a patient mailing list in Arabic, "
          "Polish, Vietnamese, Tagalog and Russian with English; no individual")
def move_notice(c):
    clinic = c.org("Community Health Center", "chc")
    mgr = c.staff("Practice Manager")
    d = c.fdate(c.day(10, 40), "%m/%d/%Y")
    texts = [f"Starting {d}, our clinic moves to {clinic.addr()}. Phone stays {clinic.phone}.",
             f"اعتباراً من {d} تنتقل عيادتنا إلى عنوان جديد. رقم الهاتف لا يتغير.",
             f"Od {d} nasza przychodnia przenosi się pod nowy adres. Numer telefonu bez zmian.",
             f"Từ ngày {d}, phòng khám chuyển đến địa chỉ mới. Số điện thoại không đổi.",
             f"Simula {d}, lilipat ang aming klinika sa bagong address. Pareho pa rin ang numero ng telepono.",
             f"С {d} наша клиника переезжает по новому адресу. Телефон прежний."]
    c.r.shuffle(texts)
    return new_message(c, (mgr.name, f"news@{clinic.domain}"), f"patient-news@lists.{clinic.domain}",
                       c.pick(["We are moving / Nos mudamos", "New clinic address", "Clinic relocation notice"]),
                       "\n\n".join(texts) + "\n" + signature(c, mgr, clinic))


@template("vendor-thread-iphone-fwd", False, "2: staff forward from an iPhone of a vendor service thread about a "
          "sterilizer: serial numbers, work order, Apple Mail header; no patient")
def vendor_fwd(c):
    clinic, vendor = c.org("Surgery Center", "sc"), c.org("Sterilization Services", "ss")
    mgr, tech, to = c.staff("OR Manager"), c.staff("Field Service Engineer"), c.staff("Materials Manager")
    inner = "\n".join([f"Hi {mgr.first},", "", f"The {c.pick(['Amsco 400', 'Tuttnauer 3870', 'V-PRO maX'])} "
                       f"(S/N {c.digits(10)}) failed the Bowie-Dick test again. Work order WO-{c.digits(6)}; "
                       f"replacement door gasket ships {c.fdate(c.day(1, 5))}, tracking {c.ups()}.",
                       "Run loads on unit 2 until then.", "", f"{tech.name}", vendor.name])
    body = c.pick(["FYI - can we get a loaner?", "See below. Need a PO today.", "Ugh. Can you approve?"]) + "\n\n" + \
        mobile_sig(c) + "\n\n" + apple_fwd(f"{tech.name} <{c.addr_of(tech, vendor)}>", f"{mgr.name} <{c.addr_of(mgr, clinic)}>",
                                           "Sterilizer service", c.now - dt.timedelta(hours=3)) + "\n" + inner
    return new_message(c, (mgr.name, mgr.email), (to.name, c.addr_of(to, clinic)), "Fwd: Sterilizer service", body)


@template("pdmp-registration-reminder", False, "2: state PDMP reminder to prescribers with their DEA numbers and "
          "licence expiry (workforce), no patient query")
def pdmp(c):
    clinic = c.org("Medical Group", "mg")
    cred = c.staff("Credentialing Specialist")
    docs = [c.staff(c.pick(["MD", "DO", "NP", "PA-C"])) for _ in range(c.r.randrange(3, 6))]
    lines = [c.pick(["Providers,", "Hi all,"]), "",
             "The state requires every prescriber of controlled substances to renew PDMP registration with the DEA "
             f"registration. Please renew by {c.fdate(c.day(10, 30), '%B %-d')}:", ""] + \
        [f"  {d.first} {d.last}, {d.cred} - DEA {c.pick('ABFM')}{d.last[0].upper()}{c.digits(7, False)}, expires "
         f"{c.fdate(c.day(20, 90), '%m/%d/%Y')}" for d in docs] + \
        ["", "Reminder: check the PDMP before every new opioid or benzodiazepine prescription."]
    return new_message(c, (cred.name, c.addr_of(cred, clinic)), f"providers@{clinic.domain}",
                       c.pick(["PDMP renewal due", "Action needed: PDMP and DEA", "Prescriber registration reminder"]),
                       "\n".join(lines) + "\n" + signature(c, cred, clinic))


@template("interoffice-courier-manifest-luhn", False, "2/3: interoffice courier manifest between sites: tote and "
          "16-digit Luhn-valid manifest references, tracking numbers, staff signatures; supplies and mail, no patient")
def courier(c):
    hosp = c.org("Health System Logistics", "hsl")
    disp = c.staff("Courier Dispatcher")
    sites = c.sample(["Main campus", "Eastside Clinic", "Cancer Center", "Warehouse", "North Urgent Care", "Admin Building"], 4)
    rows = [f"{c.pick(['07:30', '09:15', '11:00', '13:45', '15:30'])}  {a} -> {b}  tote {c.digits(5)}  "
            f"ref {c.luhn16()}  {c.pick(['supplies', 'interoffice mail', 'linen', 'IT equipment', 'pharmacy stock (no patient bags)'])}"
            for a, b in zip(sites, sites[1:] + sites[:1])]
    text = [c.pick(["Route sheet for today:", "Manifest - morning run:", "Courier manifest"]), ""] + rows + \
        ["", f"Outside carrier pickups: {c.ups()}, {c.ups()}", "Drivers sign each stop on the tablet."]
    return new_message(c, (disp.name, c.addr_of(disp, hosp)), f"couriers@{hosp.domain}",
                       c.pick(["Courier manifest", "Interoffice route", "Today's courier run"]),
                       "\n".join(text) + "\n" + signature(c, disp, hosp))
