"""Negative templates, part A (hard negatives: no message needs protection; the comment says why)."""

from mailkit import (attach_bytes, attach_text, html_table, html_wrap, new_message, para_html, rtf, signature,
                     template)


@template("device-recall-field-safety-notice", False, "2: manufacturer field safety notice for infusion pumps: models, "
          "serial ranges, lot numbers, patients only in general; no individual")
def device_recall(c):
    mfr, hosp = c.org("Medical Devices Inc", "mdi"), c.org("Regional Hospital", "rh")
    qa, bio = c.staff("Field Action Manager"), c.staff("Biomedical Engineering")
    lo = int(c.digits(7))
    body = [c.pick(["URGENT: MEDICAL DEVICE CORRECTION", "Field Safety Notice", "Class II recall notification"]), "",
            f"Product: {c.pick(['VolumeFlow 300', 'AmbIT PCA', 'InfuCare LVP 2'])} infusion pump, serial numbers "
            f"{lo} through {lo + c.r.randrange(500, 5000)}; administration sets lot {c.pick('KLMN')}{c.digits(6)} to "
            f"{c.pick('KLMN')}{c.digits(6)}.",
            "Issue: " + c.pick(["a software fault may cause an unannounced stop of infusion after a door-open alarm.",
                                "the occlusion alarm may not sound at high back-pressure.",
                                "the battery may discharge faster than displayed."]),
            "Risk: delayed therapy could lead to serious injury for patients on critical infusions, such as vasopressors or insulin.",
            "Action: identify affected pumps in your inventory, apply the label, and return the reply form by "
            f"{c.fdate(c.day(10, 30))}. No patient-level information is requested.",
            f"Reference: FSCA-{c.digits(5)}; FDA recall number Z-{c.digits(4)}-{c.today.year}."]
    return new_message(c, (qa.name, c.addr_of(qa, mfr)), (bio.name, c.addr_of(bio, hosp)),
                       c.pick(["Urgent field safety notice", "Medical device correction - action required", "Recall notice"]),
                       "\n".join(body) + "\n" + signature(c, qa, mfr, "Quality & Regulatory"))


@template("cme-certificate", False, "2: CME/CE certificate for a clinician: name, credentials, licence and NPI, credits, "
          "course date (staff acting as staff)")
def cme(c):
    prov, hosp = c.org("Continuing Medical Education", "cme"), c.org("Health Partners", "hp")
    admin, clin = c.staff("CME Coordinator"), c.staff(c.pick(["MD", "NP", "RN", "PharmD", "DO"]))
    course = c.pick(["Sepsis Recognition 2026", "Opioid Prescribing and Safe Tapering", "Diabetes Update: GLP-1 Therapy",
                     "Recognizing Elder Abuse", "HIV PrEP in Primary Care"])
    cert = ["# Certificate of Completion", f"This certifies that {clin.first} {clin.last}, {clin.cred}",
            f"completed: {course}", f"Date: {c.fdate(c.day(-20, -1), '%B %-d, %Y')}",
            f"Credits: {c.pick(['1.0', '1.5', '2.0', '3.25'])} AMA PRA Category 1 Credit(s)",
            f"License #: {c.pick(['MD', 'RN', 'APRN'])}{c.digits(6)}   NPI: {c.npi()}",
            f"Certificate ID: {c.digits(10)}"]
    m = new_message(c, (admin.name, c.addr_of(admin, prov)), (clin.name, c.addr_of(clin, hosp)),
                    c.pick(["Your CME certificate", "Certificate of completion", f"{course} - certificate"]),
                    c.pick([f"Dear {clin.first},", f"Hello {clin.cred.split(',')[0]} {clin.last},"]) +
                    "\n\nThank you for attending. Your certificate is attached; keep it for your licence renewal.\n" +
                    signature(c, admin, prov))
    if c.maybe():
        attach_bytes(m, rtf(cert), "application/rtf", "certificate.rtf")
    else:
        attach_text(m, "\n".join(l.lstrip("# ") for l in cert), "plain", "CME_certificate.txt")
    return m


@template("charity-gala-invitation-html", False, "2: hospital foundation gala invitation to a donor list: honorees are "
          "clinicians and donors, ticket prices, sponsorship tiers; no patient")
def gala(c):
    fdn = c.org("Hospital Foundation", "hf")
    dev = c.staff("Director of Development")
    hon = [c.staff(c.pick(["MD", "RN"])) for _ in range(2)]
    guest = c.person()
    html = html_wrap(
        f"<h2>{c.pick(['Starlight', 'Harvest', 'Winter Lights', 'Rhythm & Healing'])} Gala {c.today.year}</h2>"
        f"<p>Dear {c.pick([guest.first, 'Friend of the Foundation'])},</p>"
        f"<p>Join us on {c.fdate(c.day(20, 60), '%A, %B %-d')} at the {c.pick(['Grand Ballroom', 'Riverside Pavilion'])}"
        f" as we honor {hon[0].first} {hon[0].last}, {hon[0].cred}, and {hon[1].first} {hon[1].last}, {hon[1].cred}, "
        f"for their work building the new {c.pick(['pediatric cancer center', 'NICU', 'behavioral health unit', 'cardiac cath lab'])}.</p>"
        + html_table(["Sponsorship", "Price", "Includes"], [("Presenting", "$25,000", "2 tables, stage recognition"),
                                                          ("Gold", "$10,000", "1 table"), ("Individual ticket", "$275", "dinner")])
        + f"<p>Proceeds support care for {c.r.randrange(1200, 9000):,} children each year. RSVP by "
          f"{c.fdate(c.day(5, 15))}.</p><p><a href='https://{fdn.domain}/gala'>Buy tickets</a></p>", outlook=False)
    return new_message(c, (dev.name, f"foundation@{fdn.domain}"), (guest.name, guest.email),
                       c.pick(["You're invited", "Save the date: annual gala", "Gala tickets on sale"]), html=html)


@template("grant-progress-report-aggregate", False, "2: grant progress report with aggregate counts by quarter, some "
          "small; no row per person")
def grant(c):
    org, fund = c.org("Community Health Clinic", "chc"), c.org("Health Foundation", "hfd")
    pm, po = c.staff("Program Manager"), c.staff("Program Officer")
    rows = [(q, str(c.r.randrange(40, 400)), str(c.r.randrange(3, 30)), f"{c.r.randrange(40, 80)}%")
            for q in ("Q1", "Q2", "Q3")]
    text = [f"Dear {po.first},", "",
            f"Our {c.today.year} interim report for the {c.pick(['hypertension control', 'hepatitis C linkage', 'prenatal outreach'])} "
            "grant is below. Counts are unduplicated patients per quarter; cells under 5 are not suppressed because "
            "no demographics are shown.", ""] + \
        [f"{q}: {n} patients screened, {k} newly diagnosed, {pct} linked to care" for q, n, k, pct in rows] + \
        ["", c.pick(["We are on track for the annual target.", "Staffing gaps slowed Q2 outreach."])]
    html = html_wrap(para_html("\n".join(text[:4])) + html_table(["Quarter", "Screened", "Newly diagnosed", "Linked"], rows))
    return new_message(c, (pm.name, c.addr_of(pm, org)), (po.name, c.addr_of(po, fund)),
                       c.pick(["Interim grant report", "Q3 progress report", "Grant #" + c.digits(5) + " report"]),
                       "\n".join(text) + "\n" + signature(c, pm, org), html if c.maybe() else None)


@template("staff-immunization-compliance-reminder", False, "2: employee-health reminder about the flu/TB deadline with "
          "department compliance rates; no individual's result")
def staff_imm(c):
    hosp = c.org("Health System", "hs")
    eh = c.staff(c.pick(["RN, COHN", "Employee Health Nurse"]))
    depts = c.sample(["Emergency", "ICU", "Pharmacy", "Environmental Services", "Radiology", "Food Services", "Labor & Delivery"], 4)
    lines = [c.pick(["All staff,", "Dear colleagues,", "Managers,"]), "",
             f"The deadline for the {c.pick(['influenza vaccine', 'annual TB screening', 'flu vaccine or declination form'])} "
             f"is {c.fdate(c.day(5, 25), '%B %-d')}. Staff without a record by then cannot work clinical shifts.",
             "Current compliance by department:"] + [f"  {d}: {c.r.randrange(55, 99)}%" for d in depts] + \
        ["Walk-in clinic: Mon-Fri 7-3 in the Employee Health office. Bring your badge; results stay in Employee Health."]
    return new_message(c, (eh.name, c.addr_of(eh, hosp)), f"allstaff@{hosp.domain}",
                       c.pick(["Reminder: vaccination deadline", "Flu season compliance", "TB screening due"]),
                       "\n".join(lines) + "\n" + signature(c, eh, hosp, "Employee Health"))


@template("insurance-broker-plan-comparison", False, "2: broker's group health plan comparison for the clinic as employer: "
          "deductibles, copays, premiums; no member")
def broker(c):
    brk, clinic = c.org("Benefits Advisors", "ba"), c.org("Medical Associates", "ma")
    agent, hr = c.staff("Account Executive"), c.staff("HR Director")
    plans = [(n, f"${c.r.randrange(5, 60) * 100}", f"${c.r.randrange(20, 50)}", f"${c.r.randrange(450, 900)}")
             for n in ("PPO 1000", "HDHP 3200 + HSA", "EPO 500")]
    text = [f"Hi {hr.first},", "", f"Here are the renewal options for your {c.r.randrange(20, 140)} enrolled employees. "
            "Member ID cards will be reissued if you switch carriers.", ""] + \
        [f"{n}: deductible {d}, PCP copay {cp}, employee-only premium {pr}/mo" for n, d, cp, pr in plans] + \
        ["", c.pick(["Rates are guaranteed for 60 days.", "Let's meet before open enrollment."])]
    html = html_wrap(para_html("\n".join(text[:3])) + html_table(["Plan", "Deductible", "PCP copay", "Premium"], plans))
    return new_message(c, (agent.name, c.addr_of(agent, brk)), (hr.name, c.addr_of(hr, clinic)),
                       c.pick(["Renewal plan comparison", "Group health options", "Benefits renewal"]),
                       "\n".join(text) + "\n" + signature(c, agent, brk), html)


@template("research-consent-tracker-coded", False, "2/Safe Harbor: consent tracker with study codes only "
          "(164.514(c) re-identification codes), consent month and version; no names, MRNs or full dates")
def consent_coded(c):
    org, spon = c.org("Research Office", "ro"), c.org("Pharma Sponsor", "ps")
    coord, cra = c.staff("CRC"), c.staff("CRA")
    site = c.digits(3)
    head = ["Subject ID", "Consent month", "ICF version", "Status"]
    rows = [[f"{site}-{i:03d}", f"{c.pick(['Jan', 'Mar', 'Apr', 'Jun', 'Aug', 'Sep'])} {c.today.year}",
             c.pick(["v3.0", "v4.0"]), c.pick(["enrolled", "completed", "withdrawn"])] for i in range(1, c.r.randrange(6, 14))]
    tsv = "\n".join("\t".join(r) for r in [head] + rows) + "\n"
    m = new_message(c, (coord.name, c.addr_of(coord, org)), (cra.name, c.addr_of(cra, spon)),
                    c.pick(["Coded consent log", "ICF tracker (coded)", "Site " + site + " consent status"]),
                    f"Hi {cra.first},\n\nCoded consent tracker attached; the key stays at the site per the protocol. "
                    "No names, MRNs or dates of birth are included.\n" + signature(c, coord, org))
    attach_text(m, tsv, "tab-separated-values", f"site{site}_consents.tsv")
    return m


@template("antibiogram-aggregate-html", False, "2: annual antibiogram: percent susceptible by organism and drug with "
          "isolate counts; aggregate")
def antibiogram(c):
    hosp = c.org("Medical Center", "mc")
    ph = c.staff("PharmD, BCIDP")
    orgs = ["E. coli", "K. pneumoniae", "P. aeruginosa", "S. aureus (MRSA)", "E. faecalis"]
    rows = [(o, str(c.r.randrange(12, 900)), f"{c.r.randrange(40, 100)}", f"{c.r.randrange(40, 100)}", f"{c.r.randrange(40, 100)}")
            for o in orgs]
    html = html_wrap(f"<p>{c.pick(['Colleagues,', 'All prescribers,'])}</p><p>The {c.today.year - 1} antibiogram is below "
                     "(first isolate per patient, CLSI M39).</p>" +
                     html_table(["Organism", "Isolates", "% Ceftriaxone S", "% Pip/tazo S", "% Levofloxacin S"], rows) +
                     "<p>Fluoroquinolone use for cystitis remains discouraged.</p>" + para_html(signature(c, ph, hosp, "Antimicrobial Stewardship")))
    return new_message(c, (ph.name, c.addr_of(ph, hosp)), f"prescribers@{hosp.domain}",
                       c.pick(["Annual antibiogram", "Antibiogram update", "Stewardship: susceptibility data"]), html=html)


@template("ndc-price-list-tsv", False, "2/3: wholesaler price list (TSV) with NDCs, package sizes and prices; no patient")
def ndc_price(c):
    whs, ph = c.org("Pharmaceutical Distributors", "pd"), c.org("Outpatient Pharmacy", "op")
    rep, buyer = c.staff("Account Manager"), c.staff("Pharmacy Buyer")
    drugs = ["atorvastatin 40mg 90ct", "metformin ER 500mg 100ct", "Biktarvy 30ct", "insulin lispro 10mL", "sertraline 50mg 500ct",
             "amoxicillin 500mg 500ct", "enoxaparin 40mg/0.4mL 10ct", "buprenorphine/naloxone 8/2mg 30ct"]
    rows = ["NDC\tDescription\tWAC\tContract\tEffective"] + [
        f"{c.ndc()}\t{d}\t{c.r.randrange(5, 4000)}.{c.digits(2, False)}\t{c.r.randrange(3, 3500)}.{c.digits(2, False)}\t"
        f"{c.fdate(c.day(1, 30), '%m/%d/%Y')}" for d in c.sample(drugs, 6)]
    m = new_message(c, (rep.name, c.addr_of(rep, whs)), (buyer.name, c.addr_of(buyer, ph)),
                    c.pick(["Price update", "Contract pricing file", "WAC changes effective next month"]),
                    f"{buyer.first},\n\nUpdated contract prices attached. PO {c.digits(8)} will bill at the new rates.\n" +
                    signature(c, rep, whs))
    attach_text(m, "\n".join(rows) + "\n", "tab-separated-values", "price_list.tsv")
    return m


@template("database-maintenance-notice", False, "2: IT maintenance notice naming servers, IP addresses and database "
          "tables/columns such as PATIENT, SSN and DOB; no values")
def db_notice(c):
    hosp = c.org("Health IT Services", "hit")
    dba = c.staff("Database Administrator")
    srv = [f"{c.pick(['ehr', 'clarity', 'hl7', 'rpt'])}-{c.pick(['db', 'sql', 'app'])}{c.r.randrange(1, 9):02d}" for _ in range(3)]
    body = [c.pick(["IT change notice", "Planned maintenance"]), "",
            f"Window: {c.fdate(c.day(2, 12), '%A %m/%d')} 22:00-02:00",
            "Servers: " + ", ".join(f"{s} (10.{c.r.randrange(1, 250)}.{c.r.randrange(1, 250)}.{c.r.randrange(2, 250)})" for s in srv),
            "Work: index rebuild on PATIENT, PAT_ENC and PAT_ADDR tables; encryption of the SSN and BIRTH_DATE columns at rest; "
            "purge of the MRN_XREF staging table.",
            "Impact: reporting and the data warehouse unavailable; the EHR stays up on the shadow copy.",
            f"Change ticket CHG{c.digits(7)}. Questions to the service desk."]
    return new_message(c, (dba.name, c.addr_of(dba, hosp)), f"it-changes@{hosp.domain}",
                       c.pick(["Planned database maintenance", "CHG: Clarity index rebuild", "Maintenance window"]),
                       "\n".join(body) + "\n" + signature(c, dba, hosp, "Infrastructure"))


@template("ambulance-fleet-vin-list", False, "2: EMS fleet list with vehicle VINs, plates and unit numbers of the "
          "agency's own ambulances (business vehicles, no patient)")
def fleet(c):
    ems, ins = c.org("Ambulance Service", "as"), c.org("Fleet Insurance", "fi")
    mgr, agent = c.staff("Fleet Manager"), c.staff("Underwriter")
    vin_chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    rows = [(f"Medic {c.r.randrange(1, 40)}", "".join(c.pick(vin_chars) for _ in range(17)),
             f"{c.pick(['EMS', 'EX', 'GOV'])}-{c.digits(4)}", c.pick(["2021 Ford F-450", "2023 Chevy 4500", "2019 Ram 4500"]))
            for _ in range(c.r.randrange(4, 9))]
    text = [f"Hi {agent.first},", "", "Updated vehicle schedule for the renewal:", ""] + \
        [f"{u}  VIN {v}  plate {p}  {m}" for u, v, p, m in rows] + ["", "Two units were remounted this year."]
    return new_message(c, (mgr.name, c.addr_of(mgr, ems)), (agent.name, c.addr_of(agent, ins)),
                       c.pick(["Vehicle schedule", "Fleet list for renewal", "Ambulance VINs"]),
                       "\n".join(text) + "\n" + signature(c, mgr, ems))


@template("breach-tabletop-exercise", False, "2: privacy office tabletop exercise: a breach scenario with record counts "
          "and data element names (SSN, MRN, DOB) but no person and no values")
def tabletop(c):
    hosp = c.org("Health System", "hs")
    po = c.staff("Privacy Officer")
    n = c.r.randrange(800, 40000)
    body = [c.pick(["Leadership team,", "Incident response team,"]), "",
            f"Our annual tabletop is {c.fdate(c.day(5, 20), '%A, %B %-d')} at 1 pm. Scenario:",
            f"A billing vendor reports that an unencrypted laptop with {n:,} records was stolen from a car. The file "
            "contains names, dates of birth, MRNs, the last four digits of SSNs and diagnosis codes.",
            "Questions: Is this a reportable breach? Who notifies HHS and the media? What goes in the notice letter? "
            "When do we offer credit monitoring?",
            "Please read the breach policy beforehand. No real patient data will be used."]
    return new_message(c, (po.name, c.addr_of(po, hosp)), f"irt@{hosp.domain}",
                       c.pick(["Breach tabletop exercise", "Privacy tabletop - read ahead", "Incident response drill"]),
                       "\n".join(body) + "\n" + signature(c, po, hosp, "Privacy & Compliance"))
