"""Positive templates, part A: specialty clinics writing to patients, parents and each other.
Every message each template renders is `yes` under rules/corpus/LABELLING.md (rule in `why`)."""

import datetime as dt

from mailkit import template, csv_text, html_table, html_doc, text_to_html, pdf, ics, quote_gmail, quote_outlook


@template("derm-photo-followup", True,
          "A: patient (own address) + lesion site/biopsy result or photo follow-up date (care + health fact)")
def derm_photo(c):
    org, dom = c.org("derm")
    p = c.patient()
    s = c.staff(c.pick(["MA", "RN", "PA-C", "NP"]))
    site = c.pick(["left upper back", "right forearm", "scalp (vertex)", "left shin", "right cheek", "mid chest",
                   "R shoulder", "L ear helix", "nose, left ala"])
    path = c.pick(["basal cell carcinoma, nodular type", "superficial basal cell carcinoma",
                   "squamous cell carcinoma in situ", "dysplastic nevus with moderate atypia",
                   "seborrheic keratosis (benign)", "actinic keratosis", "melanoma in situ, margins clear"])
    d = c.future(5, 40)
    opener = c.pick([
        "%s\n\nThanks for sending the photos of the spot on your %s. Dr. %s reviewed them this morning." % (c.greet(p.first), site, c.person(staff=True).last),
        "%s\n\nYour biopsy from the %s came back: %s." % (c.greet(p.title), site, path),
        "%s\n\nFollowing up on your visit %s - the pathology on the %s lesion is back (%s)." % (c.greet(p.first), c.short(c.past(5, 20)), site, path),
    ])
    nxt = c.pick([
        "We'd like to see you on %s at %s for %s." % (c.wd(d), c.time(), c.pick(["Mohs surgery", "an excision", "a recheck and photos", "cryotherapy"])),
        "Please upload another photo through the portal in 2 weeks so we can compare, and keep applying the %s twice a day." % c.pick(["fluorouracil 5% cream", "imiquimod", "triamcinolone 0.1%", "mupirocin"]),
        "Your follow-up full skin exam is booked %s. If the area bleeds or grows before then, call us." % c.fmt_date(d),
    ])
    extra = c.maybe(0.5, "\n\nTip for photos: use daylight, hold the camera about 6 inches away and put a coin next to it for scale.")
    text = "%s\n\n%s%s\n\n%s\n%s" % (opener, c.typo(nxt), extra, c.thanks(), c.sig(s, org))
    atts = []
    if c.chance(0.4):
        atts.append(("%s_%s_lesion_%s.txt" % (p.last, p.first, c.today.isoformat()), "text", "plain",
                     "Photo log\nPatient: %s\nSite: %s\nPhotos received: %d\nReviewer note: compare in 2 weeks\n" % (p.full, site, c.num(2, 5))))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.addr(p, c.personal_email(p))],
                subject=c.pick(["Your skin photos", "Biopsy results", "Re: photo of spot on my " + site.split()[-1],
                                "Follow-up from %s" % org, "Pathology result - next steps"]), text=text, attachments=atts)


@template("audiology-hearing-aid-fitting", True,
          "A: patient + hearing-aid fitting appointment, audiogram findings, device serial numbers (identifier 13)")
def audiology(c):
    org, dom = c.org("audiology")
    p = c.patient()
    s = c.staff("Au.D.")
    model = c.pick(["Phonak Audeo L90-R", "Oticon Intent 1 miniRITE R", "ReSound Nexia 9", "Signia Pure Charge&Go IX",
                    "Starkey Genesis AI 24 RIC"])
    sn_l, sn_r = c.digits(10), c.digits(10)
    loss = c.pick(["mild sloping to moderately-severe sensorineural hearing loss bilaterally",
                   "moderate SNHL, worse on the right", "asymmetric SNHL (R>L) - MRI IAC ordered",
                   "mixed hearing loss left ear, normal right"])
    d = c.future(3, 21)
    lines = [c.greet(p.first), "",
             c.pick(["Your new hearing aids arrived!", "Good news - your devices came in from the manufacturer.",
                     "Following up on your hearing test."]),
             "Test summary: %s. Word recognition %d%% R / %d%% L." % (loss, c.num(60, 96), c.num(60, 96)),
             "Fitting appointment: %s at %s with %s (about 90 minutes). Bring a family member if you can." % (c.fmt_date(d, "long"), c.time(), s.full),
             "Devices: %s, left SN %s, right SN %s." % (model, sn_l, sn_r)]
    if c.chance(0.5):
        lines.append("Your %s benefit covers $%d per aid; your portion is $%d.%02d." % (
            c.pick(["TruHearing", "Amplifon", "NationsHearing", "plan"]), c.pick([500, 750, 1000, 1250]), c.num(300, 2400), c.num(0, 99)))
    lines[2:] = c.shuffled(lines[2:4]) + lines[4:]
    text = "\n".join(lines) + "\n\n%s\n%s" % (c.thanks(), c.sig(s, org))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.addr(p, c.personal_email(p))],
                subject=c.pick(["Hearing aid fitting", "Your hearing aids are here", "Audiogram results and fitting date",
                                "fitting appt %s" % c.short(d)]), text=text)


@template("wound-clinic-measurements-csv", True,
          "A: one row per patient with name, DOB, wound site/size and visit date (CSV attachment) to a home-health agency")
def wound_csv(c):
    org, dom = c.org("wound")
    hh, hdom = c.org("hospital")
    s = c.staff(c.pick(["RN", "DPM", "BSN, RN"]))
    rows = [["Patient", "DOB", "Wound", "L x W x D (cm)", "Tissue", "Visit", "Next dressing"]]
    for _ in range(c.num(3, 9)):
        p = c.patient()
        rows.append([p.rev, c.dob(1930, 1990, c.pick(["us", "iso"])),
                     c.pick(["R plantar 1st MTH DFU", "L heel pressure injury st 3", "R lateral malleolus VLU",
                             "sacrum st 2", "L hallux post-amp", "R great toe ulcer"]),
                     "%.1f x %.1f x %.1f" % (c.num(5, 60) / 10, c.num(5, 40) / 10, c.num(1, 15) / 10),
                     c.pick(["granulation 80%", "slough 30%", "eschar", "epithelializing"]),
                     c.fmt_date(c.past(1, 6), "us"),
                     c.pick(["silver alginate q3d", "NPWT 125 mmHg M/W/F", "Unna boot weekly", "hydrofiber + foam q2d"])])
    fn = c.pick(["wound_measurements_%s.csv", "weekly_wound_log_%s.csv", "HH_update_%s.csv"]) % c.today.strftime("%Y%m%d")
    text = "%s\n\n%s\n\n%s\n%s" % (
        c.greet(), c.pick(["Attached is this week's wound measurement sheet for our shared patients.",
                           "Weekly measurements attached, pls update your visit notes.",
                           "Here are the measurements from clinic this week. Two had orders change - see last column."]),
        c.thanks(), c.sig(s, org))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["intake@" + hdom], subject=c.pick(
        ["Weekly wound measurements", "wound log", "Shared pts - measurements %s" % c.short(c.today)]),
        text=text, attachments=[(fn, "text", "csv", csv_text(rows))])


@template("fertility-cycle-instructions", True,
          "A (reproductive): patient + stimulation medication doses, monitoring and retrieval/transfer dates")
def fertility(c):
    org, dom = c.org("fertility")
    p = c.patient(sex="F")
    s = c.staff(c.pick(["RN", "BSN, RN", "NP"]))
    d0 = c.future(1, 5)
    kind = c.pick(["stim", "fet", "iui"])
    if kind == "stim":
        body = ["Cycle day 2 baseline looked good (E2 %d, AFC %d)." % (c.num(20, 60), c.num(6, 22)),
                "Start tonight: Gonal-f %d IU + Menopur %d IU subcutaneously, between 6 and 9 pm." % (c.pick([150, 225, 300]), c.pick([75, 150])),
                "Monitoring: %s and %s, 7:00-8:30 AM, bloodwork + ultrasound." % (c.wd(d0 + dt.timedelta(days=3)), c.wd(d0 + dt.timedelta(days=5))),
                "Add Cetrotide 0.25 mg once the lead follicle is 13-14 mm (we'll call you)."]
    elif kind == "fet":
        body = ["Your frozen embryo transfer is scheduled for %s at %s." % (c.fmt_date(d0 + dt.timedelta(days=12), "long"), c.time()),
                "Continue estradiol %d mg %s and start PIO 1 mL IM daily on %s." % (c.pick([2, 4, 6]), c.pick(["BID", "TID", "twice daily"]), c.wd(d0 + dt.timedelta(days=6))),
                "Please arrive with a full bladder. Embryo: day-%d, grade %s." % (c.pick([5, 6]), c.pick(["4AA", "5AB", "4BB", "3BA"]))]
    else:
        body = ["Trigger with Ovidrel 250 mcg tonight at %s." % c.pick(["9:00 PM", "9:30 PM", "10 pm"]),
                "IUI is %s at %s; partner's specimen drop-off 60-90 min before." % (c.wd(d0 + dt.timedelta(days=1)), c.time()),
                "Beta hCG blood test 14 days later (%s)." % c.fmt_date(d0 + dt.timedelta(days=15))]
    if c.chance(0.4):
        body.append("Your %s balance for this cycle is $%d; pay via the portal before retrieval." % (c.pick(["self-pay", "pharmacy", "Progyny"]), c.num(200, 4500)))
    text = "%s\n\n%s\n\n%s\n%s" % (c.greet(p.first), "\n".join("- " + b if c.chance(0.5) else b for b in body),
                                    c.thanks(), c.sig(s, org, role="IVF Nurse Coordinator"))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.addr(p, c.personal_email(p))],
                subject=c.pick(["Your cycle instructions", "Calendar + meds for this cycle", "IVF instructions",
                                "Re: baseline results", "Instructions for %s" % p.first]), text=text)


@template("bariatric-program-clearance", True,
          "A: patient + BMI, surgery date, pre-op diet/psych or nutrition clearance status")
def bariatric(c):
    org, dom = c.org("bariatric")
    p = c.patient()
    s = c.staff(c.pick(["RN", "MSN, RN", "RD"]) if c.chance(0.8) else "MA")
    w0 = c.num(260, 380)
    surg = c.pick(["sleeve gastrectomy", "Roux-en-Y gastric bypass", "revision to RYGB", "SADI-S"])
    d = c.future(20, 60)
    items = ["Psych evaluation: %s" % c.pick(["cleared", "cleared with recommendation for ongoing counseling", "pending - appt " + c.short(c.future(2, 10))]),
             "Nutrition visits: %d of 6 complete" % c.num(3, 6),
             "Starting weight %d lb, today %d lb (BMI %.1f)" % (w0, w0 - c.num(4, 30), c.num(380, 560) / 10),
             "Sleep study: %s" % c.pick(["OSA, on CPAP", "negative", "ordered"]),
             "Insurance: %s" % c.pick(["approved, auth #" + c.digits(9), "submitted " + c.short(c.past(1, 9)), "needs 6-mo diet history"])]
    to_patient = c.chance(0.6)
    if to_patient:
        intro = "%s\n\nHere's where you stand in the program for your %s:" % (c.greet(p.first), surg)
        to = [c.addr(p, c.personal_email(p))]
    else:
        intro = "%s\n\nUpdate on %s (DOB %s) for %s, target date %s:" % (c.greet(), p.full, c.dob(1960, 2002), surg, c.fmt_date(d))
        to = ["surgeryscheduling@" + dom]
    items = c.shuffled(items)
    tail = c.pick(["Start the 2-week liquid diet on %s." % c.fmt_date(d - dt.timedelta(days=14)),
                   "Surgery is tentatively %s; we'll confirm once insurance finalizes." % c.fmt_date(d, "long"),
                   "Remember: no NSAIDs and no nicotine before surgery."])
    text = "%s\n\n%s\n\n%s\n\n%s\n%s" % (intro, "\n".join("* " + i for i in items), tail, c.thanks(), c.sig(s, org))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=to, subject=c.pick(
        ["Bariatric program checklist", "Pre-op checklist", "Surgery clearance status", "Your progress toward surgery"]), text=text)


@template("vaccine-catchup-letter-parent", True,
          "A: child's name + DOB + vaccines due/overdue, HTML letter to the parent's address (LABELLING 3: child to parent)")
def vaccine_catchup(c):
    org, dom = c.org("peds")
    parent = c.patient()
    child = c.person(locale=parent.locale)
    child.last = parent.last
    s = c.staff(c.pick(["RN", "MA", "LPN"]))
    due = c.some(["DTaP #4", "Hep A #2", "MMR #2", "Varicella #2", "Tdap", "MenACWY", "HPV #1", "HPV #2",
                  "IPV #4", "PCV20", "Hep B #3", "Flu (2 doses this season)", "COVID-19 2026-27"], 2, 4)
    dob = c.dob(2010, 2024)
    rows = [[v, c.pick(["overdue", "due now", "due " + c.fmt_date(c.future(10, 60), "us")])] for v in due]
    lang = c.pick(["en", "en", "es"])
    if lang == "es":
        intro = ("Estimada familia %s:<br><br>Según nuestros registros, <b>%s</b> (fecha de nacimiento: %s) tiene vacunas "
                 "pendientes. Por favor llame para una cita." % (parent.last, child.full, dob))
    else:
        intro = ("Dear %s,<br><br>Our records show that <b>%s</b> (DOB %s) is %s on the following vaccines:" %
                 (c.pick([parent.full, "Parent/Guardian of " + child.first, parent.title]), child.full, dob,
                  c.pick(["behind", "due", "not up to date"])))
    body = intro + "<br><br>" + html_table(["Vaccine", "Status"], rows) + "<br>" + \
        c.pick(["Walk-in nurse visits are Tuesdays and Thursdays 8-11.",
                "School requires these before %s." % c.fmt_date(c.future(20, 60), "long"),
                "Reply to this email or call to schedule."]) + "<br><br>" + text_to_html(c.sig(s, org))
    m = dict(frm="%s <immunizations@%s>" % (org, dom), to=[c.addr(parent, c.personal_email(parent))],
             subject=c.pick(["Vaccines due for %s" % child.first, "Immunization catch-up", "Vacunas pendientes" if lang == "es" else "Shots due",
                             "Action needed: immunizations"]))
    if c.chance(0.35):  # the letter as a PDF, a short cover note in the body
        lines = ["%s - Immunization catch-up letter" % org, "", "Patient: %s" % child.full, "Date of birth: %s" % dob, "Parent/guardian: %s" % parent.full, ""]
        lines += ["%-28s %s" % (v, st) for v, st in rows] + ["", "Please call to schedule a nurse visit."]
        m["text"] = "%s\n\n%s\n\n%s" % (c.greet(parent.first), c.pick(["Please see the attached letter about %s's vaccines." % child.first,
                                                                       "Attached is a reminder letter from our office.",
                                                                       "Adjunto carta sobre las vacunas de %s." % child.first if lang == "es" else "Letter attached."]),
                                          c.sig(s, org))
        m["attachments"] = [(c.pick(["immunization_letter.pdf", "catch_up_%s.pdf" % child.first.lower(), "vaccine_reminder.pdf"]), "application", "pdf",
                             pdf(lines, "Immunization letter"))]
    else:
        m["html"], m["html_only"] = html_doc(body), True
    return m


@template("hospice-bereavement-followup", True,
          "A: decedent's name + date of death + hospice care, to the family member")
def bereavement(c):
    org, dom = c.org("hospice")
    dec = c.patient()
    fam = c.person(locale=dec.locale)
    s = c.staff(c.pick(["LCSW", "MDiv", "MSW"]))
    dod = c.past(20, 200)
    rel = c.pick(["mother", "father", "husband", "wife", "partner", "brother", "sister", "grandmother"])
    opener = c.pick([
        "It has been about %d weeks since %s died on %s, and we wanted to check in on you." % ((c.today - dod).days // 7, dec.first, c.fmt_date(dod, "long")),
        "All of us on the %s team who cared for %s in %s last months are thinking of you." % (c.pick(["home", "inpatient", "Tuesday"]), dec.full, c.pick(["his", "her", "their"])),
        "I'm the bereavement coordinator with %s. Our nurses cared for your %s, %s, until %s passing on %s." % (org, rel, dec.first, c.pick(["his", "her"]), c.fmt_date(dod)),
    ])
    offer = c.pick(["Our grief support group meets Thursdays at 6 pm at the %s office." % c.pick(["north", "main", "Elm St"]),
                    "You're welcome to a one-on-one visit with me, at home or by phone.",
                    "We'll mail a short letter at 3, 6 and 13 months; let me know if you'd rather we didn't."])
    extra = c.maybe(0.4, "\n\nAlso, the pharmacy has asked whether the remaining %s and morphine were disposed of using the kit we left." % c.pick(["lorazepam", "haloperidol", "oxycodone"]))
    text = "%s\n\n%s\n\n%s%s\n\n%s\n%s" % (c.greet(fam.first), opener, offer, extra, c.pick(["With care,", "Warmly,", "Thinking of you,"]),
                                          c.sig(s, org, role="Bereavement Coordinator"))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=[c.addr(fam, c.personal_email(fam))],
                subject=c.pick(["Thinking of you", "Checking in", "Bereavement support from %s" % org, "In memory of " + dec.first]), text=text)


@template("payer-peer-to-peer-request", True,
          "A+B: health-plan member name/ID + inpatient admission date + medical-necessity denial")
def peer_to_peer(c):
    org, dom = c.org("payer")
    hosp, hdom = c.org("hospital")
    p = c.patient()
    s = c.staff(c.pick(["RN", "MSN, RN", "MD"]))
    adm = c.past(2, 12)
    case = "UM" + c.digits(8)
    dx = c.pick(["COPD exacerbation", "cellulitis of the left leg", "syncope", "chest pain r/o ACS", "pyelonephritis",
                 "acute pancreatitis", "DKA"])
    text = "\n".join([
        c.greet(c.pick(["UR team", "Case Management", ""]) or None), "",
        c.pick(["The inpatient request for the member below did not meet %s criteria for inpatient level of care." % c.pick(["InterQual", "MCG"]),
                "We are unable to approve inpatient status for this admission; observation is approved."]),
        "",
        "Member: %s" % (p.rev if c.chance(0.5) else p.full),
        "Member ID: %s" % c.member_id(),
        "DOB: %s" % c.dob(1940, 2000),
        "Admit date: %s" % c.fmt_date(adm, "us"),
        "Dx: %s" % dx,
        "Case #: %s" % case,
        "",
        "A peer-to-peer with our medical director is available until %s %s CT. Call %s option %d and reference the case number." % (
            c.wd(c.future(1, 2)), c.pick(["5 PM", "noon", "3:00 PM"]), c.phone(), c.num(2, 6)),
        "", c.thanks(), c.sig(s, org, role="Utilization Management")])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["ur@" + hdom, "casemgmt@" + hdom][:c.num(1, 2)],
                subject=c.pick(["Peer to peer available - case %s" % case, "Adverse determination - inpatient", "IP denied / obs approved",
                                "P2P offer %s" % p.last]), text=text)


@template("compounding-pharmacy-question", True,
          "A: patient name + compounded medication/formulation question to the prescriber")
def compounding(c):
    org, dom = c.org("pharmacy")
    clinic, cdom = c.org(c.pick(["derm", "primary", "wound"]))
    p = c.patient()
    s = c.staff(c.pick(["PharmD", "RPh", "CPhT"]))
    rx = c.pick(["ketoprofen 10% / gabapentin 6% / lidocaine 5% cream", "LDN (low-dose naltrexone) 4.5 mg caps",
                 "tretinoin 0.05% / hydroquinone 6% / fluocinolone 0.01%", "metronidazole 1% in Aquaphor",
                 "omeprazole 2 mg/mL suspension", "progesterone 100 mg SR caps", "ciclopirox 8% / terbinafine nail lacquer"])
    q = c.pick([
        "the patient reports an allergy to propylene glycol - OK to switch to a Lipoderm base?",
        "insurance won't cover it; cash price is $%d for 60 g. Do you want an alternative?" % c.num(45, 180),
        "the strength on the script is illegible - is it %s?" % c.pick(["2% or 20%", "4.5 mg or 1.5 mg", "6% or 0.6%"]),
        "she says the last batch caused burning; can we drop the %s?" % c.pick(["lidocaine", "menthol", "DMSO"]),
    ])
    who = c.pick(["%s (DOB %s)" % (p.full, c.dob()), "pt %s" % p.rev, "%s, %s" % (p.full, c.pick(["ph " + c.phone(), "Rx #" + c.digits(7)]))])
    text = "%s\n\n%s\n\nRe: %s - %s\nQuestion: %s\n\n%s\n%s" % (
        c.greet("Dr. " + c.person(staff=True).last), c.pick(["Quick question on a compound.", "Calling about a new compound Rx, couldn't get through.",
                                                              "Need clarification before we can fill:"]),
        who, rx, c.typo(q), c.thanks(), c.sig(s, org, fax=True))
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["rx@" + cdom], subject=c.pick(
        ["Compound Rx clarification", "Question re %s" % p.last, "Rx clarification needed", "compounding question"]), text=text)


@template("home-infusion-delivery-ics", True,
          "A: calendar invite (.ics) for a home delivery/nurse visit with patient name, home address and IV drug (LABELLING 3)")
def infusion_ics(c):
    org, dom = c.org("infusion")
    p = c.patient()
    s = c.staff(c.pick(["RN", "CPhT", "PharmD"]))
    drug = c.pick(["ceftriaxone 2 g IV q24h", "vancomycin 1.25 g IV q12h", "ertapenem 1 g IV daily", "IVIG 40 g",
                   "TPN 1.8 L nightly", "daptomycin 600 mg IV daily", "infliximab 5 mg/kg"])
    d = c.future(1, 6)
    start = dt.datetime.combine(d, dt.time(c.pick([8, 9, 10, 13, 14, 15]), c.pick([0, 30])))
    where = "%s, %s" % (c.street(), c.city_zip())
    desc = "Patient: %s\nDelivery: %s, %d-day supply + supplies\nLine: %s\nNurse visit: %s" % (
        p.full, drug, c.pick([3, 7, 14]), c.pick(["PICC R basilic", "port", "midline L arm"]), c.pick(["dressing change + labs", "first dose teaching", "none"]))
    cal = ics(c, c.pick(["Delivery - %s", "Home infusion: %s", "%s delivery + RN"]) % p.last, start, 60, where, desc, "dispatch@" + dom)
    text = "%s\n\n%s\n\n%s\n%s" % (c.greet(), c.pick(["Delivery scheduled, invite attached.", "Adding this delivery to the driver calendar.",
                                                      "Please confirm the window with the patient."]), c.thanks(), c.sig(s, org))
    fn = c.pick(["delivery.ics", "invite.ics", "%s_delivery.ics" % p.last])
    sub = c.pick(["calendar", "calendar", "ics"])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["drivers@" + dom, "nursing@" + dom][:c.num(1, 2)],
                subject=c.pick(["Delivery %s" % c.short(d), "Updated: delivery schedule", "Home infusion delivery"]), text=text,
                attachments=[(fn, "text" if sub == "calendar" else "application", sub, cal)])


@template("radiology-peer-review-discrepancy", True,
          "B+A: MRN and accession with exam date and a missed finding in a peer-review notice")
def rad_peer(c):
    org, dom = c.org("radiology")
    s = c.staff(c.pick(["MD", "DO"]))
    exam = c.pick(["CT chest w/ contrast", "CT abd/pelvis", "MRI brain", "CXR 2V", "US RUQ", "CT head w/o"])
    miss = c.pick(["4 mm RUL nodule not mentioned", "subtle L3 compression fracture not reported",
                   "incidental 2.1 cm adrenal nodule missed", "small pneumothorax on the right overcalled as skin fold",
                   "early appendicitis - read as normal"])
    score = c.pick(["RADPEER 2b", "RADPEER 3a", "RADPEER 2a", "score 2 (minor)", "score 3"])
    lines = ["Peer review case assigned - please review and respond within %d days." % c.pick([7, 10, 14]), "",
             "Accession: %s" % c.digits(9), "MRN: %s" % c.mrn(), "Exam: %s on %s" % (exam, c.fmt_date(c.past(10, 90), "us")),
             "Original reader: Dr. %s" % c.person(staff=True).last, "Discrepancy: %s" % miss, "Score: %s" % score]
    if c.chance(0.5):
        lines.append("Patient age/sex: %d%s" % (c.num(25, 85), c.pick("MF")))
    lines += ["", c.pick(["This is a protected peer review communication.", "Confidential - QI privileged."]), "", c.sig(s, org, role="Peer Review Committee")]
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["radiologists@" + dom] if c.chance(0.5) else [c.email_for(c.staff("MD"), dom)],
                subject=c.pick(["Peer review case assigned", "RADPEER discrepancy for review", "QA case %s" % c.digits(5)]), text="\n".join(lines))


@template("irb-sae-report-identified", True,
          "A: IRB serious-adverse-event report with subject initials + DOB + hospitalisation date (LABELLING 3: initials with DOB)")
def irb_sae(c):
    org, dom = c.org("research")
    irb, idom = c.org("hospital")
    p = c.patient()
    s = c.staff(c.pick(["CCRC", "RN", "MD"]))
    proto = "%s-%s" % (c.pick(["IRB", "STUDY", "PRO"]), c.digits(8))
    ev = c.pick(["hospitalization for community-acquired pneumonia", "grade 3 neutropenia with fever", "syncope with fall, admitted overnight",
                 "acute kidney injury", "suicidal ideation reported at week 6 visit"])
    adm = c.past(2, 15)
    text = "\n".join([c.greet("IRB Office"), "",
                      c.pick(["Please find our prompt report of a serious adverse event on %s." % proto,
                              "Submitting an SAE for protocol %s (reportable within 7 days)." % proto]), "",
                      "Subject: %s%s (study ID %s-%s), DOB %s" % (p.first[0], p.last[0], c.pick(["01", "03", "07"]), c.digits(3), c.dob(1945, 2000)),
                      "Event: %s" % ev, "Onset/admission: %s" % c.fmt_date(adm),
                      "Relatedness: %s" % c.pick(["possibly related", "unlikely related", "related"]),
                      "Action: %s" % c.pick(["study drug held", "subject withdrawn", "dose reduced per protocol"]), "",
                      c.thanks(), c.sig(s, org, role="Study Coordinator")])
    return dict(frm=c.addr(s, c.email_for(s, dom)), to=["irb@" + idom], subject=c.pick(
        ["SAE report - %s" % proto, "Prompt report: SAE", "Serious adverse event, %s" % proto]), text=text)


@template("interpreter-invoice-per-encounter", True,
          "A: interpreter invoice with one row per job: patient name, date of service, clinic (LABELLING 2: row per person, not de-identified)")
def interp_invoice(c):
    org, dom = c.org("interpreter")
    hosp, hdom = c.org("hospital")
    s = c.staff("")
    s.cred = None
    rows = [["Job #", "Date of service", "Patient", "Dept", "Language", "Minutes", "Amount"]]
    tot = 0
    for _ in range(c.num(4, 10)):
        p = c.patient(locale=c.pick(["es_MX", "pl_PL", "tr_TR", "ro_RO", "es_CO", "hu_HU"]))
        mins = c.pick([30, 45, 60, 90, 120])
        amt = mins * c.pick([1.1, 1.25, 1.5])
        tot += amt
        rows.append([c.digits(6), c.fmt_date(c.past(3, 30), "us"), p.rev, c.pick(["Oncology", "L&D", "Cardiology", "Peds", "ED", "Dialysis", "Psychiatry"]),
                     c.pick(["Spanish", "Polish", "Turkish", "Romanian", "Hungarian", "Spanish"]), mins, "%.2f" % amt])
    html = html_doc("<p>%s</p><p>Invoice %s-%s for onsite interpreting, %s.</p>%s<p>Total due: $%.2f, net 30.</p><p>%s</p>" % (
        c.greet("Accounts Payable"), c.pick(["INV", "LS"]), c.digits(6), c.today.strftime("%B %Y"), html_table(rows[0], rows[1:]), tot,
        c.sig(s, org).replace("\n", "<br>")))
    attach = c.chance(0.5)
    m = dict(frm=c.addr(s, c.email_for(s, dom)), to=["ap@" + hdom], subject=c.pick(["Invoice - interpreting services", "Monthly invoice %s" % c.today.strftime("%b %Y"),
                                                                                   "Interpreter invoice attached"]))
    if attach:
        m["text"] = "%s\n\nInvoice for %s attached (job detail as requested by your AP).\n\n%s" % (c.greet(), c.today.strftime("%B"), c.sig(s, org))
        m["attachments"] = [("invoice_%s.csv" % c.digits(6), "text", "csv", csv_text(rows))]
    else:
        m["html"] = html
        m["html_only"] = True
    return m


@template("ambulance-billing-dispute", True,
          "A+B: patient's transport date, pickup address, account number, insurer denial and balance")
def ambulance(c):
    org, dom = c.org("ambulance")
    p = c.patient()
    s = c.staff("")
    s.cred = None
    d = c.past(30, 200)
    acct = c.pick(["AMB", "TR", ""]) + c.digits(8)
    denial = c.pick(["not medically necessary (BLS non-emergency)", "out of network", "missing physician certification statement",
                     "coordination of benefits - other insurance primary"])
    text = "\n".join([c.greet(p.title if c.chance(0.5) else p.first), "",
                      c.pick(["Thank you for your email disputing the charge.", "We received your dispute regarding the transport below.",
                              "Following up on our phone call today."]), "",
                      "Account: %s" % acct,
                      "Date of transport: %s" % c.fmt_date(d),
                      "From: %s, %s" % (c.street(), c.city_zip()), "To: %s ED" % c.org("hospital")[0],
                      "Level: %s, %d loaded miles" % (c.pick(["ALS1 emergency", "BLS emergency", "BLS non-emergency"]), c.num(3, 40)),
                      "Insurance response: %s" % denial,
                      "Balance: $%d.%02d" % (c.num(400, 2800), c.num(0, 99)), "",
                      c.pick(["We've placed a 60-day hold on the account while we submit an appeal with the run report.",
                              "If you can send your secondary insurance card we will rebill.",
                              "You may request a payment plan or financial assistance."]), "",
                      c.thanks(), c.sig(s, org, role="Patient Accounts")])
    return dict(frm="%s <billing@%s>" % (org, dom), to=[c.addr(p, c.personal_email(p))], subject=c.pick(
        ["Re: dispute ambulance bill", "Your account %s" % acct, "Re: charge for transport on %s" % c.short(d)]), text=text)
