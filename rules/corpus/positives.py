"""Messages that need protection: PHI about an identifiable person, a sensitive identifier on its
own (SSN, Medicare MBI, payment card, record or member number), or a sender's [secure] tag.
Each function returns a dict for `generate.render`; the label is fixed by the template."""

from ids import ICD10, LABS, MEDS, CONDITIONS

SIGNOFFS = ["Thanks,", "Best,", "Regards,", "Thank you,", "--"]


def _who(c):
    return c.fake.name()


def clinical_note(c):
    r, i, f = c.rng, c.ids, c.fake
    name, dob = _who(c), c.ids.date(f.date_of_birth(minimum_age=1, maximum_age=95))
    code, desc = i.icd()
    med, dose, sig = r.choice(MEDS)
    head = r.choice([
        "Patient: %s\nDOB: %s\nMRN: %s\n" % (name, dob, i.mrn()),
        "Pt name: %s   DOB %s\n" % (name, dob),
        "Re: %s (date of birth %s)\n" % (name, dob),
        "%s, MRN %s\n" % (name, i.mrn()),
    ])
    cc = r.choice(["shortness of breath", "follow-up of %s" % r.choice(CONDITIONS), "chest pain", "medication review", "fatigue and weight gain", "left wrist pain after a fall"])
    body = head + (
        "\nChief complaint: %s.\nHPI: %d y/o seen in clinic today. %s\n"
        "Assessment and plan:\n1. %s (%s) - continue %s %s, %s.\n2. Follow-up in %d weeks; repeat labs before the visit.\n"
    ) % (cc, r.randint(19, 90), r.choice(["Reports good adherence.", "Symptoms worse at night.", "No fever or chills.", "BP elevated at home readings."]),
         desc, code, med, dose, sig, r.randint(2, 12))
    subj = r.choice(["Progress note", "Visit note for review", "Chart note - please co-sign", "Note from today's visit", "FW: clinic note"])
    return dict(subject=subj, text=body + "\n" + r.choice(SIGNOFFS) + "\n" + f.name() + ", MD\n")


def patient_letter(c):
    r, f = c.rng, c.fake
    name = _who(c)
    lab, unit, (lo, hi) = r.choice(LABS)
    val = round(r.uniform(lo, hi), 1)
    visit = c.ids.date(f.date_between("-60d", "-1d"))
    text = (
        "Dear %s,\n\nYour test results from your office visit on %s are back. Your %s was %s %s. "
        "Dr. %s would like to %s. %s\n\nPlease call us at %s with any questions.\n\n%s Care Team\n"
    ) % (name, visit, lab, val, unit, f.last_name(), r.choice(["adjust your medication", "see you for a follow-up visit", "repeat the test in three months"]),
         r.choice(["Your prescription for %s has been sent to your pharmacy." % r.choice(MEDS)[0], "Keep taking your medication as prescribed.", ""]),
         c.ids.phone(), c.org)
    return dict(subject=r.choice(["Your lab results", "Your test results are ready", "Results from your visit"]), text=text)


def billing(c):
    r, i, f = c.rng, c.ids, c.fake
    name = _who(c)
    dos = i.date(f.date_between("-120d", "-5d"))
    code, desc = i.icd()
    secret = r.choice([
        "Card on file: %s exp %02d/%02d" % (i.card(), r.randint(1, 12), r.randint(26, 31)),
        "SSN: %s" % i.ssn(),
        "Member ID: %s" % i.member_id(),
        "Guarantor SSN %s" % i.ssn("dash"),
        "Patient DOB: %s, diagnosis %s (%s)" % (i.date(f.date_of_birth()), code, desc),
    ])
    text = (
        "Hello,\n\nPlease post the payment below to the patient account.\n\nPatient name: %s\nAccount: %s\n"
        "Date of service: %s\nCPT 99214, 85025\nAmount: $%d.%02d\n%s\n\nBilling Office, %s\n"
    ) % (name, i.digits(8), dos, r.randint(40, 900), r.randint(0, 99), secret, c.org)
    return dict(subject=r.choice(["Patient payment", "Billing question", "Statement adjustment", "Balance due"]), text=text)


def claim(c):
    r, i, f = c.rng, c.ids, c.fake
    codes = [i.icd() for _ in range(r.randint(1, 3))]
    text = (
        "Claim number: %s\nMember ID: %s\nPatient: %s  DOB: %s\nRendering provider NPI: %s\nDate of service: %s\n"
        "Diagnosis codes: %s\nStatus: %s\n"
    ) % (i.digits(11), i.member_id(), _who(c), i.date(f.date_of_birth()), i.npi(), i.date(f.date_between("-90d", "-1d")),
         ", ".join(x for x, _ in codes), r.choice(["denied - prior authorization required", "pended for records", "paid at 80%", "resubmitted"]))
    pre = r.choice(["Please review the claim below.\n\n", "Appeal details:\n\n", "FYI - eligibility issue on this one.\n\n"])
    return dict(subject=r.choice(["Claim status", "Claim denial appeal", "ERA question", "Resubmission"]), text=pre + text)


def prescription(c):
    r, i, f = c.rng, c.ids, c.fake
    med, dose, sig = r.choice(MEDS)
    doc = f.last_name()
    text = (
        "New prescription\n\nPatient: %s\nDOB: %s\nRx: %s %s\nSig: %s\nDispense: %d\nRefills: %d\n"
        "Prescriber: Dr. %s, DEA %s, NPI %s\n"
    ) % (_who(c), i.date(f.date_of_birth()), med, dose, sig, r.choice([30, 60, 90]), r.randint(0, 5), doc, i.dea(doc), i.npi())
    return dict(subject=r.choice(["eRx fallback", "Prescription", "Refill request", "Rx for pickup"]), text=text)


def _lab_rows(c, n):
    r = c.rng
    rows = []
    for lab, unit, (lo, hi) in r.sample(LABS, n):
        v = round(r.uniform(lo, hi), 1)
        rows.append((lab, str(v), unit, r.choice(["", "H", "L", ""])))
    return rows


def lab_html(c):
    r, i, f = c.rng, c.ids, c.fake
    rows = _lab_rows(c, r.randint(3, 6))
    trs = "".join("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % row for row in rows)
    name, dob = _who(c), i.date(f.date_of_birth())
    html = (
        "<html><body><p>Lab results for <b>%s</b><br>DOB:&nbsp;%s &middot; MRN&nbsp;%s</p>"
        "<table><tr><th>Test</th><th>Result</th><th>Units</th><th>Flag</th></tr>%s</table>"
        "<p>Collected %s. Please review and sign.</p></body></html>"
    ) % (name, dob, i.mrn(), trs, i.date(f.date_between("-14d", "-1d")))
    text = None if r.random() < 0.5 else "Lab results for %s, DOB %s\n" % (name, dob)
    return dict(subject=r.choice(["Lab results", "Critical value", "Results for review"]), html=html, text=text)


def _report_lines(c):
    r, i, f = c.rng, c.ids, c.fake
    lines = [c.org + " Laboratory", "", "Patient: " + _who(c), "DOB: " + i.date(f.date_of_birth()), "MRN: " + i.mrn(), ""]
    for lab, v, unit, flag in _lab_rows(c, r.randint(4, 8)):
        lines.append("%s  %s %s %s" % (lab, v, unit, flag))
    lines += ["", "Ordering physician: Dr. " + f.last_name(), "Diagnosis: " + r.choice(CONDITIONS)]
    return lines


def lab_pdf(c):
    r = c.rng
    data = c.docs.pdf(_report_lines(c), compress=r.random() < 0.7, kerned=r.random() < 0.3)
    return dict(subject=r.choice(["Results attached", "Lab report", "Scanned report"]), text=r.choice(["Please see attached.", "Report attached for your records.", "Attached as requested."]),
                attachments=[("report-%d.pdf" % r.randint(1, 999), "pdf", data)])


def discharge_docx(c):
    r, i, f = c.rng, c.ids, c.fake
    med, dose, sig = r.choice(MEDS)
    code, desc = i.icd()
    paras = ["Discharge Summary", "Patient: " + _who(c), "Date of birth: " + i.date(f.date_of_birth()),
             "Admitted: " + i.date(f.date_between("-20d", "-8d")), "Discharged: " + i.date(f.date_between("-7d", "-1d")),
             "Principal diagnosis: %s (%s)" % (desc, code), "Discharge medications: %s %s, %s" % (med, dose, sig),
             "Follow up with primary care in %d days." % r.randint(3, 14)]
    return dict(subject=r.choice(["Discharge summary", "Summary for follow-up", "Records"]), text="Attached.",
                attachments=[("discharge-summary.docx", "docx", c.docs.docx(paras))])


def roster(c, ext):
    r, i, f = c.rng, c.ids, c.fake
    cols = r.choice([("Name", "DOB", "MRN", "Diagnosis"), ("Patient", "SSN", "Insurance", "Member ID"), ("Name", "Medicare MBI", "Appt", "Provider")])
    rows = [list(cols)]
    for _ in range(r.randint(3, 12)):
        row = []
        for col in cols:
            row.append({
                "Name": _who(c), "Patient": _who(c), "DOB": i.date(f.date_of_birth(), "us"), "MRN": i.mrn(),
                "Diagnosis": r.choice(CONDITIONS), "SSN": i.ssn("dash"), "Insurance": r.choice(["Aetna", "BCBS", "Cigna", "Medicaid"]),
                "Member ID": i.member_id(), "Medicare MBI": i.mbi(), "Appt": i.date(f.date_between("+1d", "+30d"), "us"),
                "Provider": "Dr. " + f.last_name(),
            }[col])
        rows.append(row)
    data = c.docs.xlsx(rows) if ext == "xlsx" else c.docs.csv_bytes(rows)
    return dict(subject=r.choice(["Patient list", "Tomorrow's schedule", "Export", "Census"]), text=r.choice(["See attached.", "Here is the export you asked for.", ""]),
                attachments=[("export-%d.%s" % (r.randint(1, 99), ext), ext, data)])


def referral_mbi(c):
    r, i, f = c.rng, c.ids, c.fake
    text = (
        "Referral to %s\n\nPatient: %s\nMedicare MBI: %s\nReason: %s\nReferring physician: Dr. %s\n"
    ) % (r.choice(["cardiology", "endocrinology", "physical therapy", "sleep medicine"]), _who(c), i.mbi(), r.choice(CONDITIONS), f.last_name())
    return dict(subject=r.choice(["Referral", "New referral", "Referral - Medicare patient"]), text=text)


def hr_ssn(c):
    r, i, f = c.rng, c.ids, c.fake
    text = r.choice([
        "Hi,\n\nFor the new hire paperwork: %s, SSN %s, start date %s.\n",
        "Payroll correction for %s - social security number on the W-4 should be %s (effective %s).\n",
        "Benefits enrollment: employee %s, SSN: %s, coverage begins %s.\n",
    ]) % (f.name(), i.ssn(r.choice(["dash", "dash", "plain", "space"])), i.date(f.date_between("+1d", "+40d")))
    return dict(subject=r.choice(["New hire", "Payroll", "W-4 correction", "Benefits enrollment"]), text=text + "\nHR\n")


def forwarded(c):
    inner = clinical_note(c)
    nested = c.docs_message(c, inner)
    return dict(subject="Fwd: " + inner["subject"], text=c.rng.choice(["See below.", "Forwarding for your records.", "FYI"]), nested=nested)


def subject_phi(c):
    r, i, f = c.rng, c.ids, c.fake
    subj = "%s DOB %s - %s" % (_who(c), i.date(f.date_of_birth(), "us"), r.choice(["MRI results", "biopsy follow-up", "A1c high", "pregnancy test"]))
    return dict(subject=subj, text=r.choice(["Can you call me about this one?", "Please review.", "Results are in the chart."]))


def secure_tag(c):
    r = c.rng
    subj = r.choice(["[secure] ", "[SECURE] ", "#secure ", "[Encrypt] "]) + r.choice(["Documents", "Forms you asked for", "Follow-up", "Paperwork"])
    return dict(subject=subj, text=r.choice(["Please see the forms we discussed.", "Here are the documents.", "Sending this securely."]))


def informal_note(c):
    r, f = c.rng, c.fake
    title = r.choice(["Mr.", "Mrs.", "Ms.", "Mr", "Ms"])
    she, her = ("he", "His") if title.startswith("Mr") and not title.startswith("Mrs") else ("she", "Her")
    med = r.choice(MEDS)[0]
    cond = r.choice(CONDITIONS)
    text = r.choice([
        "%s %s called again about the %s - says it makes " + ("him" if she == "he" else "her") + " dizzy. " + her + " %s has been harder to control since the dose change. Can you call back today?\n",
        "Quick heads-up: %s %s is on %s and was just diagnosed with %s, so please hold the procedure until cardiology clears it.\n",
        "Can we move %s %s to Thursday? The %s refill ran out and the %s symptoms came back over the weekend.\n",
    ]) % (title, f.last_name(), med, cond)
    return dict(subject=r.choice(["Phone message", "Quick question", "Re: tomorrow", "Call back"]), text=text + "\n" + f.first_name() + "\n")


def appointment_reminder(c):
    r, f, i = c.rng, c.fake, c.ids
    when = f.date_time_between("+1d", "+20d")
    text = (
        "Dear %s,\n\nThis is a reminder of your appointment with Dr. %s (%s) on %s at %s.\n"
        "Please arrive 15 minutes early and bring your insurance card and a list of your medications.\n"
        "To reschedule, call %s.\n"
    ) % (f.name(), f.last_name(), r.choice(["cardiology", "oncology", "behavioral health", "endocrinology", "OB/GYN", "dermatology"]),
         i.date(when.date()), when.strftime("%I:%M %p"), i.phone())
    return dict(subject=r.choice(["Appointment reminder", "Your upcoming visit", "Reminder: appointment"]), text=text)


def reply_chain(c):
    inner = clinical_note(c)
    quoted = "\n".join("> " + line for line in inner["text"].splitlines())
    text = "%s\n\nOn %s, %s wrote:\n%s\n" % (c.rng.choice(["Agreed, will do.", "Thanks - signed.", "Can you add the labs?"]),
                                            c.ids.date(c.fake.date_between("-5d", "today")), c.fake.name(), quoted)
    return dict(subject="Re: " + inner["subject"], text=text)


GENERATORS = [
    ("clinical-note", clinical_note, 6), ("patient-letter", patient_letter, 3), ("billing", billing, 4),
    ("claim", claim, 4), ("prescription", prescription, 4), ("lab-html", lab_html, 4), ("lab-pdf", lab_pdf, 4),
    ("discharge-docx", discharge_docx, 3), ("roster-xlsx", lambda c: roster(c, "xlsx"), 3),
    ("roster-csv", lambda c: roster(c, "csv"), 3), ("referral-mbi", referral_mbi, 2), ("hr-ssn", hr_ssn, 2),
    ("forwarded-note", forwarded, 2), ("subject-phi", subject_phi, 1), ("secure-tag", secure_tag, 1),
    ("informal-note", informal_note, 3), ("appointment-reminder", appointment_reminder, 2), ("reply-chain", reply_chain, 2),
]
