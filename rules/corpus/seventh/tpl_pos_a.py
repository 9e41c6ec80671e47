"""Positive templates, part A (every message these produce needs protection)."""

import datetime as dt

from mailkit import (DOCX, XLSX, csv_text, docx_bytes, esc, fdate, gmail_quote, html_doc, html_table, ics_text,
                     message, org, outlook_block, pdf_bytes, reply_id, sloppy, sloppy_date, template, tm, vcard_text,
                     xlsx_bytes, zip_bytes)


# A: the patient's own address + name + treatment plan (procedures on named teeth, perio findings) + fees.
@template("dental-treatment-plan-estimate", True, "A: patient (own address, name) + dental treatment plan, perio findings and cost estimate")
def dental_treatment_plan_estimate(c):
    o = org(c, c.choice(["%s Family Dentistry", "%s Dental Group", "%s Smiles Dental", "%s Periodontics & Implants"]))
    p = c.patient(minage=18)
    first, last, cred = c.staff("RDH")
    teeth = sorted(c.sample(range(2, 32), c.r.randrange(2, 5)))
    procs = [("D4341", "Scaling & root planing, 4+ teeth per quadrant", 285), ("D4342", "Scaling & root planing, 1-3 teeth", 190),
             ("D2740", "Crown - porcelain/ceramic", 1350), ("D2950", "Core buildup incl. pins", 310), ("D3330", "Root canal, molar", 1240),
             ("D7210", "Surgical extraction", 395), ("D6010", "Implant body, endosteal", 2150), ("D2392", "Resin composite, 2 surfaces, posterior", 245)]
    rows = []
    tot = ins = 0
    for t in teeth:
        code, desc, fee = c.choice(procs)
        pct = c.choice([0.5, 0.8, 0.8, 0.5, 0.0])
        est = round(fee * pct)
        tot += fee
        ins += est
        rows.append([str(t), code, desc, "$%d.00" % fee, "$%d.00" % est, "$%d.00" % (fee - est)])
    pockets = c.sample(["#%d MB 6mm" % teeth[0], "#%d DL 5mm" % teeth[-1], "bleeding on probing in the lower left", "#%d furcation involvement" % teeth[0]], 2)
    plan_date = c.past(1, 10)
    intro = c.pick(
        "Thank you for coming in on %s. As Dr. %s discussed, here is the treatment plan and what we estimate your insurance will cover." % (fdate(plan_date, "B d, Y"), c.staff()[1]),
        "Attached below is your treatment plan from your %s visit, with the insurance estimate we ran today." % fdate(plan_date, "m/d/Y"),
        "Following up on your periodontal charting: the hygienist noted %s, so the doctor recommends the work below." % " and ".join(pockets))
    paras = [c.greet(p.first), intro, ("raw", html_table(["Tooth", "Code", "Procedure", "Fee", "Est. insurance", "Your portion"], rows, c.choice(["outlook", "gmail"])), ""),
             "Total: $%d.00, estimated insurance $%d.00, estimated patient portion $%d.00. Estimates are not a guarantee of payment." % (tot, ins, tot - ins),
             c.pick("Reply to this e-mail or call us to schedule the first appointment.", "We can split this into two visits if that is easier - just let me know.",
                    "Please sign and return the plan if you want to proceed; we'll send a predetermination to your carrier."),
             "%s %s, %s\n%s" % (first, last, cred, o.name)]
    style = c.choice(["outlook", "gmail"])
    html = html_doc(paras, style)
    subj = c.pick("Your treatment plan estimate", "Treatment plan - %s %s" % (p.first, p.last), "Your dental estimate from %s" % o.name, "Re: periodontal treatment plan")
    frm = ("%s %s" % (first, last), c.addr_at(first, last, o.domain))
    to = ("%s %s" % (p.first, p.last), c.webmail(p))
    if c.chance(0.5):
        return message(c, frm, to, subj, html=html)
    return message(c, frm, to, subj, text="Please view this message in HTML.\n\nTreatment plan for %s %s, %d procedures, total $%d.00." % (p.first, p.last, len(rows), tot), html=html)


# A: a child's asthma action plan (name, DOB, controller/rescue medication, zones) from the pediatric office to the school nurse.
@template("school-asthma-action-plan-docx", True, "A: child's name + DOB + asthma diagnosis and medications in a DOCX action plan sent to the school nurse")
def school_asthma_action_plan_docx(c):
    o = org(c, c.choice(["%s Pediatrics", "%s Children's Clinic", "%s Pediatric Associates"]))
    kid = c.patient(minage=5, maxage=16)
    sd = org(c, c.choice(["%s Unified School District", "%s Public Schools", "%s Elementary"]), external=True)
    nf, nl, _ = c.staff("RN")
    first, last, cred = c.staff(c.choice(["MA", "RN", "LPN"]))
    ctrl = c.choice(["Flovent HFA 44 mcg, 2 puffs twice daily", "Pulmicort 0.5 mg neb twice daily", "Symbicort 80/4.5, 2 puffs twice daily", "Qvar RediHaler 40 mcg, 1 puff twice daily"])
    rescue = c.choice(["albuterol HFA 90 mcg 2-4 puffs with spacer every 4 hours as needed", "albuterol 2.5 mg neb every 4 hours as needed", "levalbuterol HFA 2 puffs every 4-6 hours as needed"])
    triggers = ", ".join(c.sample(["cold air", "exercise", "dust mites", "cats", "smoke", "viral colds", "grass pollen", "strong odors"], 3))
    doc = ["# ASTHMA ACTION PLAN", "%s" % o.name,
           "Student: %s %s        Date of birth: %s" % (kid.first, kid.last, fdate(kid.dob, c.choice(["%m/%d/%Y", "B d, Y", "%Y-%m-%d"]))),
           "Grade/School: %s, %s" % (c.choice(["2nd", "4th", "6th", "7th", "9th", "K"]), sd.name),
           "Asthma severity: %s" % c.choice(["mild persistent", "moderate persistent", "intermittent (exercise-induced)"]),
           "Triggers: %s" % triggers, ("table", ["Zone", "What you see", "What to do"],
                                       [["GREEN - doing well", "No cough or wheeze, can play", "Controller: " + ctrl],
                                        ["YELLOW - caution", "Cough, wheeze, tight chest", "Rescue: " + rescue],
                                        ["RED - emergency", "Very short of breath, lips blue, can't talk", "Give rescue now and call 911"]]),
           "May carry and self-administer inhaler at school: %s" % c.choice(["YES", "YES", "NO - keep in nurse's office"]),
           "Pre-exercise: 2 puffs albuterol 15 minutes before PE" if c.chance(0.6) else "",
           "Provider: %s, MD     Signed %s" % (c.staff_name("MD").split(",")[0], fdate(c.past(1, 20), "%m/%d/%Y"))]
    body = c.pick(
        "Hi %s,\n\nAttached is the updated asthma action plan you requested. The signed medication authorization is on page 1. Let us know if you need the spacer form too." % nf,
        "Good afternoon,\n\nPer the parent's request we are sending the asthma action plan for the %s school year. Please replace the old one on file." % c.choice(["2026-27", "current"]),
        "%s - here's the AAP for %s. Mom said she dropped off the inhaler this morning." % (nf, kid.first))
    body += "\n" + c.sign(o, first, last, cred)
    fname = c.choice(["Asthma_Action_Plan.docx", "AAP_%s.docx" % kid.last, "asthma plan %s.docx" % c.today.year, "AAP_signed.docx"])
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (nf, nl), c.addr_at(nf, nl, sd.domain)),
                   c.pick("Asthma action plan", "AAP for school", "Updated asthma plan - %s" % kid.first, "Medication authorization + AAP"),
                   text=body, attachments=[(fname, DOCX[0], DOCX[1], docx_bytes([b for b in doc if b]))])


# A: residents' names, rooms, DOBs (date cells) and medications on a medication administration record from the LTC pharmacy.
@template("ltc-pharmacy-mar-xlsx", True, "A: LTC pharmacy MAR workbook, one row per resident with name, DOB (date cell), room and medication schedule")
def ltc_pharmacy_mar_xlsx(c):
    o = org(c, c.choice(["%s Long-Term Care Pharmacy", "%s Institutional Pharmacy", "%s Senior Care Rx"]))
    fac = org(c, c.choice(["%s Assisted Living", "%s Memory Care", "%s Senior Residence"]), external=True)
    meds = ["donepezil 10 mg PO qHS", "metoprolol tartrate 25 mg PO BID", "apixaban 5 mg PO BID", "sertraline 50 mg PO daily",
            "levothyroxine 75 mcg PO daily before breakfast", "furosemide 20 mg PO qAM", "memantine 10 mg PO BID",
            "quetiapine 25 mg PO qHS", "insulin glargine 14 units SC qHS", "tamsulosin 0.4 mg PO qHS", "oxycodone 5 mg PO q6h PRN pain"]
    rows = []
    for _ in range(c.r.randrange(5, 12)):
        p = c.patient(minage=68, maxage=88)
        rows.append([p.last, p.first, "%d%s" % (c.r.randrange(100, 340), c.choice(["", "A", "B"])), p.dob, c.choice(meds),
                     c.choice(["0800", "0800/2000", "2100", "0700", "PRN"]), c.past(1, 30), c.choice(["new", "changed", "continue", "continue"])])
    start = c.future(1, 5)
    data = xlsx_bytes([("MAR changes", ["Last", "First", "Room", "DOB", "Medication", "Admin times", "Order date", "Status"], rows)])
    first, last, cred = c.staff(c.choice(["PharmD", "RPh", "CPhT"]))
    mt, ml, _ = c.staff("CMA")
    body = c.pick(
        "Hi %s,\n\nAttached are the MAR changes for the cycle starting %s. New orders are flagged 'new'; please have the med techs initial the updated pages." % (mt, fdate(start, "m/d/Y")),
        "Good morning,\n\nCycle fill goes out %s. The spreadsheet has every resident with a change this month. Call me with any discrepancies before the delivery." % fdate(start, "%m/%d"),
        "%s - updated MAR export attached (%d residents). Two of these are PRN changes from Dr. %s's rounds." % (mt, len(rows), c.staff()[1]))
    body += "\n" + c.sign(o, first, last, cred)
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (mt, ml), c.addr_at(mt, ml, fac.domain)),
                   c.pick("MAR changes - cycle fill", "Med changes for %s" % fac.name, "MAR update %s" % fdate(start, "%m/%d"), "cycle fill changes"),
                   text=body, attachments=[(c.choice(["MAR_changes.xlsx", "cycle_fill_%s.xlsx" % start.strftime("%Y%m%d"), "MAR export.xlsx"]), XLSX[0], XLSX[1], data)])


# A (LABELLING 3): patients' names in a calendar invite for a therapy group = membership reveals a behavioural-health condition.
@template("group-therapy-ics-roster", True, "A/3: invite for a therapy group session whose description or attendees list the clients by name")
def group_therapy_ics_roster(c):
    o = org(c, c.choice(["%s Behavioral Health", "%s Counseling Center", "%s Recovery & Wellness"]))
    grp = c.choice(["DBT Skills Group", "Grief Processing Group", "Anxiety CBT Group", "Trauma Recovery Group",
                    "Anger Management Group", "Adolescent IOP Group", "Eating Disorder Support Group"])
    cof, col, _ = c.staff("LCSW")
    ext = org(c, "%s Counseling Associates", external=True)
    first, last, cred = c.staff(c.choice(["LPC", "LCSW", "PsyD", "LMFT"]))
    clients = [c.patient(minage=14, maxage=70) for _ in range(c.r.randrange(4, 9))]
    day = c.future(2, 14)
    start = dt.datetime.combine(day, dt.time(c.choice([16, 17, 18]), c.choice([0, 30])))
    week = c.r.randrange(2, 11)
    in_attendees = c.chance(0.4)
    desc = "%s - week %d of 12\nFacilitators: %s %s, %s; %s %s\n" % (grp, week, first, last, cred, cof, col)
    if not in_attendees:
        desc += "Roster: " + "; ".join("%s %s" % (p.first, p.last) for p in clients) + "\n"
        if c.chance(0.5):
            desc += "New this week: %s %s (intake done %s)\n" % (clients[0].first, clients[0].last, fdate(c.past(3, 10), "m/d/yy"))
    desc += "Room %s. Bring the handouts for module %d." % (c.choice(["B-12", "204", "Group Room 2", "Annex 3"]), c.r.randrange(1, 5))
    att = [("%s %s" % (cof, col), c.addr_at(cof, col, ext.domain))]
    if in_attendees:
        att += [("%s %s" % (p.first, p.last), c.webmail(p)) for p in clients]
    ics = ics_text(c, "%s - Week %d" % (grp, week), start, 90, "%s, %s" % (o.name, o.street), desc,
                   ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), att, uid_dom=o.domain)
    body = c.pick("Updated invite for week %d attached - roster changed." % week,
                  "Hi %s, here's the invite for next session. Can you co-lead since I'm out the following week?" % cof,
                  "Sending the group invite so it's on your calendar. See description for the room.")
    ctype = c.choice([("text", "calendar"), ("application", "ics")])
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (cof, col), c.addr_at(cof, col, ext.domain)),
                   c.pick("Invitation: %s - Week %d" % (grp, week), "%s %s" % (grp, fdate(day, "%m/%d")), "group invite"),
                   text=body, attachments=[("invite.ics", ctype[0], ctype[1], ics, {"method": "REQUEST"} if ctype[1] == "calendar" else {})])


# A: opioid treatment programme client (name, DOB) + methadone/buprenorphine dose + toxicology, under a 42 CFR part 2 notice.
@template("sud-program-dose-coordination", True, "A: substance-use programme client's name + dose, attendance and tox results (42 CFR part 2 record)")
def sud_program_dose_coordination(c):
    o = org(c, c.choice(["%s Opioid Treatment Program", "%s Recovery Services", "%s Addiction Medicine"]))
    p = c.patient(minage=20, maxage=65)
    rec = c.choice([("probation", "%s County Adult Probation"), ("pcp", "%s Internal Medicine"), ("hospital", "%s Regional Medical Center")])
    ro = org(c, rec[1], external=True)
    rf, rl, rc = c.staff("" if rec[0] == "probation" else "MD")
    first, last, cred = c.staff(c.choice(["LCDC", "CADC", "RN", "MD"]))
    med = c.choice(["methadone %d mg daily" % c.choice([45, 60, 80, 95, 110, 120]), "buprenorphine/naloxone %d mg/%d mg daily" % c.choice([(8, 2), (12, 3), (16, 4), (24, 6)]),
                    "Sublocade 300 mg monthly injection"])
    uds = c.choice(["negative for all substances", "positive for fentanyl", "positive for cannabinoids only", "negative; last positive was %s" % fdate(c.past(40, 120), "m/d/yy")])
    facts = [
        "%s %s (DOB %s) has been enrolled with us since %s." % (p.first, p.last, fdate(p.dob, r=c.r), fdate(c.past(60, 700), "B d, Y")),
        "Current dose: %s. %s" % (med, c.choice(["Take-homes: 2 per week.", "No take-homes yet (phase 1).", "Eligible for 6 take-homes."])),
        "Most recent urine drug screen (%s): %s." % (fdate(c.past(1, 14), "%m/%d/%Y"), uds),
        "Attendance: %d of %d counseling sessions this month." % (c.r.randrange(2, 5), 4)]
    ask = {"probation": "This is the compliance update requested for the %s review hearing." % fdate(c.future(3, 20), "m/d"),
           "pcp": "Please avoid prescribing benzodiazepines or other opioids without calling us first.",
           "hospital": "We understand the patient was admitted last night - please call our dosing nurse to verify the last dose before giving any."}[rec[0]]
    notice = ("42 CFR part 2 notice: This record is disclosed from a federally assisted substance use disorder program under the "
              "client's written consent. Federal rules prohibit further disclosure unless expressly permitted.")
    body = "%s\n\n%s\n\n%s\n\n%s\n%s" % (c.greet(rf if rec[0] != "hospital" else None), "\n".join(c.sample(facts, len(facts))), ask, notice, c.sign(o, first, last, cred))
    subj = c.pick("Compliance update - %s %s" % (p.first, p.last[0] + "."), "Re: %s" % p.last, "Dosing verification", "Treatment update (consent on file)")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (rf, rl), c.addr_at(rf, rl, ro.domain)), subj, text=body)


# A: OT home-safety visit report in a PDF (name, home address, falls, cognition, recommendations), body may only say "attached".
@template("ot-home-safety-visit-pdf", True, "A: occupational therapy home-safety evaluation PDF with patient name, home address, fall history and recommendations")
def ot_home_safety_visit_pdf(c):
    o = org(c, c.choice(["%s Home Health", "%s Visiting Nurses", "%s Home Care Services"]))
    pcp = org(c, c.choice(["%s Family Medicine", "%s Primary Care", "%s Geriatrics"]), external=True)
    p = c.patient(minage=62, maxage=88)
    st, city, state, z = c.address()
    first, last, cred = c.staff("OTR/L")
    visit = c.past(1, 8)
    recs = c.sample(["Install grab bars beside toilet and in tub", "Remove throw rugs in hallway", "Raised toilet seat 4\"",
                     "Tub transfer bench", "Night lights bedroom-to-bathroom", "Move frequently used items to waist height",
                     "Stair rail on left side of basement stairs", "Medical alert pendant", "Rollator for community distances"], 4)
    lines = ["# %s - Occupational Therapy Home Safety Evaluation" % o.name, "",
             "Patient: %s, %s    DOB: %s" % (p.last, p.first, fdate(p.dob, "%m/%d/%Y")),
             "Address: %s, %s, %s %s" % (st, city, state, z), "Visit date: %s    Therapist: %s %s, %s" % (fdate(visit, "%m/%d/%Y"), first, last, cred),
             "Dx: %s" % c.choice(["Parkinson's disease (G20.A1)", "s/p L hip ORIF", "CVA with R hemiparesis", "COPD, deconditioning", "Mild cognitive impairment"]),
             "", "# History", "%d falls in the last 6 months, most recent %s %s." % (c.r.randrange(1, 4), fdate(c.past(10, 90), "%m/%d/%Y"), c.choice(["in bathroom at night", "on front steps", "getting out of bed"])),
             "Lives %s in a %s." % (c.choice(["alone", "with spouse", "with daughter"]), c.choice(["two-story house", "ranch home", "2nd floor apartment"])),
             "", "# Findings", "Timed Up and Go: %d s. Berg: %d/56. MoCA: %d/30." % (c.r.randrange(12, 28), c.r.randrange(30, 50), c.r.randrange(18, 28)),
             "", "# Recommendations"] + ["- " + x for x in recs] + ["", "Plan: 2x/week x 4 weeks, ADL retraining, caregiver education."]
    fname = c.choice(["OT_home_safety_eval.pdf", "HomeSafety_%s.pdf" % visit.strftime("%m%d%Y"), "OT eval.pdf", "scan0042.pdf"])
    pf, pl, _ = c.staff()
    body = c.pick("Dr. %s's office,\n\nAttached is the OT home safety evaluation for your patient; please sign the plan of care and fax it back." % pl,
                  "Hi %s,\n\nHome safety eval attached. The DME items need an order from the PCP." % pf,
                  "Please see attached evaluation. Recommendations are on page 2.")
    body += "\n" + c.sign(o, first, last, cred)
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (pf, pl), c.addr_at(pf, pl, pcp.domain)),
                   c.pick("OT home safety evaluation", "Home safety eval - plan of care for signature", "OT eval attached", "Signature needed"),
                   text=body, attachments=[(fname, "application", "pdf", pdf_bytes(lines))])


# A: sleep-study booking to the patient's own address, written badly; the ICS names the study; "your" + first name.
@template("sleep-study-booking-sloppy-ics", True, "A: patient's own address + first name + sleep study booking (date, study type) in sloppy text and an ICS")
def sleep_study_booking_sloppy_ics(c):
    o = org(c, c.choice(["%s Sleep Center", "%s Sleep Disorders Lab", "%s Sleep & Neurodiagnostics"]))
    p = c.patient(minage=25, maxage=80)
    first, last, _ = c.staff("RPSGT")
    day = c.future(3, 30)
    study = c.choice(["split night sleep study", "in-lab PSG", "CPAP titration", "MSLT (nap study)", "home sleep test pickup"])
    arrive = c.choice(["8:30pm", "830 pm", "9pm", "7:45 pm"])
    txt = c.pick(
        "hi %s, this is %s from %s. your %s is booked for the %s. please arrive at %s and bring your meds and pajamas. no caffeine after noon. call if you need to reschedule thanks" % (p.first, first, o.name, study, sloppy_date(day, c.r, False), arrive),
        "%s - ok got you in for %s on %s. arrive %s. bring your cpap mask if you have one. insurance approved it (auth on file). see invite" % (p.first, study, sloppy_date(day, c.r, True), arrive),
        "Hi %s! per our call today your %s is %s, check in at %s at the 2nd floor entrance. dont nap that day. Dr %s will go over results at your f/u" % (p.first, study, sloppy_date(day, c.r, False), arrive, c.staff()[1]))
    body = sloppy(txt, c.r, lower=c.chance(0.7), typos=0.05, keep=(p.first,)) + "\n\n" + first + "\n" + o.name + "\n" + c.phone()
    start = dt.datetime.combine(day, dt.time(20, 30))
    ics = ics_text(c, c.choice(["Sleep study - %s %s" % (p.first, p.last), "%s (%s)" % (study, p.first), "Your sleep study"]), start, 600, o.name + ", " + o.street,
                   "%s for %s %s. Arrive %s. Bring medications." % (study, p.first, p.last, arrive), (first, c.addr_at(first, last, o.domain)),
                   [("%s %s" % (p.first, p.last), c.webmail(p))], uid_dom=o.domain)
    ctype = c.choice([("application", "ics"), ("text", "calendar")])
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (p.first, p.last), c.webmail(p)),
                   c.pick("sleep study", "ur appt", "Sleep study scheduled", "booking confirmation", "re: sleep test"), text=body,
                   attachments=[("sleepstudy.ics", ctype[0], ctype[1], ics)])


# A: chiropractic SOAP note to an auto-insurance (PIP) adjuster: claimant name, claim number, date of loss, dx, visit dates.
@template("chiro-pip-soap-note", True, "A: chiropractic SOAP/progress note to a PIP adjuster: claimant name + claim no. + dates of care + diagnosis")
def chiro_pip_soap_note(c):
    o = org(c, c.choice(["%s Chiropractic", "%s Spine & Rehab", "%s Chiropractic & Physical Medicine"]))
    ins = c.choice(["Allmark Auto Insurance", "Keystone Mutual", "Pioneer Casualty", "Bluewater Insurance Co."])
    dom = ins.split()[0].lower() + c.choice(["ins.com", "claims.com", "mutual.com"])
    af, al, _ = c.staff("")
    p = c.patient(minage=18, maxage=75)
    dol = c.past(30, 120)
    visits = sorted(c.past(1, 28) for _ in range(c.r.randrange(3, 7)))
    first, last, cred = c.staff("DC")
    dx = c.sample(["S13.4XXA cervical sprain", "S33.5XXA lumbar sprain", "M54.2 cervicalgia", "M62.830 muscle spasm of back", "G44.309 post-traumatic headache"], 2)
    soap = ["S: %s reports neck pain %d/10 (was %d/10), %s." % (p.first, c.r.randrange(2, 6), c.r.randrange(6, 9), c.choice(["headaches 2x/week", "sleep improving", "stiffness in the morning"])),
            "O: Cervical ROM rotation L %d deg / R %d deg; tenderness C5-C7, spasm upper trapezius." % (c.r.randrange(45, 70), c.r.randrange(45, 70)),
            "A: %s; improving." % "; ".join(dx),
            "P: Continue CMT + therapeutic exercise 2x/week x %d weeks; re-eval %s." % (c.r.randrange(2, 6), fdate(c.future(10, 30), "%m/%d/%Y"))]
    text = "%s\n\nRe: Claimant %s %s, claim %s, date of loss %s\n\nProgress note for visits %s:\n\n%s\n\n%s\n%s" % (
        c.greet(af), p.first, p.last, c.choice(["%s-%s" % (c.digits(2), c.digits(7)), "PA%s" % c.digits(9), c.digits(11)]), fdate(dol, r=c.r),
        ", ".join(fdate(v, "%m/%d") for v in visits), "\n".join(soap),
        c.pick("Itemized bill (CMS-1500) follows under separate cover.", "Please confirm the remaining PIP benefit.", "Let me know if you need the initial exam report."),
        c.sign(o, first, last, cred))
    html = html_doc(text.split("\n\n"), "outlook")
    return message(c, ("%s %s, %s" % (first, last, cred), c.addr_at(first, last, o.domain)), ("%s %s" % (af, al), c.addr_at(af, al, dom)),
                   c.pick("Progress note - claimant %s" % p.last, "PIP claim records", "Re: treatment update", "SOAP notes %s" % fdate(visits[-1], "%m/%d")),
                   text=text, html=html)


# A+B: CDI query to the attending: patient name, MRN, admission date and the clinical indicators.
@template("cdi-coding-query", True, "A+B: clinical documentation query naming the inpatient with MRN/account, admit date and clinical indicators")
def cdi_coding_query(c):
    o = org(c, c.choice(["%s Medical Center", "%s Regional Hospital", "%s Community Hospital"]))
    grp = org(c, c.choice(["%s Hospitalist Group", "%s Inpatient Physicians", "%s Critical Care Associates"]), external=True)
    p = c.patient(minage=35, maxage=88)
    df, dl, _ = c.staff("MD")
    first, last, cred = c.staff(c.choice(["RN, CCDS", "CCS, CDIP", "RHIA, CCDS"]))
    admit = c.past(2, 9)
    q = c.choice([
        ("heart failure type and acuity", ["BNP %d pg/mL" % c.r.randrange(900, 3000), "EF 30% on echo", "furosemide 40 mg IV BID", "bilateral crackles, 3+ edema"],
         ["Acute on chronic systolic (HFrEF) heart failure", "Chronic systolic heart failure", "Other", "Unable to determine"]),
        ("sepsis", ["temp 38.9", "HR 118", "lactate %.1f" % (c.r.randrange(22, 45) / 10), "WBC 17.2", "blood cultures x2, started cefepime"],
         ["Sepsis due to UTI", "UTI without sepsis", "Other", "Unable to determine"]),
        ("malnutrition severity", ["BMI 16.9", "albumin 2.4", "RD note: 12% weight loss in 3 months", "muscle wasting temporal/clavicle"],
         ["Severe protein-calorie malnutrition", "Moderate malnutrition", "Other", "Unable to determine"]),
        ("acute kidney injury", ["creatinine 2.6 (baseline 1.0)", "urine output 300 mL/24h", "IV fluids"], ["Acute kidney injury", "Chronic kidney disease only", "Other", "Unable to determine"])])
    ident = c.choice(["%s %s, MRN %s" % (p.first, p.last, c.mrn()), "%s, %s (Acct %s)" % (p.last.upper(), p.first.upper(), c.digits(9)),
                      "Pt: %s %s  Med Rec #: %s" % (p.first, p.last, c.mrn())])
    text = "\n".join([c.greet("Dr. %s" % dl), "", "Query - %s" % q[0], "%s, admitted %s, %s" % (ident, fdate(admit, "%m/%d/%Y"), c.choice(["4 West", "ICU bed 7", "Tele 512", "Med-Surg 3N"])),
                      "", "Clinical indicators in the record:"] + ["  - " + x for x in q[1]] +
                     ["", "Based on your clinical judgment, can the diagnosis be further specified? Please document in a progress note:"] +
                     ["  [ ] " + x for x in q[2]] + ["", "This query is not intended to lead you to any particular answer.", c.sign(o, first, last, cred, title="Clinical Documentation Integrity")])
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Dr. %s %s" % (df, dl), c.addr_at(df, dl, grp.domain)),
                   c.pick("CDI query - response needed", "Documentation clarification: %s" % q[0], "Query for %s" % p.last, "Open CDI query (2 days)"), text=text)


# B: a card presented as a card (number + expiry/CVV) for a copay, name optional.
@template("copay-card-relay", True, "B (+A): a patient's payment card number with expiry/CVV for a copay or balance, relayed to the billing vendor")
def copay_card_relay(c):
    o = org(c, c.choice(["%s Orthopedics", "%s Dermatology", "%s Women's Health", "%s Urgent Care"]))
    bv = org(c, c.choice(["%s Revenue Cycle Partners", "%s Medical Billing", "%s Patient Pay Services"]), external=True)
    p = c.patient(minage=18)
    card = c.card()
    pretty = c.choice([card, " ".join(card[i:i + 4] for i in range(0, 16, 4)), "-".join(card[i:i + 4] for i in range(0, 16, 4))])
    exp = "%02d/%02d" % (c.r.randrange(1, 13), c.r.randrange(27, 31))
    amt = c.choice(["40.00", "25.00", "150.00", "312.18", "75.00"])
    bf, bl, _ = c.staff("")
    first, last, _ = c.staff(c.choice(["", "CMA"]))
    named = c.chance(0.6)
    who = ("for %s %s " % (p.first, p.last)) if named else ""
    txt = c.pick(
        "Hi %s, our terminal is down again. Can you run this one %sfor $%s? Visa %s exp %s CVV %s. Thanks" % (bf, who, amt, pretty, exp, c.digits(3)),
        "Pt called to pay copay over the phone %s- card %s, exp %s, security code %s, amount $%s. Please post to the account." % (who, pretty, exp, c.digits(3), amt),
        "%s,\n\nPlease process the payment plan installment %s($%s) on the card on file: %s exp %s." % (bf, who, amt, pretty, exp))
    if c.chance(0.4):
        txt = sloppy(txt, c.r, lower=True, typos=0.03, keep=(pretty, exp))
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (bf, bl), c.addr_at(bf, bl, bv.domain)),
                   c.pick("payment", "card payment to run", "copay", "Re: terminal down", "please post"), text=txt + "\n\n" + first + "\n" + o.name)


# A: lab send-out manifest CSV inside a zip (accession, patient name, DOB, MRN, test, collection time); body is logistics.
@template("lab-sendout-manifest-zip", True, "A: reference-lab send-out manifest (CSV inside a ZIP): patient names, DOB, MRN, tests and collection times")
def lab_sendout_manifest_zip(c):
    o = org(c, c.choice(["%s Hospital Laboratory", "%s Medical Center Lab", "%s Health Clinical Lab"]))
    ref = c.choice(["quest-sendouts.example.com", "labcorp-clientservices.example.com", "mayocliniclabs-referral.example.com", "arup-clientsupport.example.com"])
    tests = ["Vitamin D 25-OH", "Quantiferon TB Gold Plus", "Celiac panel (tTG IgA)", "Lyme Ab w/ reflex WB", "Factor V Leiden", "JAK2 V617F",
             "HLA-B27", "Heavy metals, blood", "Anti-Mullerian hormone", "Hepatitis C RNA quant", "Chromosome analysis, blood"]
    rows = []
    dobfmt = c.choice(["%m/%d/%Y", "%Y-%m-%d", "%m%d%Y"])
    for _ in range(c.r.randrange(6, 16)):
        p = c.patient()
        coll = dt.datetime.combine(c.past(0, 2), c.clock())
        rows.append(["%s%s" % (c.choice(["L", "SO", "26-"]), c.digits(7)), p.last.upper(), p.first.upper(), fdate(p.dob, dobfmt),
                     c.mrn(), c.choice(tests), coll.strftime("%m/%d/%Y %H:%M"), c.choice(["frozen", "refrigerated", "ambient"])])
    csv = csv_text(["Accession", "Last", "First", "DOB", "MRN", "Test", "Collected", "Temp"], rows)
    inner = c.choice(["manifest.csv", "sendout_%s.csv" % c.today.strftime("%Y%m%d"), "SO_manifest.csv"])
    z = zip_bytes([(inner, csv)])
    first, last, cred = c.staff(c.choice(["MLS(ASCP)", "MLT", "CLS"]))
    body = c.pick("Tonight's send-out manifest is attached. %d boxes going out via courier, tracking %s." % (c.r.randrange(1, 4), c.ups()),
                  "Client services - attached manifest for today's pickup. Please confirm receipt of the frozen box.",
                  "Hi, resending the manifest from %s; the first file had the wrong date." % fdate(c.past(1, 3), "%m/%d"))
    body += "\n" + c.sign(o, first, last, cred)
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("Client Services", "clientservices@" + ref),
                   c.pick("Send-out manifest", "manifest %s" % c.today.strftime("%m/%d"), "Courier pickup - manifest attached", "SO manifest"),
                   text=body, attachments=[(c.choice(["manifest.zip", "sendouts.zip", "SO_%s.zip" % c.today.strftime("%m%d")]), "application", "zip", z)])


# A+B: blood bank antibody workup / crossmatch delay: patient name + MRN + antibody + surgery date.
@template("blood-bank-crossmatch", True, "A+B: transfusion service note naming the patient (MRN) with an alloantibody, units and the surgery date")
def blood_bank_crossmatch(c):
    o = org(c, c.choice(["%s Medical Center", "%s University Hospital", "%s Regional Hospital"]))
    surg = org(c, c.choice(["%s Orthopaedic Surgeons", "%s Cardiothoracic Surgery", "%s Surgical Associates"]), external=True)
    p = c.patient(minage=30, maxage=85)
    sf, sl, _ = c.staff("MD")
    first, last, cred = c.staff(c.choice(["MT(ASCP)SBB", "MD", "MLS(ASCP)"]))
    ab = c.choice(["anti-K (Kell)", "anti-Jka (Kidd)", "anti-E and anti-c", "anti-Fya", "a warm autoantibody"])
    sday = c.future(2, 12)
    units = c.r.randrange(2, 5)
    mrn = c.mrn()
    txt = c.pick(
        "Dr. %s,\n\nYour patient %s %s (MRN %s), scheduled for %s on %s, has %s on today's type and screen. We need %d antigen-negative units from the supplier, which can take 48-72 hours. Please do not move the case earlier without calling the blood bank." % (sl, p.first, p.last, mrn, c.choice(["L TKA", "CABG", "spinal fusion", "hip revision"]), fdate(sday, "%m/%d/%Y"), ab, units),
        "Heads up for %s's case %s: %s identified on the pre-op sample (%s). %d crossmatch-compatible units being sourced. MRN %s, ABO/Rh %s." % (p.last, fdate(sday, "m/d"), ab, fdate(c.past(0, 3), "m/d"), units, mrn, c.choice(["O POS", "A NEG", "B POS", "O NEG", "AB POS"])),
        "Hello,\n\nRe: %s, %s - DOB %s\nAntibody ID complete: %s. Transfusion history: %s. Units on hold: %d. Surgery date per OR schedule: %s." % (p.last.upper(), p.first, fdate(p.dob, r=c.r), ab, c.choice(["2 units 2019", "none reported", "pregnancy x3"]), units, fdate(sday, "B d, Y")))
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (sf, sl), c.addr_at(sf, sl, surg.domain)),
                   c.pick("Blood bank - antibody identified", "Crossmatch delay for %s" % fdate(sday, "%m/%d"), "Type & screen result", "Pre-op blood availability"),
                   text=txt + "\n" + c.sign(o, first, last, cred, title="Transfusion Service"))


# A: case manager forwards an Outlook chain; the new text is logistics, the forwarded block names the patient with dx and needs.
@template("case-mgr-outlook-forward", True, "A: Outlook forward whose new text is logistics; the forwarded block names the patient with diagnosis, discharge date and needs")
def case_mgr_outlook_forward(c):
    o = org(c, c.choice(["%s Medical Center", "%s Health System", "%s General Hospital"]))
    hh = org(c, c.choice(["%s Home Health", "%s Home Care", "%s Hospice & Home Health"]), external=True)
    p = c.patient(minage=55, maxage=88)
    hf, hl, _ = c.staff("")
    first, last, cred = c.staff(c.choice(["RN, CCM", "LMSW", "RN"]))
    mf, ml, _ = c.staff("MD")
    dc = c.future(1, 4)
    inner = "\n".join([
        "%s - can we get HH set up for %s %s in %s? %s" % (first, p.first, p.last, c.choice(["rm 412", "5 South", "bed 22"]), c.choice(["Going home tomorrow.", "Likely d/c %s." % fdate(dc, "m/d")])),
        "Needs: %s." % ", ".join(c.sample(["skilled nursing for IV antibiotics (ertapenem daily x 10 days)", "wound vac changes 3x/week", "PT/OT", "INR checks", "new insulin teaching", "CHF teaching and daily weights"], 2)),
        "Dx: %s. Lives %s." % (c.choice(["osteomyelitis R foot", "CHF exacerbation", "sacral stage 3 pressure injury", "new T2DM on insulin", "s/p CABG"]), c.choice(["alone", "with wife", "with son, works days"])),
        "Insurance %s, ID %s." % (c.choice(["Medicare A/B", "Humana MA", "BCBS"]), c.member_id()) if c.chance(0.5) else "PCP is Dr. %s." % c.staff()[1],
        "", mf + " " + ml + ", MD"])
    sent = c.now - dt.timedelta(minutes=c.r.randrange(20, 360))
    fwd = outlook_block("%s %s <%s>" % (mf, ml, c.addr_at(mf, ml, o.domain)), sent, "%s %s <%s>" % (first, last, c.addr_at(first, last, o.domain)),
                        c.choice(["HH referral", "dc planning", "home health?"]), inner)
    new = c.pick("%s - forwarding a referral, can you accept? Face sheet to follow by fax." % hf,
                 "Please see below. Let me know by 2 pm if you have staffing in that area.",
                 "Hi %s, another one for you, thanks!" % hf)
    body = new + "\n\n" + first + " " + last + ", " + cred + "\nCase Management\n" + fwd
    att = []
    if c.chance(0.3):
        st, city, state, z = c.address()
        att.append(("%s_%s.vcf" % (p.last, p.first), "text", "vcard",
                    vcard_text(p.first, p.last, phone=c.phone(), adr=(st, city, state, z), note="HH referral from %s; dc %s" % (o.name, fdate(dc, "%m/%d/%Y")))))
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (hf, hl), c.addr_at(hf, hl, hh.domain)),
                   "FW: " + c.choice(["HH referral", "dc planning", "home health?"]), text=body, attachments=att)


# A+B: eligibility spreadsheet (271-style responses): subscriber IDs with prefixes, names, DOB date cells, coverage status.
@template("eligibility-271-xlsx", True, "A+B: eligibility workbook with member IDs, names, DOBs as date cells, service dates and coverage status")
def eligibility_271_xlsx(c):
    o = org(c, c.choice(["%s Imaging", "%s Surgery Center", "%s Physical Therapy", "%s Infusion Center"]))
    payer = c.choice(["Summit Health Plan", "Crescent Health", "Northgate Medicaid Managed Care", "Valley Care HMO"])
    dom = payer.split()[0].lower() + c.choice(["health.com", "plan.org"])
    rf, rl, _ = c.staff("")
    rows = []
    for _ in range(c.r.randrange(6, 14)):
        p = c.patient()
        rows.append([c.member_id(), p.last, p.first, p.dob, c.future(1, 20), c.choice(["1 - Active", "1 - Active", "6 - Inactive", "V - Cannot process"]),
                     c.choice(["$0", "$25", "$40", "20%", ""]), c.choice(["", "PCP mismatch", "Term %s" % fdate(c.past(10, 60), "%m/%d/%Y"), "AAA 75 subscriber not found"])])
    data = xlsx_bytes([("271 results", ["Subscriber ID", "Last", "First", "DOB", "DOS", "EB01", "Copay/Coins", "Note"], rows)],
                                            date_fmt=c.choice(["mm/dd/yyyy", "m/d/yyyy", "yyyy-mm-dd"]))
    first, last, _ = c.staff("")
    body = c.pick("Hi %s,\n\nAttached are this week's eligibility responses. The rows marked inactive or 'not found' show active cards at check-in - can you look them up on your side?" % rf,
                  "%s - batch 270/271 results attached. Several members are coming back with AAA 75 even with the ID from the card." % rf,
                  "Provider relations,\n\nWe have discrepancies on the attached list of members scheduled next week. Please advise.")
    body += "\n" + c.sign(o, first, last, None, title="Patient Access")
    return message(c, ("%s %s" % (first, last), c.addr_at(first, last, o.domain)), ("%s %s" % (rf, rl), c.addr_at(rf, rl, dom)),
                   c.pick("Eligibility discrepancies", "271 responses - please review", "Members not found", "Eligibility batch %s" % c.today.strftime("%m/%d")),
                   text=body, attachments=[(c.choice(["eligibility.xlsx", "271_%s.xlsx" % c.today.strftime("%Y%m%d"), "elig check.xlsx"]), XLSX[0], XLSX[1], data)])


# A: remittance summary from a health plan to a practice: per-claim rows with patient name, claim no., DOS, paid, adjustment codes.
@template("payer-remittance-summary-html", True, "A: payer remittance (ERA/835 summary) with one row per claim: patient name, claim number, date of service, paid and denial codes")
def payer_remittance_summary_html(c):
    payer = org(c, c.choice(["%s Health Plan", "%s Community Health Plan", "%s Medicaid Managed Care"]))
    prac = org(c, c.choice(["%s Pediatrics", "%s Cardiology", "%s Behavioral Health", "%s Family Practice"]), external=True)
    rows = []
    tot = 0.0
    for _ in range(c.r.randrange(4, 10)):
        p = c.patient()
        billed = c.r.randrange(90, 900)
        paid = round(billed * c.choice([0, 0.42, 0.55, 0.61, 0.7]), 2)
        tot += paid
        rows.append([c.claim_no(), "%s, %s" % (p.last, p.first), fdate(c.past(20, 70), "%m/%d/%Y"), c.choice(["99214", "99213", "90837", "93306", "99392"]),
                     "%.2f" % billed, "%.2f" % paid, c.choice(["CO-45", "PR-1", "CO-97", "CO-16 N290", "PR-2", "CO-45"])])
    check = "EFT %s" % c.digits(10)
    rf, rl, _ = c.staff("")
    style = c.choice(["outlook", "gmail"])
    paras = [c.greet(rf), c.pick("Below is the remittance summary for %s (%s), as requested by your billing office." % (check, fdate(c.past(1, 6), "%m/%d/%Y")),
                                 "As discussed, here are the claims on the payment that your PM system could not auto-post.",
                                 "Provider remittance summary - payment %s. The 835 was re-sent to your clearinghouse." % check),
             ("raw", html_table(["Claim #", "Patient", "DOS", "CPT", "Billed", "Paid", "Adj"], rows, style), ""),
             "Total paid: $%.2f. Provider TIN on file ending %s." % (tot, c.digits(4)), c.sign(payer, title="Provider Service")]
    html = html_doc(paras, style)
    return message(c, ("%s Provider Service" % payer.name, "providerservice@" + payer.domain), ("%s %s" % (rf, rl), c.addr_at(rf, rl, prac.domain)),
                   c.pick("Remittance summary %s" % check, "Unposted claims on payment", "RE: ERA question", "Payment detail"), html=html)
