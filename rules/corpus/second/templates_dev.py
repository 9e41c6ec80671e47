"""Templates of the `dev` split. None of these appears in `heldout` (see templates_heldout.py).
Each template's docstring says which rule of LABELLING.md decides its label."""

import datetime as dt
from email.message import EmailMessage
import email.policy

from lib import (template, text_message, html_message, new_message, attach, signature, sig_html,
                 fmt_date, fmt_time, ordinal, quote_lines, html_table, html_doc, make_xlsx, make_zip,
                 make_csv, make_xls, gzip_bytes, vcard, photo_jpeg, html_with_inline_logo, scanned_pdf, hl7_ts, fhir_patient, ics, jdump, addr, TODAY, DOB_STYLES,
                 SHORTHAND_DX, SHORTHAND_OB, MONTHS, MESES, DIAS)

S = "dev"


def _clinic_pair(ctx, role=None, role2=None):
    c = ctx.clinic()
    first = ctx.staff(c, role)
    # the second person works at the same clinic or, as often, at a partner organisation
    other = c if ctx.chance(0.6) else ctx.clinic()
    return c, first, ctx.staff(other, role2)


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
            f"{p['She']} is asking whether {p['she']} needs to come in before {p['her']} {ctx.specialty()} appointment.\n\n"
            f"{rn['first']}")
    top = ctx.pick([f"Thanks — I'll call {p['her_obj']} this afternoon.", "Please schedule a f/u in 2 weeks.",
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
    body = (f"{p['estimada']} {p['first']} {p['last']}:\n\n"
            f"Le escribimos de {c['name']} sobre los resultados de su análisis del "
            f"{fmt_date(ctx.past_date(3, 20), 'es_long')}.\n\n"
            f"Nombre del paciente: {p['name']}\nFecha de nacimiento: {fmt_date(p['dob'], ctx.pick(['es', 'es_long', 'dots_dmy']))}\n"
            f"Resultado: {lab} {val} {unit}\n\n"
            f"{ctx.pick(['La doctora quiere ver' + p['la'] + ' en consulta la próxima semana.', 'Por favor siga tomando su medicamento y repetiremos el análisis en tres meses.', 'Su médico le recomienda una cita de seguimiento.'])}\n\n"
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
        f"{p['name']}'s {ctx.proc()} got moved to {fmt_date(ctx.future_date(), 'weekday')}. {p['She']}'s {dob_phrase} in case you need to pull the chart.",
        f"Can you check on {p['first']} {p['last']} ({dob_phrase})? {p['Her']} {ctx.proc()} report never made it to the chart.",
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
    body = ("Happy birthday to everyone celebrating in the next few weeks!\n\n" + "\n".join(lines)
            + "\n\nCake in the break room Friday at 3. Work anniversaries next week." + signature(ctx, hr))
    return text_message(ctx, hr, {"name": "All Staff", "email": f"allstaff@{c['domain']}"}, "Upcoming birthdays", body)


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
        f"Saw {p['first']} {p['last']} today. PHQ-9 {ctx.rng.randint(15, 26)}, endorses passive SI, denies HI/plan. Safety plan updated. Can you see {p['her_obj']} this week for med adjustment?",
        f"{p['last']} no-showed again. Last session {p['she']} reported increased panic attacks and stopped the {ctx.pick(['sertraline', 'escitalopram', 'bupropion'])}. I'll call.",
    ]) + signature(ctx, th, 3)
    return text_message(ctx, th, doc, ctx.pick(["pt update", "FYI", "safety check"]), body)


@template(S, "sensitive", "yes")
def sens_reproductive_followup(ctx):
    """Yes: reproductive health (IUD, pregnancy test, STI) about a named patient."""
    c, np_, ma = _clinic_pair(ctx, ("NP", "Nurse Practitioner"), ("MA", "Medical Assistant"))
    p = ctx.patient(lo_age=18, hi_age=45)
    p["first"] = ctx.fk.first_name_female()
    body = ctx.pick([
        f"{p['last']}, {p['first']} - {ctx.pick(SHORTHAND_OB)}, f/u OB {fmt_date(ctx.future_date(), 'short_md')}.",
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
    """No: AP replies to a courier vendor about its invoice (quoted); business account numbers only."""
    c, ap, to = _clinic_pair(ctx, ("", "Accounts Payable"))
    v = ctx.vendor()
    inv = f"INV-{ctx.digits(6)}"
    orig = (f"Hi {ap['first']},\n\nInvoice {inv} for courier service in {MONTHS[TODAY.month - 2]} is attached "
            f"(account {ctx.digits(8)}, net 30). Total due ${ctx.rng.randint(800, 5000)}.00.\n\nThanks,\n{v['name']}\n{v['company']}")
    body = (f"Hi {v['first']}, the PO number is missing on {inv}; please reissue with PO {ctx.digits(7)} and we will pay this week."
            + signature(ctx, ap) + f"\nOn {fmt_date(ctx.past_date(1, 5), 'long')} {v['name']} <{v['email']}> wrote:\n" + quote_lines(orig))
    return text_message(ctx, ap, {"name": v["name"], "email": v["email"]}, f"Re: Invoice {inv}", body)


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
    """No: a physician forwards pharmacy marketing to the practice manager (no individual)."""
    c, doc, mgr = _clinic_pair(ctx, ("MD", "Physician"), ("", "Practice Manager"))
    v = ctx.vendor()
    promo = (f"Dr. {doc['last']},\n\nNew from {v['company']}: same-day delivery of GLP-1 and insulin pens to your patients, "
             "prior auth support, and copay cards for eligible patients. Our specialty team handles HIV, hepatitis C and "
             "oncology prescriptions with 24-hour turnaround.\n\nSchedule a lunch-and-learn: reply to this email.\n\n"
             f"{v['name']}\nAccount Executive, {v['company']}")
    body = (ctx.pick(["Worth a lunch-and-learn?", "FYI - they keep calling. Your call.", "Can you set this up for January?"])
            + signature(ctx, doc, 3) + f"\nBegin forwarded message:\n\nFrom: {v['name']} <{v['email']}>\n"
            f"Subject: Faster fills for your patients\n\n{promo}\n")
    return text_message(ctx, doc, mgr, "Fwd: Faster fills for your patients", body)


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


# ================================================================== more dev templates

@template(S, "html-table", "yes")
def html_registry_mrn_a1c(ctx):
    """Yes: diabetic registry rows — MRN, name, last A1c and date — in an HTML table."""
    c, q, doc = _clinic_pair(ctx, ("", "Quality Coordinator"), ("MD", "Physician"))
    rows = []
    for _ in range(ctx.rng.randint(4, 10)):
        p = ctx.patient(lo_age=35)
        rows.append([p["mrn"], f"{p['first']} {p['last']}", f"{ctx.rng.randint(90, 130) / 10}%",
                     fmt_date(ctx.past_date(100, 400), ctx.pick(["us", "iso", "us_short"]))])
    html = html_doc(f"<p>Dr. {doc['last']}, these patients on your panel have an A1c over 9 and no visit in 3 months:</p>"
                    + html_table(["MRN", "Pt", "Last A1c", "Date"], rows, ctx.rng.randint(0, 2))
                    + "<p>Can your MA reach out?</p>" + sig_html(ctx, q))
    return html_message(ctx, q, doc, "A1c > 9 outreach", html)


@template(S, "html-table", "yes")
def html_registration_two_rows(ctx):
    """Yes: a registration form rendered as a table — labels in one row, values in the row below."""
    c, reg, to = _clinic_pair(ctx, ("", "Registration"))
    p = ctx.patient()
    labels = ["Last", "First", "DOB", "Phone", "Insurance", "Subscriber ID", "Reason for visit"]
    vals = [p["last"], p["first"], fmt_date(p["dob"], ctx.pick(DOB_STYLES)), p["phone"], p["insurer"], p["member"],
            ctx.pick(["knee pain", "new patient physical", "med refill", "follow-up " + ctx.dx()])]
    html = html_doc("<p>New patient registered online, please verify insurance before the visit:</p>"
                    + html_table(labels, [vals], ctx.rng.randint(0, 2)) + sig_html(ctx, reg))
    return html_message(ctx, reg, to, "New online registration", html)


@template(S, "html-table", "no")
def html_meeting_agenda_table(ctx):
    """No: committee agenda table (owners are staff; topics mention PHI and referrals generically)."""
    c, chair, to = _clinic_pair(ctx, ("", "Compliance Officer"))
    topics = ["Minimum necessary audit results", "Referral turnaround times", "Secure email adoption",
              "Patient portal sign-ups", "Breach risk assessment process", "Fax retirement plan"]
    rows = [[f"{9 + i}:00", t, ctx.staff(c)["name"], f"{ctx.pick([10, 15, 20])} min"] for i, t in enumerate(ctx.sample(topics, 4))]
    html = html_doc("<p>Agenda for Thursday's Privacy Committee:</p>" + html_table(["Time", "Topic", "Owner", "Length"], rows, ctx.rng.randint(0, 2)) + sig_html(ctx, chair))
    return html_message(ctx, chair, to, "Privacy Committee agenda", html)


@template(S, "spanish", "yes")
def es_estado_cuenta(ctx):
    """Yes: Spanish billing statement: patient name, account, date of service, balance."""
    c = ctx.clinic()
    bill = ctx.staff(c, ("", "Facturación"), es=True)
    p = ctx.patient(es=True)
    body = (f"Sr./Sra. {p['last']}:\n\nSu estado de cuenta está disponible.\n\n"
            f"Paciente: {p['first']} {p['last']}\nNúmero de cuenta: {ctx.digits(8)}\n"
            f"Fecha de servicio: {fmt_date(ctx.past_date(20, 80), 'es')}\nSaldo pendiente: ${ctx.rng.randint(15, 500)}.00\n\n"
            "Puede pagar en línea o llamar a nuestra oficina.\n\n" + bill["name"] + "\n" + c["name"])
    return text_message(ctx, bill, p, "Su estado de cuenta", body)


@template(S, "spanish", "no")
def es_vacante_empleo(ctx):
    """No: Spanish job posting / referral bonus for bilingual staff."""
    c, hr, _ = _clinic_pair(ctx, ("", "Recursos Humanos"))
    body = ("¡Estamos contratando! Buscamos asistentes médicos bilingües y enfermeras. "
            "Bono por referido de $1,000. Beneficios: seguro médico, dental y de visión desde el primer día.\n\n"
            f"Envíe su currículum a empleos@{c['domain']}.\n" + signature(ctx, hr))
    return text_message(ctx, hr, {"name": "Todo el personal", "email": f"personal@{c['domain']}"}, "Vacantes y bono por referido", body)


@template(S, "shorthand", "yes")
def sh_ed_page_text(ctx):
    """Yes: a terse ED page in shorthand: room, untitled name, DOB, dx."""
    c, ed, cons = _clinic_pair(ctx, ("MD", "Emergency Physician"), ("MD", "Surgeon"))
    p = ctx.patient(lo_age=18)
    body = (f"ED rm {ctx.rng.randint(1, 30)}: {p['first'][0]}. {p['last']} dob {fmt_date(p['dob'], ctx.pick(['us_short', 'compact', 'us_pad_short']))} "
            f"- {ctx.pick(['RUQ pain, +Murphy, US w/ cholelithiasis + wall thickening -> ?lap chole', 'SBO on CT, NGT placed', 'perforated appy on CT', 'cellulitis LLE failing PO abx'])}. "
            f"VSS. NPO. {ctx.pick(['pls see', 'can you eval', 'consult placed'])}")
    return text_message(ctx, ed, cons, "consult", body)


@template(S, "shorthand", "no")
def sh_order_set_update(ctx):
    """No: order-set change notice in shorthand (CHF, A1c, prior auth) — no individual."""
    c, inf, _ = _clinic_pair(ctx, ("RN", "Clinical Informatics"))
    body = ("Heads up — CHF admission order set updated: daily wts, strict I/Os, BMP qAM, BNP on admit only. "
            "A1c auto-added if none in 90d. Prior auth now required for outpt echo w/ some payers — check the "
            "payer grid before ordering. Questions -> informatics." + signature(ctx, inf))
    return text_message(ctx, inf, {"name": "Providers", "email": f"providers@{c['domain']}"}, "order set update", body)


@template(S, "calendar", "yes")
def cal_surgery_cancel(ctx):
    """Yes: METHOD:CANCEL for a named patient's surgery (text/calendar alternative)."""
    c, sched, doc = _clinic_pair(ctx, ("", "Surgery Scheduler"), ("MD", "Surgeon"))
    p = ctx.patient(lo_age=20)
    start = dt.datetime.combine(ctx.future_date(3, 25), dt.time(7, 30))
    summ = f"CANCELLED: {p['last']} - {ctx.proc()}"
    cal = ics(ctx, c["domain"], summ, f"Pt {p['first']} {p['last']} cancelled; rescheduling. MRN {p['mrn']}.", start, 90, sched, [doc], "OR 3", method="CANCEL")
    m = new_message(ctx, sched, doc, summ)
    m.set_content("This case has been cancelled.")
    m.add_alternative(cal, subtype="calendar", params={"method": "CANCEL"})
    return m


@template(S, "calendar", "no")
def cal_hipaa_training_session(ctx):
    """No: invite to a HIPAA refresher session (application/ics attachment)."""
    c, comp, a = _clinic_pair(ctx, ("", "Compliance Officer"))
    start = dt.datetime.combine(ctx.future_date(3, 20), dt.time(8, 0))
    cal = ics(ctx, c["domain"], "HIPAA refresher: email and PHI", "Mandatory for front desk and billing. Bring your badge.", start, 45, comp, [a], "Training Room 1")
    m = new_message(ctx, comp, a, "HIPAA refresher session")
    m.set_content("Please accept the attached invite.")
    return attach(m, cal.encode(), "application/ics", "hipaa_refresher.ics")


@template(S, "zip-csv", "yes")
def zip_lab_results_tsv(ctx):
    """Yes: zipped tab-separated lab results with MRN, name and values."""
    c, lab, to = _clinic_pair(ctx, ("", "Lab Manager"))
    rows = []
    for _ in range(ctx.rng.randint(6, 18)):
        p = ctx.patient()
        n, v, u = ctx.lab()
        rows.append([p["mrn"], f"{p['last']}^{p['first']}", hl7_ts(p["dob"]), n, v, u])
    z = make_zip([("results.tsv", make_csv(["mrn", "name", "dob", "test", "value", "unit"], rows, delim="\t"))])
    m = text_message(ctx, lab, to, "results file", "Results that did not cross the interface — zipped." + signature(ctx, lab))
    return attach(m, z, "application/zip", f"results_{TODAY:%Y%m%d}.zip")


@template(S, "zip-csv", "no")
def zip_policy_bundle(ctx):
    """No: zip of policy text files and a training schedule CSV."""
    c, comp, to = _clinic_pair(ctx, ("", "Compliance Officer"))
    z = make_zip([("policies/email_phi.txt", "Staff must send PHI only with [secure] in the subject.\n"),
                  ("policies/fax.txt", "Verify fax numbers before sending.\n"),
                  ("schedule.csv", make_csv(["session", "date", "room"], [[f"Session {i}", fmt_date(ctx.future_date(), "us"), "B2"] for i in range(1, 4)]))])
    m = text_message(ctx, comp, to, "policy bundle", "Policy bundle for the binder." + signature(ctx, comp))
    return attach(m, z, "application/zip", "policies.zip")


@template(S, "xlsx", "yes")
def xlsx_lab_log_datetime(ctx):
    """Yes: specimen log workbook with collection datetimes (serial numbers), names and tests."""
    c, lab, to = _clinic_pair(ctx, ("MA", "Lab Assistant"))
    rows = []
    for _ in range(ctx.rng.randint(6, 16)):
        p = ctx.patient()
        d = ctx.past_date(0, 6)
        rows.append([dt.datetime.combine(d, ctx.appt_time()), f"{p['last']}, {p['first']}", p["dob"],
                     ctx.pick(["CBC", "CMP", "A1c", "lipid panel", "HIV 1/2 Ag/Ab", "hCG quant", "urine culture"]), ctx.pick(["sent", "rejected - hemolyzed", "pending"])])
    x = make_xlsx([("Log", ["Collected", "Patient", "Birthdate", "Test", "Status"], rows, "mm/dd/yyyy hh:mm")])
    m = text_message(ctx, lab, to, "specimen log", "This week's log attached." + signature(ctx, lab))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "specimen_log.xlsx")


@template(S, "xlsx", "no")
def xlsx_aggregate_pivot(ctx):
    """No: aggregate visits by month and department."""
    c, an, to = _clinic_pair(ctx, ("", "Data Analyst"))
    rows = [[dt.date(2026, m, 1), d, ctx.rng.randint(80, 2500)] for m in range(1, 11) for d in ctx.sample(["Cardiology", "OB/GYN", "Behavioral Health", "Primary Care"], 2)]
    x = make_xlsx([("Visits", ["Month", "Department", "Visits"], rows, "mmm-yy")])
    m = text_message(ctx, an, to, "visit volumes", "Volumes by department attached (counts only)." + signature(ctx, an))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "visit_volumes.xlsx")


@template(S, "hl7-fhir", "yes")
def fhir_patient_single(ctx):
    """Yes: a single FHIR Patient resource pasted into the body as JSON."""
    c, it, _ = _clinic_pair(ctx, ("", "Integration Engineer"))
    v = ctx.vendor()
    p = ctx.patient()
    body = (f"{v['first']}, the match fails for this one even though the MRN exists:\n\n{jdump(fhir_patient(p, c, 'p' + ctx.digits(6)))}\n"
            + signature(ctx, it))
    return text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "patient match failure", body)


@template(S, "hl7-fhir", "yes")
def ccda_discharge_summary(ctx):
    """Yes: C-CDA Discharge Summary XML attached (recordTarget + hospital course)."""
    c, him, _ = _clinic_pair(ctx, ("", "HIM Specialist"))
    other = ctx.clinic()
    p = ctx.patient(lo_age=30)
    xml = ("<?xml version='1.0'?>\n<ClinicalDocument xmlns='urn:hl7-org:v3' xmlns:sdtc='urn:hl7-org:sdtc'>\n"
           "<code code='18842-5' displayName='Discharge summary'/>\n"
           f"<effectiveTime value='{hl7_ts(TODAY)}'/>\n<recordTarget>\n <patientRole>\n  <id root='2.16.840.1.113883.4.1' extension='{p['ssn']}'/>\n"
           f"  <telecom value='tel:{p['phone']}'/>\n  <patient>\n   <name><given>{p['first']}</given><family>{p['last']}</family></name>\n"
           f"   <birthTime value='{hl7_ts(p['dob'])}'/>\n  </patient>\n </patientRole>\n</recordTarget>\n"
           f"<component><section><title>Hospital Course</title><text>Admitted with {ctx.dx()}. Treated and discharged home.</text></section></component>\n"
           "</ClinicalDocument>\n")
    m = text_message(ctx, him, ctx.staff(other, ("", "HIM Specialist")), "discharge summary",
                     "Discharge summary attached (CDA)." + signature(ctx, him))
    return attach(m, xml.encode(), ctx.pick(["application/xml", "text/xml"]), "DS_" + ctx.digits(6) + ".xml")


@template(S, "hl7-fhir", "no")
def hl7_ack_only(ctx):
    """No: HL7 ACK messages (MSH/MSA only, no PID) attached for a connectivity test."""
    c, it, _ = _clinic_pair(ctx, ("", "Interface Analyst"))
    v = ctx.vendor()
    acks = "\r".join(f"MSH|^~\\&|EHR|CLINIC|LAB|VENDOR|{hl7_ts(TODAY, dt.time(10, i))}||ACK|{ctx.digits(8)}|P|2.5.1\rMSA|AA|{ctx.digits(8)}" for i in range(3)) + "\r"
    m = text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "connectivity test ACKs",
                     "Our side returned AA for all three test messages; ACKs attached." + signature(ctx, it))
    return attach(m, acks.encode(), ctx.pick(["application/hl7-v2", "text/plain"]), "acks.txt")


@template(S, "scanned-pdf", "yes")
def scan_intake_filled(ctx):
    """Yes: a scanned, filled-in intake form (handwriting-like values) with DOB and history."""
    c, fd, to = _clinic_pair(ctx, ("", "Front Desk Lead"))
    p = ctx.patient()
    lines = ["# NEW PATIENT INTAKE", "", f"Name:  {p['first']} {p['mi']}. {p['last']}",
             f"Birth date:  {fmt_date(p['dob'], ctx.pick(['us', 'us_short', 'long']))}", f"Address:  {p['street']}, {p['city']}",
             f"Phone:  {p['phone']}", "", "Medical history (check all):", f"  [x] {ctx.dx()}   [x] {ctx.dx()}",
             f"Current medications:  {ctx.med()}", "Allergies:  NKDA", "", "Signature: ______________________"]
    pdf = scanned_pdf([lines], ctx.rng)
    m = text_message(ctx, fd, to, "intake", "Intake packet scanned for tomorrow's new patient." + signature(ctx, fd, 4))
    return attach(m, pdf, "application/pdf", "intake_" + ctx.digits(5) + ".pdf")


@template(S, "scanned-pdf", "no")
def scan_staff_schedule(ctx):
    """No: a scanned weekly staff schedule."""
    c, mgr, to = _clinic_pair(ctx, ("RN", "Nurse Manager"))
    lines = ["# STAFF SCHEDULE - WEEK OF " + fmt_date(ctx.future_date(1, 7), "us"), "", "Name                 Mon  Tue  Wed  Thu  Fri"]
    for _ in range(9):
        s = ctx.staff(c)
        lines.append(f"{s['name']:<21}" + "  ".join(ctx.pick(["D ", "N ", "--", "D "]) + " " for _ in range(5)))
    pdf = scanned_pdf([lines], ctx.rng)
    m = text_message(ctx, mgr, to, "schedule", "Posted schedule, scanned." + signature(ctx, mgr))
    return attach(m, pdf, "application/pdf", "schedule_scan.pdf")


@template(S, "filename", "yes")
def fname_zip_patient_records(ctx):
    """Yes: 'Records_Lastname_First_DOB.zip' holding innocuous file names and text."""
    c, him, _ = _clinic_pair(ctx, ("", "Release of Information"))
    other = ctx.clinic()
    p = ctx.patient()
    z = make_zip([("cover.txt", "Records enclosed per request.\n"), ("page1.txt", "See enclosed.\n")])
    m = text_message(ctx, him, ctx.staff(other), "records request", "Records attached per your request." + signature(ctx, him))
    return attach(m, z, "application/zip", f"{ctx.pick(['MedicalRecords', 'Chart', 'ROI_records'])}_{p['last']}_{p['first']}_{fmt_date(p['dob'], ctx.pick(['compact', 'iso']))}.zip")


@template(S, "filename", "no")
def fname_staff_headshots(ctx):
    """No: a staff photo for the website named after the clinician."""
    c, mk, to = _clinic_pair(ctx, ("", "Marketing"))
    s = ctx.staff(c, ("MD", "Physician"))
    png = scanned_pdf([[f"# Dr. {s['name']}", "Family Medicine", "Accepting new patients"]], ctx.rng)
    m = text_message(ctx, mk, to, "bio for website", "Bio card for the new doctor page." + signature(ctx, mk))
    return attach(m, png, "application/pdf", f"Dr_{s['last']}_{s['first']}_bio.pdf")


@template(S, "names-dates", "yes")
def nd_iso_and_age(ctx):
    """Yes: untitled name + ISO/compact DOB + a procedure, spread across a short note."""
    c, a, b = _clinic_pair(ctx, ("", "Referral Coordinator"))
    p = ctx.patient()
    body = (f"Auth approved.\n\n{p['first']} {p['last']}\n{fmt_date(p['dob'], ctx.pick(['iso', 'compact', 'dots_dmy', 'dmon_yy']))}\n"
            f"{ctx.proc()} — auth #{ctx.digits(9)} valid through {fmt_date(ctx.future_date(30, 90), 'us')}" + signature(ctx, a, 1))
    return text_message(ctx, a, b, "auth approved", body)


@template(S, "names-dates", "no")
def nd_dob_field_design(ctx):
    """No: discussion of the DOB field format on a new form — no individual."""
    c, inf, b = _clinic_pair(ctx, ("RN", "Clinical Informatics"))
    body = ("For the new intake form: make DOB a required field with MM/DD/YYYY format, and add 'preferred name' and "
            "'pronouns'. The SSN field goes away (last 4 only for billing). Patient name fields stay as they are." + signature(ctx, inf))
    return text_message(ctx, inf, b, "intake form fields", body)


@template(S, "identifiers", "yes")
def id_mbi_table_plain(ctx):
    """Yes: a list of Medicare patients with spaced/lower-case MBIs and last visit dates."""
    c, el, to = _clinic_pair(ctx, ("", "Eligibility Specialist"))
    lines = []
    for _ in range(ctx.rng.randint(2, 5)):
        p = ctx.patient(lo_age=66)
        lines.append(f"{p['last']}, {p['first']}  {ctx.mbi(ctx.pick(['lower', 'spaces']))}  last seen {fmt_date(ctx.past_date(30, 300), 'us_short')}")
    body = "AWV eligible:\n" + "\n".join(lines) + signature(ctx, el, 4)
    return text_message(ctx, el, to, "AWV list", body)


@template(S, "numbers", "no")
def num_npi_dea_roster(ctx):
    """No: provider roster with NPIs (Luhn-valid with 80840) and DEA-style numbers."""
    c, cred, to = _clinic_pair(ctx, ("", "Credentialing Specialist"))
    lines = [f"{s['name']}, {s['cred'] or 'MD'}: NPI {ctx.npi()}, DEA {ctx.pick('ABFM')}{s['last'][0].upper()}{ctx.digits(7)}"
             for s in (ctx.staff(c, ("MD", "Physician")) for _ in range(ctx.rng.randint(3, 6)))]
    return text_message(ctx, cred, to, "provider numbers for payer enrollment", "\n".join(lines) + signature(ctx, cred))


@template(S, "numbers", "no")
def num_gift_of_conference(ctx):
    """No: conference registration confirmation with a Luhn-valid 16-digit confirmation number."""
    c, doc, to = _clinic_pair(ctx, ("MD", "Physician"), ("", "Executive Assistant"))
    conf = ctx.luhn16()
    body = (f"Registration confirmed for the Primary Care Update. Confirmation {conf}. Hotel booking ref {ctx.digits(10)}. "
            f"Order total $695.00 charged to the department account. Please file for CME reimbursement." + signature(ctx, doc, 3))
    return text_message(ctx, doc, to, "conference registration", body)


@template(S, "sensitive", "yes")
def sens_hiv_viral_load(ctx):
    """Yes: viral load result and ART regimen for a named patient."""
    c, id_, ma = _clinic_pair(ctx, ("MD", "Infectious Disease"), ("MA", "Medical Assistant"))
    p = ctx.patient(lo_age=20)
    body = (f"{p['first']} {p['last']}: VL {ctx.pick(['undetectable', '<20 copies', '1,240 copies'])}, CD4 {ctx.rng.randint(180, 900)}. "
            f"Continue {ctx.hiv_med()}. Schedule 3-month f/u." + signature(ctx, id_, 3))
    return text_message(ctx, id_, ma, "labs", body)


@template(S, "sensitive", "no")
def sens_program_announcement(ctx):
    """No: announcement of a perinatal-mood group and HIV testing day — about no one."""
    c, bh, to = _clinic_pair(ctx, ("LCSW", "Behavioral Health Manager"))
    body = ("Two things for your patients: our perinatal mood & anxiety group starts next month (self-referral OK), and "
            "free rapid HIV testing day is Saturday with PrEP navigation on site. Flyers at the front desk." + signature(ctx, bh))
    return text_message(ctx, bh, {"name": "Clinical Staff", "email": f"clinical@{c['domain']}"}, "BH group + HIV testing day", body)


@template(S, "billing", "yes")
def bill_claim_status_reply(ctx):
    """Yes: reply to a payer about a claim: claim no., member, DOS, CPT (quoted original)."""
    c, bill, _ = _clinic_pair(ctx, ("", "Billing Specialist"))
    v = ctx.vendor()
    p = ctx.patient()
    orig = (f"Claim {ctx.digits(11)} for member {p['member']} ({p['first'][0]}. {p['last']}), DOS {fmt_date(ctx.past_date(20, 90), 'us')}, "
            f"CPT {ctx.pick(['99214', '45378', '93306', '20610'])} denied: missing modifier.")
    body = ("Corrected claim resubmitted today with modifier 25." + signature(ctx, bill) + "\n> " + orig + "\n")
    return text_message(ctx, bill, {"name": v["name"], "email": v["email"]}, "RE: claim denial", body)


@template(S, "reminder", "yes")
def remind_with_reason_prep(ctx):
    """Yes: colonoscopy prep reminder naming the patient and procedure."""
    c = ctx.clinic()
    box = ctx.role_mailbox(c, "endoscopy")
    p = ctx.patient(lo_age=45)
    d = ctx.future_date(2, 14)
    body = (f"Dear {p['first']} {p['last']},\n\nYour colonoscopy is on {fmt_date(d, 'long')}. Start the clear liquid diet the day "
            "before and take the first half of your prep at 6 PM. Arrange a driver.\n\n" + c["name"] + " Endoscopy")
    return text_message(ctx, box, p, "Your procedure prep instructions", body)


@template(S, "hr", "no")
def hr_open_enrollment_deductions(ctx):
    """No: payroll deductions table after open enrollment, by employee ID."""
    c, hr, to = _clinic_pair(ctx, ("", "Benefits Coordinator"), ("", "Payroll"))
    rows = [[ctx.digits(6), ctx.pick(["Medical PPO", "Medical HDHP", "Dental", "Vision"]), ctx.pick(["EE", "EE+SP", "Family"]),
             f"${ctx.rng.randint(20, 400)}.{ctx.digits(2)}"] for _ in range(ctx.rng.randint(4, 9))]
    html = html_doc("<p>Deduction changes effective 1/1:</p>" + html_table(["Emp ID", "Plan", "Tier", "Per pay"], rows) + sig_html(ctx, hr))
    return html_message(ctx, hr, to, "OE deduction changes", html)


@template(S, "benefits", "no")
def benefits_eap_reminder(ctx):
    """No: EAP and flu-shot reminder to one employee ('Hi <name>'), no health fact about them."""
    c, hr, _ = _clinic_pair(ctx, ("", "Benefits Coordinator"))
    e = ctx.staff(c)
    body = (f"Hi {e['first']},\n\nReminder that the Employee Assistance Program offers six free counseling sessions, "
            "and employee flu shots are available in Employee Health until the 15th. Dependents can get screenings "
            "at 100% coverage in network." + signature(ctx, hr))
    return text_message(ctx, hr, e, "Your benefits reminder", body)


@template(S, "training", "no")
def training_secure_email_howto(ctx):
    """No: how-to for sending secure email, with a masked example."""
    c, it, _ = _clinic_pair(ctx, ("", "IT Support"))
    body = ("To send encrypted email, put [secure] in the subject. Example: '[secure] lab results for J.S.' — never put "
            "a patient's name or DOB in the subject line. Messages with SSNs (e.g. XXX-XX-1234) are encrypted automatically."
            + signature(ctx, it))
    return text_message(ctx, it, {"name": "All Staff", "email": f"allstaff@{c['domain']}"}, "How to send secure email", body)


@template(S, "w9", "no")
def w9_new_vendor_setup(ctx):
    """No: new vendor setup form asking for W-9, remit address and banking (no numbers)."""
    c, ap, _ = _clinic_pair(ctx, ("", "Accounts Payable"))
    v = ctx.vendor()
    html = html_doc(f"<p>Hello {v['first']},</p><p>To set up {v['company']} as a vendor please return:</p>"
                    "<ol><li>Signed W-9 (Rev. March 2024)</li><li>Remit-to address</li><li>ACH form</li><li>Certificate of insurance</li></ol>"
                    f"<p>Our tax ID is {ctx.ein()} for your records.</p>" + sig_html(ctx, ap))
    return html_message(ctx, ap, {"name": v["name"], "email": v["email"]}, "Vendor setup", html)


@template(S, "it-notice", "no")
def it_new_laptops(ctx):
    """No: laptop refresh notice with asset tags and serial numbers."""
    c, it, e = _clinic_pair(ctx, ("", "IT Support"))
    body = (f"Hi {e['first']}, your replacement laptop (asset {ctx.digits(6)}, S/N {ctx.digits(4)}-{ctx.digits(4)}-{ctx.digits(4)}) "
            f"is ready. Bring the old one to IT on {fmt_date(ctx.future_date(1, 7), 'weekday')}." + signature(ctx, it))
    return text_message(ctx, it, e, "Laptop refresh", body)


@template(S, "logistics", "no")
def logistics_holiday_party(ctx):
    """No: holiday party RSVP logistics."""
    c, a, _ = _clinic_pair(ctx, ("", "Executive Assistant"))
    body = (f"Holiday party {fmt_date(ctx.future_date(10, 30), 'weekday')} at 6 PM, {ctx.fk.company()} Hall. RSVP by Friday; "
            "plus-ones welcome. Shuttle from the main lot every 20 minutes." + signature(ctx, a))
    return text_message(ctx, a, {"name": "All Staff", "email": f"allstaff@{c['domain']}"}, "Holiday party", body)


@template(S, "deid-report", "no")
def deid_noshow_rates_csv(ctx):
    """No: no-show rates by clinic and weekday as a CSV attachment."""
    c, an, to = _clinic_pair(ctx, ("", "Data Analyst"))
    rows = [[site, day, f"{ctx.rng.uniform(4, 22):.1f}%"] for site in ["Main", "Eastside", "Telehealth"] for day in ["Mon", "Tue", "Wed", "Thu", "Fri"]]
    m = text_message(ctx, an, to, "no-show rates", "Aggregate no-show rates attached." + signature(ctx, an))
    return attach(m, make_csv(["site", "weekday", "no_show_rate"], rows), "text/csv", "noshow_rates.csv")


@template(S, "reply-forward", "yes")
def reply_top_posted_outlook_chain(ctx):
    """Yes: three-level Outlook chain; only the oldest message names the patient and the diagnosis."""
    c, a, b = _clinic_pair(ctx, ("", "Referral Coordinator"), ("RN", "Care Coordinator"))
    d = ctx.staff(c, ("MD", "Physician"))
    p = ctx.patient()
    when = ctx.sent_at()
    oldest = (f"Please set up {ctx.specialty()} for {p['first']} {p['last']} — {ctx.dx()}, needs to be seen within 2 weeks.\n{d['name']}, MD")
    mid = f"Which office does {p['she']} prefer?\n" + b["first"]
    body = (f"Called {p['her_obj']}, {p['she']} prefers the north office. Sending today." + signature(ctx, a, 0)
            + "\n" + f"From: {b['name']}\nSent: {when.strftime('%m/%d/%Y %I:%M %p')}\nSubject: RE: referral\n\n{mid}\n\n"
            + f"From: {d['name']}\nSent: {(when - dt.timedelta(hours=3)).strftime('%m/%d/%Y %I:%M %p')}\nSubject: referral\n\n{oldest}\n")
    return text_message(ctx, a, b, "RE: RE: referral", body)


@template(S, "reply-forward", "no")
def fwd_quoted_hipaa_reminder(ctx):
    """No: forward of a compliance reminder that quotes policy about PHI."""
    c, mgr, to = _clinic_pair(ctx, ("", "Practice Manager"))
    comp = ctx.staff(c, ("", "Compliance Officer"))
    inner = ("Reminder: do not text photos of patients or charts. Do not put PHI in calendar invites. Report lost badges.")
    body = ("Team — please read, this came up at the audit." + signature(ctx, mgr, 4)
            + f"\n---------- Forwarded message ---------\nFrom: {comp['name']} <{comp['email']}>\nSubject: privacy reminder\n\n{inner}\n")
    return text_message(ctx, mgr, to, "Fwd: privacy reminder", body)


# ------------------------------------------------------------------ legacy-formats

@template(S, "legacy-formats", "yes")
def xls_legacy_census(ctx):
    """Yes: an Excel 97-2003 (OLE2) census: names, DOBs (serial dates), rooms, diagnoses."""
    c, cn, to = _clinic_pair(ctx, ("RN", "Charge Nurse"))
    rows = []
    for _ in range(ctx.rng.randint(5, 14)):
        p = ctx.patient(lo_age=25)
        rows.append([str(ctx.rng.randint(201, 340)), f"{p['last']}, {p['first']}", p["dob"], ctx.pick(SHORTHAND_DX)])
    x = make_xls(["Bed", "Patient", "DOB", "Dx"], rows, ctx.pick(["MM/DD/YYYY", "DD-MMM-YY", "M/D/YY"]))
    m = text_message(ctx, cn, to, "census", "Tonight's census (old template, sorry)." + signature(ctx, cn, 3))
    return attach(m, x, ctx.pick(["application/vnd.ms-excel", "application/octet-stream"]), "census.xls")


@template(S, "legacy-formats", "yes")
def gz_appointments_export(ctx):
    """Yes: a gzipped CSV export of tomorrow's appointments (names, DOBs, reasons)."""
    c, it, _ = _clinic_pair(ctx, ("", "EHR Analyst"))
    v = ctx.vendor()
    rows = []
    for _ in range(ctx.rng.randint(6, 20)):
        p = ctx.patient()
        rows.append([p["mrn"], p["last"], p["first"], fmt_date(p["dob"], "iso"), ctx.pick(["annual", "f/u " + ctx.dx(), ctx.proc()])])
    gz = gzip_bytes(make_csv(["mrn", "last", "first", "dob", "reason"], rows))
    m = text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "sample export for the reminder vendor",
                     "Here is a sample of the nightly export so you can build the parser." + signature(ctx, it))
    return attach(m, gz, ctx.pick(["application/gzip", "application/x-gzip", "application/octet-stream"]), f"appts_{TODAY:%Y%m%d}.csv.gz")


@template(S, "legacy-formats", "no")
def vcard_vendor_rep(ctx):
    """No: a vendor rep's contact card forwarded to a colleague."""
    c, mgr, to = _clinic_pair(ctx, ("", "Practice Manager"))
    v = ctx.vendor()
    card = vcard(v["first"], v["last"], org=v["company"], title="Territory Manager", phone=ctx.phone(), email_addr=v["email"],
                 note="Rep for exam tables and autoclave service.")
    m = text_message(ctx, mgr, to, "contact for the autoclave", "Call them about the autoclave service contract." + signature(ctx, mgr, 4))
    return attach(m, card, ctx.pick(["text/vcard", "text/x-vcard"]), f"{v['first']} {v['last']}.vcf")


@template(S, "legacy-formats", "no")
def xls_fee_schedule(ctx):
    """No: a legacy .xls fee schedule (CPT codes, prices, effective dates)."""
    c, bill, to = _clinic_pair(ctx, ("", "Revenue Cycle Manager"))
    rows = [[cpt, desc, float(ctx.rng.randint(40, 900)), dt.date(2027, 1, 1)] for cpt, desc in
            [("99213", "Office visit, est, low"), ("99214", "Office visit, est, moderate"), ("93000", "ECG"),
             ("36415", "Venipuncture"), ("90686", "Flu vaccine"), ("45378", "Colonoscopy, diagnostic")]]
    x = make_xls(["CPT", "Description", "Fee", "Effective"], rows)
    m = text_message(ctx, bill, to, "2027 fee schedule", "Fee schedule for 2027 attached (xls for the old PM system)." + signature(ctx, bill))
    return attach(m, x, "application/vnd.ms-excel", "fees_2027.xls")


# ================================================================== dev: further variety

@template(S, "billing", "no")
def bill_charge_capture_tip(ctx):
    """No: coding tip about E/M levels and modifiers — no individual."""
    c, cod, _ = _clinic_pair(ctx, ("CPC", "Coding Specialist"))
    body = ("Coding tip of the week: modifier 25 only when a significant, separately identifiable E/M is documented on the "
            "same day as a procedure. For A1c point-of-care use 83036-QW. Denials for CO-16 went down 12% last month!"
            + signature(ctx, cod))
    return text_message(ctx, cod, {"name": "Providers", "email": f"providers@{c['domain']}"}, "coding tip", body)


@template(S, "reminder", "no")
def remind_daylight_hours(ctx):
    """No: hours-change announcement from the front desk to a patient list."""
    c = ctx.clinic()
    box = ctx.role_mailbox(c, "frontdesk")
    body = (f"Starting {fmt_date(ctx.future_date(5, 20), 'long')} we open at 7:30 AM on weekdays and offer Saturday morning "
            "urgent care. Same-day appointments available — call or book online.")
    return text_message(ctx, box, {"name": "", "email": f"patients@lists.{c['domain']}"}, "New hours", body)


@template(S, "marketing", "no")
def marketing_lab_vendor_html(ctx):
    """No: a lab vendor's HTML promotion forwarded internally (panels, pricing)."""
    c, mgr, to = _clinic_pair(ctx, ("", "Practice Manager"))
    v = ctx.vendor()
    html = html_doc("<p>Thoughts? Pricing looks better than our current lab.</p>" + sig_html(ctx, mgr)
                    + f"<hr><h2>{v['company']} Lab Services</h2><p>Courier pickup twice daily, results in 24h, "
                    "STI panels, A1c, lipid and thyroid panels at flat rates.</p>"
                    + html_table(["Panel", "Price"], [["CMP", "$9"], ["Lipid", "$11"], ["A1c", "$8"], ["GC/CT NAAT", "$24"]], 1))
    return html_message(ctx, mgr, to, "FW: lab pricing", html)


@template(S, "scanned-pdf", "yes")
def scan_prescription_png_in_pdf(ctx):
    """Yes: scanned prescription (two pages: Rx + pharmacy fax-back) naming the patient and drug."""
    c, doc, _ = _clinic_pair(ctx, ("MD", "Physician"))
    v = ctx.vendor()
    p = ctx.patient(lo_age=18)
    rx = ctx.pick([ctx.med(), ctx.hiv_med() + " 1 tab daily"])
    p1 = [f"# {c['name']}", f"Dr. {doc['name']}   NPI {ctx.npi()}", "", f"Patient: {p['name']}",
          f"DOB: {fmt_date(p['dob'], ctx.pick(['us', 'dots']))}", f"Address: {p['street']}, {p['city']}", "", f"Rx: {rx}",
          f"Disp: #{ctx.pick([30, 90])}   Refills: {ctx.rng.randint(0, 5)}", "", "Signature: ________________"]
    p2 = ["# PHARMACY FAX-BACK", "", "[ ] Filled   [ ] Needs prior auth   [ ] Out of stock", "Pharmacist: __________"]
    pdf = scanned_pdf([p1, p2], ctx.rng)
    m = text_message(ctx, doc, {"name": v["name"], "email": f"rx@{v['domain']}"}, "Rx", "Please see attached prescription." + signature(ctx, doc))
    return attach(m, pdf, "application/pdf", f"rx_{ctx.digits(6)}.pdf")


@template(S, "calendar", "yes")
def cal_patient_group_visit_ics(ctx):
    """Yes: application/ics for a diabetes group visit listing patient attendees by name."""
    c, cde, doc = _clinic_pair(ctx, ("RN", "Diabetes Educator"), ("MD", "Endocrinologist"))
    pts = [ctx.patient(lo_age=30) for _ in range(ctx.rng.randint(3, 6))]
    start = dt.datetime.combine(ctx.future_date(3, 20), dt.time(10, 0))
    cal = ics(ctx, c["domain"], "Diabetes group visit (shared medical appointment)",
              "Patients: " + "; ".join(f"{p['first']} {p['last']}" for p in pts) + ". Bring glucose logs.", start, 90, cde, [doc], "Classroom B")
    m = new_message(ctx, cde, doc, "Group visit")
    m.set_content("Invite for the group visit with the patient list.")
    return attach(m, cal.encode(), ctx.pick(["application/ics", "text/calendar"]), "group_visit.ics")


@template(S, "shorthand", "yes")
def sh_age_over_89(ctx):
    """Yes: no name, but an age over 89 with a diagnosis and a room (ages > 89 are identifiers)."""
    c, hosp, to = _clinic_pair(ctx, ("MD", "Hospitalist"), ("RN", "Case Manager"))
    age = ctx.rng.randint(90, 101)
    body = (f"{age}yo {ctx.pick(['F', 'M'])} in {ctx.rng.randint(300, 480)}B w/ {ctx.pick(['CHF', 'AFib', 'CKD3', 'COPD', 'HTN', 'UTI', 'PNA', 'AKI', 'CVA', 'TIA'])} + fall at home, "
            f"lives alone. Needs SNF placement — can you start the auth?" + signature(ctx, hosp, 3))
    return text_message(ctx, hosp, to, "SNF", body)


@template(S, "names-dates", "yes")
def nd_titled_name_dx_only(ctx):
    """Yes: a titled surname beside a diagnosis, no other context word."""
    c, a, b = _clinic_pair(ctx, ("NP", "Nurse Practitioner"), ("MA", "Medical Assistant"))
    p = ctx.patient()
    t = "Mrs." if p["sex"] == "F" and ctx.chance(0.5) else ("Ms." if p["sex"] == "F" else "Mr.")
    body = f"{t} {p['last']} — {ctx.dx()}, {ctx.pick(['improving', 'worse', 'stable', 'new'])}." + signature(ctx, a, 3)
    return text_message(ctx, a, b, ctx.pick(["fyi", "update", "."]), body)


@template(S, "scanned-pdf", "yes")
def img_jpeg_whiteboard(ctx):
    """Yes: a phone photo (JPEG) of the clinic whiteboard listing patients by room and reason."""
    c, rn, mgr = _clinic_pair(ctx, ("RN", "Charge Nurse"), ("", "Practice Manager"))
    lines = ["# ROOM BOARD"]
    for i in range(1, ctx.rng.randint(4, 7)):
        p = ctx.patient()
        lines.append(f"Rm {i}  {p['last']}, {p['first'][0]}.   {ctx.pick(['BP check', 'wound care', 'A1c f/u', 'CHF f/u', 'post-op', 'SI screen'])}")
    jpg = photo_jpeg(lines, ctx.rng)
    m = text_message(ctx, rn, mgr, "board", "This is why we need a privacy screen on the board." + signature(ctx, rn, 3))
    return attach(m, jpg, "image/jpeg", f"IMG_{ctx.digits(4)}.JPG")


@template(S, "scanned-pdf", "no")
def img_inline_logo_signature(ctx):
    """No: HTML mail whose only image is the clinic logo, inline and referenced by cid:."""
    c, mgr, to = _clinic_pair(ctx, ("", "Practice Manager"))
    inner = (f"<p>Hi {to['first']},</p><p>The new patient-education brochures arrived; I left a box at your front desk.</p>"
             + sig_html(ctx, mgr))
    return html_with_inline_logo(ctx, mgr, to, "brochures", f"Hi {to['first']}, the brochures arrived.", inner, c["name"])


@template(S, "legacy-formats", "yes")
def octet_stream_csv_noext(ctx):
    """Yes: application/octet-stream without an extension holding a CSV of patients and results."""
    c, lab, to = _clinic_pair(ctx, ("", "Lab Manager"))
    rows = []
    for _ in range(ctx.rng.randint(4, 10)):
        p = ctx.patient()
        n, v, u = ctx.lab()
        rows.append([p["last"], p["first"], fmt_date(p["dob"], "us"), n, v])
    m = text_message(ctx, lab, to, "export", "Raw export from the analyser." + signature(ctx, lab))
    return attach(m, make_csv(["last", "first", "dob", "test", "result"], rows).encode(), "application/octet-stream", "EXPORT")


# ================================================================== dev: structural variety

@template(S, "xlsx", "yes")
def xlsx_transposed_form(ctx):
    """Yes: a one-patient form in a workbook with labels down column A and values in column B."""
    c, cm, to = _clinic_pair(ctx, ("RN", "Case Manager"))
    p = ctx.patient(lo_age=50)
    rows = [["Last name", p["last"]], ["First name", p["first"]], ["Date of birth", p["dob"]],
            ["Discharge date", ctx.past_date(1, 5)], ["Diagnosis", ctx.dx()], ["Home health agency", ctx.vendor()["company"]]]
    x = make_xlsx([("Referral", ["Field", "Value"], rows, ctx.pick(["m/d/yyyy", "d-mmm-yyyy"]))])
    m = text_message(ctx, cm, to, "HH referral", "Home health referral form attached." + signature(ctx, cm))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "hh_referral.xlsx")


@template(S, "numbers", "no")
def num_card_shaped_order_ref(ctx):
    """No: an order reference laid out like a card number (4-4-4-4, Luhn-valid) with no card context."""
    c, a, b = _clinic_pair(ctx, ("", "Office Manager"))
    ref = ctx.luhn16(ctx.pick(["4", "5"]))
    body = (f"Our toner order went through — order reference {ref[:4]} {ref[4:8]} {ref[8:12]} {ref[12:]}, delivery "
            f"{fmt_date(ctx.future_date(2, 6), 'weekday')}. PO {ctx.digits(6)}." + signature(ctx, a, 4))
    return text_message(ctx, a, b, "toner order", body)


@template(S, "reply-forward", "yes")
def reply_quoted_html_blockquote(ctx):
    """Yes: HTML reply whose <blockquote> history names a patient with a result."""
    c, doc, ma = _clinic_pair(ctx, ("MD", "Physician"), ("MA", "Medical Assistant"))
    p = ctx.patient()
    n, v, u = ctx.lab()
    html = html_doc(f"<p>Yes, call in the refill.</p>" + sig_html(ctx, doc)
                    + f"<div style='border-left:2px solid #ccc;padding-left:8px'><p><b>From:</b> {ma['name']}<br><b>Subject:</b> refill</p>"
                    f"<blockquote>{p['first']} {p['last']} is asking for a refill of {ctx.med()}. Last {n} was {v} {u}.</blockquote></div>")
    return html_message(ctx, doc, ma, "RE: refill", html)


@template(S, "identifiers", "yes")
def id_member_id_xlsx_header(ctx):
    """Yes: member IDs only, under a 'Member ID' header in a small workbook (rule B)."""
    c, el, to = _clinic_pair(ctx, ("", "Eligibility Specialist"))
    rows = [[ctx.member_id(), ctx.pick(["Active", "Termed", "Pending"]), ctx.past_date(0, 30)] for _ in range(ctx.rng.randint(3, 9))]
    x = make_xlsx([("Check", ["Member ID", "Status", "Checked"], rows)])
    m = text_message(ctx, el, to, "eligibility results", "Results attached." + signature(ctx, el, 4))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "elig.xlsx")


# ------------------------------------------------------------------ issue 14, second pass
# Kinds the held-out split was missed on (described by category only; these templates are
# written fresh for dev), each beside a negative that looks like it.

def _clock(ctx, lo=7, hi=17):
    return fmt_time(dt.time(ctx.rng.randint(lo, hi), ctx.pick([0, 15, 30, 45])))


@template(S, "sensitive", "yes")
def roster_iop_group_attendance(ctx):
    """Yes: an intensive outpatient group's attendance list — being in the group is a health fact."""
    c, lead, mgr = _clinic_pair(ctx, ("LCSW", "Group Facilitator"), ("", "Program Manager"))
    group = ctx.pick(["IOP Group B", "DBT skills group", "Relapse prevention group", "Women's recovery group",
                      "Anger management group (court-referred)", "Grief group"])
    rows = [[p["name"], _clock(ctx, 9, 16), ctx.pick(["present", "late", "no-show", "left early"])]
            for p in [ctx.patient(lo_age=19) for _ in range(ctx.rng.randint(4, 8))]]
    if ctx.chance(0.5):
        lines = "\n".join(f"{r[0]:<24}{r[1]:<10}{r[2]}" for r in rows)
        body = (f"{group} — {fmt_date(ctx.past_date(1, 3), 'weekday')}\n\n{'Client':<24}{'In':<10}Status\n{lines}\n"
                + signature(ctx, lead, 3))
        return text_message(ctx, lead, mgr, "attendance", body)
    html = html_doc(f"<p>{group}, {fmt_date(ctx.past_date(1, 3), 'us')}</p>" + html_table(["Client", "Check-in", "Status"], rows, ctx.rng.randint(0, 2)) + sig_html(ctx, lead))
    return html_message(ctx, lead, mgr, "Group sign-in", html)


@template(S, "sensitive", "yes")
def roster_dialysis_transport(ctx):
    """Yes: a transport company's pickup list naming riders and where they are taken (dialysis, chemo)."""
    c, sched, _ = _clinic_pair(ctx, ("", "Transportation Scheduler"))
    v = ctx.vendor()
    rows = []
    for _ in range(ctx.rng.randint(3, 7)):
        p = ctx.patient(lo_age=40)
        rows.append([_clock(ctx, 5, 11), p["name"], p["street"],
                     ctx.pick(["dialysis chair 4", "dialysis", "infusion / chemo", "radiation tx", "wound clinic", "cardiac rehab"]),
                     ctx.pick(["wheelchair", "ambulatory", "walker", "stretcher"])])
    csv = make_csv(["Pickup", "Rider", "Address", "Destination", "Mobility"], rows)
    m = text_message(ctx, sched, {"name": v["name"], "email": f"dispatch@{v['domain']}"},
                     f"Runs for {fmt_date(ctx.future_date(1, 3), 'mon_d')}",
                     "Tomorrow's runs attached, same as usual." + signature(ctx, sched))
    return attach(m, csv, "text/csv", "runs.csv")


@template(S, "calendar", "yes")
def cal_invite_patient_name_only(ctx):
    """Yes: a provider's calendar invite whose title is the patient's name and the visit type."""
    c, ms, doc = _clinic_pair(ctx, ("", "Scheduler"), ("MD", "Physician"))
    p = ctx.patient()
    kind = ctx.pick(["New pt", "F/U", "Post-op check", "Consult", "Telehealth", "Procedure"])
    start = dt.datetime.combine(ctx.future_date(1, 20), dt.time(ctx.rng.randint(8, 16), ctx.pick([0, 20, 40])))
    summary = ctx.pick([f"{p['name']} - {kind}", f"{kind}: {p['first']} {p['last']}", f"{p['last']}, {p['first']} ({kind})"])
    cal = ics(ctx, c["domain"], summary, "", start, ctx.pick([20, 30, 40]), ms, [doc], ctx.pick(["Exam 3", "Room 12", "Zoom"]))
    m = new_message(ctx, ms, doc, summary if ctx.chance(0.5) else "Invitation")
    m.set_content("You have been invited to an event.")
    return attach(m, cal.encode(), ctx.pick(["text/calendar", "application/ics"]), "invite.ics")


@template(S, "calendar", "no")
def cal_invite_staff_one_on_one(ctx):
    """No: a one-on-one between two staff members (their names, a time, no patient)."""
    c, a, b = _clinic_pair(ctx)
    start = dt.datetime.combine(ctx.future_date(1, 20), dt.time(ctx.rng.randint(8, 16), 0))
    summary = ctx.pick([f"{a['first']} / {b['first']} 1:1", f"Check-in: {b['name']}", f"{b['name']} - coverage planning"])
    cal = ics(ctx, c["domain"], summary, "Agenda: schedule, PTO, coverage.", start, 30, a, [b], "Office")
    m = new_message(ctx, a, b, summary)
    m.set_content("Invite attached.")
    return attach(m, cal.encode(), "text/calendar", "invite.ics")


@template(S, "filename", "yes")
def fname_form_named_for_patient(ctx):
    """Yes: the message says nothing; the attached form's file name names the patient and the form kind."""
    c, a, b = _clinic_pair(ctx)
    p = ctx.patient()
    form = ctx.pick(["Intake", "Consent", "Referral", "Lab_Req", "Superbill", "New_Patient_Packet", "ROI", "HIPAA_Ack"])
    name = ctx.pick([f"{p['last']}_{p['first']}_{form}.pdf", f"{form} - {p['first']} {p['last']}.pdf",
                     f"{p['first']}{p['last']}_{form}_signed.pdf", f"{form}_{p['last'].upper()}_{p['first'].upper()}.pdf"])
    pdf = scanned_pdf([[f"# {form.replace('_', ' ').upper()} FORM", "", "Signature: ____________", "Date: ________"]], ctx.rng)
    m = text_message(ctx, a, b, ctx.pick(["scan", "form", "see attached", ""]), ctx.pick(["", "attached", "here you go"]) + signature(ctx, a, 3))
    return attach(m, pdf, "application/pdf", name)


@template(S, "filename", "no")
def fname_blank_form_templates(ctx):
    """No: blank form templates sent to the front desk; file names name forms, not people."""
    c, a, b = _clinic_pair(ctx)
    m = text_message(ctx, a, b, "Updated forms", "Please print from these going forward." + signature(ctx, a))
    for form in ctx.sample(["Intake_Form_2027", "Consent_to_Treat_v3", "Referral_Request_blank", "Superbill_template", "ROI_form_EN_ES"], 2):
        pdf = scanned_pdf([[f"# {form.replace('_', ' ').upper()}", "", "Name: ____________", "DOB: ____________"]], ctx.rng)
        attach(m, pdf, "application/pdf", f"{form}.pdf")
    return m


@template(S, "reminder", "yes")
def sms_reminder_via_gateway(ctx):
    """Yes: an appointment reminder to a patient's phone through an email-to-SMS gateway."""
    c, ms, _ = _clinic_pair(ctx, ("", "Scheduler"))
    p = ctx.patient()
    d = ctx.future_date(1, 10)
    doc = ctx.staff(c, ("MD", "Physician"))
    text = ctx.pick([
        f"{p['first']}, reminder: appt w/ Dr {doc['last']} {fmt_date(d, 'short_md')} {_clock(ctx)}. Reply C to confirm, R to reschedule.",
        f"Hi {p['first']}! {c['name']}: you're scheduled {fmt_date(d, 'mon_d')} at {_clock(ctx)}. Arrive 15 min early. Txt STOP to opt out",
        f"{c['name']} reminder for {p['first']} {p['last'][0]}.: {fmt_date(d, 'short_md')} @ {_clock(ctx)} with {doc['first']} {doc['last']}. Call {c['phone']} to cancel."])
    to = {"name": "", "email": f"{p['phone'].replace('-', '').replace('(', '').replace(')', '').replace(' ', '')[-10:]}@{ctx.pick(['vtext.example', 'txt.att.example', 'tmomail.example'])}"}
    return text_message(ctx, ms, to, "", text)


@template(S, "reminder", "no")
def sms_marketing_blast(ctx):
    """No: a marketing text blast through the same gateway — no person, no appointment."""
    c, mk, _ = _clinic_pair(ctx, ("", "Marketing"))
    text = ctx.pick([f"{c['name']}: Flu shots now available, no appt needed! Walk in M-F 8-5. Txt STOP to opt out",
                     f"{c['name']} is now open Saturdays 9am-1pm. Book online anytime. Reply STOP to unsubscribe",
                     f"Reminder from {c['name']}: our office will be closed {fmt_date(ctx.future_date(3, 30), 'mon_d')} for the holiday."])
    to = {"name": "", "email": f"{ctx.digits(10)}@{ctx.pick(['vtext.example', 'txt.att.example'])}"}
    return text_message(ctx, mk, to, "", text)


@template(S, "zip-csv", "yes")
def lds_icd10_extract(ctx):
    """Yes: a limited data set (dates of service, ZIP codes, ICD-10 codes, ages; no names) sent to a registry."""
    c, an, _ = _clinic_pair(ctx, ("", "Data Analyst"))
    v = ctx.vendor()
    codes = ["E11.9", "I50.9", "J44.1", "N18.3", "F32.1", "I10", "E78.5", "M17.11", "K21.9", "O24.410", "Z79.4", "F41.1"]
    rows = [[f"{ctx.rng.randint(10000, 99999)}", fmt_date(ctx.past_date(5, 200), "us"), f"{ctx.rng.randint(18, 88)}",
             ctx.pick(["F", "M"]), ctx.pick(codes), ctx.pick(codes)] for _ in range(ctx.rng.randint(8, 20))]
    csv = make_csv(["zip", "service_date", "age", "sex", "dx1", "dx2"], rows)
    m = text_message(ctx, an, {"name": v["name"], "email": v["email"]}, "Q3 extract",
                     "Extract per the data use agreement attached." + signature(ctx, an))
    return attach(m, make_zip([("extract_q3.csv", csv)]), "application/zip", "extract_q3.zip")


@template(S, "spanish", "yes")
def es_dev_citas_con_nacimiento(ctx):
    """Yes: a Spanish HTML table of patients with their dates of birth and appointments."""
    c, a, b = _clinic_pair(ctx)
    rows = []
    for _ in range(ctx.rng.randint(3, 6)):
        p = ctx.patient(es=True)
        rows.append([f"{p['first']} {p['last']}", fmt_date(p["dob"], ctx.pick(["es", "us", "dots_dmy"])),
                     fmt_date(ctx.future_date(1, 14), "es")])
    head = ctx.pick([["Paciente", "Fecha de nacimiento", "Cita"], ["Nombre", "F. Nacimiento", "Próxima cita"],
                     ["Nombre completo", "Fecha nac.", "Fecha de cita"]])
    html = html_doc(f"<p>{ctx.pick(['Hola', 'Buenos días'])}, aquí la lista para confirmar:</p>" + html_table(head, rows, ctx.rng.randint(0, 2)) + sig_html(ctx, a))
    return html_message(ctx, a, b, ctx.pick(["Lista de citas", "Confirmaciones", "Pacientes de mañana"]), html)


@template(S, "identifiers", "yes")
def mrn_merge_request(ctx):
    """Yes: a request to merge duplicate charts, giving both record numbers with a label variant."""
    c, a, b = _clinic_pair(ctx, ("", "HIM Specialist"), ("", "EHR Analyst"))
    p = ctx.patient()
    label = ctx.pick(["MR#", "MRN#", "Med Rec #", "Medical Record No.", "EMPI", "Chart #", "MR No."])
    n1, n2 = ctx.digits(7), ctx.digits(7)
    body = ctx.pick([
        f"Duplicate charts — please merge {label} {n2} into {label} {n1} (surviving). Same pt, registered twice at intake.",
        f"Merge request:\n  Keep: {label} {n1}\n  Retire: {label} {n2}\nReason: duplicate registration, name misspelled.",
        f"Can you combine {label}{n1} and {label}{n2}? {p['first']} {p['last']} has two records."]) + signature(ctx, a)
    return text_message(ctx, a, b, ctx.pick(["Chart merge", "Duplicate MRN", "merge request"]), body)


@template(S, "identifiers", "no")
def record_merge_vendor_ids(ctx):
    """No: merging duplicate vendor records in the supply system (vendor numbers, no patient)."""
    c, a, b = _clinic_pair(ctx, ("", "Purchasing"), ("", "ERP Analyst"))
    v = ctx.vendor()
    body = (f"Two vendor records for {v['company']}: V{ctx.digits(6)} and V{ctx.digits(6)}. Please merge into the first "
            f"and move open PO {ctx.digits(7)} over." + signature(ctx, a))
    return text_message(ctx, a, b, "Vendor merge", body)


@template(S, "billing", "yes")
def card_authorization_form(ctx):
    """Yes: a card-on-file authorisation for a patient's balance (a card number with a clinical statement)."""
    c, bl, _ = _clinic_pair(ctx, ("", "Billing Specialist"))
    p = ctx.patient(lo_age=18)
    card = ctx.card()
    lines = ["CREDIT CARD AUTHORIZATION", f"Patient name: {p['name']}", f"Account: {ctx.digits(8)}",
             f"Cardholder: {p['name']}", f"Card #: {card}", f"Exp: {ctx.rng.randint(1, 12):02d}/{ctx.rng.randint(27, 31)}",
             f"Amount: ${ctx.rng.randint(40, 900)}.00 for {ctx.pick(['PT visits', 'office visit copays', 'the colonoscopy balance', 'counseling sessions'])}"]
    v = ctx.vendor()
    body = "\n".join(lines) + "\n" + signature(ctx, bl)
    return text_message(ctx, bl, {"name": v["name"], "email": f"payments@{v['domain']}"}, "card auth", body)


@template(S, "billing", "no")
def card_authorization_conference(ctx):
    """No: a card authorisation for a staff member's conference registration (no patient, no care)."""
    c, a, _ = _clinic_pair(ctx, ("", "Office Manager"))
    v = ctx.vendor()
    body = (f"Registration for {a['name']} — Regional Practice Management Summit\nCard ending {ctx.digits(4)}, "
            f"exp {ctx.rng.randint(1, 12):02d}/{ctx.rng.randint(27, 31)}\nAmount: $450.00 early bird" + signature(ctx, a))
    return text_message(ctx, a, {"name": v["name"], "email": f"events@{v['domain']}"}, "Registration", body)


@template(S, "scanned-pdf", "no")
def scan_inservice_signin_sheet(ctx):
    """No: a scanned staff in-service sign-in sheet (staff names, times, a training topic)."""
    c, edu, mgr = _clinic_pair(ctx, ("RN", "Nurse Educator"), ("", "Practice Manager"))
    topic = ctx.pick(["Hand hygiene", "Fall prevention", "Sepsis screening", "Insulin pen use", "Workplace violence", "Restraint policy"])
    lines = [f"# IN-SERVICE SIGN-IN: {topic.upper()}", f"Date: {fmt_date(ctx.past_date(1, 5), 'us')}   Presenter: {edu['name']}", "",
             "Name                 Dept        Time in"]
    for _ in range(ctx.rng.randint(5, 9)):
        s = ctx.staff(c)
        lines.append(f"{s['name']:<21}{ctx.pick(['3 West', 'ED', 'ICU', 'Clinic', 'OR', 'L&D']):<12}{_clock(ctx, 7, 15)}")
    pdf = scanned_pdf([lines], ctx.rng)
    m = text_message(ctx, edu, mgr, "in-service sign in", "Sign-in sheet attached for the education file." + signature(ctx, edu))
    return attach(m, pdf, "application/pdf", f"inservice_{ctx.digits(4)}.pdf")


@template(S, "hr", "no")
def it_ticket_ehr_access(ctx):
    """No: an IT ticket about a clinician's EHR access (staff name, ticket and asset numbers)."""
    c, it, user = _clinic_pair(ctx, ("", "Service Desk"), ("RN", "Staff Nurse"))
    body = (f"Ticket INC{ctx.digits(7)} — {ctx.pick(['Epic login locked out', 'Cannot print wristbands', 'Badge tap not working on WOW cart', 'Dragon dictation crash'])}\n"
            f"Caller: {user['name']} ({user['title']}), ext {user['ext']}\nAsset: WS-{ctx.digits(5)}\nPriority: P3\n"
            f"Opened {fmt_date(TODAY, 'us')} {_clock(ctx)}. Assigned to Desktop Support." + signature(ctx, it))
    return text_message(ctx, it, user, f"[INC{ctx.digits(7)}] updated", body)


@template(S, "hr", "no")
def staff_shift_roster(ctx):
    """No: next week's staffing roster (staff names, shifts and units)."""
    c, mgr, b = _clinic_pair(ctx, ("RN", "Charge Nurse"))
    rows = [[ctx.staff(c)["name"], ctx.pick(["7a-7p", "7p-7a", "8a-4:30p"]), ctx.pick(["3 West", "ICU", "ED", "Clinic"])] for _ in range(ctx.rng.randint(4, 8))]
    html = html_doc("<p>Staffing for next week:</p>" + html_table(["Name", "Shift", "Unit"], rows, ctx.rng.randint(0, 2)) + sig_html(ctx, mgr))
    return html_message(ctx, mgr, b, "Staffing", html)
