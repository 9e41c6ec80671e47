"""Templates of the `dev` split. None of these appears in `heldout` (see templates_heldout.py).
Each template's docstring says which rule of LABELLING.md decides its label."""

import datetime as dt
from email.message import EmailMessage
import email.policy

from lib import (template, text_message, html_message, new_message, attach, signature, sig_html,
                 fmt_date, fmt_time, ordinal, quote_lines, html_table, html_doc, make_xlsx, make_zip,
                 make_csv, scanned_pdf, hl7_ts, fhir_patient, ics, jdump, addr, TODAY, DOB_STYLES,
                 SHORTHAND_DX, MONTHS, MESES, DIAS)

S = "dev"


def _clinic_pair(ctx, role=None, role2=None):
    c = ctx.clinic()
    return c, ctx.staff(c, role), ctx.staff(c, role2)


# ------------------------------------------------------------------ reply-forward

@template(S, "reply-forward", "yes")
def reply_quoted_lab(ctx):
    """Yes: the new text is harmless, the quoted nurse message names a patient with a result."""
    c, doc, rn = _clinic_pair(ctx, ("MD", "Physician"), ("RN", "Care Coordinator"))
    p = ctx.patient()
    lab, val, unit = ctx.lab()
    when = ctx.sent_at()
    orig = (f"Hi Dr. {doc['last']},\n\n{p['name']} ({fmt_date(p['dob'], ctx.pick(DOB_STYLES))}) "
            f"had labs drawn {fmt_date(ctx.past_date(2, 9), 'short_md')}. {lab} came back {val} {unit}. "
            f"She is asking whether she needs to come in before her {ctx.specialty()} appointment.\n\n"
            f"{rn['first']}")
    top = ctx.pick(["Thanks — I'll call her this afternoon.", "Please schedule a f/u in 2 weeks.",
                    "Ok. Let's repeat in 3 months.", "Noted, thank you!"])
    body = (f"{top}\n{signature(ctx, doc, 3)}\n"
            f"On {when.strftime('%a, %b %d, %Y at %I:%M %p')}, {rn['name']} <{rn['email']}> wrote:\n"
            f"{quote_lines(orig)}\n")
    return text_message(ctx, doc, rn, f"RE: {p['last']} labs", body)


@template(S, "reply-forward", "yes")
def fwd_rfc822_referral(ctx):
    """Yes: the PHI is only inside the attached message/rfc822."""
    c, coord, doc = _clinic_pair(ctx, ("", "Referral Coordinator"), ("MD", "Physician"))
    ext = ctx.vendor()
    p = ctx.patient()
    inner = new_message(ctx, doc, coord, f"Referral - {p['name']}")
    inner.set_content(
        f"Please refer {p['name']}, DOB {fmt_date(p['dob'], 'us')}, to {ctx.specialty()} for "
        f"{ctx.dx()}. Insurance: {p['insurer']} ID {p['member']}.\n\nThanks,\n{doc['name']}, MD\n")
    m = new_message(ctx, coord, {"name": ext["name"], "email": ext["email"]},
                    f"Fwd: Referral - {p['last']}")
    m.set_content(ctx.pick(["See attached, please let me know if you need anything else.",
                            "Forwarding the referral below. Fax confirmation when scheduled.",
                            "FYI"]) + signature(ctx, coord))
    m.add_attachment(inner)
    return m


@template(S, "reply-forward", "no")
def reply_thread_room_booking(ctx):
    """No: a quoted thread about room logistics among staff; staff names only."""
    c, a, b = _clinic_pair(ctx)
    room = ctx.pick(["Conf Room B", "the 3rd floor huddle room", "Suite 210 break room"])
    d = ctx.future_date(2, 20)
    orig = (f"Hi {a['first']},\n\nCan we have {room} on {fmt_date(d, 'weekday')} from "
            f"{fmt_time(ctx.appt_time())} for the quarterly staff meeting? About 14 people.\n\n{b['first']}")
    body = (f"{ctx.pick(['Booked!', 'Done, it is yours.', 'Sorry, that is taken - can you do the afternoon?'])}\n"
            f"{signature(ctx, a)}\n-----Original Message-----\nFrom: {b['name']} <{b['email']}>\n"
            f"Sent: {fmt_date(TODAY, 'long')}\nTo: {a['name']}\nSubject: Room request\n\n{orig}\n")
    return text_message(ctx, a, b, "RE: Room request", body)


@template(S, "reply-forward", "no")
def fwd_rfc822_vendor_quote(ctx):
    """No: forwarded vendor quote (message/rfc822) with quote and PO numbers."""
    c, buyer, mgr = _clinic_pair(ctx, ("", "Purchasing"), ("", "Practice Manager"))
    v = ctx.vendor()
    inner = new_message(ctx, {"name": v["name"], "email": v["email"]}, buyer, f"Quote Q-{ctx.digits(6)}")
    inner.set_content(
        f"Hello {buyer['first']},\n\nAttached pricing for 40 cases of nitrile exam gloves (M/L) and "
        f"12 sharps containers. Quote Q-{ctx.digits(6)} valid 30 days. Reference {ctx.luhn16()}.\n\n"
        f"{v['name']}\n{v['company']}\n")
    m = new_message(ctx, buyer, mgr, "Fwd: glove pricing")
    m.set_content(f"{mgr['first']}, ok to issue PO {ctx.digits(7)}?" + signature(ctx, buyer))
    m.add_attachment(inner)
    return m


# ------------------------------------------------------------------ html-table

@template(S, "html-table", "yes")
def html_schedule_dob_header(ctx):
    """Yes: a clinic schedule; 'Patient Name (DOB)' column header without a colon."""
    c, ma, doc = _clinic_pair(ctx, ("MA", "Medical Assistant"), ("NP", "Nurse Practitioner"))
    rows = []
    t = dt.datetime(2026, 11, 17, 8, 0)
    style = ctx.pick(["us_pad_short", "dots", "us", "dmon"])
    for _ in range(ctx.rng.randint(4, 9)):
        p = ctx.patient()
        rows.append([t.strftime("%H:%M"), f"{p['last']}, {p['first']} ({fmt_date(p['dob'], style)})",
                     ctx.pick(["New pt", "F/U", "Annual", "Post-op", "Sick visit"]),
                     ctx.pick(["", ctx.dx(), ctx.proc() + " results", ""])])
        t += dt.timedelta(minutes=ctx.pick([15, 20, 30]))
    html = html_doc(f"<p>Tomorrow's schedule for {doc['name']}, {doc['cred']}:</p>"
                    + html_table(["Time", "Patient Name (DOB)", "Visit", "Notes"], rows, ctx.rng.randint(0, 2))
                    + sig_html(ctx, ma))
    return html_message(ctx, ma, doc, "Schedule for tomorrow", html)


@template(S, "html-table", "no")
def html_oncall_table(ctx):
    """No: staff on-call grid with pager/cell numbers — workforce, not patients."""
    c, mgr, to = _clinic_pair(ctx, ("", "Practice Manager"))
    rows = []
    d = ctx.future_date(1, 5)
    for i in range(7):
        s = ctx.staff(c, ("MD", "Physician"))
        rows.append([fmt_date(d + dt.timedelta(days=i), "weekday"), f"Dr. {s['name']}", ctx.phone(),
                     ctx.pick(["Main campus", "Eastside", "Telehealth"])])
    html = html_doc("<p>Hi all,</p><p>Here is the on-call rotation for next week. Please swap directly "
                    "and copy me.</p>" + html_table(["Date", "On call", "Cell", "Site"], rows, ctx.rng.randint(0, 2))
                    + sig_html(ctx, mgr))
    return html_message(ctx, mgr, to, "On-call schedule next week", html)


# ------------------------------------------------------------------ spanish

@template(S, "spanish", "yes")
def es_resultado_laboratorio(ctx):
    """Yes: Spanish lab result to a named patient with fecha de nacimiento."""
    c = ctx.clinic()
    rn = ctx.staff(c, ("RN", "Enfermera"), es=True)
    p = ctx.patient(es=True)
    lab, val, unit = ctx.lab()
    body = (f"Estimada {p['first']} {p['last']}:\n\n"
            f"Le escribimos de {c['name']} sobre los resultados de su análisis del "
            f"{fmt_date(ctx.past_date(3, 20), 'es_long')}.\n\n"
            f"Nombre del paciente: {p['name']}\nFecha de nacimiento: {fmt_date(p['dob'], ctx.pick(['es', 'es_long', 'dots_dmy']))}\n"
            f"Resultado: {lab} {val} {unit}\n\n"
            f"{ctx.pick(['La doctora quiere verla en consulta la próxima semana.', 'Por favor siga tomando su medicamento y repetiremos el análisis en tres meses.', 'Su médico le recomienda una cita de seguimiento.'])}\n\n"
            f"Atentamente,\n{rn['name']}\n{c['name']}\nTel. {c['phone']}\n")
    return text_message(ctx, rn, p, "Resultados de laboratorio", body)


@template(S, "spanish", "no")
def es_aviso_horario(ctx):
    """No: Spanish holiday-hours notice to a mailing list; no individual."""
    c = ctx.clinic()
    s = ctx.staff(c, ("", "Recepción"), es=True)
    d = ctx.future_date(5, 30)
    body = (f"Estimados pacientes:\n\nLes informamos que {c['name']} permanecerá cerrado el "
            f"{DIAS[d.weekday()]} {d.day} de {MESES[d.month - 1]} por el día festivo. "
            f"Las vacunas contra la influenza estarán disponibles sin cita a partir del día siguiente, "
            f"de 8:00 a 16:00.\n\nPara emergencias llame al 911. Para resultados y mensajes use el portal.\n\n"
            f"Saludos cordiales,\n{s['name']}\n{c['name']}\n{c['street']}, {c['city']}\n")
    return text_message(ctx, s, {"name": "", "email": f"pacientes@lists.{c['domain']}"},
                        "Aviso: horario de días festivos", body)


# ------------------------------------------------------------------ shorthand

@template(S, "shorthand", "yes")
def sh_handoff_list(ctx):
    """Yes: hospitalist handoff with patient names (no titles), ages and shorthand dx."""
    c, a, b = _clinic_pair(ctx, ("MD", "Hospitalist"), ("MD", "Hospitalist"))
    lines = []
    for i in range(ctx.rng.randint(3, 6)):
        p = ctx.patient(lo_age=30)
        dxs = ", ".join(ctx.sample(SHORTHAND_DX, 2))
        lines.append(ctx.pick([
            f"Rm {ctx.rng.randint(201, 460)} {p['last']}, {p['first']} {p['age']}{p['sex']} - {dxs}. {ctx.pick(['f/u echo', 'trend trop', 'cards to see', 'dc planning', 'SW consult'])}",
            f"{p['first']} {p['last']} ({p['age']}{p['sex']}) hx {dxs}; {ctx.pick(['NPO after MN', 'post-op day 1', 'pain ctrl ok', 'on heparin gtt'])}",
            f"- {p['last']} / MRN {p['mrn']}: {dxs}, {ctx.pick(['A1c 11.2', 'K 5.8 repleted', 'BNP 1400'])}",
        ]))
    body = "Signout tonight:\n\n" + "\n".join(lines) + "\n\nCall w/ ?s" + signature(ctx, a, 3)
    return text_message(ctx, a, b, ctx.pick(["signout", "handoff 11/16", "nights list"]), body)


@template(S, "shorthand", "no")
def sh_protocol_reminder(ctx):
    """No: clinical protocol education in shorthand — about no individual."""
    c, pharm, to = _clinic_pair(ctx, ("PharmD", "Clinical Pharmacist"))
    body = ctx.pick([
        "Reminder re DKA pts: insulin gtt per protocol, check K q2h, don't stop gtt until AG closed + "
        "SQ basal on board x2h. Pls document A1c on admit.",
        "Quick tip: for pts w/ CHF on sacubitril/valsartan, hold ACEi 36h before start. F/u BMP in 1-2 wks.",
        "For any pt screening + for SI/HI, use the C-SSRS and page BH on call. Safety plan goes in the chart.",
    ]) + "\n\nAll pharmacy protocols are on the intranet." + signature(ctx, pharm)
    return text_message(ctx, pharm, {"name": "Hospitalist Group", "email": f"hospitalists@{c['domain']}"},
                        "protocol reminder", body)


# ------------------------------------------------------------------ calendar

def _calendar_message(ctx, frm, to, subject, plain, cal, as_attachment, mime):
    m = new_message(ctx, frm, to, subject)
    if as_attachment:
        m.set_content(plain)
        attach(m, cal.encode(), mime, "invite.ics")
    else:
        m.set_content(plain)
        m.add_alternative(cal, subtype="calendar", params={"method": "REQUEST"})
    return m


@template(S, "calendar", "yes")
def cal_telehealth_visit(ctx):
    """Yes: a text/calendar invite for a named patient's telehealth follow-up."""
    c, doc, sched = _clinic_pair(ctx, ("MD", "Physician"), ("", "Scheduler"))
    p = ctx.patient()
    d = ctx.future_date(1, 14)
    start = dt.datetime.combine(d, ctx.appt_time())
    reason = ctx.pick(["post-op f/u", "med check", f"{ctx.dx()} follow-up", "results review"])
    summ = f"Telehealth: {p['name']} - {reason}"
    cal = ics(ctx, c["domain"], summ, f"Video visit. Patient DOB {fmt_date(p['dob'], 'us')}. Link sent to patient.",
              start, 20, sched, [doc, p], "Telehealth")
    return _calendar_message(ctx, sched, [doc, p], summ, "You have been invited to a video visit.", cal,
                             ctx.chance(0.4), ctx.pick(["application/ics", "text/calendar"]))


@template(S, "calendar", "no")
def cal_staff_meeting(ctx):
    """No: staff meeting invite (application/ics) — logistics."""
    c, mgr, a = _clinic_pair(ctx, ("", "Practice Manager"))
    b = ctx.staff(c)
    start = dt.datetime.combine(ctx.future_date(2, 10), dt.time(12, 0))
    topic = ctx.pick(["Monthly staff meeting", "EHR upgrade training", "Quality committee", "Lunch & learn: new phone system"])
    cal = ics(ctx, c["domain"], topic, "Agenda: announcements, workflow updates, Q&A. Lunch provided.",
              start, 60, mgr, [a, b], "Conference Room A")
    return _calendar_message(ctx, mgr, [a, b], topic, f"{topic} — see invite.", cal, True,
                             ctx.pick(["application/ics", "text/calendar"]))


# ------------------------------------------------------------------ zip-csv

@template(S, "zip-csv", "yes")
def zip_recall_list(ctx):
    """Yes: zipped CSV of patients due for screening, with DOB and phone."""
    c, mgr, v = _clinic_pair(ctx, ("", "Quality Coordinator"))
    vend = ctx.vendor()
    rows = []
    for _ in range(ctx.rng.randint(8, 25)):
        p = ctx.patient(lo_age=40)
        rows.append([p["last"], p["first"], fmt_date(p["dob"], "us"), p["phone"], ctx.pick(["mammogram", "colonoscopy", "A1c", "DEXA"])])
    csv = make_csv(["LastName", "FirstName", "DOB", "Phone", "Due"], rows)
    z = make_zip([(f"recall_{TODAY:%Y%m}.csv", csv)])
    m = text_message(ctx, mgr, {"name": vend["name"], "email": vend["email"]}, "Recall list for outreach calls",
                     f"Hi {vend['first']},\n\nAttached is this month's recall list for the call campaign." + signature(ctx, mgr))
    return attach(m, z, ctx.pick(["application/zip", "application/x-zip-compressed"]), "recall.zip")


@template(S, "zip-csv", "no")
def zip_supply_inventory(ctx):
    """No: zipped CSV of supply inventory with NDC and lot numbers."""
    c, mgr, to = _clinic_pair(ctx, ("", "Supply Chain"))
    items = ["Nitrile gloves M", "Alcohol prep pads", "Tdap vaccine", "Influenza vaccine QIV", "Sharps container 2gal",
             "Gauze 4x4", "Syringe 3mL", "Lidocaine 1% 20mL", "Specimen cups", "Exam table paper"]
    rows = [[it, f"{ctx.digits(5)}-{ctx.digits(4)}-{ctx.digits(2)}", "LOT" + ctx.digits(6),
             fmt_date(ctx.future_date(30, 700), "us"), ctx.rng.randint(0, 400)] for it in ctx.sample(items, 7)]
    z = make_zip([("inventory.csv", make_csv(["Item", "NDC", "Lot", "Expires", "OnHand"], rows))])
    m = text_message(ctx, mgr, to, "Inventory count", "Monthly inventory attached. Flu vaccine is low." + signature(ctx, mgr))
    return attach(m, z, "application/zip", f"inventory_{TODAY:%b%Y}.zip")


# ------------------------------------------------------------------ xlsx

@template(S, "xlsx", "yes")
def xlsx_denial_worklist(ctx):
    """Yes: claims denial worklist; member IDs under a column header, DOS/DOB as serial dates."""
    c, bill, to = _clinic_pair(ctx, ("", "Billing Specialist"), ("", "Revenue Cycle Manager"))
    rows = []
    for _ in range(ctx.rng.randint(6, 20)):
        p = ctx.patient()
        rows.append([p["name"], p["dob"], p["member"], ctx.past_date(20, 120), ctx.pick(["CO-16", "CO-50", "PR-204", "CO-197"]),
                     round(ctx.rng.uniform(80, 2400), 2)])
    x = make_xlsx([("Denials", ["Patient", "Birth Date", "Member #", "DOS", "CARC", "Billed"], rows,
                    ctx.pick(["mm/dd/yyyy", "d-mmm-yy", "yyyy-mm-dd"]))])
    m = text_message(ctx, bill, to, "Denials to work this week",
                     "Attached are the open denials. Most are missing prior auth." + signature(ctx, bill))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "denials.xlsx")


@template(S, "xlsx", "no")
def xlsx_staff_schedule(ctx):
    """No: staff schedule spreadsheet (employee IDs, shift dates)."""
    c, mgr, to = _clinic_pair(ctx, ("RN", "Nurse Manager"))
    rows = []
    for _ in range(ctx.rng.randint(6, 15)):
        s = ctx.staff(c)
        rows.append([s["name"], "E" + ctx.digits(5), s["title"], ctx.future_date(1, 14), ctx.pick(["07-19", "19-07", "08-16:30"])])
    x = make_xlsx([("December", ["Employee", "Emp ID", "Role", "Shift date", "Shift"], rows)])
    m = text_message(ctx, mgr, to, "December schedule draft", "Draft schedule attached, requests due Friday." + signature(ctx, mgr))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "schedule_dec.xlsx")


# ------------------------------------------------------------------ hl7-fhir

@template(S, "hl7-fhir", "yes")
def hl7_oru_attachment(ctx):
    """Yes: an HL7 v2 ORU^R01 result message attached (PID with name, DOB, MRN)."""
    c, it, lab = _clinic_pair(ctx, ("", "Interface Analyst"))
    v = ctx.vendor()
    p = ctx.patient()
    ln, val, unit = ctx.lab()
    ts = hl7_ts(TODAY, dt.time(9, 12))
    msg = "\r".join([
        f"MSH|^~\\&|LAB|{c['name'].split()[0].upper()}|EHR|CLINIC|{ts}||ORU^R01|{ctx.digits(8)}|P|2.5.1",
        f"PID|1||{p['mrn']}^^^MRN||{p['last'].upper()}^{p['first'].upper()}^{p['mi']}||{hl7_ts(p['dob'])}|{p['sex']}|||{p['street']}^^{p['city']}^{p['state']}^{p['zip']}",
        f"OBR|1||{ctx.digits(9)}|{ln}^{ln}|||{ts}",
        f"OBX|1|NM|{ln}||{val}|{unit}|||||F",
    ]) + "\r"
    m = text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "ORU sample that failed",
                     "This is one of the messages that errored on the inbound feed last night, can you take a look?" + signature(ctx, it))
    return attach(m, msg.encode(), ctx.pick(["application/hl7-v2", "application/octet-stream", "text/plain"]), f"failed_{ctx.digits(5)}.hl7")


@template(S, "hl7-fhir", "no")
def fhir_practitioner_directory(ctx):
    """No: FHIR Bundle of Practitioner resources (a staff directory with NPIs)."""
    c, it, to = _clinic_pair(ctx, ("", "Interface Analyst"))
    v = ctx.vendor()
    entries = []
    for i in range(ctx.rng.randint(3, 6)):
        s = ctx.staff(c, ("MD", "Physician"))
        entries.append({"resource": {"resourceType": "Practitioner", "id": f"pr{i}",
                                     "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": ctx.npi()}],
                                     "name": [{"family": s["last"], "given": [s["first"]], "prefix": ["Dr."]}],
                                     "telecom": [{"system": "phone", "value": c["phone"], "use": "work"}]}})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    m = text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "Provider directory load",
                     "Attached is the provider directory bundle for the directory sync." + signature(ctx, it))
    return attach(m, jdump(bundle).encode(), "application/fhir+json", "practitioners.json")


# ------------------------------------------------------------------ scanned-pdf

@template(S, "scanned-pdf", "yes")
def scan_referral_form(ctx):
    """Yes: an image-only PDF of a faxed referral form naming the patient."""
    c, fd, to = _clinic_pair(ctx, ("", "Front Desk Lead"))
    v = ctx.clinic()
    p = ctx.patient()
    doc = ctx.staff(c, ("MD", "Physician"))
    lines = [f"# {c['name']}", f"{c['street']}  {c['city']}, {c['state']} {c['zip']}", "",
             "# REFERRAL FORM", "", f"Patient name: {p['name']}", f"Date of birth: {fmt_date(p['dob'], 'us')}",
             f"Phone: {p['phone']}", f"Insurance: {p['insurer']}   ID: {p['member']}", "",
             f"Referred to: {ctx.specialty().title()}", f"Diagnosis: {ctx.dx()}",
             f"Reason: evaluate and treat", "", f"Referring provider: {doc['name']}, MD", f"Date: {fmt_date(TODAY, 'us')}"]
    pdf = scanned_pdf([lines], ctx.rng)
    m = text_message(ctx, fd, ctx.staff(v), "Referral", ctx.pick(["Please see attached referral.", "Scanned referral attached.", "Faxed copy attached, original to follow."]) + signature(ctx, fd))
    return attach(m, pdf, "application/pdf", f"scan_{ctx.digits(8)}.pdf")


@template(S, "scanned-pdf", "no")
def scan_fax_cover_blank(ctx):
    """No: a scanned fax cover sheet and a blank release form — no patient filled in."""
    c, fd, to = _clinic_pair(ctx, ("", "Medical Records"))
    lines = [f"# {c['name']}", "# FAX COVER SHEET", "", f"From: {fd['name']}, Medical Records",
             f"Phone: {c['phone']}   Fax: {c['fax']}", "", "To: ______________________", "Pages: 2", "",
             "Attached: blank Authorization for Release of Information form.",
             "Please complete, sign and return by fax.", "",
             "CONFIDENTIAL: this fax may contain protected health information."]
    lines2 = ["# AUTHORIZATION FOR RELEASE OF INFORMATION", "", "Patient name: ______________________",
              "Date of birth: ____/____/______", "Records requested:  [ ] Labs  [ ] Imaging  [ ] Notes", "",
              "Signature: _______________________   Date: __________"]
    pdf = scanned_pdf([lines, lines2], ctx.rng)
    m = text_message(ctx, fd, to, "Release form", "Blank release form attached for the front desk binder." + signature(ctx, fd))
    return attach(m, pdf, "application/pdf", "ROI_form_blank.pdf")


# ------------------------------------------------------------------ filename

@template(S, "filename", "yes")
def fname_lastname_dob_mri(ctx):
    """Yes: the only PHI is the attachment's file name (name + DOB + study)."""
    c, rad, to = _clinic_pair(ctx, ("", "Imaging Coordinator"))
    other = ctx.clinic()
    p = ctx.patient()
    study = ctx.pick(["MRI", "CT", "XRAY", "US", "Echo", "Path"])
    fname = ctx.pick([f"{p['last']}_{p['first']}_{fmt_date(p['dob'], 'compact')}_{study}.pdf",
                      f"{p['last']}, {p['first']} {fmt_date(p['dob'], 'us').replace('/', '-')} {study}.pdf",
                      f"{p['first'][0]}{p['last']}_{study}_DOB{fmt_date(p['dob'], 'compact_iso')}.pdf"])
    pdf = scanned_pdf([[f"# {other['name']}", "Page 1 of 1", "", "Report attached for your records."]], ctx.rng)
    m = text_message(ctx, rad, ctx.staff(other), ctx.pick(["report", "as requested", "images"]),
                     ctx.pick(["Attached as requested.", "Here you go.", "See attached."]) + signature(ctx, rad, 4))
    return attach(m, pdf, "application/pdf", fname)


@template(S, "filename", "no")
def fname_policy_docs(ctx):
    """No: attachment names that mention PHI/HIPAA/referral but carry none."""
    c, comp, to = _clinic_pair(ctx, ("", "Compliance Officer"))
    fname = ctx.pick(["HIPAA_Privacy_Policy_2026_v3.pdf", "PHI_Handling_Procedure_rev12.pdf",
                      "Referral_Process_Flowchart_Nov2026.pdf", "Patient_Rights_Notice_English.pdf"])
    pdf = scanned_pdf([[f"# {fname.rsplit('.', 1)[0].replace('_', ' ')}", "", "1. Purpose",
                        "This procedure describes how staff handle records.", "2. Scope", "All workforce members."]], ctx.rng)
    m = text_message(ctx, comp, to, "Updated policy", "Updated document attached; please review before the audit." + signature(ctx, comp))
    return attach(m, pdf, "application/pdf", fname)


# ------------------------------------------------------------------ names-dates

@template(S, "names-dates", "yes")
def nd_possessive_untitled(ctx):
    """Yes: "Maria Lopez's MRI …" — untitled name + procedure, DOB in a varied form."""
    c, a, b = _clinic_pair(ctx)
    p = ctx.patient()
    dob_phrase = ctx.pick([f"born on {fmt_date(p['dob'], 'long')}", f"DOB {fmt_date(p['dob'], ctx.pick(DOB_STYLES))}",
                           f"birthday {fmt_date(p['dob'], 'us_short')}", f"b. {fmt_date(p['dob'], 'dmon')}",
                           f"({fmt_date(p['dob'], 'compact')})"])
    body = ctx.pick([
        f"{p['name']}'s {ctx.proc()} got moved to {fmt_date(ctx.future_date(), 'weekday')}. She's {dob_phrase} in case you need to pull the chart.",
        f"Can you check on {p['first']} {p['last']} ({dob_phrase})? Her {ctx.proc()} report never made it to the chart.",
        f"{p['last']}, {p['first']} — {dob_phrase} — still waiting on auth for the {ctx.proc()}.",
    ]) + signature(ctx, a, ctx.pick([3, 4]))
    return text_message(ctx, a, b, ctx.pick(["quick q", "chart", p["last"], "pending"]), body)


@template(S, "names-dates", "no")
def nd_staff_birthdays(ctx):
    """No: staff birthdays and anniversaries — employment context, no health fact."""
    c, hr, to = _clinic_pair(ctx, ("", "HR Generalist"))
    lines = []
    for _ in range(ctx.rng.randint(3, 6)):
        s = ctx.staff(c)
        d = ctx.future_date(1, 30)
        lines.append(f"  {s['name']} ({s['title']}) - {fmt_date(d, ctx.pick(['mon_d', 'short_md']))}")
    body = ("Happy birthday to our December celebrants!\n\n" + "\n".join(lines)
            + "\n\nCake in the break room Friday at 3. Work anniversaries next week." + signature(ctx, hr))
    return text_message(ctx, hr, {"name": "All Staff", "email": f"allstaff@{c['domain']}"}, "December birthdays", body)


# ------------------------------------------------------------------ identifiers

@template(S, "identifiers", "yes")
def id_bare_ssn_update(ctx):
    """Yes: a bare SSN (rule B), in dotted / SS#-run-on forms."""
    c, reg, bill = _clinic_pair(ctx, ("", "Registration"), ("", "Billing Specialist"))
    ssn = ctx.ssn(ctx.pick(["dot", "plain", "space", "dash"]))
    body = ctx.pick([f"Corrected SS#{ssn.replace('-', '').replace('.', '').replace(' ', '')} — please update before rebilling.",
                     f"the ssn on acct {ctx.digits(7)} should be {ssn}",
                     f"SSN {ssn} (was keyed wrong at check-in)."]) + signature(ctx, reg, 4)
    return text_message(ctx, reg, bill, ctx.pick(["correction", "fix ssn", "demographics"]), body)


@template(S, "identifiers", "yes")
def id_mbi_eligibility(ctx):
    """Yes: Medicare eligibility with MBI in lower case / spaced form and a name."""
    c, reg, to = _clinic_pair(ctx, ("", "Eligibility Specialist"))
    p = ctx.patient(lo_age=65)
    body = (f"Medicare shows {p['first']} {p['last']} active Part A/B, MBI {ctx.mbi(ctx.pick(['lower', 'spaces', 'dashes']))}. "
            f"Secondary is {ctx.pick(['Medigap Plan G', 'Medicaid', 'none on file'])}.") + signature(ctx, reg)
    return text_message(ctx, reg, to, "eligibility check", body)


@template(S, "numbers", "no")
def num_order_confirmation(ctx):
    """No: order confirmation with a Luhn-valid 16-digit confirmation number, UPS tracking, ISBN."""
    c, buyer, to = _clinic_pair(ctx, ("", "Office Manager"))
    conf = ctx.luhn16()
    body = (f"Order confirmed.\n\nConfirmation #: {conf}\nPO: {ctx.digits(6)}\n"
            f"Item: Bates' Guide to Physical Examination, 13th ed. ISBN {ctx.isbn13()}\n"
            f"Ships via UPS, tracking {ctx.ups()}\n\nForwarding for the library budget." + signature(ctx, buyer))
    return text_message(ctx, buyer, to, f"Fwd: Your order {conf[-6:]}", body)


# ------------------------------------------------------------------ sensitive

@template(S, "sensitive", "yes")
def sens_hiv_rx_transfer(ctx):
    """Yes: prescription transfer for an HIV medication with a patient name."""
    c, pharm, to = _clinic_pair(ctx, ("PharmD", "Clinical Pharmacist"))
    p = ctx.patient(lo_age=18)
    med = ctx.hiv_med()
    body = (f"Please transfer the {med} rx for {p['first']} {p['last']} (DOB {fmt_date(p['dob'], 'us_nopad')}) "
            f"to our specialty pharmacy. {ctx.pick(['Last fill', 'Last filled'])} {fmt_date(ctx.past_date(10, 30), 'short_md')}, "
            f"{ctx.rng.randint(1, 5)} refills remain.") + signature(ctx, pharm)
    return text_message(ctx, pharm, {"name": "Rx Transfers", "email": f"transfers@{ctx.vendor()['domain']}"},
                        "Rx transfer request", body)


@template(S, "sensitive", "yes")
def sens_bh_safety_check(ctx):
    """Yes: behavioural-health note (SI/HI, PHQ-9) naming a patient."""
    c, th, doc = _clinic_pair(ctx, ("LCSW", "Therapist"), ("MD", "Psychiatrist"))
    p = ctx.patient(lo_age=14)
    body = ctx.pick([
        f"Saw {p['first']} {p['last']} today. PHQ-9 {ctx.rng.randint(15, 26)}, endorses passive SI, denies HI/plan. Safety plan updated. Can you see her this week for med adjustment?",
        f"{p['last']} no-showed again. Last session she reported increased panic attacks and stopped the {ctx.pick(['sertraline', 'escitalopram', 'bupropion'])}. I'll call.",
    ]) + signature(ctx, th, 3)
    return text_message(ctx, th, doc, ctx.pick(["pt update", "FYI", "safety check"]), body)


@template(S, "sensitive", "yes")
def sens_reproductive_followup(ctx):
    """Yes: reproductive health (IUD, pregnancy test, STI) about a named patient."""
    c, np_, ma = _clinic_pair(ctx, ("NP", "Nurse Practitioner"), ("MA", "Medical Assistant"))
    p = ctx.patient(lo_age=18, hi_age=45)
    p["first"] = ctx.fk.first_name_female()
    body = ctx.pick([
        f"Please call {p['first']} {p['last']} - her hCG was positive. Schedule a dating ultrasound next week.",
        f"{p['first']} {p['last']} is scheduled for IUD insertion {fmt_date(ctx.future_date(), 'weekday')}; needs urine preg on arrival.",
        f"{p['first']} {p['last']}'s STI panel: chlamydia positive. Rx sent, please schedule partner counseling.",
    ]) + signature(ctx, np_, 3)
    return text_message(ctx, np_, ma, "call back", body)


# ------------------------------------------------------------------ billing / reminder

@template(S, "billing", "yes")
def bill_patient_statement(ctx):
    """Yes: patient statement with account number, DOS and balance."""
    c = ctx.clinic()
    bill = ctx.staff(c, ("", "Billing Specialist"))
    p = ctx.patient()
    body = (f"Dear {p['first']} {p['last']},\n\nYour statement for account {ctx.digits(8)} is ready.\n\n"
            f"Date of service: {fmt_date(ctx.past_date(30, 90), 'us')}\nProvider: Dr. {ctx.staff(c)['last']}\n"
            f"Insurance paid: ${ctx.rng.randint(50, 600)}.00\nBalance due: ${ctx.rng.randint(20, 400)}.{ctx.digits(2)}\n\n"
            "You can pay online through the patient portal or call our billing office." + signature(ctx, bill))
    return text_message(ctx, bill, p, "Your statement is ready", body)


@template(S, "billing", "no")
def bill_vendor_invoice(ctx):
    """No: a lab-courier vendor invoice to the clinic; business account numbers only."""
    c, ap, to = _clinic_pair(ctx, ("", "Accounts Payable"))
    v = ctx.vendor()
    body = (f"Hi {ap['first']},\n\nInvoice INV-{ctx.digits(6)} for courier service in {MONTHS[TODAY.month - 2]} is attached "
            f"(account {ctx.digits(8)}, net 30). Total due ${ctx.rng.randint(800, 5000)}.00.\n\nThanks,\n{v['name']}\n{v['company']}")
    return text_message(ctx, {"name": v["name"], "email": v["email"]}, ap, "Invoice", body)


@template(S, "reminder", "yes")
def remind_no_reason(ctx):
    """Yes: appointment reminder without the reason — name + date of care + provider."""
    c = ctx.clinic()
    fd = ctx.role_mailbox(c, "appointments")
    p = ctx.patient()
    doc = ctx.staff(c, ("MD", "Physician"))
    d = ctx.future_date(1, 10)
    body = (f"Hello {p['first']},\n\nThis is a reminder of your appointment with Dr. {doc['last']} on "
            f"{fmt_date(d, 'weekday')} at {fmt_time(ctx.appt_time())}, {c['street']}. Please arrive 15 minutes early "
            f"and bring your insurance card.\n\nReply C to confirm.\n\n{c['name']}\n{c['phone']}\n")
    return text_message(ctx, fd, p, "Appointment reminder", body)


@template(S, "reminder", "no")
def remind_flu_clinic_list(ctx):
    """No: a generic flu-clinic reminder to a list."""
    c = ctx.clinic()
    fd = ctx.role_mailbox(c, "news")
    d = ctx.future_date(3, 20)
    body = (f"Flu shots are here! Walk-in flu clinic {fmt_date(d, 'weekday')} 9am–1pm at {c['street']}. "
            "No appointment needed; most insurance accepted. COVID boosters also available.\n\n"
            f"{c['name']} | {c['phone']}\nTo unsubscribe reply STOP.")
    return text_message(ctx, fd, {"name": "", "email": f"patients@lists.{c['domain']}"}, "Walk-in flu clinic", body)


# ------------------------------------------------------------------ hard negatives

@template(S, "hr", "no")
def hr_employee_id_payroll(ctx):
    """No: HR payroll correction with employee IDs (employment record)."""
    c, hr, to = _clinic_pair(ctx, ("", "HR Generalist"), ("", "Payroll"))
    lines = []
    for _ in range(ctx.rng.randint(2, 5)):
        s = ctx.staff(c)
        lines.append(f"{s['name']}  Emp ID {ctx.digits(6)}  {ctx.pick(['missed punch 11/10', 'shift diff not applied', 'PTO 8h not paid'])}")
    body = ("Please correct the following on the 11/21 payroll:\n\n" + "\n".join(lines)
            + "\n\nTimecards approved by managers." + signature(ctx, hr))
    return text_message(ctx, hr, to, "Payroll corrections", body)


@template(S, "hr", "yes")
def hr_new_hire_ssn(ctx):
    """Yes: HR new-hire paperwork with the employee's SSN (rule B)."""
    c, hr, to = _clinic_pair(ctx, ("", "HR Generalist"), ("", "Payroll"))
    s = ctx.staff(c)
    body = (f"New hire {s['name']}, starts {fmt_date(ctx.future_date(), 'us')}, {s['title']}.\n"
            f"Employee ID {ctx.digits(6)}\nSSN: {ctx.ssn()}\nDirect deposit form to follow." + signature(ctx, hr))
    return text_message(ctx, hr, to, "New hire setup", body)


@template(S, "benefits", "no")
def benefits_newsletter(ctx):
    """No: benefits newsletter: screening reminders, 'Dear <name>', referral bonus."""
    c, hr, _ = _clinic_pair(ctx, ("", "Benefits Coordinator"))
    emp = ctx.staff(c)
    body = (f"Dear {emp['first']},\n\nOpen enrollment ends {fmt_date(ctx.future_date(5, 20), 'long')}.\n\n"
            "* Wellness: get your annual screening — mammogram, colonoscopy, cholesterol — covered at 100% in network.\n"
            "* Flu shots for employees are free at Employee Health.\n"
            "* Referral bonus: refer a nurse and earn $2,500 after 90 days.\n"
            "* EAP offers free confidential counseling, 24/7.\n\n"
            "Questions? Call the benefits line." + signature(ctx, hr))
    return text_message(ctx, hr, emp, "Benefits news: open enrollment", body)


@template(S, "marketing", "no")
def pharm_marketing(ctx):
    """No: pharmacy/vendor marketing to the clinic (no individual)."""
    c = ctx.clinic()
    v = ctx.vendor()
    doc = ctx.staff(c, ("MD", "Physician"))
    body = (f"Dr. {doc['last']},\n\nNew from {v['company']}: same-day delivery of GLP-1 and insulin pens to your patients, "
            "prior auth support, and copay cards for eligible patients. Our specialty team handles HIV, hepatitis C and "
            "oncology prescriptions with 24-hour turnaround.\n\nSchedule a lunch-and-learn: reply to this email.\n\n"
            f"{v['name']}\nAccount Executive, {v['company']}")
    return text_message(ctx, {"name": v["name"], "email": v["email"]}, doc, "Faster fills for your patients", body)


@template(S, "training", "no")
def hipaa_training_due(ctx):
    """No: HIPAA training announcement; mentions PHI/SSN/MRN and a masked example."""
    c, comp, _ = _clinic_pair(ctx, ("", "Compliance Officer"))
    body = (f"All workforce members must complete the annual HIPAA Privacy & Security training by "
            f"{fmt_date(ctx.future_date(10, 30), 'long')}.\n\nThis year's module covers: minimum necessary, "
            "sending PHI by email (use [secure] in the subject), recognising phishing, and what counts as an identifier "
            "(names, SSNs such as ***-**-1234, MRNs, dates of birth).\n\nCompletion is tracked by employee ID in the LMS."
            + signature(ctx, comp))
    return text_message(ctx, comp, {"name": "All Staff", "email": f"allstaff@{c['domain']}"}, "Annual HIPAA training due", body)


@template(S, "w9", "no")
def w9_request(ctx):
    """No: W-9 request with the vendor's EIN and DUNS."""
    c, ap, _ = _clinic_pair(ctx, ("", "Accounts Payable"))
    v = ctx.vendor()
    body = (f"Hi {v['first']},\n\nBefore we can pay invoice {ctx.digits(5)} we need a current W-9. Our records show "
            f"EIN {ctx.ein()} and DUNS {ctx.duns()}; please confirm the Taxpayer Identification Number and remit-to address.\n"
            + signature(ctx, ap))
    return text_message(ctx, ap, {"name": v["name"], "email": v["email"]}, "W-9 needed", body)


@template(S, "it-notice", "no")
def it_maintenance(ctx):
    """No: IT maintenance notice (EHR downtime)."""
    c, it, _ = _clinic_pair(ctx, ("", "IT Support"))
    d = ctx.future_date(2, 9)
    body = (f"The EHR will be unavailable {fmt_date(d, 'weekday')} from 11:00 PM to 3:00 AM for an upgrade. "
            "Use downtime forms; print tomorrow's schedules before 10 PM. Ticket INC" + ctx.digits(7) + ".\n" + signature(ctx, it))
    return text_message(ctx, it, {"name": "All Staff", "email": f"allstaff@{c['domain']}"}, "Planned EHR downtime", body)


@template(S, "logistics", "no")
def logistics_offsite(ctx):
    """No: meeting logistics with dial-in PIN and parking code."""
    c, a, b = _clinic_pair(ctx, ("", "Executive Assistant"))
    body = (f"Leadership offsite {fmt_date(ctx.future_date(5, 25), 'weekday')}, 8:30–3:00 at the {ctx.fk.city()} Marriott.\n"
            f"Dial-in: {ctx.phone()} PIN {ctx.digits(8)}#\nParking validation code {ctx.digits(6)}.\n"
            "Breakfast and lunch provided — send dietary needs by Friday." + signature(ctx, a))
    return text_message(ctx, a, b, "Offsite logistics", body)


@template(S, "deid-report", "no")
def deid_quality_measures(ctx):
    """No: aggregate quality measures by clinic and quarter."""
    c, q, to = _clinic_pair(ctx, ("", "Quality Coordinator"))
    rows = []
    for site in ctx.sample(["Main", "Eastside", "Northgate", "Westview", "Downtown"], 3):
        rows.append([site, ctx.rng.randint(300, 2000), f"{ctx.rng.uniform(6, 35):.1f}%", f"{ctx.rng.uniform(40, 85):.1f}%"])
    html = html_doc("<p>Q3 diabetes measures (de-identified, aggregate):</p>"
                    + html_table(["Site", "Diabetic pts", "A1c > 9", "Eye exam done"], rows)
                    + "<p>No patient-level data is included. Full dashboard on the intranet.</p>" + sig_html(ctx, q))
    return html_message(ctx, q, to, "Q3 diabetes dashboard", html)
