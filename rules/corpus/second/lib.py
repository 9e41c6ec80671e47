"""Building blocks for the second corpus: people, clinics, identifiers, date forms,
message assembly and attachment makers (XLSX, zip, scanned PDF, HL7 v2, FHIR, C-CDA, iCalendar).

Everything is driven by the `Ctx` handed to each template: its `rng` (random.Random) and its
seeded Faker instances. Nothing reads the clock: `TODAY` is pinned.
"""

import datetime as dt
import email.policy
import io
import json
import random
import re
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime

from faker import Faker

TODAY = dt.date(2026, 11, 16)
TZ = dt.timezone(dt.timedelta(hours=-5))
FIXED_TS = dt.datetime(2026, 11, 13, 9, 30, 0)

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MESES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
         "septiembre", "octubre", "noviembre", "diciembre"]
DIAS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]

# ----------------------------------------------------------------------------------------
# Vocabularies (hand-written for this generator; the `split` halves keep some terms unseen
# in dev so that a classifier tuned on dev is tested on vocabulary it has not seen).
# ----------------------------------------------------------------------------------------

DIAGNOSES = [
    "type 2 diabetes", "congestive heart failure", "atrial fibrillation", "COPD exacerbation",
    "community-acquired pneumonia", "cellulitis of the left leg", "major depressive disorder",
    "generalized anxiety disorder", "hypothyroidism", "chronic kidney disease stage 3",
    "rheumatoid arthritis", "migraine without aura", "lumbar radiculopathy", "gout flare",
    "iron deficiency anemia", "hepatitis C", "asthma", "obstructive sleep apnea",
    "benign prostatic hyperplasia", "urinary tract infection", "diverticulitis",
    "Crohn's disease", "psoriasis", "osteoporosis", "pulmonary embolism",
    "deep vein thrombosis", "multiple sclerosis", "Parkinson's disease", "epilepsy",
    "bipolar disorder", "schizophrenia", "opioid use disorder", "alcohol use disorder",
    "breast cancer", "prostate cancer", "melanoma", "non-Hodgkin lymphoma",
    "gestational diabetes", "preeclampsia", "polycystic ovary syndrome", "endometriosis",
    "chlamydia", "herpes zoster", "Lyme disease", "celiac disease", "glaucoma",
    "macular degeneration", "peripheral neuropathy", "sciatica", "rotator cuff tear",
    "hypertension", "hyperlipidemia", "GERD", "anorexia nervosa", "PTSD", "ADHD",
    "autism spectrum disorder", "dementia", "stroke", "kidney stones",
]
MEDS = [
    "metformin 1000 mg BID", "lisinopril 20 mg daily", "atorvastatin 40 mg", "apixaban 5 mg",
    "furosemide 40 mg", "sertraline 100 mg", "escitalopram 10 mg", "levothyroxine 75 mcg",
    "insulin glargine 22 units", "semaglutide 1 mg weekly", "albuterol inhaler",
    "prednisone taper", "amoxicillin-clavulanate", "doxycycline 100 mg", "gabapentin 300 mg",
    "buprenorphine-naloxone", "naltrexone", "quetiapine 50 mg", "lithium 300 mg",
    "aripiprazole 5 mg", "methotrexate", "adalimumab", "warfarin 5 mg", "carvedilol 12.5 mg",
    "empagliflozin 10 mg", "tamsulosin 0.4 mg", "montelukast", "hydroxychloroquine",
    "oxycodone 5 mg", "tramadol", "bupropion XL 150", "venlafaxine", "clonazepam 0.5 mg",
    "lamotrigine 100 mg", "levetiracetam", "norethindrone", "medroxyprogesterone injection",
    "valacyclovir", "ondansetron", "pantoprazole 40 mg",
]
HIV_MEDS = ["Biktarvy", "Descovy", "Truvada", "Genvoya", "Dovato", "Triumeq", "Symtuza",
            "Odefsey", "Juluca", "Cabenuva", "Stribild", "Complera"]
PROCEDURES = [
    "MRI of the lumbar spine", "CT abdomen/pelvis with contrast", "colonoscopy",
    "upper endoscopy", "laparoscopic cholecystectomy", "cataract surgery, right eye",
    "total knee replacement", "cardiac catheterization", "echocardiogram", "stress test",
    "screening mammogram", "breast biopsy", "skin biopsy", "carpal tunnel release",
    "hernia repair", "tonsillectomy", "IUD insertion", "tubal ligation", "vasectomy",
    "dental extraction", "physical therapy evaluation", "sleep study", "bone density scan",
    "pulmonary function test", "Holter monitor", "thyroid ultrasound", "lumbar puncture",
    "EEG", "nerve conduction study", "allergy testing", "prenatal ultrasound",
    "C-section", "hysterectomy", "ACL reconstruction", "spinal fusion", "dialysis access",
]
SPECIALTIES = ["cardiology", "endocrinology", "orthopedics", "dermatology", "neurology",
               "gastroenterology", "psychiatry", "OB/GYN", "oncology", "nephrology",
               "pulmonology", "rheumatology", "urology", "ophthalmology", "behavioral health",
               "infectious disease", "podiatry", "ENT", "allergy", "pain management"]
# Clinician shorthand: shared by both splits (the issue names these forms).
SHORTHAND_DX = ["CHF", "NSTEMI", "DKA", "COPD", "CKD3", "AFib", "HTN", "HLD", "T2DM", "UTI",
                "PNA", "DVT", "PE", "GERD", "OSA", "BPH", "MDD", "GAD", "SI/HI", "ETOH w/d",
                "s/p lap chole", "CVA", "TIA", "SBO", "AKI", "cellulitis LLE", "STI screen"]
SHORTHAND_OB = ["postpartum depression", "s/p IUD placement", "G2P1 @ 32w", "PPROM", "GDM on insulin",
                "pre-E w/o severe features"]
LABS = [("A1c", "%", 5.6, 11.8), ("LDL", "mg/dL", 60, 210), ("eGFR", "mL/min", 18, 95),
        ("TSH", "mIU/L", 0.2, 9.5), ("Hgb", "g/dL", 7.1, 15.9), ("K", "mmol/L", 3.0, 5.9),
        ("Cr", "mg/dL", 0.6, 3.4), ("BNP", "pg/mL", 40, 1900), ("troponin", "ng/L", 3, 480),
        ("INR", "", 0.9, 4.2), ("PSA", "ng/mL", 0.4, 14.0), ("vitamin D", "ng/mL", 8, 55),
        ("ferritin", "ng/mL", 6, 400), ("WBC", "K/uL", 2.1, 19.5)]
INSURERS = ["BlueCross BlueShield", "Aetna", "UnitedHealthcare", "Cigna", "Humana",
            "Medicare Part B", "Medicaid", "Ambetter", "Kaiser", "Molina", "Tricare",
            "Anthem", "Oscar Health", "WellCare"]
CLINIC_WORDS = ["Lakeview", "Riverbend", "Cedar Hills", "Northgate", "Maple Grove", "Harbor",
                "Summit", "Pinecrest", "Bayside", "Willow Creek", "Stonebridge", "Fairmont",
                "Oak Valley", "Clearwater", "Highland", "Meadowbrook"]
CLINIC_KINDS = [("Family Medicine", "fm"), ("Medical Group", "mg"), ("Health", "health"),
                ("Community Clinic", "cc"), ("Cardiology Associates", "cardio"),
                ("Women's Health", "womens"), ("Pediatrics", "peds"),
                ("Behavioral Health", "bh"), ("Orthopedic Center", "ortho"),
                ("Internal Medicine", "im")]
STAFF_ROLES = [("MD", "Physician"), ("DO", "Physician"), ("NP", "Nurse Practitioner"),
               ("PA-C", "Physician Assistant"), ("RN", "Care Coordinator"),
               ("RN", "Charge Nurse"), ("LPN", "Clinic Nurse"), ("MA", "Medical Assistant"),
               ("", "Front Desk Lead"), ("", "Billing Specialist"), ("", "Practice Manager"),
               ("CPC", "Coding Specialist"), ("LCSW", "Therapist"), ("", "Referral Coordinator"),
               ("", "HR Generalist"), ("", "IT Support"), ("PharmD", "Clinical Pharmacist")]
PERSONAL_DOMAINS = ["mail.example.com", "example.net", "inbox.example.org", "example.com",
                    "homemail.example", "webmail.example.net"]


def split_half(items, split):
    """Two-thirds of a list for one split: every third item is dev-only, every
    third+1 heldout-only, the rest shared."""
    keep = 1 if split == "dev" else 2
    return [x for i, x in enumerate(items) if i % 3 in (0, keep)]


# ----------------------------------------------------------------------------------------
# Identifiers
# ----------------------------------------------------------------------------------------

def luhn_check_digit(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number):
    digits = re.sub(r"\D", "", number)
    return luhn_check_digit(digits[:-1]) == digits[-1]


MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"
MBI_ALNUM = MBI_ALPHA + "0123456789"


class Ctx:
    """Per-message context: rng, Faker, split, and helpers that draw from them."""

    def __init__(self, split, rng, fk, fk_es):
        self.split = split
        self.rng = rng
        self.fk = fk
        self.fk_es = fk_es

    # -- choice helpers --
    def pick(self, seq):
        return self.rng.choice(seq)

    def sample(self, seq, k):
        return self.rng.sample(seq, k)

    def chance(self, p):
        return self.rng.random() < p

    def digits(self, n):
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def vocab(self, items):
        return split_half(items, self.split)

    def dx(self):
        return self.pick(self.vocab(DIAGNOSES))

    def med(self):
        return self.pick(self.vocab(MEDS))

    def hiv_med(self):
        return self.pick(self.vocab(HIV_MEDS))

    def proc(self):
        return self.pick(self.vocab(PROCEDURES))

    def specialty(self):
        return self.pick(SPECIALTIES)

    def lab(self):
        name, unit, lo, hi = self.pick(LABS)
        v = self.rng.uniform(lo, hi)
        val = f"{v:.1f}" if hi < 50 else f"{int(v)}"
        return name, val, unit

    # -- identifiers --
    def ssn_digits(self):
        area = self.rng.choice([i for i in range(1, 900) if i != 666])
        return f"{area:03d}{self.rng.randint(1, 99):02d}{self.rng.randint(1, 9999):04d}"

    def ssn(self, style=None):
        d = self.ssn_digits()
        style = style or self.pick(["dash", "dot", "space", "plain", "dash"])
        return {"dash": f"{d[:3]}-{d[3:5]}-{d[5:]}", "dot": f"{d[:3]}.{d[3:5]}.{d[5:]}",
                "space": f"{d[:3]} {d[3:5]} {d[5:]}", "plain": d}[style]

    def mbi(self, style=None):
        r = self.rng
        s = (str(r.randint(1, 9)) + r.choice(MBI_ALPHA) + r.choice(MBI_ALNUM) + str(r.randint(0, 9))
             + r.choice(MBI_ALPHA) + r.choice(MBI_ALNUM) + str(r.randint(0, 9))
             + r.choice(MBI_ALPHA) + r.choice(MBI_ALPHA) + str(r.randint(0, 9)) + str(r.randint(0, 9)))
        style = style or self.pick(["plain", "lower", "spaces", "dashes", "plain"])
        if style == "lower":
            return s.lower()
        if style == "spaces":
            return f"{s[:4]} {s[4:7]} {s[7:]}"
        if style == "dashes":
            return f"{s[:4]}-{s[4:7]}-{s[7:]}"
        return s

    def mrn(self):
        form = self.rng.randint(0, 3)
        if form == 0:
            return self.digits(8)
        if form == 1:
            return "00" + self.digits(6)
        if form == 2:
            return "M" + self.digits(7)
        return f"{self.digits(3)}-{self.digits(4)}"

    def member_id(self):
        form = self.rng.randint(0, 3)
        L = "ABCDEFGHJKLMNPRSTUVWXYZ"
        if form == 0:
            return "".join(self.rng.choice(L) for _ in range(3)) + self.digits(9)
        if form == 1:
            return "W" + self.digits(9)
        if form == 2:
            return self.digits(9) + "01"
        return "".join(self.rng.choice(L) for _ in range(2)) + self.digits(7) + "-0" + str(self.rng.randint(1, 4))

    def luhn16(self, prefix=None):
        body = (prefix or str(self.rng.randint(1, 9))) + self.digits(15 - len(prefix or "x"))
        return body + luhn_check_digit(body)

    def card(self):
        return self.luhn16(self.pick(["4", "51", "52", "55", "37"]))

    def npi(self):
        body = self.pick(["1", "2"]) + self.digits(8)
        return body + luhn_check_digit("80840" + body)

    def ein(self):
        return f"{self.rng.randint(10, 98)}-{self.digits(7)}"

    def duns(self):
        return self.digits(9)

    def isbn13(self):
        body = self.pick(["978", "979"]) + self.digits(9)
        s = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
        return body + str((10 - s % 10) % 10)

    def ups(self):
        return "1Z" + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(6)) + self.digits(10)

    def usps(self):
        body = "9400" + self.digits(17)
        s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
        return body + str((10 - s % 10) % 10)

    def phone(self):
        return f"({self.rng.randint(201, 989)}) {self.rng.randint(200, 989)}-{self.digits(4)}"

    # -- dates --
    def past_date(self, lo_days=1, hi_days=400):
        return TODAY - dt.timedelta(days=self.rng.randint(lo_days, hi_days))

    def future_date(self, lo_days=1, hi_days=60):
        return TODAY + dt.timedelta(days=self.rng.randint(lo_days, hi_days))

    def appt_time(self):
        h = self.rng.choice([7, 8, 9, 10, 11, 13, 14, 15, 16])
        m = self.rng.choice([0, 15, 30, 45])
        return dt.time(h, m)

    def dob(self, lo_age=1, hi_age=88):
        age = self.rng.randint(lo_age, hi_age)
        d = dt.date(TODAY.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return d

    # -- people and places --
    def clinic(self):
        w = self.pick(CLINIC_WORDS)
        k, short = self.pick(CLINIC_KINDS)
        slug = w.lower().replace(" ", "")
        domain = self.pick([f"{slug}{short}.example", f"{slug}-{short}.example",
                            f"{slug}health.example", f"{short}.{slug}.example"])
        return {"name": f"{w} {k}", "domain": domain, "phone": self.phone(),
                "fax": self.phone(), "city": self.fk.city(), "state": self.fk.state_abbr(),
                "street": self.fk.street_address(), "zip": self.fk.zipcode()}

    def staff(self, clinic, role=None, es=False):
        f = self.fk_es if es else self.fk
        first, last = f.first_name(), f.last_name()
        cred, title = role if role else self.pick(STAFF_ROLES)
        local = self.pick([f"{first[0]}{last}", f"{first}.{last}", f"{first}{last[0]}",
                           f"{last}.{first[0]}"]).lower()
        local = re.sub(r"[^a-z.]", "", _ascii(local))
        return {"first": first, "last": last, "cred": cred, "title": title,
                "name": f"{first} {last}", "email": f"{local}@{clinic['domain']}",
                "clinic": clinic, "ext": self.digits(4)}

    def role_mailbox(self, clinic, box):
        """A staff member sending from (or on behalf of) a shared clinic mailbox."""
        s = self.staff(clinic, ("", f"{box.title()} Team"))
        if self.chance(0.5):
            s = dict(s, email=f"{box}@{clinic['domain']}", name=f"{clinic['name']} - {s['first']}")
        return s

    def patient(self, es=False, lo_age=1, hi_age=88):
        f = self.fk_es if es else self.fk
        sex = self.pick("FM")
        first = f.first_name_female() if sex == "F" else f.first_name_male()
        last = f.last_name()
        dob = self.dob(lo_age, hi_age)
        local = re.sub(r"[^a-z.]", "", _ascii(self.pick(
            [f"{first}.{last}", f"{first[0]}{last}{self.digits(2)}", f"{last}{first[0]}",
             f"{first}{self.digits(3)}"]).lower()))
        return {"first": first, "last": last, "mi": self.pick("ABCDEFGHJKLMNPRSTW"), "sex": sex,
                "dob": dob, "age": (TODAY - dob).days // 365, "mrn": self.mrn(),
                "ssn": self.ssn("dash"), "mbi": self.mbi("plain"), "member": self.member_id(),
                "phone": self.phone(), "email": f"{local}@{self.pick(PERSONAL_DOMAINS)}",
                "street": f.street_address(), "city": f.city(),
                "state": self.fk.state_abbr(), "zip": self.fk.zipcode(),
                "insurer": self.pick(INSURERS), "name": f"{first} {last}",
                # pronouns and Spanish agreement, so the prose matches the patient
                "she": "she" if sex == "F" else "he", "She": "She" if sex == "F" else "He",
                "her": "her" if sex == "F" else "his", "Her": "Her" if sex == "F" else "His",
                "her_obj": "her" if sex == "F" else "him",
                "estimada": "Estimada" if sex == "F" else "Estimado", "la": "la" if sex == "F" else "lo",
                "o_a": "a" if sex == "F" else "o"}

    def vendor(self):
        co = self.fk.company()
        slug = re.sub(r"[^a-z]", "", co.lower())[:18] or "vendor"
        first, last = self.fk.first_name(), self.fk.last_name()
        return {"company": co, "domain": f"{slug}.example.com", "name": f"{first} {last}",
                "first": first, "last": last,
                "email": f"{first.lower()}.{re.sub('[^a-z]', '', last.lower())}@{slug}.example.com"}

    # -- message date --
    def sent_at(self):
        d = TODAY - dt.timedelta(days=self.rng.randint(0, 3))
        return dt.datetime(d.year, d.month, d.day, self.rng.randint(7, 18),
                           self.rng.randint(0, 59), self.rng.randint(0, 59), tzinfo=TZ)

    def msgid(self, domain):
        return f"<{''.join(self.rng.choice('0123456789abcdef') for _ in range(24))}@{domain}>"


def _ascii(s):
    import unicodedata
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


# ----------------------------------------------------------------------------------------
# Date formats
# ----------------------------------------------------------------------------------------

DOB_STYLES = ["us", "us_short", "compact", "iso", "dots", "dots_dmy", "dmon", "long",
              "dmy_long", "yy", "us_pad_short"]


def fmt_date(d, style):
    if style == "us":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "us_short":
        return f"{d.month}/{d.day}/{d.year % 100:02d}"
    if style == "us_nopad":
        return f"{d.month}/{d.day}/{d.year}"
    if style == "compact":
        return f"{d.month:02d}{d.day:02d}{d.year}"
    if style == "compact_iso":
        return f"{d.year}{d.month:02d}{d.day:02d}"
    if style == "iso":
        return d.isoformat()
    if style == "dots":
        return f"{d.month:02d}.{d.day:02d}.{d.year}"
    if style == "dots_dmy":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "dmon":
        return f"{d.day:02d}-{MONTHS[d.month - 1][:3]}-{d.year}"
    if style == "dmon_yy":
        return f"{d.day}-{MONTHS[d.month - 1][:3]}-{d.year % 100:02d}"
    if style == "long":
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    if style == "dmy_long":
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if style == "yy":
        return f"{d.month:02d}-{d.day:02d}-{d.year % 100:02d}"
    if style == "us_pad_short":
        return f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}"
    if style == "es":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "es_long":
        return f"{d.day} de {MESES[d.month - 1]} de {d.year}"
    if style == "short_md":
        return f"{d.month}/{d.day}"
    if style == "weekday":
        return f"{d.strftime('%A')}, {MONTHS[d.month - 1]} {d.day}"
    if style == "mon_d":
        return f"{MONTHS[d.month - 1][:3]} {d.day}"
    raise ValueError(style)


def fmt_time(t):
    h = t.hour % 12 or 12
    return f"{h}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def ordinal(n):
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# ----------------------------------------------------------------------------------------
# Signatures
# ----------------------------------------------------------------------------------------

def signature(ctx, s, style=None):
    c = s["clinic"]
    style = style if style is not None else ctx.rng.randint(0, 4)
    full = s["name"] + (f", {s['cred']}" if s["cred"] else "")
    if style == 0:
        return f"\n\n{full}\n{s['title']}\n{c['name']}\n{c['phone']} ext. {s.get('ext', '2201')}\n"
    if style == 1:
        return f"\n\nThanks,\n{s['first']}\n\n--\n{full} | {s['title']}\n{c['name']} | {c['street']}, {c['city']}, {c['state']} {c['zip']}\nP {c['phone']}  F {c['fax']}\n"
    if style == 2:
        return (f"\n\nBest regards,\n\n{full}\n{s['title']}, {c['name']}\n"
                f"Phone: {c['phone']} | Fax: {c['fax']}\n\n"
                "CONFIDENTIALITY NOTICE: This e-mail, including any attachments, may contain "
                "protected health information (PHI) that is privileged and confidential under "
                "HIPAA. If you are not the intended recipient, please notify the sender and "
                "delete this message.\n")
    if style == 3:
        return f"\n\n- {s['first']}\n\nSent from my iPhone\n"
    return f"\n\nRegards,\n{full}\n{c['name']}\n"


def sig_html(ctx, s):
    c = s["clinic"]
    full = s["name"] + (f", {s['cred']}" if s["cred"] else "")
    return (f"<p style='font-size:11px;color:#555'>{full}<br>{s['title']}<br>{c['name']}<br>"
            f"{c['phone']}</p>")


# ----------------------------------------------------------------------------------------
# Message assembly
# ----------------------------------------------------------------------------------------

def addr(p):
    return f"{p['name']} <{p['email']}>" if p.get("name") else p["email"]


def new_message(ctx, frm, to, subject, cc=None, date=None):
    m = EmailMessage(policy=email.policy.default)
    m["From"] = addr(frm)
    m["To"] = ", ".join(addr(t) for t in (to if isinstance(to, list) else [to]))
    if cc:
        m["Cc"] = ", ".join(addr(t) for t in cc)
    m["Subject"] = subject
    m["Date"] = format_datetime(date or ctx.sent_at())
    m["Message-ID"] = ctx.msgid(frm["email"].split("@")[1])
    if re.match(r"(?i)(re|aw|rv):", subject):
        parent = ctx.msgid(ctx.pick([frm["email"], (to if isinstance(to, list) else [to])[0]["email"]]).split("@")[1])
        m["In-Reply-To"] = parent
        m["References"] = parent
    m["MIME-Version"] = "1.0"
    if ctx.chance(0.3):
        m["X-Mailer"] = ctx.pick(["Microsoft Outlook 16.0", "Apple Mail (2.3774)", "iPhone Mail (22B91)"])
    return m


def text_message(ctx, frm, to, subject, body, html=None, cc=None, cte=None):
    m = new_message(ctx, frm, to, subject, cc)
    if cte is None:
        cte = ctx.pick([None, None, "quoted-printable", "base64"]) if not body.isascii() else \
            ctx.pick([None, None, None, "quoted-printable", "base64"])
    if cte:
        m.set_content(body, cte=cte)
    else:
        m.set_content(body)
    if html is None and ctx.chance(0.25):
        # Outlook-style: the same text also as an HTML alternative
        import html as _html
        paras = "".join(f"<p>{_html.escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n"))
        html = html_doc(f"<div class='WordSection1'>{paras}</div>")
    if html is not None:
        m.add_alternative(html, subtype="html")
    return m


def html_message(ctx, frm, to, subject, html, cc=None):
    m = new_message(ctx, frm, to, subject, cc)
    m.set_content(html, subtype="html", cte=ctx.pick([None, "quoted-printable", "base64"]))
    return m


def attach(m, data, mime, filename, inline=False):
    maintype, subtype = mime.split("/", 1)
    if isinstance(data, str):
        if maintype == "text":
            m.add_attachment(data, subtype=subtype, filename=filename,
                             disposition="inline" if inline else "attachment")
            return m
        data = data.encode("utf-8")
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename,
                     disposition="inline" if inline else "attachment")
    return m


def quote_lines(text, prefix="> "):
    return "\n".join(prefix + l if l else prefix.rstrip() for l in text.splitlines())


def body_text(m):
    part = m.get_body(("plain", "html"))
    return part.get_content() if part else ""


# ----------------------------------------------------------------------------------------
# Attachments
# ----------------------------------------------------------------------------------------

def normalise_zip(data):
    """Rewrite a zip with fixed timestamps so output is byte-for-byte reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-11-13T09:30:00Z", body)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TS.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def make_zip(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files:
            zi = zipfile.ZipInfo(name, date_time=FIXED_TS.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, body if isinstance(body, bytes) else body.encode("utf-8"))
    return out.getvalue()


def make_csv(header, rows, delim=","):
    import csv
    out = io.StringIO()
    w = csv.writer(out, delimiter=delim, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def make_xls(header, rows, date_format="MM/DD/YYYY"):
    """A legacy Excel 97-2003 (OLE2/BIFF8) workbook written by xlwt; dates are serial numbers."""
    import xlwt
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Sheet1")
    bold = xlwt.easyxf("font: bold on")
    datef = xlwt.easyxf(num_format_str=date_format)
    for j, h in enumerate(header):
        ws.write(0, j, h, bold)
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            if isinstance(v, (dt.date, dt.datetime)):
                ws.write(i, j, v, datef)
            else:
                ws.write(i, j, v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def gzip_bytes(data):
    import gzip
    return gzip.compress(data if isinstance(data, bytes) else data.encode("utf-8"), mtime=0)


def vcard(first, last, org=None, title=None, phone=None, email_addr=None, note=None, adr=None, bday=None):
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{last};{first};;;", f"FN:{first} {last}"]
    if org:
        lines.append(f"ORG:{org}")
    if title:
        lines.append(f"TITLE:{title}")
    if phone:
        lines.append(f"TEL;TYPE=CELL:{phone}")
    if email_addr:
        lines.append(f"EMAIL;TYPE=INTERNET:{email_addr}")
    if adr:
        lines.append(f"ADR;TYPE=HOME:;;{adr}")
    if bday:
        lines.append(f"BDAY:{bday.isoformat()}")
    if note:
        lines.append(f"NOTE:{ics_escape(note)}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def make_xlsx(sheets, date_format="mm/dd/yyyy"):
    """sheets: list of (title, header, rows, date_formats) — date/datetime cells are stored as
    Excel serial numbers with a number format (openpyxl's normal behaviour)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        title, header, rows = sheet[:3]
        fmt = sheet[3] if len(sheet) > 3 else date_format
        ws = wb.create_sheet(title)
        pre = sheet[4] if len(sheet) > 4 else []
        for line in pre:
            ws.append(line)
        ws.append(header)
        for c in ws[ws.max_row]:
            c.font = Font(bold=True)
        for r in rows:
            ws.append(list(r))
            for c in ws[ws.max_row]:
                if isinstance(c.value, (dt.date, dt.datetime)):
                    c.number_format = fmt
    wb.properties.creator = "Clinic"
    wb.properties.created = FIXED_TS
    out = io.BytesIO()
    wb.save(out)
    return normalise_zip(out.getvalue())


_FONT_CACHE = {}


def _font(size, mono=False):
    from PIL import ImageFont
    key = (size, mono)
    if key not in _FONT_CACHE:
        path = "/usr/share/fonts/truetype/dejavu/" + ("DejaVuSansMono.ttf" if mono else "DejaVuSans.ttf")
        try:
            _FONT_CACHE[key] = ImageFont.truetype(path, size)
        except OSError:
            _FONT_CACHE[key] = ImageFont.load_default(size)
    return _FONT_CACHE[key]


def render_page(lines, rng, size=(1700, 2200), font_px=34, mono=False, skew=True):
    """Render text lines to a grayscale 'scan' at 200-300 dpi-like resolution."""
    from PIL import Image, ImageDraw
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    f = _font(font_px, mono)
    fb = _font(int(font_px * 1.3), mono)
    y = 120
    for line in lines:
        big = line.startswith("# ")
        text = line[2:] if big else line
        draw.text((130, y), text, fill=rng.randint(0, 40), font=fb if big else f)
        y += int(font_px * (1.9 if big else 1.45))
        if y > size[1] - 100:
            break
    if skew:
        img = img.rotate(rng.uniform(-0.6, 0.6), fillcolor=255, resample=Image.NEAREST)  # jagged, like a cheap scanner
    # specks, like a photocopier leaves
    px = img.load()
    for _ in range(60):
        x, yy = rng.randrange(size[0]), rng.randrange(size[1])
        px[x, yy] = rng.randint(90, 180)
    return img


def scanned_pdf(pages, rng, dpi=300):
    """Image-only PDF: each page is a PNG rendered by Pillow, wrapped by img2pdf."""
    import img2pdf
    blobs = []
    for lines in pages:
        img = render_page(lines, rng)
        b = io.BytesIO()
        img.save(b, format="PNG", compress_level=3)
        blobs.append(b.getvalue())
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    return img2pdf.convert(blobs, layout_fun=layout, nodate=True, engine=img2pdf.Engine.internal)


def scanned_png(lines, rng):
    img = render_page(lines, rng, size=(1700, 1100))
    b = io.BytesIO()
    img.save(b, format="PNG", compress_level=3)
    return b.getvalue()


def photo_jpeg(lines, rng):
    """A 'phone photo' of a whiteboard or note: grey background, JPEG."""
    from PIL import Image
    img = render_page(lines, rng, size=(1600, 1000), font_px=40)
    img = img.point(lambda v: int(v * 0.85) + 12)  # greyer, lower contrast, like a photo
    b = io.BytesIO()
    img.convert("RGB").save(b, format="JPEG", quality=82)
    return b.getvalue()


def logo_png(text, rng):
    """A small signature logo (the clinic name on a coloured band)."""
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (360, 80), (rng.randint(0, 60), rng.randint(60, 140), rng.randint(120, 200)))
    ImageDraw.Draw(img).text((14, 24), text, fill=(255, 255, 255), font=_font(22))
    b = io.BytesIO()
    img.save(b, format="PNG")
    return b.getvalue()


def html_with_inline_logo(ctx, frm, to, subject, plain, html_inner, logo_text):
    """multipart/alternative with a multipart/related HTML part whose logo is referenced by cid:."""
    cid = f"logo{ctx.digits(6)}@{frm['email'].split('@')[1]}"
    m = new_message(ctx, frm, to, subject)
    m.set_content(plain)
    m.add_alternative(html_doc(html_inner + f"<p><img src='cid:{cid}' alt='{logo_text}' width='180'></p>"), subtype="html")
    html_part = m.get_payload()[1]
    html_part.add_related(logo_png(logo_text, ctx.rng), maintype="image", subtype="png", cid=f"<{cid}>",
                          filename="image001.png", disposition="inline")
    return m


def hl7_ts(d, t=None):
    s = f"{d.year}{d.month:02d}{d.day:02d}"
    if t:
        s += f"{t.hour:02d}{t.minute:02d}"
    return s


def fhir_patient(p, clinic, pid):
    return {
        "resourceType": "Patient", "id": pid,
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                        "system": f"urn:oid:2.16.840.1.113883.3.{pid[-4:]}", "value": p["mrn"]}],
        "name": [{"use": "official", "family": p["last"], "given": [p["first"], p["mi"]]}],
        "telecom": [{"system": "phone", "value": p["phone"], "use": "home"},
                    {"system": "email", "value": p["email"]}],
        "gender": "female" if p["sex"] == "F" else "male",
        "birthDate": p["dob"].isoformat(),
        "address": [{"line": [p["street"]], "city": p["city"], "state": p["state"], "postalCode": p["zip"]}],
        "managingOrganization": {"display": clinic["name"]},
    }


def ics(ctx, uid_domain, summary, description, start, minutes, organizer, attendees, location,
        method="REQUEST"):
    def ts(x):
        return x.strftime("%Y%m%dT%H%M%S")
    end = start + dt.timedelta(minutes=minutes)
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Clinic Scheduling//EN", "VERSION:2.0", f"METHOD:{method}",
             "BEGIN:VEVENT", f"UID:{ctx.digits(10)}-{ctx.digits(6)}@{uid_domain}",
             f"DTSTAMP:{ts(FIXED_TS)}Z", f"DTSTART;TZID=America/New_York:{ts(start)}",
             f"DTEND;TZID=America/New_York:{ts(end)}", f"SUMMARY:{ics_escape(summary)}",
             f"DESCRIPTION:{ics_escape(description)}", f"LOCATION:{ics_escape(location)}",
             f"ORGANIZER;CN={organizer['name']}:mailto:{organizer['email']}"]
    for a in attendees:
        lines.append(f"ATTENDEE;CN={a['name']};ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{a['email']}")
    lines += ["STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(fold(l) for l in lines) + "\r\n"


def ics_escape(s):
    return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line):
    out = []
    b = line
    while len(b) > 74:
        out.append(b[:74])
        b = " " + b[74:]
    out.append(b)
    return "\r\n".join(out)


def html_table(header, rows, style=0):
    if style == 0:
        th = "".join(f"<th>{h}</th>" for h in header)
        trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table border='1' cellpadding='4' cellspacing='0'><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"
    if style == 1:
        th = "".join(f"<td style='background:#dde;font-weight:bold'>{h}</td>" for h in header)
        trs = "".join("<tr>" + "".join(f"<td style='padding:3px 8px'>{c}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table style='border-collapse:collapse'><tr>{th}</tr>{trs}</table>"
    th = "".join(f"<th align='left'><b>{h}</b></th>" for h in header)
    trs = "\n".join("<tr>\n" + "\n".join(f"  <td><span>{c}</span></td>" for c in r) + "\n</tr>" for r in rows)
    return f"<div><table width='100%'>\n<tr>{th}</tr>\n{trs}\n</table></div>"


def html_doc(inner, ctx=None):
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
            "<body style='font-family:Calibri,Arial,sans-serif;font-size:14px'>" + inner + "</body></html>")


def jdump(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False)


# ----------------------------------------------------------------------------------------
# Template registry
# ----------------------------------------------------------------------------------------

KINDS = ["legacy-formats", "reply-forward", "html-table", "spanish", "shorthand", "calendar", "zip-csv", "xlsx",
         "hl7-fhir", "scanned-pdf", "filename", "names-dates", "identifiers", "sensitive",
         "billing", "reminder", "hr", "benefits", "marketing", "training", "numbers", "w9",
         "it-notice", "logistics", "deid-report"]

TEMPLATES = []


def template(split, kind, label):
    assert split in ("dev", "heldout") and kind in KINDS and label in ("yes", "no")

    def deco(fn):
        tid = fn.__name__.replace("_", "-")
        assert all(t["id"] != tid for t in TEMPLATES), tid
        TEMPLATES.append({"id": tid, "split": split, "kind": kind, "label": label, "fn": fn})
        return fn
    return deco
