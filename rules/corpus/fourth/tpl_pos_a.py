"""Positive templates, part A: dental, optometry, therapy, home health, hospice, DME, behavioural
health, school and work notes. Every message here needs protection (LABELLING.md rule A unless said)."""

import datetime as dt

from mailkit import html_doc, html_table, ics, message, para, pdf, quote_gt, quote_outlook, template, xlsx, csv_text


@template("ortho-adjustment-parent", True, "A: child's name + appointment + bracket/appliance problem")
def ortho_parent(c):
    o, kid, mom, st = c.org("dental"), c.person(minor=True), c.person(), c.staff()
    d = c.soon(2, 20)
    issue = c.pick(["a poking wire on the lower left", "a broken bracket on #12", "the expander key is lost",
                    "a loose band on the upper right molar", "the elastics ran out"])
    lines = [
        "Hi %s," % mom["first"],
        "",
        c.pick(["Thanks for calling about %s - sounds like %s." % (kid["first"], issue),
                "We got your voicemail re: %s - %s." % (kid["first"], issue)]),
        ("%s We moved %s's adjustment up to %s at %s with Dr. %s so we can fix it then."
         % (c.pick(["No worries, this happens a lot!", "Sorry about that!", ""]), kid["first"], c.day(d), c.clock(),
            c.f().last_name())).strip(),
        c.pick(["Until then a little orthodontic wax over it should help.",
                "If it gets worse before then just text us and we'll squeeze %s in." % ("her" if kid["sex"] == "F"
                                                                                       else "him")]),
        "",
        "Thanks!",
    ]
    to = c.addr(mom, host=c.pick(["gmail.com", "yahoo.com", "icloud.com"]))
    subj = c.pick(["%s - appt moved" % kid["first"], "Re: bracket", "%s %s adjustment" % (kid["first"], kid["last"])])
    return message(c, c.addr(st, o), to, subj, text="\n".join(lines) + c.signature(st, o))


@template("dental-perio-referral-thread", True, "A: name + DOB + periodontal diagnosis in an Outlook thread")
def perio_thread(c):
    gp, perio, p, a, b = c.org("dental"), c.org("dental"), c.person(), c.staff(), c.staff()
    first = ("Dr. %s,\n\nReferring %s (DOB %s) for eval of generalized moderate chronic periodontitis, "
             "pockets 5-7 mm on #2-#4 and #30-#31, BOP throughout. FMX from %s attached in our portal. "
             "Pt is on %s.\n\nThank you,\n%s" % (c.f().last_name(), p["full"], c.dob(p["dob"]), c.mdY(c.past(5, 40)),
                                                 c.pick(["Eliquis", "warfarin", "alendronate", "metformin"]), a["sig"]))
    second = ("Got it, thanks. We can see %s on %s. Does %s need premed? Chart shows a %s."
              % (p["first"], c.day(c.soon()), p["she"], c.pick(["knee replacement 2019", "mitral valve repair",
                                                               "history of endocarditis"])))
    third = c.pick(["Yes per Dr. %s, amox 2g 1hr prior." % c.f().last_name(), "Checking with the MD, will confirm."])
    body = third + c.signature(a, gp)
    body += quote_outlook(c, c.addr(b, perio), c.addr(a, gp), "RE: Perio referral", c.now - dt.timedelta(hours=3),
                          second + "\n\n" + b["sig"])
    body += quote_outlook(c, c.addr(a, gp), c.addr(b, perio), "Perio referral", c.now - dt.timedelta(days=1), first)
    return message(c, c.addr(a, gp), c.addr(b, perio), "RE: RE: Perio referral", text=body)


@template("optometry-rx-to-patient", True, "A: patient's own address + eyeglass/contact Rx + exam date")
def optometry_rx(c):
    o, p, st = c.org("eye"), c.person(), c.staff()
    sph = lambda: "%+.2f" % (c.r.randint(-28, 12) * 0.25)  # noqa: E731
    rows = [["OD", sph(), "%+.2f" % (-c.r.randint(0, 8) * 0.25), str(c.r.randint(1, 180)), "+%.2f" % (c.r.randint(0, 10) * 0.25)],
            ["OS", sph(), "%+.2f" % (-c.r.randint(0, 8) * 0.25), str(c.r.randint(1, 180)), "+%.2f" % (c.r.randint(0, 10) * 0.25)]]
    extra = c.pick(["Dr. %s also noted early cataract changes OU, so we'll recheck in 12 months." % c.f().last_name(),
                    "Your pressures were a little high (IOP %d/%d) so we'd like you back for a visual field test."
                    % (c.r.randint(22, 28), c.r.randint(21, 27)),
                    "PD: %d mm." % c.r.randint(58, 68)])
    html = html_doc(para("Hi %s,\n\nAs requested, here is your glasses prescription from your exam on %s:"
                         % (p["first"], c.mdY(c.past(2, 30))))
                    + html_table(["Eye", "Sphere", "Cylinder", "Axis", "Add"], rows)
                    + para("%s\n\nThank you for choosing %s!\n%s" % (extra, o["name"], st["sig"])))
    return message(c, c.box(o, "optical"), c.addr(p, host=p["email"].split("@")[1]),
                   c.pick(["Your eyeglass prescription", "Rx copy", "Glasses Rx as requested"]), html=html)


@template("pt-plan-of-care-pdf", True, "A: plan of care PDF with name, DOB, diagnosis, visit dates")
def pt_poc(c):
    o, p, th = c.org("pt"), c.person(), c.doctor(creds=("PT, DPT", "OTR/L", "DPT", "PTA"))
    dx = c.pick(["s/p R TKA", "L rotator cuff repair", "lumbar radiculopathy", "R distal radius fx ORIF",
                 "CVA with L hemiparesis", "adhesive capsulitis L shoulder"])
    doc = pdf([o["name"], "PLAN OF CARE / CERTIFICATION", "", "Patient: %s" % p["full"], "DOB: %s" % c.dob(p["dob"]),
               "Referring MD: Dr. %s" % c.f().last_name(), "Diagnosis: %s" % dx, "Start of care: %s" % c.mdY(c.past()),
               "Frequency: %dx/week for %d weeks" % (c.r.randint(2, 3), c.r.randint(4, 8)),
               "Goals: independent HEP, AROM WNL, ambulate 300 ft without AD",
               "Therapist: %s" % th["sig"], "", "Physician signature: ____________________  Date: ________"])
    fname = c.pick(["POC_%s_%s.pdf" % (p["last"], p["first"]), "plan_of_care_%s.pdf" % c.digits(5), "POC.pdf"])
    body = c.pick(["Please sign and fax back the attached POC so we can continue visits. Thanks!",
                   "Attached is the initial eval/plan of care for your signature. Medicare needs it within 30 days.",
                   "re-cert attached, pt is progressing well, pls sign"])
    return message(c, c.addr(th, o), c.box(c.org("clinic"), "referrals"), "POC for signature",
                   text=body + c.signature(th, o), attach=[(fname, "application/pdf", doc)])


@template("home-health-visit-ics", True, "A: invite with patient name, home address, visit date and visit type")
def home_visit(c):
    o, p, rn = c.org("home"), c.person(old=c.chance(0.2)), c.staff(creds=("RN", "LPN", "PT", "OT"))
    start = dt.datetime.combine(c.soon(1, 10), dt.time(c.r.randint(8, 16), c.pick([0, 30])))
    kind = c.pick(["SN visit - wound care", "PT eval", "SN - INR draw", "OT visit", "SN - foley change",
                   "Start of care / OASIS"])
    cal = ics(c, "%s - %s" % (p["last"], kind), start, 60, "%s, %s, %s %s" % (p["street"], p["city"], p["state"],
                                                                              p["zip"]),
              [c.addr(rn, o).split("<")[1].strip(">")], c.box(o, "scheduling"),
              "Pt: %s. Call %s before arrival. Dog in yard." % (p["full"], p["phone"]))
    ctype = c.pick(["text/calendar", "application/ics"])
    return message(c, c.box(o, "scheduling"), c.addr(rn, o), "Visit: %s %s" % (p["last"], c.day(start.date())),
                   text="New visit added to your schedule.", attach=[("invite.ics", ctype, cal)])


@template("hospice-terse-update", True, "A: patient name + decline/medication change in a short thread")
def hospice_update(c):
    o, p, rn, md = c.org("home"), c.person(old=c.chance(0.3)), c.staff(), c.doctor()
    new = c.pick(["%s %s is actively declining, mottling to knees, family at bedside." % ("Mrs." if p["sex"] == "F" else "Mr.", p["last"]),
                  "%s more agitated overnight, gave haloperidol x1 per protocol, daughter asking about GIP." % p["first"],
                  "%s %s - resp 8-10 w apneic periods, morphine SL increased to q2h prn." % (p["first"], p["last"])])
    old = c.pick(["how's %s doing today?" % p["first"], "Any update on %s %s?" % (p["first"], p["last"])])
    text = new + "\n\nSent from my iPhone" + quote_gt(md["title"], c.now - dt.timedelta(hours=2), old)
    return message(c, c.addr(rn, o), c.addr(md, c.org("clinic")), "Re: %s" % p["last"], text=text)


@template("dme-cpap-compliance-xlsx", True, "A: per-patient rows with name, DOB (serial date), device serial, usage")
def cpap_compliance(c):
    o, st = c.org("dme"), c.staff()
    rows = [["Patient", "DOB", "Setup date", "Device S/N", "Avg use (h)", "Days >4h %", "AHI"]]
    for _ in range(c.r.randint(3, 9)):
        p = c.person()
        rows.append([p["full"], p["dob"], c.past(30, 120), "2%s" % c.digits(10), round(c.r.uniform(1.5, 8), 1),
                     c.r.randint(20, 98), round(c.r.uniform(0.5, 14), 1)])
    body = ("Hi,\n\nAttached is the 90-day CPAP compliance report for Dr. %s's patients. The ones under 70%% will "
            "need a face-to-face before insurance will continue to cover the supplies.\n" % c.f().last_name())
    return message(c, c.addr(st, o), c.box(c.org("clinic"), "sleep"), "CPAP compliance report",
                   text=body + c.signature(st, o), attach=[("compliance_%s.xlsx" % c.today.strftime("%Y%m"),
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx(rows))])


@template("behavioral-health-scheduling", True, "A: client's name + therapy intake/session + provider (bh care)")
def bh_sched(c):
    o, p, st, th = c.org("bh"), c.person(), c.staff(("", "LCSW")), c.staff(("LCSW", "LPC", "PsyD", "LMFT"))
    d = c.soon(1, 14)
    kind = c.pick(["intake", "med management follow-up", "IOP orientation", "couples session", "EMDR session",
                   "psych eval"])
    if c.chance(0.5):
        body = ("Hi %s,\n\nThis is %s from %s. We need to move your %s with %s to %s at %s. "
                "Please reply to confirm or call %s.\n\nThank you," % (p["first"], st["first"], o["name"], kind,
                                                                       th["sig"], c.day(d), c.clock(), o["phone"]))
        to = c.addr(p, host=p["email"].split("@")[1])
    else:
        body = ("%s - can you see %s %s for %s %s at %s? %s cancelled. Pt prefers telehealth."
                % (th["first"], p["first"], p["last"], kind, c.day(d), c.clock(), c.f().first_name()))
        to = c.addr(th, o)
    return message(c, c.addr(st, o), to, c.pick(["Appointment change", "schedule", "Re: %s" % kind]),
                   text=body + c.signature(st, o, heavy=False))


@template("school-note-excuse", True, "A: student's name + visit date + diagnosis/restriction, to a school")
def school_note(c):
    o, kid = c.org("clinic"), c.person(minor=True, lang=c.pick(["en", "es"]))
    md = c.doctor()
    why = c.pick(["strep pharyngitis", "a concussion - no PE, no screens >30 min", "asthma - may carry inhaler",
                  "an ankle sprain, no PE for 2 weeks", "influenza A", "ADHD - needs extended time on tests"])
    text = c.pick([
        "To the school nurse / attendance office,\n\n%s (DOB %s) was seen in our office on %s for %s. "
        "%s may return to school on %s.\n\n%s\n%s"
        % (kid["full"], c.dob(kid["dob"]), c.mdY(c.past(0, 3)), why, kid["she"].capitalize(),
           c.mdY(c.soon(1, 5)), md["sig"], o["name"]),
        "Hi Nurse %s,\n\nMom asked us to send this over. %s was in today, dx %s. OK to return %s. "
        "Call us with questions.\n\n%s" % (c.f().last_name(), kid["full"], why, c.day(c.soon(1, 5)), md["sig"])])
    attach = []
    if c.chance(0.5):
        attach = [("school_note.pdf", "application/pdf", pdf(text.split("\n")))]
        text = "Please see the attached school note. Thank you."
    school = "attendance@%s.k12.%s.us" % (c.f().last_name().lower(), c.f().state_abbr().lower())
    return message(c, c.box(o, "frontdesk"), school, "School note - %s" % kid["first"], text=text, attach=attach)


@template("work-note-rtw-restrictions", True, "A: employee-patient name + visit + work restrictions to employer")
def work_note(c):
    o, p, md = c.org("clinic"), c.person(), c.doctor()
    r = c.pick(["no lifting over 10 lbs", "seated duty only", "no climbing ladders", "4-hour shifts", "no driving"])
    why = c.pick(["occupational injury", "lumbar strain", "post-op follow up", "carpal tunnel"])
    text = c.pick([
        "RE: %s\n\nThe above employee was evaluated at %s on %s (%s). %s may return to work on %s with the "
        "following restrictions: %s until re-evaluation on %s.\n\n%s"
        % (p["full"], o["name"], c.mdY(c.past(0, 4)), why, p["she"].capitalize(), c.mdY(c.soon(1, 3)), r,
           c.mdY(c.soon(10, 20)), md["sig"]),
        "Work status update for %s (%s): seen %s, off work through %s, then %s. Next visit %s.\n%s"
        % (p["full"], why, c.day(c.past(0, 4)), c.day(c.soon(1, 4)), r, c.day(c.soon(10, 20)), md["sig"])])
    return message(c, c.box(o, "occhealth"), "hr@%s.com" % c.f().last_name().lower(), "Work status - %s" % p["last"],
                   text=text + "\n" + o["name"] + "\nOccupational Health | " + o["phone"])


@template("fmla-employee-diagnosis", True, "LABELLING 2: employee's diagnosis/treatment named in HR mail")
def fmla_dx(c):
    o, e, hr = c.org("clinic"), c.staff(), c.staff(("", "SHRM-CP"))
    dx = c.pick(["chemo for breast cancer", "a hip replacement", "treatment for major depression",
                 "her high-risk pregnancy (bed rest)", "dialysis 3x/week", "alcohol rehab (inpatient)"])
    text = ("Hi %s,\n\n%s %s (emp #%s, 4 West) submitted FMLA paperwork today - certification from Dr. %s says "
            "intermittent leave for %s through %s. Please code the absences as FMLA in Kronos.\n\nThanks,\n%s"
            % (c.f().first_name(), e["first"], e["last"], c.digits(6), c.f().last_name(), dx,
               c.mdY(c.soon(30, 90)), hr["sig"]))
    return message(c, c.addr(hr, o), c.box(o, "payroll"), "FMLA - %s" % e["last"], text=text)


@template("dme-order-csv-mbi", True, "A+B: order rows with name, MBI, DOB, HCPCS item")
def dme_order(c):
    o, st = c.org("dme"), c.staff()
    rows = [["Name", "MBI", "DOB", "HCPCS", "Item", "Dx"]]
    for _ in range(c.r.randint(2, 6)):
        p = c.person()
        rows.append([p["full"], c.mbi(), c.dob(p["dob"]), c.pick(["E0601", "E0143", "K0001", "E0260", "A4253"]),
                     c.pick(["CPAP", "walker", "wheelchair", "hospital bed", "test strips"]),
                     c.pick(["G47.33", "M17.11", "E11.9", "I50.9"])])
    return message(c, c.addr(st, o), c.box(c.org("clinic"), "orders"), "Pending orders missing signatures",
                   text="See attached - still missing signed SWOs on these." + c.signature(st, o),
                   attach=[("pending_%s.csv" % c.digits(4), "text/csv", csv_text(rows))])


@template("dental-lab-case-slip", True, "A: patient name + tooth/restoration + delivery appointment, to a dental lab")
def dental_lab(c):
    o, p, st = c.org("dental"), c.person(), c.staff(("", "RDA", "CDA"))
    tooth = c.r.choice([3, 14, 19, 30, 8, 9])
    work = c.pick(["PFM crown #%d, shade A2" % tooth, "zirconia crown #%d, shade B1, opposing full denture" % tooth,
                   "upper partial, metal framework, clasps on #3 and #14", "night guard, hard, upper",
                   "implant crown #%d (Straumann BL 4.1)" % tooth])
    text = c.pick([
        "Hi, new case going out today w/ UPS.\n\nPt: %s\nDr. %s\n%s\nSeat appt: %s - need it back by %s please.\n"
        % (p["full"], c.f().last_name(), work, c.day(c.soon(10, 20)), c.day(c.soon(5, 9))),
        "Case for %s %s (%s) - impressions were a little distorted on the distal, redo? Pt coming back %s."
        % (p["first"], p["last"], work, c.day(c.soon(2, 9)))])
    return message(c, c.addr(st, o), c.box(c.org("dental"), "cases"), c.pick(["new case", "case - %s" % p["last"]]),
                   text=text + c.signature(st, o, False))
