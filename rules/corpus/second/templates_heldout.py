"""Templates of the `heldout` split. None of these appears in `dev` (see templates_dev.py), and
they are written differently on purpose: other phrasings, layouts, orders, part structures and
(through Ctx.vocab) partly different clinical vocabulary. Each docstring names the deciding rule
of LABELLING.md."""

import datetime as dt

from lib import (template, text_message, html_message, new_message, attach, signature, sig_html,
                 fmt_date, fmt_time, ordinal, quote_lines, html_table, html_doc, make_xlsx, make_zip,
                 make_csv, make_xls, gzip_bytes, vcard, photo_jpeg, html_with_inline_logo, scanned_pdf, scanned_png, hl7_ts, fhir_patient, ics, jdump, addr, TODAY,
                 DOB_STYLES, SHORTHAND_DX, MONTHS, MESES, DIAS)

S = "heldout"


def _c(ctx, r1=None, r2=None):
    c = ctx.clinic()
    first = ctx.staff(c, r1)
    # the second person works at the same clinic or, as often, at a partner organisation
    other = c if ctx.chance(0.6) else ctx.clinic()
    return c, first, ctx.staff(other, r2)


def outlook_header(frm, to, when, subject):
    return (f"________________________________\nFrom: {frm['name']} <{frm['email']}>\n"
            f"Sent: {when.strftime('%A, %B %d, %Y %I:%M %p')}\nTo: {to['name']} <{to['email']}>\n"
            f"Subject: {subject}\n")


# ------------------------------------------------------------------ reply-forward

@template(S, "reply-forward", "yes")
def reply_inline_answers(ctx):
    """Yes: inline answers under an Outlook header; the quoted questions name patients."""
    c, mgr, rn = _c(ctx, ("", "Practice Manager"), ("RN", "Charge Nurse"))
    pts = [ctx.patient() for _ in range(2)]
    q = (f"1) {pts[0]['first']} {pts[0]['last']} called again about {pts[0]['her']} {ctx.proc()} — can we get {pts[0]['her_obj']} in sooner?\n"
         f"2) {pts[1]['last']}, {pts[1]['first']} (MRN {pts[1]['mrn']}) needs a new prior auth for {ctx.med().split()[0]}.\n"
         "3) Holiday coverage?")
    body = ("Answers inline in blue.\n\n" + outlook_header(rn, mgr, ctx.sent_at(), "questions")
            + "\n" + q.replace("\n2)", "\n  --> yes, use the Tuesday overbook slot\n2)")
            .replace("\n3)", "\n  --> Kim is working on it\n3)") + "\n  --> posted on the board" + signature(ctx, mgr, 4))
    return text_message(ctx, mgr, rn, "RE: questions", body)


@template(S, "reply-forward", "yes")
def fwd_gmail_discharge(ctx):
    """Yes: Gmail-style inline forward of a discharge notice (name, admit/discharge dates, dx)."""
    c, cm, pcp = _c(ctx, ("RN", "Case Manager"), ("MD", "Physician"))
    hosp = ctx.clinic()
    hs = ctx.staff(hosp, ("RN", "Discharge Planner"))
    p = ctx.patient(lo_age=50)
    adm = ctx.past_date(4, 12)
    dis = adm + dt.timedelta(days=ctx.rng.randint(2, 6))
    inner = (f"Discharge notification\n\nPatient: {p['last'].upper()}, {p['first'].upper()}\n"
             f"Admitted: {fmt_date(adm, 'us')}   Discharged: {fmt_date(dis, 'us')}\n"
             f"Principal dx: {ctx.dx()}\nFollow-up with PCP within 7 days.\n")
    body = (f"{pcp['first']}, FYI for TCM billing — please see within the week.\n\n"
            f"---------- Forwarded message ---------\nFrom: {hs['name']} <{hs['email']}>\n"
            f"Date: {ctx.sent_at().strftime('%a, %b %d, %Y at %I:%M %p')}\nSubject: Discharge notification\n"
            f"To: <{cm['email']}>\n\n{inner}")
    return text_message(ctx, cm, pcp, "Fwd: Discharge notification", body)


@template(S, "reply-forward", "yes")
def fwd_rfc822_portal_message(ctx):
    """Yes: the patient's own portal message (with DOB and symptom) attached as message/rfc822."""
    c, ma, doc = _c(ctx, ("MA", "Medical Assistant"), ("DO", "Physician"))
    p = ctx.patient()
    inner = new_message(ctx, {"name": "Patient Portal", "email": f"noreply@portal.{c['domain']}"}, ma,
                        "New patient message")
    inner.set_content(f"From: {p['name']}\nDate of birth: {fmt_date(p['dob'], ctx.pick(['us', 'dots', 'iso']))}\n\n"
                      f"Hi, I've had {ctx.pick(['chest tightness', 'a rash that keeps spreading', 'bad headaches', 'burning when I urinate'])} "
                      f"since {ctx.pick(['Saturday', 'last week', 'the new medication'])}. Should I come in?\n")
    m = new_message(ctx, ma, doc, "Fwd: New patient message")
    m.set_content(ctx.pick(["Can you advise? Message attached.", "See attached portal msg, pls advise",
                            "Attaching the portal message — triage?"]) + signature(ctx, ma, 3))
    m.add_attachment(inner)
    return m


@template(S, "reply-forward", "no")
def reply_it_ticket_thread(ctx):
    """No: a reply chain with an IT ticket (printer) quoted with '>' — staff only."""
    c, it, ma = _c(ctx, ("", "IT Support"), ("MA", "Medical Assistant"))
    tk = "RITM" + ctx.digits(7)
    orig = (f"Hi IT,\nThe label printer in exam room {ctx.rng.randint(1, 12)} keeps jamming and the wristband printer "
            f"at the front desk prints blank. Asset tag {ctx.digits(6)}.\nThanks, {ma['first']}")
    body = (f"Hi {ma['first']},\n\nTicket {tk} created; a tech will come by {ctx.pick(['this afternoon', 'tomorrow morning'])}.\n"
            + signature(ctx, it, 0) + f"\nOn {fmt_date(TODAY, 'long')}, {ma['name']} wrote:\n" + quote_lines(orig))
    return text_message(ctx, it, ma, f"RE: printer [{tk}]", body)


@template(S, "reply-forward", "no")
def fwd_rfc822_cme_newsletter(ctx):
    """No: a society CME newsletter forwarded as an attachment."""
    c, doc, res = _c(ctx, ("MD", "Physician"), ("MD", "Resident"))
    v = ctx.vendor()
    inner = new_message(ctx, {"name": v["company"], "email": f"news@{v['domain']}"}, doc, "CME: heart failure update")
    inner.set_content("This month: new guideline-directed therapy for HFrEF, SGLT2 inhibitors in CKD, and a case series "
                      "on NSTEMI in young adults. Earn 1.5 CME credits. Register by the 30th.\n")
    m = new_message(ctx, doc, res, "Fwd: CME: heart failure update")
    m.set_content("Worth a read before Thursday's conference." + signature(ctx, doc, 3))
    m.add_attachment(inner)
    return m


# ------------------------------------------------------------------ html-table

@template(S, "html-table", "yes")
def html_member_id_column(ctx):
    """Yes: eligibility results with names and member IDs under a 'Member ID' column header."""
    c, el, to = _c(ctx, ("", "Eligibility Specialist"), ("", "Front Desk Lead"))
    rows = []
    for _ in range(ctx.rng.randint(3, 8)):
        p = ctx.patient()
        rows.append([p["name"], p["member"], p["insurer"], ctx.pick(["Active", "Termed", "Active - copay $30", "Pending"])])
    html = html_doc("<p>Eligibility run for tomorrow's patients:</p>"
                    + html_table(["Name", "Member ID", "Plan", "Status"], rows, ctx.rng.randint(0, 2))
                    + "<p>Termed patients need self-pay estimate.</p>" + sig_html(ctx, el))
    return html_message(ctx, el, to, "eligibility 11/17", html)


@template(S, "html-table", "yes")
def html_form_label_cells(ctx):
    """Yes: a transfer request laid out as a label | value table (DOB label in its own cell)."""
    c, cm, _ = _c(ctx, ("RN", "Transfer Center"))
    other = ctx.clinic()
    p = ctx.patient(lo_age=20)
    rows = [["Patient", f"{p['last']}, {p['first']} {p['mi']}."], ["DOB", fmt_date(p["dob"], ctx.pick(DOB_STYLES))],
            ["Sex", p["sex"]], ["Account", ctx.digits(9)], ["Diagnosis", ctx.dx()], ["Accepting MD", f"Dr. {ctx.staff(other)['last']}"]]
    if ctx.chance(0.5):
        rows = rows[::-1][:3] + rows[:3][::-1]
    cells = "".join(f"<tr><td style='font-weight:bold;width:140px'>{a}</td><td>{b}</td></tr>" for a, b in rows)
    html = html_doc(f"<h3>Transfer request</h3><table cellspacing='0' cellpadding='5' border='1'>{cells}</table>" + sig_html(ctx, cm))
    return html_message(ctx, cm, ctx.staff(other, ("RN", "Transfer Center")), "Transfer request", html)


@template(S, "html-table", "no")
def html_or_block_utilisation(ctx):
    """No: OR block utilisation by surgeon with case-type counts — no patient rows."""
    c, mgr, to = _c(ctx, ("RN", "Perioperative Director"))
    rows = []
    for _ in range(ctx.rng.randint(4, 7)):
        s = ctx.staff(c, ("MD", "Surgeon"))
        rows.append([f"Dr. {s['last']}", f"{ctx.rng.randint(55, 98)}%", ctx.rng.randint(8, 40),
                     ctx.pick(["lap chole", "TKA", "cataract", "hernia repair", "ACL recon"])])
    html = html_doc("<p>October block utilisation (all sites). Blocks under 70% go to release review.</p>"
                    + html_table(["Surgeon", "Utilisation", "Cases", "Most common"], rows, ctx.rng.randint(0, 2)) + sig_html(ctx, mgr))
    return html_message(ctx, mgr, to, "Block utilisation - October", html)


@template(S, "html-table", "no")
def html_vaccine_stock(ctx):
    """No: vaccine stock table by site with lot numbers and expiry dates."""
    c, ph, to = _c(ctx, ("PharmD", "Pharmacy Manager"))
    rows = [[v, "LOT-" + ctx.digits(5), fmt_date(ctx.future_date(60, 500), "us"), ctx.rng.randint(0, 120)]
            for v in ctx.sample(["Flu QIV", "Tdap", "Shingrix", "Prevnar 20", "Hep B", "RSV (Arexvy)", "COVID-19 2026-27"], 4)]
    html = html_doc("<p>Stock on hand after this week's clinics:</p>" + html_table(["Vaccine", "Lot", "Expires", "Doses"], rows, 1) + sig_html(ctx, ph))
    return html_message(ctx, ph, to, "Vaccine stock", html)


# ------------------------------------------------------------------ spanish

@template(S, "spanish", "yes")
def es_recordatorio_cita_motivo(ctx):
    """Yes: Spanish appointment reminder with the reason and the patient's birth date."""
    c = ctx.clinic()
    fd = ctx.staff(c, ("", "Recepcionista"), es=True)
    p = ctx.patient(es=True)
    d = ctx.future_date(1, 12)
    body = (f"Hola {p['first']}:\n\nLe recordamos su cita para {ctx.pick(['su mamografía', 'la colonoscopia', 'el control de diabetes', 'su ultrasonido prenatal', 'la revisión después de la cirugía'])} "
            f"el {DIAS[d.weekday()]} {d.day} de {MESES[d.month - 1]} a las {ctx.appt_time().strftime('%H:%M')}.\n"
            f"Paciente: {p['name']} (nacid{p['o_a']} el {fmt_date(p['dob'], ctx.pick(['es_long', 'es']))})\n\n"
            "Traiga su identificación y la lista de sus medicamentos. Si no puede asistir, llámenos.\n\n"
            f"{fd['name']}\n{c['name']}")
    return text_message(ctx, fd, p, "Recordatorio de cita", body)


@template(S, "spanish", "yes")
def es_receta_resurtido(ctx):
    """Yes: Spanish refill note naming a patient, a medication and 'fecha de nac.'."""
    c, _, _ = _c(ctx)
    ph = ctx.staff(c, ("PharmD", "Farmacéutica"), es=True)
    doc = ctx.staff(c, ("MD", "Médico"), es=True)
    p = ctx.patient(es=True)
    body = (f"Dr. {doc['last']}:\n\nLa farmacia solicita autorización para resurtir {ctx.med()} para "
            f"{p['first']} {p['last']}, fecha de nac. {fmt_date(p['dob'], 'es')}. "
            f"Último surtido: {fmt_date(ctx.past_date(25, 40), 'es')}.\n\n¿Lo aprueba?\n\nGracias,\n{ph['name']}")
    return text_message(ctx, ph, doc, "Solicitud de resurtido", body)


@template(S, "spanish", "no")
def es_capacitacion_hipaa(ctx):
    """No: HIPAA training reminder in Spanish."""
    c, _, _ = _c(ctx)
    comp = ctx.staff(c, ("", "Oficial de Cumplimiento"), es=True)
    body = ("Estimado equipo:\n\nRecuerden completar la capacitación anual de HIPAA antes del "
            f"{fmt_date(ctx.future_date(7, 25), 'es_long')}. El curso explica qué es la información de salud protegida (PHI), "
            "cómo enviar correos cifrados y cómo reportar un incidente. No incluya números de seguro social ni "
            "expedientes en correos sin cifrar.\n\nGracias,\n" + comp["name"] + "\nCumplimiento")
    return text_message(ctx, comp, {"name": "Personal", "email": f"personal@{c['domain']}"}, "Capacitación HIPAA", body)


@template(S, "spanish", "no")
def es_boletin_bienestar(ctx):
    """No: Spanish wellness newsletter to a list (generic screening advice)."""
    c, _, _ = _c(ctx)
    s = ctx.staff(c, ("", "Comunicaciones"), es=True)
    body = ("Boletín de salud - noviembre\n\n• Mes de la diabetes: hágase la prueba de A1c una vez al año.\n"
            "• Vacuna contra la gripe disponible sin cita.\n• Clases gratuitas de cocina saludable los jueves.\n\n"
            f"{c['name']} · {c['phone']}\nPara darse de baja responda BAJA.")
    return html_message(ctx, s, {"name": "", "email": f"boletin@lists.{c['domain']}"}, "Boletín de salud",
                        html_doc("<p>" + body.replace("\n", "<br>") + "</p>"))


# ------------------------------------------------------------------ shorthand

@template(S, "shorthand", "yes")
def sh_curbside_consult(ctx):
    """Yes: curbside consult in shorthand with an untitled name, age/sex and MRN."""
    c, hosp, cards = _c(ctx, ("MD", "Hospitalist"), ("MD", "Cardiologist"))
    p = ctx.patient(lo_age=40)
    body = (f"Hey - curbside re {p['first']} {p['last']} {p['age']}{p['sex'].lower()} "
            f"(MRN {p['mrn']}): hx {', '.join(ctx.sample(SHORTHAND_DX, 2))}, came in w/ CP, trop "
            f"{ctx.rng.randint(60, 900)}->{ctx.rng.randint(900, 3000)}, c/w NSTEMI. On hep gtt + ASA/statin. "
            f"Ok to wait for cath tmrw or do you want to take tonight? A1c {ctx.rng.randint(60, 120) / 10}, Cr {ctx.rng.randint(8, 25) / 10}.")
    return text_message(ctx, hosp, cards, "curbside", body + signature(ctx, hosp, 3))


@template(S, "shorthand", "yes")
def sh_postop_check(ctx):
    """Yes: post-op phone check note (lap chole etc.) naming the patient."""
    c, rn, doc = _c(ctx, ("RN", "Surgical Nurse"), ("MD", "Surgeon"))
    p = ctx.patient(lo_age=20)
    proc = ctx.pick(["lap chole", "lap appy", "R TKA", "L cataract", "inguinal hernia repair", "lap band"])
    body = (f"POD{ctx.rng.randint(1, 5)} call - {p['last']}, {p['first']}: s/p {proc} {fmt_date(ctx.past_date(1, 5), 'short_md')}. "
            f"Pain {ctx.rng.randint(1, 7)}/10 on {ctx.pick(['oxy 5 prn', 'APAP/ibuprofen', 'tramadol'])}, tol PO, +BM, incisions c/d/i. "
            f"{ctx.pick(['Low-grade temp 100.2 - advised to call if >101.', 'No n/v.', 'Some SOB w/ exertion - advised ED if worse.'])} "
            "F/u 2 wks w/ surgeon.")
    return text_message(ctx, rn, doc, "post-op call", body + signature(ctx, rn, 4))


@template(S, "shorthand", "no")
def sh_teaching_case(ctx):
    """No: de-identified teaching case in shorthand (age under 90, no name, no full dates)."""
    c, doc, _ = _c(ctx, ("MD", "Program Director"))
    body = (f"Morning report tomorrow: {ctx.rng.randint(35, 80)}{ctx.pick(['M', 'F'])} w/ hx HTN, T2DM p/w DKA "
            "precipitated by missed insulin; AG 28, K 5.9. Discuss: fluids, K repletion before insulin, transition to SQ. "
            "Bonus: when to consider euglycemic DKA on SGLT2i.\n\nPlease read the ADA consensus beforehand.")
    return text_message(ctx, doc, {"name": "IM Residents", "email": f"im-residents@{c['domain']}"}, "morning report",
                        body + signature(ctx, doc))


# ------------------------------------------------------------------ calendar

def _cal(ctx, frm, to, subject, plain, cal, mode):
    m = new_message(ctx, frm, to, subject)
    if mode == "alt":
        m.set_content(plain)
        m.add_alternative(cal, subtype="calendar", params={"method": "REQUEST"})
    else:
        m.set_content(plain)
        attach(m, cal.encode(), mode, ctx.pick(["invite.ics", "meeting.ics", "appointment.ics"]))
    return m


@template(S, "calendar", "yes")
def cal_procedure_ics_file(ctx):
    """Yes: application/ics appointment for a named patient's procedure (the body says nothing)."""
    c, sched, doc = _c(ctx, ("", "Surgery Scheduler"), ("MD", "Gastroenterologist"))
    p = ctx.patient(lo_age=45)
    start = dt.datetime.combine(ctx.future_date(3, 30), ctx.appt_time())
    proc = ctx.proc()
    cal = ics(ctx, c["domain"], f"{proc} - {p['last']}, {p['first']}",
              f"Patient: {p['name']}\nDOB: {fmt_date(p['dob'], 'dots')}\nPrep instructions sent. NPO after midnight.",
              start, 60, sched, [doc], "Endoscopy Suite 2")
    return _cal(ctx, sched, doc, "Updated: procedure", "Please accept.", cal, "application/ics")


@template(S, "calendar", "yes")
def cal_name_only_summary(ctx):
    """Yes: text/calendar block with 'NP visit – Lastname, First' (no reason) — name + date of care."""
    c, sched, np_ = _c(ctx, ("", "Scheduler"), ("NP", "Nurse Practitioner"))
    p = ctx.patient()
    start = dt.datetime.combine(ctx.future_date(1, 10), ctx.appt_time())
    cal = ics(ctx, c["domain"], f"NP visit – {p['last']}, {p['first']}", "Room 4. Interpreter: no.", start, 30, sched, [np_], c["name"])
    return _cal(ctx, sched, np_, "Invitation: NP visit", f"{fmt_date(start.date(), 'weekday')} {fmt_time(start.time())}", cal, "alt")


@template(S, "calendar", "no")
def cal_vendor_demo(ctx):
    """No: a vendor demo invite (text/calendar attachment)."""
    c, mgr, it = _c(ctx, ("", "Practice Manager"), ("", "IT Support"))
    v = ctx.vendor()
    start = dt.datetime.combine(ctx.future_date(2, 15), dt.time(14, 0))
    vend = {"name": v["name"], "email": v["email"]}
    cal = ics(ctx, c["domain"], f"{v['company']} demo: patient reminder texting",
              f"Join: https://meet.{v['domain']}/{ctx.digits(9)}  Passcode {ctx.digits(6)}", start, 45,
              mgr, [vend, it], "Online")
    return _cal(ctx, mgr, [vend, it], "Demo", "Looking forward to the demo — invite attached.", cal,
                ctx.pick(["text/calendar", "application/ics"]))


# ------------------------------------------------------------------ zip-csv

@template(S, "zip-csv", "yes")
def zip_limited_data_set(ctx):
    """Yes: a row-level extract with ZIP codes and admission dates but no names (still PHI)."""
    c, an, _ = _c(ctx, ("", "Data Analyst"))
    v = ctx.vendor()
    rows = []
    for i in range(ctx.rng.randint(15, 40)):
        p = ctx.patient()
        rows.append([f"R{i + 1:04d}", p["zip"], fmt_date(ctx.past_date(30, 300), "iso"), p["age"], ctx.pick(["I50.9", "E11.65", "J44.1", "N18.3", "I21.4"])])
    csv = make_csv(["row", "zip5", "admit_date", "age", "icd10"], rows, delim=ctx.pick([",", ";", "\t"]))
    z = make_zip([("extract/readme.txt", "Readmissions study extract v2. Limited data set under DUA.\n"), ("extract/data.csv", csv)])
    m = text_message(ctx, an, {"name": v["name"], "email": v["email"]}, "Study extract v2",
                     "Extract attached per the DUA. Password by phone." + signature(ctx, an))
    return attach(m, z, "application/zip", "readmit_extract_v2.zip")


@template(S, "zip-csv", "yes")
def zip_in_zip_claims(ctx):
    """Yes: zip inside a zip holding a claims CSV with subscriber IDs and names."""
    c, bill, _ = _c(ctx, ("", "Billing Specialist"))
    v = ctx.vendor()
    rows = []
    for _ in range(ctx.rng.randint(5, 15)):
        p = ctx.patient()
        rows.append([ctx.digits(10), p["last"].upper(), p["first"].upper(), hl7_ts(p["dob"]), p["member"], "99214", f"{ctx.rng.randint(90, 300)}.00"])
    inner = make_zip([("claims.csv", make_csv(["claim_id", "pat_last", "pat_first", "pat_dob", "subscriber_id", "cpt", "charge"], rows))])
    outer = make_zip([(f"batch_{ctx.digits(6)}.zip", inner), ("manifest.txt", f"files: 1\nbatch date: {TODAY}\n")])
    m = text_message(ctx, bill, {"name": v["name"], "email": v["email"]}, "Resubmission batch",
                     "Batch for resubmission attached; the clearinghouse rejected the SFTP upload." + signature(ctx, bill))
    return attach(m, outer, ctx.pick(["application/zip", "application/octet-stream"]), "resubmit.zip")


@template(S, "zip-csv", "no")
def zip_deid_counts(ctx):
    """No: zipped CSV of monthly visit counts by diagnosis chapter."""
    c, an, to = _c(ctx, ("", "Data Analyst"))
    rows = [[f"2026-{m:02d}", ch, ctx.rng.randint(20, 900)] for m in range(1, 11)
            for ch in ctx.sample(["Circulatory", "Endocrine", "Mental/behavioral", "Respiratory", "Pregnancy"], 2)]
    z = make_zip([("visit_counts_2026.csv", make_csv(["month", "icd_chapter", "visits"], rows))])
    m = text_message(ctx, an, to, "Visit counts YTD", "Aggregate counts attached (no patient-level data)." + signature(ctx, an))
    return attach(m, z, "application/zip", "visit_counts.zip")


# ------------------------------------------------------------------ xlsx

@template(S, "xlsx", "yes")
def xlsx_outreach_multisheet(ctx):
    """Yes: summary sheet + a patient sheet whose header sits under title rows; DOBs as serial dates."""
    c, q, to = _c(ctx, ("", "Population Health"))
    rows = []
    for _ in range(ctx.rng.randint(8, 30)):
        p = ctx.patient(lo_age=50)
        rows.append([p["mrn"], f"{p['last']}, {p['first']}", p["dob"], p["phone"], ctx.pick(["A1c overdue", "BP uncontrolled", "no PCP visit 12m", "statin gap"])])
    x = make_xlsx([("Summary", ["Measure", "Gaps"], [["A1c overdue", ctx.rng.randint(20, 90)], ["BP", ctx.rng.randint(20, 90)]]),
                   ("Patients", ["MRN", "Name", "DOB", "Phone", "Gap"], rows, ctx.pick(["m/d/yy", "dd-mmm-yyyy", "mm/dd/yyyy"]),
                    [["Care gap outreach list"], [f"Run date {TODAY.isoformat()}"], []])])
    m = text_message(ctx, q, to, "care gaps - outreach", "Second tab has the call list." + signature(ctx, q))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"care_gaps_{TODAY:%Y%m%d}.xlsx")


@template(S, "xlsx", "yes")
def xlsx_raw_serial_dob(ctx):
    """Yes: an export whose DOB column holds bare Excel serial numbers (general format) beside names."""
    c, fd, to = _c(ctx, ("", "Front Desk Lead"))
    rows = []
    for _ in range(ctx.rng.randint(6, 20)):
        p = ctx.patient()
        serial = (p["dob"] - dt.date(1899, 12, 30)).days
        rows.append([p["first"], p["last"], serial, ctx.pick(["no-show", "cancelled", "late cancel"]), ctx.past_date(1, 30)])
    x = make_xlsx([("export", ["First", "Last", "DOB", "Status", "Appt"], rows)])
    m = text_message(ctx, fd, to, "no-shows last month", "Export from the PM system attached." + signature(ctx, fd, 4))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "noshow_export.xlsx")


@template(S, "xlsx", "no")
def xlsx_training_roster(ctx):
    """No: HIPAA training completion roster (employee IDs, completion dates)."""
    c, comp, to = _c(ctx, ("", "Compliance Officer"))
    rows = [[s["name"], ctx.digits(6), s["title"], ctx.pick([ctx.past_date(1, 60), None]), ctx.pick(["Complete", "Overdue"])]
            for s in (ctx.staff(c) for _ in range(ctx.rng.randint(8, 20)))]
    x = make_xlsx([("Roster", ["Employee", "Employee ID", "Job title", "Completed", "Status"], rows)])
    m = text_message(ctx, comp, to, "HIPAA training completion", "Roster attached — please nudge the overdue folks." + signature(ctx, comp))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "hipaa_training_roster.xlsx")


@template(S, "xlsx", "no")
def xlsx_dept_budget(ctx):
    """No: department budget workbook with GL account codes and month dates."""
    c, fin, to = _c(ctx, ("", "Finance Manager"))
    rows = [[f"{ctx.digits(4)}-{ctx.digits(3)}", item, dt.date(2026, m, 1), ctx.rng.randint(500, 40000)]
            for m in range(1, 7) for item in ctx.sample(["Medical supplies", "Locum coverage", "Software licences", "Travel", "Courier"], 2)]
    x = make_xlsx([("FY27", ["GL account", "Line", "Month", "Budget"], rows, "mmm yyyy")])
    m = text_message(ctx, fin, to, "FY27 budget draft", "Draft numbers attached, comments by EOW." + signature(ctx, fin))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "FY27_budget_draft.xlsx")


# ------------------------------------------------------------------ hl7-fhir

@template(S, "hl7-fhir", "yes")
def fhir_bundle_conditions(ctx):
    """Yes: FHIR Bundle with a Patient, a Condition and a MedicationRequest."""
    c, it, _ = _c(ctx, ("", "Integration Engineer"))
    v = ctx.vendor()
    p = ctx.patient()
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": fhir_patient(p, c, "pat-" + ctx.digits(5))},
        {"resource": {"resourceType": "Condition", "subject": {"reference": "Patient/1"},
                      "code": {"text": ctx.dx()}, "onsetDateTime": ctx.past_date(100, 900).isoformat()}},
        {"resource": {"resourceType": "MedicationRequest", "status": "active", "subject": {"reference": "Patient/1"},
                      "medicationCodeableConcept": {"text": ctx.med()}}}]}
    m = text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "payload that 422s",
                     "Your endpoint rejects this bundle with 422 — can you tell us which element?" + signature(ctx, it))
    return attach(m, jdump(bundle).encode(), ctx.pick(["application/fhir+json", "application/json"]), "bundle.json")


@template(S, "hl7-fhir", "yes")
def ccda_ccd_attachment(ctx):
    """Yes: a C-CDA CCD (XML) with recordTarget/patientRole and a problem list."""
    c, hi, _ = _c(ctx, ("", "HIM Specialist"))
    other = ctx.clinic()
    p = ctx.patient()
    xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n"
           f"  <templateId root=\"2.16.840.1.113883.10.20.22.1.2\"/>\n  <title>Continuity of Care Document</title>\n"
           f"  <recordTarget><patientRole><id extension=\"{p['mrn']}\" root=\"2.16.840.1.113883.19.5\"/>\n"
           f"    <addr><streetAddressLine>{p['street']}</streetAddressLine><city>{p['city']}</city><state>{p['state']}</state><postalCode>{p['zip']}</postalCode></addr>\n"
           f"    <patient><name><given>{p['first']}</given><family>{p['last']}</family></name>\n"
           f"      <administrativeGenderCode code=\"{p['sex']}\"/><birthTime value=\"{hl7_ts(p['dob'])}\"/></patient>\n"
           f"  </patientRole></recordTarget>\n  <component><structuredBody><component><section>\n"
           f"    <title>Problems</title><text><list><item>{ctx.dx()}</item><item>{ctx.dx()}</item></list></text>\n"
           f"  </section></component></structuredBody></component>\n</ClinicalDocument>\n")
    m = text_message(ctx, hi, ctx.staff(other, ("", "HIM Specialist")), "CCD for transition of care",
                     "CCD attached for the transfer; paper chart to follow." + signature(ctx, hi))
    return attach(m, xml.encode(), ctx.pick(["application/xml", "text/xml", "application/hl7-cda+xml"]), "ccd.xml")


@template(S, "hl7-fhir", "yes")
def hl7_adt_in_body(ctx):
    """Yes: an HL7 v2 ADT^A04 pasted into the body for troubleshooting."""
    c, it, _ = _c(ctx, ("", "Interface Analyst"))
    v = ctx.vendor()
    p = ctx.patient()
    seg = "\n".join([f"MSH|^~\\&|REG|{c['name'].split()[0].upper()}|ADT|HUB|{hl7_ts(TODAY, dt.time(7, 41))}||ADT^A04|{ctx.digits(9)}|P|2.3",
                     f"EVN|A04|{hl7_ts(TODAY, dt.time(7, 41))}",
                     f"PID|1||{p['mrn']}||{p['last']}^{p['first']}||{hl7_ts(p['dob'])}|{p['sex']}||||||{p['phone']}|||||{p['ssn'].replace('-', '')}",
                     f"PV1|1|O|CLINIC^{ctx.rng.randint(100, 400)}||||{ctx.npi()}^{ctx.staff(c)['last']}"])
    body = (f"Hi {v['first']},\n\nThe A04 below went through but the patient never appeared in your system:\n\n{seg}\n\n"
            "Can you check your logs?" + signature(ctx, it))
    return text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "A04 not filing", body)


@template(S, "hl7-fhir", "no")
def hl7_spec_placeholder(ctx):
    """No: an interface spec with placeholder segments — no individual."""
    c, it, _ = _c(ctx, ("", "Interface Analyst"))
    v = ctx.vendor()
    body = ("Per our call, the PID mapping we expect:\n\n"
            "PID|1||<MRN>^^^<ASSIGNING_AUTH>^MR||<LAST>^<FIRST>^<MIDDLE>||<YYYYMMDD>|<SEX>\n"
            "PV1|1|<CLASS>|<LOCATION>||||<ATTENDING_NPI>^<ATTENDING_NAME>\n\n"
            "OBX-5 should carry the numeric result, OBX-6 units (UCUM). We will send test messages from the TEST environment "
            "only." + signature(ctx, it))
    return text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "PID mapping spec", body)


@template(S, "hl7-fhir", "no")
def fhir_capability_statement(ctx):
    """No: a FHIR CapabilityStatement (server metadata)."""
    c, it, _ = _c(ctx, ("", "Integration Engineer"))
    v = ctx.vendor()
    cs = {"resourceType": "CapabilityStatement", "status": "active", "date": TODAY.isoformat(), "kind": "instance",
          "fhirVersion": "4.0.1", "format": ["json"],
          "rest": [{"mode": "server", "resource": [{"type": t, "interaction": [{"code": "read"}, {"code": "search-type"}]}
                                                   for t in ["Patient", "Observation", "Condition", "Encounter"]]}]}
    m = text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "our metadata",
                     "Here is our server's CapabilityStatement for the onboarding checklist." + signature(ctx, it))
    return attach(m, jdump(cs).encode(), "application/fhir+json", "metadata.json")


# ------------------------------------------------------------------ scanned-pdf / images

@template(S, "scanned-pdf", "yes")
def scan_lab_report_two_pages(ctx):
    """Yes: a two-page scanned lab report (patient header on page 1, results on page 2)."""
    c, hi, to = _c(ctx, ("", "Medical Records"))
    other = ctx.clinic()
    p = ctx.patient()
    res = [ctx.lab() for _ in range(5)]
    p1 = [f"# {other['name']} Laboratory", "", f"PATIENT: {p['last'].upper()}, {p['first'].upper()}",
          f"DOB: {fmt_date(p['dob'], ctx.pick(['us', 'dmon', 'iso']))}     SEX: {p['sex']}",
          f"MRN: {p['mrn']}", f"COLLECTED: {fmt_date(ctx.past_date(2, 10), 'us')}", "", "Results continue on page 2."]
    p2 = ["# RESULTS", ""] + [f"{n:<12} {v:>8} {u}" for n, v, u in res] + ["", "Reviewed by: ________"]
    pdf = scanned_pdf([p1, p2], ctx.rng)
    m = text_message(ctx, hi, to, ctx.pick(["outside labs", "scan", "labs rec'd"]),
                     "Outside labs scanned, please index." + signature(ctx, hi, 4))
    return attach(m, pdf, "application/pdf", ctx.pick(["SCAN0001.pdf", "Document.pdf", f"img{ctx.digits(6)}.pdf"]))


@template(S, "scanned-pdf", "yes")
def scan_insurance_card_png(ctx):
    """Yes: a photographed insurance card attached as a PNG image (name, member ID)."""
    c, fd, bill = _c(ctx, ("", "Front Desk Lead"), ("", "Billing Specialist"))
    p = ctx.patient()
    lines = [f"# {p['insurer']}", "", f"Member: {p['first'].upper()} {p['last'].upper()}", f"Member ID: {p['member']}",
             f"Group: {ctx.digits(6)}", "PCP copay $25   Specialist $50", "Rx BIN 610014"]
    png = scanned_png(lines, ctx.rng)
    m = text_message(ctx, fd, bill, "new card", "Pt brought a new card, front attached." + signature(ctx, fd, 3))
    return attach(m, png, ctx.pick(["image/png"]), ctx.pick(["IMG_" + ctx.digits(4) + ".png", "card_front.png"]))


@template(S, "scanned-pdf", "no")
def scan_inservice_signin(ctx):
    """No: scanned in-service sign-in sheet — staff names and employee IDs."""
    c, edu, to = _c(ctx, ("RN", "Nurse Educator"))
    lines = ["# IN-SERVICE SIGN-IN SHEET", f"Topic: Insulin pump safety   Date: {fmt_date(TODAY, 'us')}", "",
             "Name                      Employee ID     Unit"]
    for _ in range(8):
        s = ctx.staff(c)
        lines.append(f"{s['name']:<26}{ctx.digits(6):<16}{ctx.pick(['3W', 'ICU', 'ED', 'Clinic'])}")
    pdf = scanned_pdf([lines], ctx.rng)
    m = text_message(ctx, edu, to, "sign-in sheet", "For the education file." + signature(ctx, edu))
    return attach(m, pdf, "application/pdf", "signin.pdf")


# ------------------------------------------------------------------ filename

@template(S, "filename", "yes")
def fname_eob_member(ctx):
    """Yes: the attachment name carries name + member ID + EOB; body says nothing."""
    c, bill, to = _c(ctx, ("", "Billing Specialist"))
    p = ctx.patient()
    fname = ctx.pick([f"EOB_{p['last']}_{p['first']}_{p['member']}.pdf", f"{p['last'].upper()} {p['first'].upper()} - EOB {fmt_date(ctx.past_date(), 'iso')}.pdf"])
    pdf = scanned_pdf([["# Explanation of Benefits", "", "THIS IS NOT A BILL"]], ctx.rng)
    m = text_message(ctx, bill, to, "EOB", "fyi" + signature(ctx, bill, 4))
    return attach(m, pdf, "application/pdf", fname)


@template(S, "filename", "yes")
def fname_note_txt(ctx):
    """Yes: text attachment named 'Progress note - Last First 4.2.71.txt' with innocuous content."""
    c, doc, to = _c(ctx, ("MD", "Physician"))
    p = ctx.patient()
    fname = f"{ctx.pick(['Progress note', 'Letter', 'Consult'])} - {p['last']} {p['first']} {fmt_date(p['dob'], 'dots')}.txt"
    m = text_message(ctx, doc, to, "letter draft", "draft attached, edit as needed" + signature(ctx, doc, 3))
    return attach(m, "Draft - to be completed.\n", "text/plain", fname)


@template(S, "filename", "no")
def fname_generic_scan(ctx):
    """No: generic scanner file name; content is a cafeteria/parking memo."""
    c, adm, to = _c(ctx, ("", "Facilities"))
    pdf = scanned_pdf([["# Facilities memo", "", "Parking lot B will be repaved Saturday.",
                        "Please park in the garage; validation at the front desk."]], ctx.rng)
    m = text_message(ctx, adm, to, "memo", "Scanned memo attached." + signature(ctx, adm))
    return attach(m, pdf, "application/pdf", f"Scan_{TODAY:%Y%m%d}_{ctx.digits(4)}.pdf")


# ------------------------------------------------------------------ names-dates

@template(S, "names-dates", "yes")
def nd_born_on_narrative(ctx):
    """Yes: narrative with 'born on the 14th of March 1962' and a condition."""
    c, sw, to = _c(ctx, ("LCSW", "Social Worker"))
    other = ctx.clinic()
    p = ctx.patient(lo_age=60)
    d = p["dob"]
    born = ctx.pick([f"born on the {ordinal(d.day)} of {MONTHS[d.month - 1]} {d.year}", f"born {fmt_date(d, 'dmy_long')}",
                     f"whose birthday is {fmt_date(d, 'us_short')}"])
    body = (f"Hello,\n\nI'm writing about {p['first']} {p['last']}, {born}, who is being discharged home with "
            f"{ctx.dx()}. {p['She']} will need home health and a shower chair. Please call me to coordinate.\n" + signature(ctx, sw))
    return text_message(ctx, sw, ctx.staff(other, ("RN", "Home Health Intake")), "home health referral", body)


@template(S, "names-dates", "yes")
def nd_fixed_width_table(ctx):
    """Yes: fixed-width text table: labels in a header line, values (compact DOBs) below."""
    c, ma, doc = _c(ctx, ("MA", "Medical Assistant"), ("MD", "Physician"))
    style = ctx.pick(["compact", "us_pad_short", "yy", "dmon"])
    lines = [f"{'Name':<24}{'DOB':<14}{'Callback re':<20}"]
    for _ in range(ctx.rng.randint(3, 6)):
        p = ctx.patient()
        lines.append(f"{p['first'] + ' ' + p['last']:<24}{fmt_date(p['dob'], style):<14}{ctx.pick(['refill', 'lab results', 'rash', 'BP log', 'imaging']):<20}")
    body = "Callbacks for you today:\n\n" + "\n".join(lines) + signature(ctx, ma, 1)
    return text_message(ctx, ma, doc, "callbacks", body, cte="quoted-printable")


@template(S, "names-dates", "no")
def nd_names_only_logistics(ctx):
    """No: names of outside people without health/care facts (a delivery note)."""
    c, a, b = _c(ctx, ("", "Office Manager"))
    v = ctx.vendor()
    body = (f"{v['name']} from {v['company']} dropped off the new copier toner; {ctx.fk.name()} will come back "
            f"{fmt_date(ctx.future_date(), 'weekday')} to install the fax board. Please sign for it if I'm out." + signature(ctx, a, 4))
    return text_message(ctx, a, b, "toner", body)


# ------------------------------------------------------------------ identifiers

@template(S, "identifiers", "yes")
def id_member_id_header_text(ctx):
    """Yes: a pasted plain-text table whose 'Subscriber #' header is the only label."""
    c, el, to = _c(ctx, ("", "Eligibility Specialist"))
    lines = [f"{'Subscriber #':<18}{'Plan':<22}Copay"]
    for _ in range(ctx.rng.randint(3, 6)):
        lines.append(f"{ctx.member_id():<18}{ctx.pick(['HMO Silver', 'PPO Gold', 'Medicaid MCO', 'Medicare Adv']):<22}${ctx.pick([0, 20, 35, 50])}")
    return text_message(ctx, el, to, "verified", "Verified:\n\n" + "\n".join(lines) + signature(ctx, el, 4))


@template(S, "identifiers", "yes")
def id_mrn_merge(ctx):
    """Yes: bare MRNs only (rule B): a duplicate-chart merge request."""
    c, him, _ = _c(ctx, ("", "HIM Specialist"))
    it = ctx.staff(c, ("", "EHR Analyst"))
    body = (f"Please merge chart {ctx.mrn()} into {ctx.mrn()} — duplicate created at registration "
            f"{fmt_date(ctx.past_date(1, 10), 'short_md')}. Ticket {ctx.digits(6)}." + signature(ctx, him))
    return text_message(ctx, him, it, "duplicate chart", body)


@template(S, "identifiers", "yes")
def id_ssn_ss_hash_form(ctx):
    """Yes: SSN written as 'SS#123456789' / dotted inside a longer demographic update."""
    c, reg, _ = _c(ctx, ("", "Patient Access"))
    p = ctx.patient()
    d = ctx.ssn_digits()
    ssn = ctx.pick([f"SS#{d}", f"ss# {d[:3]}.{d[3:5]}.{d[5:]}", f"SSN:{d[:3]}.{d[3:5]}.{d[5:]}", f"soc {d[:3]} {d[3:5]} {d[5:]}"])
    body = (f"Demographic update for {p['last']}, {p['first']}: new address {p['street']}, {p['city']} {p['zip']}; {ssn}; "
            f"guarantor is self." + signature(ctx, reg, 4))
    return text_message(ctx, reg, ctx.staff(c, ("", "Billing Specialist")), "demo update", body)


@template(S, "identifiers", "yes")
def id_card_copay(ctx):
    """Yes: a patient's card number with expiry for a copay (rule B: card presented as card)."""
    c, fd, bill = _c(ctx, ("", "Front Desk Lead"), ("", "Billing Specialist"))
    p = ctx.patient()
    card = ctx.card()
    body = (f"{p['first']} {p['last']} called to pay {p['her']} balance - Visa {card[:4]} {card[4:8]} {card[8:12]} {card[12:]} "
            f"exp {ctx.rng.randint(1, 12):02d}/{ctx.rng.randint(27, 31)}, CVV on the sticky note. Please run it today." + signature(ctx, fd, 3))
    return text_message(ctx, fd, bill, "payment", body)


@template(S, "numbers", "no")
def num_shipping_reference(ctx):
    """No: shipping notice with USPS tracking, a Luhn-valid 16-digit reference and an ISBN."""
    c, a, b = _c(ctx, ("", "Office Manager"))
    ref = ctx.luhn16()
    body = (f"Your package is on the way.\n\nReference number {ref[:4]}-{ref[4:8]}-{ref[8:12]}-{ref[12:]}\n"
            f"USPS tracking {ctx.usps()}\nContents: ICD-10-CM 2027 code book (ISBN {ctx.isbn13()})\n"
            f"Shipper acct: {ctx.digits(7)}\n\n-- forwarded for receiving" + signature(ctx, a, 4))
    return text_message(ctx, a, b, "Shipping notification", body)


@template(S, "numbers", "no")
def num_credentialing_npi(ctx):
    """No: credentialing roster with clinicians' NPIs (Luhn-valid), CAQH IDs and licence numbers."""
    c, cred, _ = _c(ctx, ("", "Credentialing Specialist"))
    v = ctx.vendor()
    lines = []
    for _ in range(ctx.rng.randint(3, 6)):
        s = ctx.staff(c, ("MD", "Physician"))
        lines.append(f"{s['name']}, MD — NPI {ctx.npi()} — CAQH {ctx.digits(8)} — lic. {ctx.pick(['MD', 'ME', 'A'])}{ctx.digits(6)}")
    body = (f"Hi {v['first']},\n\nPlease add these providers to our group contract:\n\n" + "\n".join(lines)
            + f"\n\nGroup NPI {ctx.npi()}, TIN {ctx.ein()}." + signature(ctx, cred))
    return text_message(ctx, cred, {"name": v["name"], "email": v["email"]}, "provider adds", body)


# ------------------------------------------------------------------ sensitive

@template(S, "sensitive", "yes")
def sens_prep_refill_to_patient(ctx):
    """Yes: PrEP/HIV medication refill note sent to the patient's own address."""
    c, ph, _ = _c(ctx, ("PharmD", "Clinical Pharmacist"))
    p = ctx.patient(lo_age=18, hi_age=60)
    body = (f"Hi {p['first']},\n\nYour {ctx.hiv_med()} is ready for pickup. Your next lab check (HIV test and kidney function) "
            f"is due by {fmt_date(ctx.future_date(10, 40), 'long')}.\n" + signature(ctx, ph))
    return text_message(ctx, ph, p, "Your refill is ready", body)


@template(S, "sensitive", "yes")
def sens_sud_letter(ctx):
    """Yes: substance-use treatment letter (MOUD) naming the patient."""
    c, doc, _ = _c(ctx, ("MD", "Addiction Medicine"))
    other = ctx.clinic()
    p = ctx.patient(lo_age=20)
    html = html_doc(f"<p>To whom it may concern,</p><p>{p['name']} (DOB {fmt_date(p['dob'], 'us')}) has been in our "
                    f"outpatient program since {fmt_date(ctx.past_date(100, 600), 'long')} and receives "
                    f"{ctx.pick(['buprenorphine-naloxone', 'methadone', 'extended-release naltrexone'])}. "
                    "Please do not interrupt treatment during the admission.</p>" + sig_html(ctx, doc))
    return html_message(ctx, doc, ctx.staff(other, ("RN", "Admissions")), "Treatment letter", html)


@template(S, "sensitive", "yes")
def sens_group_roster(ctx):
    """Yes: therapy group roster (membership itself reveals a behavioural-health condition)."""
    c, th, co = _c(ctx, ("LCSW", "Therapist"), ("LCSW", "Co-facilitator"))
    group = ctx.pick(["DBT skills group", "grief group", "eating disorder IOP", "perinatal mood group", "anger management"])
    names = [ctx.patient()["name"] for _ in range(ctx.rng.randint(4, 8))]
    body = f"Roster for {group} starting {fmt_date(ctx.future_date(), 'weekday')}:\n\n" + "\n".join(f"{i + 1}. {n}" for i, n in enumerate(names)) + signature(ctx, th)
    return text_message(ctx, th, co, "group roster", body)


# ------------------------------------------------------------------ billing / reminder

@template(S, "billing", "yes")
def bill_prior_auth_denial(ctx):
    """Yes: prior-authorisation denial with member ID and requested service."""
    c, pa, doc = _c(ctx, ("", "Prior Auth Coordinator"), ("MD", "Physician"))
    p = ctx.patient()
    html = html_doc(f"<p>Dr. {doc['last']},</p><p>{p['insurer']} denied the prior auth for <b>{ctx.proc()}</b>:</p>"
                    f"<ul><li>Member: {p['name']}</li><li>ID: {p['member']}</li><li>Reason: not medically necessary — "
                    "conservative therapy not documented</li></ul><p>Peer-to-peer deadline is Friday.</p>" + sig_html(ctx, pa))
    return html_message(ctx, pa, doc, "PA denied", html)


@template(S, "billing", "no")
def bill_clearinghouse_summary(ctx):
    """No: clearinghouse batch summary — counts and amounts only."""
    c, bill, to = _c(ctx, ("", "Revenue Cycle Manager"))
    body = (f"Batch {ctx.digits(8)} summary: {ctx.rng.randint(200, 900)} claims accepted, {ctx.rng.randint(0, 30)} rejected "
            f"(mostly invalid subscriber ID format), total billed ${ctx.rng.randint(40000, 300000):,}. "
            "Rejection report is in the portal." + signature(ctx, bill))
    return text_message(ctx, bill, to, "837 batch summary", body)


@template(S, "reminder", "yes")
def remind_with_reason_short(ctx):
    """Yes: short reminder with the reason, to the patient (name not in the body)."""
    c = ctx.clinic()
    box = ctx.role_mailbox(c, "reminders")
    p = ctx.patient(lo_age=40)
    d = ctx.future_date(1, 7)
    body = (f"Reminder: your {ctx.pick(['screening mammogram', 'colonoscopy', 'diabetic eye exam', 'sleep study', 'bone density scan'])} "
            f"is {fmt_date(d, 'weekday')} at {fmt_time(ctx.appt_time())}.\n{ctx.pick(['Do not eat after midnight.', 'Please arrive 20 minutes early.', 'Wear comfortable clothing.'])}\n"
            f"{c['name']} {c['phone']}")
    return text_message(ctx, box, p, "Upcoming appointment", body)


@template(S, "reminder", "no")
def remind_clinic_moving(ctx):
    """No: 'we are moving' notice to a patient mailing list."""
    c = ctx.clinic()
    box = ctx.role_mailbox(c, "news")
    body = (f"Starting {fmt_date(ctx.future_date(20, 60), 'long')}, {c['name']} moves to {ctx.fk.street_address()}. "
            "Your appointments and providers stay the same. Free parking on site.")
    return html_message(ctx, box, {"name": "", "email": f"patients@lists.{c['domain']}"}, "We're moving!",
                        html_doc(f"<h2>We're moving!</h2><p>{body}</p>"))


# ------------------------------------------------------------------ hard negatives (+ HR positive)

@template(S, "hr", "no")
def hr_leave_dates(ctx):
    """No: HR leave coverage with employee IDs and dates, no health facts."""
    c, hr, mgr = _c(ctx, ("", "HR Business Partner"), ("RN", "Nurse Manager"))
    s = ctx.staff(c)
    d = ctx.future_date(3, 20)
    body = (f"{mgr['first']},\n\n{s['name']} (employee #{ctx.digits(6)}) is approved for leave {fmt_date(d, 'short_md')}–"
            f"{fmt_date(d + dt.timedelta(days=14), 'short_md')}. Please arrange coverage; PTO will run concurrently." + signature(ctx, hr))
    return text_message(ctx, hr, mgr, "Leave approved", body)


@template(S, "hr", "yes")
def hr_employee_surgery(ctx):
    """Yes (decided limit): HR mail naming an employee's surgery/diagnosis."""
    c, hr, mgr = _c(ctx, ("", "HR Business Partner"), ("", "Practice Manager"))
    s = ctx.staff(c)
    body = (f"Hi {mgr['first']}, {s['first']} {s['last']} will be out after a {ctx.proc()} on {fmt_date(ctx.future_date(), 'short_md')}; "
            f"the certification lists {ctx.dx()}. Light duty after return." + signature(ctx, hr, 4))
    return text_message(ctx, hr, mgr, "FMLA", body)


@template(S, "benefits", "no")
def benefits_wellness_challenge(ctx):
    """No: wellness challenge / biometric screening event / EAP, 'Hi <name>'."""
    c, hr, _ = _c(ctx, ("", "Wellness Coordinator"))
    e = ctx.staff(c)
    html = html_doc(f"<p>Hi {e['first']},</p><p>Join the winter step challenge! Free <b>biometric screening</b> (blood pressure, "
                    "cholesterol, glucose) in the lobby next Tuesday earns $150 in your HSA. Flu shots and mammogram van on site. "
                    "Refer a friend to our open RN positions for a $3,000 bonus.</p><p>Your EAP is free and confidential.</p>"
                    + sig_html(ctx, hr))
    return html_message(ctx, hr, e, "Winter wellness", html)


@template(S, "marketing", "no")
def marketing_pharmacy_newsletter(ctx):
    """No: front desk forwards a retail pharmacy's newsletter (services, vaccines, a PrEP programme)."""
    c, fd, to = _c(ctx, ("", "Front Desk Lead"))
    v = ctx.vendor()
    news = ("This month at your neighbourhood pharmacy: free blood pressure checks, RSV and shingles vaccines, "
            "medication synchronisation, and a PrEP programme with same-day starts. Ask about our diabetes supply "
            "delivery. Coupon code SAVE10 on OTC items.\n\nUnsubscribe at any time.")
    html = html_doc(f"<p>{ctx.pick(['Should we put their flyer in the waiting room?', 'FYI for the resource binder.'])}</p>"
                    + sig_html(ctx, fd) + f"<hr><p><b>From:</b> {v['company']} &lt;offers@{v['domain']}&gt;<br>"
                    f"<b>Subject:</b> Pharmacy news</p><blockquote>{news}</blockquote>")
    return html_message(ctx, fd, to, "FW: Pharmacy news", html)


@template(S, "training", "no")
def training_phishing_warning(ctx):
    """No: a phishing warning that talks about SSNs and patient data."""
    c, sec, _ = _c(ctx, ("", "Information Security"))
    body = ("Heads up: staff received an email claiming to be from 'Payroll' asking you to confirm your SSN and direct "
            "deposit, and another asking to 'verify patient records' via a link. Do not click. Report with the Phish "
            "button. We will never ask for your password, SSN or patient information by email." + signature(ctx, sec))
    return text_message(ctx, sec, {"name": "All Workforce", "email": f"workforce@{c['domain']}"}, "Phishing alert", body)


@template(S, "w9", "no")
def w9_contractor(ctx):
    """No: request for a locum contractor's W-9 and TIN (none written out)."""
    c, ap, _ = _c(ctx, ("", "Accounts Payable"))
    v = ctx.vendor()
    body = (f"Dr. {v['last']},\n\nTo set you up as a 1099 contractor please send a signed W-9 (your TIN or EIN) through the "
            f"secure upload link, not by email. Our EIN is {ctx.ein()} if your agency needs it; DUNS {ctx.duns()}." + signature(ctx, ap))
    return text_message(ctx, ap, {"name": v["name"], "email": v["email"]}, "W-9 for contractor setup", body)


@template(S, "it-notice", "no")
def it_password_expiry(ctx):
    """No: password expiry and MFA enrolment notice."""
    c, it, e = _c(ctx, ("", "IT Support"))
    body = (f"Hi {e['first']},\n\nYour network password expires in 5 days. Reset it at the self-service portal and enrol "
            f"in MFA if you haven't. Your username is {e['email'].split('@')[0]}. Help desk ext. {ctx.digits(4)}." + signature(ctx, it))
    return text_message(ctx, it, e, "Password expires soon", body)


@template(S, "logistics", "no")
def logistics_catering_parking(ctx):
    """No: catering order and parking for a board meeting."""
    c, a, b = _c(ctx, ("", "Executive Assistant"))
    v = ctx.vendor()
    body = (f"Catering confirmed with {v['company']}: 24 box lunches, order {ctx.digits(8)}, delivery 11:45. "
            f"Parking passes for board members at the garage booth, code {ctx.digits(4)}. Room 5B." + signature(ctx, a, 0))
    return text_message(ctx, a, b, "Board meeting logistics", body)


@template(S, "deid-report", "no")
def deid_ed_volume_attachment(ctx):
    """No: aggregate ED volume CSV by month and acuity (plain CSV attachment)."""
    c, an, to = _c(ctx, ("", "Data Analyst"))
    rows = [[f"{MONTHS[m - 1][:3]} 2026", lvl, ctx.rng.randint(50, 1800), f"{ctx.rng.uniform(1.5, 9.0):.1f}"] for m in range(1, 11) for lvl in ["ESI 1-2", "ESI 3", "ESI 4-5"]]
    m = text_message(ctx, an, to, "ED volumes", "De-identified monthly volumes attached; no PHI." + signature(ctx, an))
    return attach(m, make_csv(["month", "acuity", "visits", "median_los_h"], rows), "text/csv", "ed_volumes_2026.csv")


@template(S, "deid-report", "no")
def deid_survey_results(ctx):
    """No: patient-experience survey aggregates with free-text themes (no individuals)."""
    c, q, to = _c(ctx, ("", "Patient Experience"))
    body = (f"Q3 survey: n={ctx.rng.randint(300, 1500)}, top-box {ctx.rng.randint(60, 90)}%. Themes: wait times in OB, "
            "parking, praise for behavioral health intake. Likelihood to recommend up 3 points." + signature(ctx, q))
    return text_message(ctx, q, to, "Q3 patient experience", body)


# ================================================================== more heldout templates

@template(S, "sensitive", "no")
def sens_formulary_update(ctx):
    """No: formulary change for HIV and psychiatric medications — no individual."""
    c, ph, _ = _c(ctx, ("PharmD", "Formulary Pharmacist"))
    body = (f"P&T approved: {ctx.hiv_med()} moves to tier 2; long-acting injectable aripiprazole added; "
            "buprenorphine no longer needs prior auth for the first 30 days. Effective the 1st." + signature(ctx, ph))
    return text_message(ctx, ph, {"name": "Prescribers", "email": f"prescribers@{c['domain']}"}, "Formulary changes", body)


@template(S, "sensitive", "no")
def sens_grant_report_counts(ctx):
    """No: grant report on a behavioural-health programme — aggregate counts only."""
    c, bh, to = _c(ctx, ("LCSW", "Program Director"))
    html = html_doc("<p>Quarterly Ryan White / SAMHSA grant figures:</p>" + html_table(
        ["Measure", "Q2", "Q3"], [["Clients in MOUD", ctx.rng.randint(40, 200), ctx.rng.randint(40, 200)],
                                  ["Viral suppression", f"{ctx.rng.randint(80, 95)}%", f"{ctx.rng.randint(80, 95)}%"],
                                  ["Depression screens", ctx.rng.randint(300, 900), ctx.rng.randint(300, 900)]], 2) + sig_html(ctx, bh))
    return html_message(ctx, bh, to, "grant figures", html)


@template(S, "zip-csv", "no")
def zip_staff_directory(ctx):
    """No: zipped staff phone directory CSV (names, extensions, pagers)."""
    c, a, to = _c(ctx, ("", "Operator"))
    rows = [[s["name"], s["title"], ctx.digits(4), ctx.phone()] for s in (ctx.staff(c) for _ in range(ctx.rng.randint(10, 25)))]
    z = make_zip([("directory.csv", make_csv(["Name", "Title", "Ext", "Pager"], rows))])
    m = text_message(ctx, a, to, "updated directory", "Updated phone directory attached." + signature(ctx, a))
    return attach(m, z, "application/x-zip-compressed", "directory.zip")


@template(S, "benefits", "no")
def benefits_hsa_statement_notice(ctx):
    """No: HSA contribution notice to an employee (employment/benefits, no health facts)."""
    c, hr, _ = _c(ctx, ("", "Benefits Coordinator"))
    e = ctx.staff(c)
    body = (f"{e['first']},\n\nYour employer HSA contribution of $500 posts with the next paycheck (employee #{ctx.digits(6)}). "
            "Remember that preventive care — annual physicals, mammograms, colon cancer screening — is free in network.\n"
            + signature(ctx, hr))
    return text_message(ctx, hr, e, "HSA contribution", body)


@template(S, "training", "no")
def training_quiz_results(ctx):
    """No: training quiz results by department (percentages), with sample questions."""
    c, comp, to = _c(ctx, ("", "Privacy Officer"))
    body = ("Privacy quiz results: Billing 94%, Front desk 88%, Nursing 91%.\nMost missed question: 'Is a patient's "
            "appointment date PHI?' (Answer: yes, with anything that identifies them.) Second: 'May you email a DOB "
            "unencrypted?' (No.)" + signature(ctx, comp))
    return text_message(ctx, comp, to, "quiz results", body)


@template(S, "names-dates", "yes")
def nd_birthday_two_digit_year(ctx):
    """Yes: patient callback with 'birthday' and a two-digit year, name in the subject only."""
    c, fd, ma = _c(ctx, ("", "Front Desk"), ("MA", "Medical Assistant"))
    p = ctx.patient()
    body = (f"{p['She']} called about {p['her']} {ctx.pick(['blood pressure meds', 'biopsy results', 'ultrasound', 'referral to ' + ctx.specialty()])}. "
            f"Birthday {fmt_date(p['dob'], ctx.pick(['us_short', 'yy', 'dmon_yy']))}, best # {p['phone']}." + signature(ctx, fd, 3))
    return text_message(ctx, fd, ma, f"call back {p['first']} {p['last']}", body)


@template(S, "xlsx", "yes")
def xlsx_transport_roster(ctx):
    """Yes: dialysis transport roster: names, addresses, chair times (serial datetimes)."""
    c, sw, v = _c(ctx, ("LCSW", "Social Worker"))
    rows = []
    for _ in range(ctx.rng.randint(5, 12)):
        p = ctx.patient(lo_age=40)
        rows.append([p["name"], f"{p['street']}, {p['city']}", dt.datetime.combine(ctx.future_date(1, 6), ctx.appt_time()), ctx.pick(["wheelchair", "ambulatory", "stretcher"])])
    x = make_xlsx([("Rides", ["Rider", "Pickup address", "Chair time", "Mobility"], rows, "ddd m/d h:mm AM/PM")])
    m = text_message(ctx, sw, v, "dialysis rides next week", "Rides for our dialysis patients next week." + signature(ctx, sw))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "rides.xlsx")


@template(S, "it-notice", "no")
def it_secure_mail_rollout(ctx):
    """No: rollout notice for the encryption gateway (talks about PHI, SSNs, MRNs)."""
    c, it, _ = _c(ctx, ("", "IT Director"))
    html = html_doc("<p>Starting Monday, outbound mail containing PHI (names with diagnoses, SSNs, MRNs, dates of birth) "
                    "is encrypted automatically. External recipients get a secure link. Nothing changes for internal mail.</p>"
                    "<p>Questions: open a ticket.</p>" + sig_html(ctx, it))
    return html_message(ctx, it, {"name": "All Staff", "email": f"allstaff@{c['domain']}"}, "Secure email is live", html)


# ------------------------------------------------------------------ legacy-formats

@template(S, "legacy-formats", "yes")
def xls_legacy_waitlist(ctx):
    """Yes: an OLE2 .xls surgical wait list: names, phone, procedure, referral date (serial)."""
    c, sched, to = _c(ctx, ("", "Surgery Scheduler"))
    rows = []
    for _ in range(ctx.rng.randint(5, 15)):
        p = ctx.patient(lo_age=30)
        rows.append([p["name"], p["phone"], ctx.proc(), ctx.past_date(10, 200)])
    x = make_xls(["Name", "Phone", "Procedure", "Referred"], rows, "D-MMM-YYYY")
    m = text_message(ctx, sched, to, "waitlist", "Current wait list — please call to offer the cancellations." + signature(ctx, sched))
    return attach(m, x, ctx.pick(["application/vnd.ms-excel", "application/octet-stream"]), "waitlist.xls")


@template(S, "legacy-formats", "yes")
def octet_stream_text_note(ctx):
    """Yes: an application/octet-stream part that is really a plain-text visit note."""
    c, doc, to = _c(ctx, ("MD", "Physician"))
    p = ctx.patient()
    note = (f"VISIT NOTE\r\nPt: {p['last']}, {p['first']}  DOB {fmt_date(p['dob'], 'us')}\r\nA/P: {ctx.dx()} - start {ctx.med()}; "
            f"f/u {ctx.rng.randint(2, 8)} wks\r\n")
    m = text_message(ctx, doc, to, "note", "Dictation file attached." + signature(ctx, doc, 3))
    return attach(m, note.encode(), "application/octet-stream", ctx.pick(["note.dat", "dictation.txt.bak", "export.out"]))


@template(S, "legacy-formats", "yes")
def vcard_patient_contact(ctx):
    """Yes: a patient's contact card whose NOTE carries a condition and the treating clinician."""
    c, ma, to = _c(ctx, ("MA", "Medical Assistant"))
    p = ctx.patient()
    d = ctx.staff(c, ("MD", "Physician"))
    card = vcard(p["first"], p["last"], phone=p["phone"], email_addr=p["email"], bday=p["dob"],
                 adr=f"{p['street']};{p['city']};{p['state']};{p['zip']};US",
                 note=f"Pt of Dr. {d['last']} - {ctx.dx()}; prefers text reminders")
    m = text_message(ctx, ma, to, "contact card", "Card for the home-visit list." + signature(ctx, ma, 4))
    return attach(m, card, ctx.pick(["text/vcard", "text/directory"]), f"{p['last']}.vcf")


@template(S, "legacy-formats", "no")
def gz_server_log(ctx):
    """No: a gzipped application log for a vendor support case (no patient data)."""
    c, it, _ = _c(ctx, ("", "Systems Administrator"))
    v = ctx.vendor()
    lines = [f"2026-11-16T0{h}:{m:02d}:00Z INFO worker[{ctx.digits(4)}] job={ctx.digits(8)} status=ok duration_ms={ctx.rng.randint(20, 900)}"
             for h in range(2, 6) for m in range(0, 60, 7)]
    gz = gzip_bytes("\n".join(lines) + "\n")
    m = text_message(ctx, it, {"name": v["name"], "email": v["email"]}, f"case {ctx.digits(7)} logs",
                     "Logs for the support case attached (gz)." + signature(ctx, it))
    return attach(m, gz, ctx.pick(["application/gzip", "application/x-gzip"]), "worker.log.gz")


@template(S, "legacy-formats", "no")
def xls_supply_price_list(ctx):
    """No: a legacy .xls supply price list with item numbers and quote dates."""
    c, buyer, to = _c(ctx, ("", "Purchasing"))
    rows = [[f"{ctx.digits(6)}", it, float(ctx.rng.randint(5, 300)), ctx.future_date(20, 200)] for it in
            ctx.sample(["Exam gloves", "Paper gowns", "Tongue depressors", "Suture kit", "Otoscope tips", "Glucose strips", "Lancets"], 5)]
    x = make_xls(["Item #", "Item", "Price", "Quote expires"], rows)
    m = text_message(ctx, buyer, to, "price list", "Vendor price list attached." + signature(ctx, buyer))
    return attach(m, x, "application/vnd.ms-excel", "pricelist.xls")


# ================================================================== heldout: further variety

@template(S, "shorthand", "no")
def sh_icu_huddle_counts(ctx):
    """No: ICU safety huddle in shorthand with unit-level counts — no individual."""
    c, rn, _ = _c(ctx, ("RN", "ICU Charge Nurse"))
    body = (f"Huddle: census {ctx.rng.randint(10, 24)}/24. {ctx.rng.randint(1, 5)} on pressors, {ctx.rng.randint(0, 4)} CRRT, "
            f"{ctx.rng.randint(0, 3)} DKA on gtt, 0 CLABSI/CAUTI this mo. Staffing: 1 RN short nights — pls pick up. "
            "Restraint audit Thurs." + signature(ctx, rn, 4))
    return text_message(ctx, rn, {"name": "ICU Staff", "email": f"icu@{c['domain']}"}, "huddle", body)


@template(S, "calendar", "no")
def cal_oncall_swap(ctx):
    """No: an on-call swap as an application/ics attachment between two physicians."""
    c, a, b = _c(ctx, ("MD", "Physician"), ("MD", "Physician"))
    start = dt.datetime.combine(ctx.future_date(3, 25), dt.time(17, 0))
    cal = ics(ctx, c["domain"], f"On call: {a['last']} (swap w/ {b['last']})", "Weekend call swap approved by the chief.",
              start, 60 * 16, a, [b], "Pager 4411")
    return _cal(ctx, a, b, "call swap", f"Thanks for swapping! Invite attached.", cal, "application/ics")


@template(S, "scanned-pdf", "no")
def scan_vendor_invoice(ctx):
    """No: scanned vendor invoice with invoice, PO and remittance numbers."""
    c, ap, to = _c(ctx, ("", "Accounts Payable"))
    v = ctx.vendor()
    lines = [f"# {v['company']}", "# INVOICE", "", f"Invoice no: {ctx.digits(7)}     Date: {fmt_date(ctx.past_date(3, 20), 'us')}",
             f"Bill to: {c['name']}", f"PO: {ctx.digits(6)}", "", "Item                        Qty    Amount",
             f"Biohazard pickup            {ctx.rng.randint(2, 8)}      ${ctx.rng.randint(100, 900)}.00",
             f"Sharps containers           {ctx.rng.randint(10, 50)}     ${ctx.rng.randint(100, 500)}.00", "",
             f"Remit to account {ctx.digits(10)}, routing {ctx.digits(9)}"]
    pdf = scanned_pdf([lines], ctx.rng)
    m = text_message(ctx, ap, to, "invoice for approval", "Scanned invoice — please approve." + signature(ctx, ap))
    return attach(m, pdf, "application/pdf", f"invoice_{ctx.digits(5)}.pdf")


@template(S, "filename", "no")
def fname_clinician_cv(ctx):
    """No: a clinician's CV and licence named after them (workforce, credentialing)."""
    c, cred, _ = _c(ctx, ("", "Credentialing Specialist"))
    v = ctx.vendor()
    s = ctx.staff(c, ("MD", "Physician"))
    pdf = scanned_pdf([[f"# {s['name']}, MD", "Curriculum Vitae", "", "Residency: Internal Medicine", "Board certified"]], ctx.rng)
    m = text_message(ctx, cred, {"name": v["name"], "email": v["email"]}, "credentialing packet",
                     f"CV for Dr. {s['last']} attached for the payer application." + signature(ctx, cred))
    return attach(m, pdf, "application/pdf", f"{s['last']}_{s['first']}_MD_CV_{TODAY.year}.pdf")


@template(S, "names-dates", "no")
def nd_welcome_new_provider(ctx):
    """No: welcome announcement for a new provider with start date and background."""
    c, mgr, _ = _c(ctx, ("", "Practice Manager"))
    s = ctx.staff(c, ("NP", "Nurse Practitioner"))
    body = (f"Please welcome {s['first']} {s['last']}, NP, who starts {fmt_date(ctx.future_date(3, 20), 'long')}! {s['first']} "
            f"was born and raised in {ctx.fk.city()}, trained at the state university, and will see patients on Tuesdays "
            "and Thursdays." + signature(ctx, mgr))
    return text_message(ctx, mgr, {"name": "All Staff", "email": f"allstaff@{c['domain']}"}, "Welcome our new NP", body)


@template(S, "billing", "yes")
def bill_payment_plan_html(ctx):
    """Yes: payment-plan confirmation to a patient (account, balance, date of service)."""
    c = ctx.clinic()
    bill = ctx.staff(c, ("", "Patient Financial Counselor"))
    p = ctx.patient()
    total = ctx.rng.randint(300, 4000)
    html = html_doc(f"<p>Dear {p['first']},</p><p>Your payment plan is set up:</p>"
                    + html_table(["Account", "Service date", "Balance", "Monthly"],
                                 [[ctx.digits(9), fmt_date(ctx.past_date(30, 200), "us"), f"${total}.00", f"${total // 6}.00"]], 1)
                    + "<p>The first payment is drafted on the 1st.</p>" + sig_html(ctx, bill))
    return html_message(ctx, bill, p, "Your payment plan", html)


@template(S, "reminder", "yes")
def remind_sms_style_tomorrow(ctx):
    """Yes: SMS-style reminder email with first name, provider and time (no reason)."""
    c = ctx.clinic()
    box = ctx.role_mailbox(c, "noreply")
    p = ctx.patient()
    d = ctx.staff(c, ("MD", "Physician"))
    body = (f"Hi {p['first']}! See you tomorrow {fmt_time(ctx.appt_time())} w/ Dr. {d['last']} @ {c['name']}. "
            "Reply Y to confirm, N to cancel. Msg&data rates may apply.")
    return text_message(ctx, box, p, "Tomorrow", body)


@template(S, "reminder", "no")
def remind_portal_feature(ctx):
    """No: patient-portal feature announcement to a list."""
    c = ctx.clinic()
    box = ctx.role_mailbox(c, "news")
    body = ("New in the patient portal: online check-in, price estimates, and proxy access for caregivers. "
            "Download the app to get started.")
    return text_message(ctx, box, {"name": "", "email": f"patients@lists.{c['domain']}"}, "New portal features", body)


@template(S, "marketing", "no")
def marketing_device_vendor(ctx):
    """No: a practice manager replies to a device vendor's offer (quoted), no individual."""
    c, mgr, _ = _c(ctx, ("", "Practice Manager"))
    v = ctx.vendor()
    offer = (f"{v['company']} introduces a cellular blood-pressure cuff for remote patient monitoring: bill 99453/99454, "
             "no upfront cost, we enrol your hypertensive patients for you.")
    body = ("Thanks, not at this time." + signature(ctx, mgr, 0) + f"\nFrom: {v['name']} <{v['email']}>\nSubject: RPM program\n\n" + quote_lines(offer))
    return text_message(ctx, mgr, {"name": v["name"], "email": v["email"]}, "RE: RPM program", body)


@template(S, "w9", "no")
def w9_medical_director_llc(ctx):
    """No: W-9 and EIN for a medical director's LLC (a vendor), with DUNS."""
    c, ap, _ = _c(ctx, ("", "Accounts Payable"))
    v = ctx.vendor()
    html = html_doc(f"<p>{v['first']},</p><p>We received the W-9 for {v['last']} Medical Consulting LLC — EIN {ctx.ein()}, "
                    f"DUNS {ctx.duns()}. Payments will go out on net-30 terms.</p>" + sig_html(ctx, ap))
    return html_message(ctx, ap, {"name": v["name"], "email": v["email"]}, "W-9 received", html)


@template(S, "logistics", "no")
def logistics_site_visit(ctx):
    """No: accreditation site-visit logistics (rooms, badges, parking)."""
    c, q, to = _c(ctx, ("", "Accreditation Coordinator"))
    body = (f"Surveyors arrive {fmt_date(ctx.future_date(5, 30), 'weekday')} at 8:00. Rooms: 2A (document review), 3C (interviews). "
            f"Visitor badges at security, parking spaces 1–4 reserved. Tracer list will be handed to you on the day." + signature(ctx, q))
    return text_message(ctx, q, to, "site visit logistics", body)


@template(S, "shorthand", "yes")
def sh_nonagenarian_fall(ctx):
    """Yes: ED note with 'age 9x' + hip fracture and a date — the age over 89 identifies."""
    c, ed, ortho = _c(ctx, ("MD", "Emergency Physician"), ("MD", "Orthopedic Surgeon"))
    age = ctx.rng.randint(90, 103)
    body = (f"Pt is a {age} y/o {ctx.pick(['woman', 'man'])} from {ctx.pick(['Sunrise Manor', 'home', 'assisted living'])}, "
            f"mechanical fall {fmt_date(TODAY, 'short_md')}, L hip fx on XR, hx AFib on apixaban. Ortho consult pls." + signature(ctx, ed, 4))
    return text_message(ctx, ed, ortho, "hip fx", body)


@template(S, "names-dates", "yes")
def nd_titled_name_and_condition(ctx):
    """Yes: 'Ms. Tran - new dx of hypothyroidism' style one-liners (titled names, diagnosis)."""
    c, a, b = _c(ctx, ("MD", "Physician"), ("RN", "Care Coordinator"))
    lines = []
    for _ in range(ctx.rng.randint(1, 3)):
        p = ctx.patient()
        t = "Ms." if p["sex"] == "F" else "Mr."
        lines.append(f"{t} {p['last']} - {ctx.pick(['new dx of', 'r/o', 'known', 'flare of'])} {ctx.dx()}")
    return text_message(ctx, a, b, "for tomorrow", "\n".join(lines) + signature(ctx, a, 1))


@template(S, "html-table", "yes")
def html_census_name_dob_header(ctx):
    """Yes: census table with a 'Name/DOB' column (compact DOBs) and a 'Dx' column."""
    c, rn, to = _c(ctx, ("RN", "House Supervisor"))
    rows = []
    for _ in range(ctx.rng.randint(4, 9)):
        p = ctx.patient(lo_age=20)
        rows.append([f"{ctx.rng.randint(2, 6)}{ctx.rng.randint(10, 40)}", f"{p['last'].upper()}, {p['first'].upper()} {fmt_date(p['dob'], ctx.pick(['compact', 'us_pad_short']))}",
                     ctx.pick(SHORTHAND_DX), ctx.pick(["Full", "DNR", "DNR/DNI"])])
    html = html_doc("<p>Census at 0600:</p>" + html_table(["Bed", "Name/DOB", "Dx", "Code"], rows, ctx.rng.randint(0, 2)) + sig_html(ctx, rn))
    return html_message(ctx, rn, to, "0600 census", html)


@template(S, "sensitive", "yes")
def sens_postpartum_iud(ctx):
    """Yes: postpartum visit note — IUD, postpartum depression screen, STI test — for a named patient."""
    c, cnm, ma = _c(ctx, ("CNM", "Nurse Midwife"), ("MA", "Medical Assistant"))
    first, last = ctx.fk.first_name_female(), ctx.fk.last_name()
    body = (f"{first} {last} 6 wk postpartum: EPDS {ctx.rng.randint(4, 18)}, wants IUD — scheduled {fmt_date(ctx.future_date(), 'short_md')}. "
            f"GC/CT sent. {ctx.pick(['Breastfeeding well.', 'Referred to perinatal BH.', 'BP normal off meds.'])}" + signature(ctx, cnm, 3))
    return text_message(ctx, cnm, ma, "pp visit", body)


@template(S, "spanish", "yes")
def es_tabla_fecha_nacimiento(ctx):
    """Yes: Spanish HTML table with 'Fecha de nacimiento' as a column header (label and value in separate cells)."""
    c = ctx.clinic()
    s = ctx.staff(c, ("", "Coordinadora de citas"), es=True)
    to = ctx.staff(ctx.clinic(), ("", "Coordinadora"), es=True)
    rows = []
    for _ in range(ctx.rng.randint(2, 5)):
        p = ctx.patient(es=True)
        rows.append([p["name"], fmt_date(p["dob"], ctx.pick(["es", "dots_dmy", "es_long"])), ctx.pick(["cardiología", "ginecología", "psiquiatría", "endocrinología"])])
    html = html_doc("<p>Buenos días, le envío los pacientes referidos esta semana:</p>"
                    + html_table(["Nombre", "Fecha de nacimiento", "Especialidad"], rows, ctx.rng.randint(0, 2)) + "<p>Saludos,<br>" + s["name"] + "</p>")
    return html_message(ctx, s, to, "Pacientes referidos", html)


@template(S, "identifiers", "yes")
def id_mbi_lowercase_reply(ctx):
    """Yes: a reply giving an MBI in lower case or with spaces for a claim (quoted question)."""
    c, bill, _ = _c(ctx, ("", "Billing Specialist"))
    v = ctx.vendor()
    mbi = ctx.mbi(ctx.pick(["lower", "spaces", "dashes"]))
    body = (f"it's {mbi} — the card was mistyped at intake" + signature(ctx, bill, 4)
            + f"\n\nOn {fmt_date(ctx.past_date(1, 3), 'long')}, {v['name']} wrote:\n> Please send the correct Medicare number for claim {ctx.digits(12)}.")
    return text_message(ctx, bill, {"name": v["name"], "email": v["email"]}, "RE: corrected Medicare number", body)


@template(S, "it-notice", "no")
def it_inline_logo_newsletter(ctx):
    """No: IT newsletter in HTML with the department logo inline (cid:) — the image is benign."""
    c, it, to = _c(ctx, ("", "IT Director"))
    inner = ("<h3>IT News</h3><ul><li>Wi-Fi upgrade in the east wing this weekend.</li><li>New printers on 2nd floor.</li>"
             "<li>Remember: lock your screen (Win+L).</li></ul>" + sig_html(ctx, it))
    return html_with_inline_logo(ctx, it, to, "IT News - November", "IT News: Wi-Fi upgrade, new printers, lock your screen.", inner, "IT Services")


# ================================================================== heldout: structural variety

@template(S, "reply-forward", "no")
def fwd_rfc822_schedule_change(ctx):
    """No: a forwarded (message/rfc822) note about a clinic schedule change — staff only."""
    c, mgr, to = _c(ctx, ("", "Practice Manager"))
    d = ctx.staff(c, ("MD", "Physician"))
    inner = new_message(ctx, d, mgr, "Friday clinic")
    inner.set_content(f"I'll be at the conference Friday; please block my afternoon template and move the "
                      f"procedure block to {fmt_date(ctx.future_date(7, 20), 'weekday')}.\n{d['first']}")
    m = new_message(ctx, mgr, to, "FW: Friday clinic")
    m.set_content("Please adjust the template as below." + signature(ctx, mgr, 4))
    m.add_attachment(inner)
    return m


@template(S, "names-dates", "yes")
def nd_subject_only_phi(ctx):
    """Yes: the name, DOB and study are only in the Subject; the body is 'done'."""
    c, a, b = _c(ctx, ("", "Imaging Scheduler"), ("MA", "Medical Assistant"))
    p = ctx.patient()
    subj = f"RE: {p['last']}, {p['first']} {fmt_date(p['dob'], ctx.pick(['us_short', 'us', 'dots']))} - {ctx.pick(['MRI', 'CT', 'mammo', 'echo', 'DEXA'])}"
    return text_message(ctx, a, b, subj, ctx.pick(["done", "scheduled for Tues", "ok, booked"]) + signature(ctx, a, 3))


@template(S, "identifiers", "yes")
def id_ssn_html_cell(ctx):
    """Yes: guarantor table in HTML with an 'SSN' header cell and dotted SSNs below."""
    c, reg, bill = _c(ctx, ("", "Patient Access"), ("", "Billing Specialist"))
    rows = []
    for _ in range(ctx.rng.randint(1, 3)):
        p = ctx.patient(lo_age=25)
        rows.append([f"{p['last']}, {p['first']}", ctx.ssn(ctx.pick(["dot", "space", "plain"])), ctx.pick(["Self", "Spouse", "Parent"])])
    html = html_doc("<p>Guarantor corrections:</p>" + html_table(["Guarantor", "SSN", "Relationship"], rows, ctx.rng.randint(0, 2)) + sig_html(ctx, reg))
    return html_message(ctx, reg, bill, "guarantor fixes", html)


@template(S, "hl7-fhir", "yes")
def hl7_orm_with_dg1(ctx):
    """Yes: an HL7 v2 ORM^O01 order (PID, DG1 diagnosis) attached as a .txt file."""
    c, it, _ = _c(ctx, ("", "Interface Analyst"))
    v = ctx.vendor()
    p = ctx.patient()
    ts = hl7_ts(TODAY, dt.time(14, 3))
    msg = "\r\n".join([
        f"MSH|^~\\&|EHR|{c['name'].split()[0].upper()}|RIS|IMG|{ts}||ORM^O01|{ctx.digits(10)}|P|2.4",
        f"PID|||{p['mrn']}^^^EHR^MR||{p['last']}^{p['first']}^^^^^L||{hl7_ts(p['dob'])}|{p['sex']}",
        f"ORC|NW|{ctx.digits(8)}",
        f"OBR|1|{ctx.digits(8)}||{ctx.pick(['MRI KNEE', 'CT HEAD', 'US ABD', 'XR CHEST'])}",
        f"DG1|1||{ctx.pick(['M17.11', 'R51.9', 'R10.9', 'J18.9'])}^{ctx.dx()}^I10"]) + "\r\n"
    m = text_message(ctx, it, {"name": v["name"], "email": v["email"]}, "order not received",
                     "RIS says it never got this order:" + signature(ctx, it))
    return attach(m, msg.encode(), "text/plain", f"ORM_{ctx.digits(6)}.txt")


@template(S, "filename", "yes")
def fname_wound_photo(ctx):
    """Yes: a wound photo whose file name is 'Last_First_wound_<date>.jpg' (the image has no text)."""
    c, rn, doc = _c(ctx, ("RN", "Wound Care Nurse"), ("MD", "Surgeon"))
    p = ctx.patient(lo_age=40)
    jpg = photo_jpeg([""], ctx.rng)  # a photo: nothing to read in it
    m = text_message(ctx, rn, doc, "wound pic", "Looks worse than last week, see photo." + signature(ctx, rn, 3))
    return attach(m, jpg, "image/jpeg", f"{p['last']}_{p['first']}_wound_{fmt_date(ctx.past_date(0, 3), 'iso')}.jpg")


@template(S, "xlsx", "no")
def xlsx_vendor_remittance(ctx):
    """No: vendor remittance workbook with Luhn-valid 16-digit payment reference numbers."""
    c, ap, to = _c(ctx, ("", "Accounts Payable"))
    rows = [[ctx.vendor()["company"], ctx.luhn16(), ctx.past_date(1, 20), round(ctx.rng.uniform(200, 9000), 2)] for _ in range(ctx.rng.randint(5, 12))]
    x = make_xlsx([("Remittance", ["Vendor", "Payment reference", "Paid on", "Amount"], rows, "yyyy-mm-dd")])
    m = text_message(ctx, ap, to, "remittance batch", "This week's vendor payments attached for reconciliation." + signature(ctx, ap))
    return attach(m, x, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "remittance.xlsx")


@template(S, "billing", "yes")
def bill_card_authorization_form(ctx):
    """Yes: card-on-file authorisation: cardholder (the patient), card number, expiry, account."""
    c, fc, bill = _c(ctx, ("", "Patient Financial Counselor"), ("", "Billing Specialist"))
    p = ctx.patient()
    card = ctx.card()
    rows = [["Cardholder", p["name"]], ["Card number", " ".join(card[i:i + 4] for i in range(0, 16, 4))],
            ["Exp", f"{ctx.rng.randint(1, 12):02d}/{ctx.rng.randint(27, 31)}"], ["Patient account", ctx.digits(8)]]
    cells = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
    html = html_doc(f"<p>Card on file authorization received by phone:</p><table border='1'>{cells}</table>" + sig_html(ctx, fc))
    return html_message(ctx, fc, bill, "card on file", html)
