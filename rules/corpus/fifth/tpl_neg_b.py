"""Negative templates (part 2), systems, payers, public health and language services: EHR digests
without identifiers, faxed blank forms, telehealth product news, registry bulletins, interpreter
invoices, a release-of-information fee policy, a teaching case with no identifier, formulary
updates, an EMS QA report, a multilingual community flyer, logistics one-liners (LABELLING 2, 3)."""

import datetime as dt

from mailkit import addr, csv_text, html_table, mail, pdf, template


@template("ehr-inbasket-digest-noid", "no", "2: EHR notification digest with counts only; no patient, no identifier")
def digest(c):
    org = c.org(["Health", "Medical Group", "Physicians"])
    doc = c.staff(["Physician", "NP", "RN"], org)
    sysn = c.pick(["Epic In Basket", "athenaClinicals", "eClinicalWorks", "NextGen"])
    counts = c.some(["%d new results" % c.r.randint(1, 30), "%d patient messages" % c.r.randint(1, 12), "%d Rx requests" % c.r.randint(1, 9),
                     "%d unsigned notes" % c.r.randint(1, 15), "%d overdue tasks" % c.r.randint(1, 6), "%d abnormal results" % c.r.randint(1, 5)], 2, 4)
    body = "%s\n\n%s\n\n%s\n\n%s" % (c.pick(["Good morning %s," % doc.first, "Daily summary", "You have items waiting."]),
                                     "\n".join("- " + x for x in counts),
                                     c.pick(["For privacy, patient details are not included in email. Log in to view.",
                                             "Notes unsigned after 72 hours are reported to HIM.", "Reminder: results must be acknowledged within 3 business days."]),
                                     "This is an automated message from %s." % sysn)
    return mail(c, "%s <no-reply@%s>" % (sysn, org.domain), addr(doc), c.pick(["%s daily digest" % sysn, "You have new items", "In Basket summary"]), body)


@template("fax-to-email-blank-form-pdf", "no", "3: fax delivered as PDF; the pages are a blank form or a payer bulletin, no patient")
def fax_blank(c):
    clinic = c.org(["Family Medicine", "Pediatrics", "Cardiology", "Orthopedics"])
    src = c.org(["Health Plan", "Pharmacy", "Laboratory"], ())
    sysn = c.pick(["RightFax", "eFax Corporate", "XMediusFAX", "Biscom"])
    pages = [["FAX", "To: %s" % clinic.name, "From: %s" % src.name, "Pages: 2", "Re: %s" % c.pick(["Updated prior authorization form", "Specimen requisition (blank)", "Provider bulletin"])],
             c.pick([["PRIOR AUTHORIZATION REQUEST", "Patient name: ____________________", "DOB: ___/___/______", "Member ID: ______________",
                      "Medication: ______________  Diagnosis (ICD-10): ________", "Prescriber NPI: %s" % "__________"],
                     ["PROVIDER BULLETIN", "Effective %s, prior authorization is no longer required for CPT 97110 and 97140." % c.day(10, 60).strftime("%m/%d/%Y"),
                      "Claims for sleep studies (95810, 95811) must include the AHI on the claim.", "Questions: Provider Services %s" % src.phone]])]
    body = "You have received a 2 page fax from %s.\nReceived: %s\nFax ID: %s\n\nThis is an automated message from %s." % (
        src.fax, c.when.strftime("%m/%d/%Y %I:%M %p"), c.digits(10), sysn)
    return mail(c, "%s <fax-noreply@%s>" % (sysn, clinic.domain), "frontdesk@%s" % clinic.domain, c.pick(["Fax from %s" % src.fax, "New fax (2 pages)"]), body,
                attach=[("fax_%s.pdf" % c.digits(10), "application/pdf", pdf(pages, compress=c.chance(0.6), producer=sysn))])


@template("telehealth-product-newsletter-html", "no", "2: telehealth vendor product newsletter to clinic admins with tracking links; no individual")
def tele_news(c):
    ven = c.org(["Telehealth", "Virtual Care", "Health Tech"], ())
    admin = c.person("en_US")
    admin.email = "%s.%s@%s" % (admin.first.lower(), admin.last.lower(), c.org(["Clinic"]).domain)
    trk = lambda s: "https://go.%s/e3t/Ctc/%s/%x" % (ven.domain, s, c.r.getrandbits(64))
    items = c.some([("Waiting-room text alerts", "Patients now get an SMS when the provider is ready."), ("Interpreter add-on", "Invite a Portuguese, Korean or Haitian Creole interpreter into any visit."),
                    ("HIPAA-compliant recordings", "Store visit recordings in your EHR, never on our servers."), ("Webinar", "Reducing no-shows in behavioral health, Dec 10."),
                    ("Uptime", "99.98% in October; see our status page.")], 3, 5)
    html = "<html><body><h1>%s product update</h1>%s<p><a href=\"%s\">Unsubscribe</a></p><img src=\"https://t.%s/px/%x.gif\"></body></html>" % (
        ven.name, "".join("<h3>%s</h3><p>%s <a href=\"%s\">Learn more</a></p>" % (h, t, trk(h[:4])) for h, t in items), trk("unsub"), ven.domain, c.r.getrandbits(40))
    return mail(c, "%s <news@%s>" % (ven.name, ven.domain), addr(admin), c.pick(["What's new in %s" % c.when.strftime("%B"), "%s product update" % ven.name]), None, html)


@template("immunization-registry-bulletin", "no", "2: immunisation registry bulletin: VFC deadlines, lot recalls, HL7 spec notes; no patient")
def iis_bulletin(c):
    reg = c.org(["Department of Public Health"], ())
    st = c.staff(["IIS Program Manager", "VFC Coordinator"], reg)
    body = "%s\n\n%s\n\n%s\n\n%s" % (
        c.pick(["IIS Provider Bulletin - %s" % c.when.strftime("%B %Y"), "Immunization Registry News"]),
        "\n".join("- " + x for x in c.some(["VFC orders for %s are due by %s." % (c.when.strftime("%B"), c.sdate(c.day(5, 20))),
                                            "Lot %s%s (%s) is recalled; quarantine remaining doses." % (c.pick(["U", "EH", "K"]), c.digits(5), c.pick(["MMR", "DTaP", "Hep B"])),
                                            "From January, VXU messages must populate RXA-9 and OBX 64994-7 (VFC eligibility).",
                                            "Reminder: report doses within 14 days of administration.", "Flu coverage statewide is 38% for ages 6 mo-17 yrs."], 3, 5)),
        c.pick(["Questions: reply to this list.", "Office hours every Tuesday at 2 PM."]), c.signature(st))
    return mail(c, addr(st), "iis-providers@%s" % reg.domain, c.pick(["IIS bulletin", "VFC reminders and recalls", "Registry update"]), body)


@template("interpreter-agency-invoice", "no", "2: interpreter agency monthly invoice: jobs and hours per language and modality; no patient, no date of service")
def interp_invoice(c):
    ag = c.org(["Language Services", "Interpreting"], ())
    ar = c.staff(["Accounts Receivable", "Billing"], ag)
    hosp = c.org(["Medical Center", "Hospital"])
    ap = c.staff(["Accounts Payable", "Language Services Manager"], hosp)
    month = (c.when.replace(day=1) - dt.timedelta(days=1)).strftime("%B %Y")
    rows = []
    for lang in c.some(["Portuguese", "Haitian Creole", "Russian", "Korean", "Arabic", "ASL", "Spanish"], 3, 6):
        jobs, rate = c.r.randint(3, 60), c.pick([65, 80, 95, 130])
        hours = jobs * c.pick([1.0, 1.5, 2.0])
        rows.append([month, lang, c.pick(["in person", "video", "phone"]), str(jobs), "%.1f" % hours, "$%d.00" % rate, "$%s" % format(int(hours * rate), ",")])
    hdr = ["Period", "Language", "Modality", "Jobs", "Hours", "Rate", "Amount"]
    inv = c.digits(6)
    body = "%s\n\nInvoice %s, net 30, remit to %s. EIN %s-%s.\n\n%s" % (
        c.pick(["Our invoice for last month is below.", "Attached is the invoice; detail below."]), inv, ag.address(),
        c.digits(2), c.digits(7), c.signature(ar))
    att = [("invoice_%s.csv" % inv, "text/csv", csv_text(hdr, rows))] if c.chance(0.6) else []
    html = None if att else "<p>Detail:</p>" + html_table(hdr, rows)
    return mail(c, addr(ar), addr(ap), c.pick(["Invoice %s" % inv, "Interpreting services invoice"]), body, html, attach=att)


@template("roi-fee-schedule-policy", "no", "2: HIM notice to requesters about ROI fees and required fields; no patient values")
def roi_policy(c):
    him = c.org(["Health System", "Medical Center"])
    st = c.staff(["HIM Director", "ROI Supervisor"], him)
    body = "%s\n\n%s\n\nFees: $%d.00 search fee, $0.%02d per page after the first %d, electronic copies capped at $6.50.\nTurnaround: %d business days.\n\n%s\n\n%s" % (
        c.pick(["To our requesters:", "Dear law firms and insurers,"]),
        c.pick(["Effective %s our release-of-information process moves to an online portal." % c.sdate(c.day(10, 40)),
                "Requests must include the patient's full name, date of birth, dates of service and a HIPAA-compliant authorization."]),
        c.r.randint(10, 25), c.r.randint(10, 75), c.r.randint(10, 20), c.r.randint(10, 30),
        c.pick(["Subpoenas must be accompanied by satisfactory assurance under 45 CFR 164.512(e).", "Requests missing an MRN or DOB will be returned."]),
        c.signature(st, "RHIA"))
    return mail(c, addr(st), "roi-requesters@%s" % him.domain, c.pick(["ROI process change", "Release of information fees", "Records request requirements"]), body)


@template("teaching-case-noid", "no", "3: teaching case for a conference: age under 90, diagnosis, year only; no identifier")
def teaching(c):
    org = c.org(["Medical Center", "Cancer Center", "Transplant Institute"])
    fel = c.staff(["Fellow", "Chief Resident", "Program Coordinator"], org)
    age, sex = c.r.randint(24, 84), c.pick(["woman", "man", "F", "M"])
    case = c.pick(["%d-year-old %s with stage IIIA NSCLC, EGFR exon 19 deletion, progressing on osimertinib." % (age, sex),
                   "%d %s, ESRD on HD since %d, evaluated for kidney transplant with cPRA 98%%." % (age, sex, c.r.randint(2015, 2025)),
                   "%d-year-old %s with severe OSA (AHI 62) intolerant of CPAP - candidate for hypoglossal nerve stimulation?" % (age, sex),
                   "%d y/o %s on Biktarvy, CD4 580, presenting with a new pulmonary nodule." % (age, sex)])
    body = "%s\n\nCase: %s\n\n%s\n\n%s" % (c.pick(["Case for Thursday's journal club:", "Tumor board teaching case (de-identified):", "Board review question:"]), case,
                                           c.pick(["Discussion questions: next line of therapy? Role of biopsy?", "Please read the attached guideline before we meet.", "Answer key to follow."]),
                                           c.signature(fel, c.pick(["MD", "DO", ""])))
    return mail(c, addr(fel), "fellows@%s" % org.domain, c.pick(["Journal club case", "Teaching case", "Board review"]), body)


@template("pbm-formulary-update", "no", "3: PBM formulary change notice to prescribers: drugs, tiers, PA criteria; no member")
def formulary(c):
    pbm = c.org(["Rx Solutions", "Pharmacy Benefit Services"], ())
    rows = [[d, c.pick(["Preferred", "Non-preferred", "Excluded", "Specialty"]), c.pick(["PA required", "Step therapy", "QL 4 pens/28 days", "None"]), c.pick(["Tier 2", "Tier 3", "Tier 5"])]
            for d in c.some(["Ozempic", "Mounjaro", "Humira", "Hyrimoz", "Dupixent", "Trulicity", "Eliquis", "Biktarvy", "Nurtec ODT", "Otezla"], 4, 7)]
    html = "<p>Dear prescriber,</p><p>Effective %s the following changes apply to the national formulary:</p>%s<p>Members affected will receive a letter 30 days in advance.</p>" % (
        c.day(20, 60).strftime("%B %d, %Y"), html_table(["Drug", "Status", "Utilization management", "Tier"], rows))
    return mail(c, "%s <formulary@%s>" % (pbm.name, pbm.domain), "prescribers@%s" % pbm.domain, c.pick(["Formulary update", "2027 formulary changes"]), None, html)


@template("ems-qa-monthly-report", "no", "2: EMS agency QA report: response-time percentiles, call counts, protocol changes")
def ems_qa(c):
    ag = c.org(["Fire-Rescue", "EMS"])
    qa = c.staff(["EMS QA Coordinator", "Medical Director"], ag)
    body = "%s\n\nCalls: %d  Transports: %d\n90th pct response: %d:%02d\nCardiac arrests: %d (ROSC %d)\nStroke alerts: %d, median door-to-CT handoff %d min\n\n%s\n\n%s" % (
        c.pick(["Monthly QA summary - %s" % c.when.strftime("%B"), "QA report for the EMS committee"]), c.r.randint(800, 4000), c.r.randint(500, 3000),
        c.r.randint(7, 12), c.r.randint(0, 59), c.r.randint(4, 20), c.r.randint(1, 6), c.r.randint(10, 60), c.r.randint(10, 25),
        c.pick(["Protocol 4.2 (chest pain) now requires a 12-lead within 10 minutes.", "Narcan leave-behind kits distributed: 41.", "All PCRs must be closed within 24 hours."]),
        c.signature(qa, c.pick(["NRP", "MD, FACEP"])))
    return mail(c, addr(qa), "ems-committee@%s" % ag.domain, c.pick(["QA report", "Monthly EMS metrics"]), body)


@template("multilingual-community-flyer", "no", "2: community flu-clinic notice to a list in English plus pt/ht/ru/ko/Arabizi; no individual")
def flyer(c):
    org = c.org(["Community Health Center", "Health Center"])
    st = c.staff(["Outreach Coordinator", "Community Health Worker"], org)
    d = c.day(5, 30).strftime(c.pick(["%m/%d", "%-m/%-d"]))
    texts = {"pt": "Vacina da gripe grátis no sábado, %s, das 9h às 13h. Não precisa marcar." % d,
             "ht": "Vaksen grip gratis samdi %s, 9è pou 1è. Ou pa bezwen randevou." % d,
             "ru": "Бесплатная прививка от гриппа в субботу, %s, с 9 до 13 часов. Запись не нужна." % d,
             "ko": "%s 토요일 오전 9시부터 오후 1시까지 무료 독감 예방접종. 예약 필요 없음." % d,
             "ar": "Ta3im el grippe majjani yom el sabt %s, men 9 la 1. Ma fi 7aje la maw3ed." % d}
    langs = c.some(list(texts), 2, 5)
    body = "Free flu shots Saturday %s, 9 AM - 1 PM, no appointment needed.\n\n%s\n\n%s\n%s" % (
        d, "\n\n".join(texts[l] for l in langs), org.name, org.address())
    return mail(c, addr(st), "community-list@%s" % org.domain, c.pick(["Free flu shots / Vacina / Vaksen", "Community flu clinic", "Flu shots - all languages"]), body)


@template("mobile-reply-logistics", "no", "2: one-line phone replies about meetings, supplies and approvals; no patient")
def mobile_neg(c):
    org = c.org(["Medical Group", "Hospital", "Dialysis", "Infusion Center"])
    a, b = c.staff(["Director", "Manager", "RN"], org), c.staff(["Coordinator", "Buyer", "Charge Nurse"], org)
    line = c.pick(["running 10 late, start huddle without me", "approved, send the PO for the chairs", "yes book the conf room for the transplant in-service",
                   "ok to order 2 more cases of gloves", "can't make budget mtg, send slides", "fine by me - swap approved",
                   "call Biomed about pump #%s, alarm again" % c.digits(5)])
    tag = c.mobile_tag()
    body = line + ("\n\n" + tag if tag else "")
    if c.chance(0.5):
        body += "\n\nOn %s, %s <%s> wrote:\n> %s" % (c.when.strftime("%b %d, %Y, at %I:%M %p"), b.full, b.email, c.pick(["ok to proceed?", "FYI", "need your approval", "see below"]))
    return mail(c, addr(a), addr(b), c.pick(["Re:", "Re: approval", "RE: huddle", "Re: order"]), body, reply=True)
