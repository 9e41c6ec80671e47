"""Helpers for the sixth corpus: a per-message context, people, organisations, identifiers,
dates, signatures, tables, a minimal PDF writer, .ics/.vcf, quoting, MIME assembly.

Standard library and Faker only. Every random choice draws from ctx.rng, a random.Random seeded
from ("sixth", seed, index); Faker instances are reseeded from it before each use.
"""

import datetime as dt
import random
import unicodedata
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from faker import Faker

# ---------------------------------------------------------------- registry

TEMPLATES = []


def template(name, label, why):
    def deco(fn):
        TEMPLATES.append((name, label, why, fn))
        return fn
    return deco


# ---------------------------------------------------------------- context

# Patient name locales (weighted); staff come from a narrower set.
PATIENT_LOCALES = [("en_US", 6), ("es_MX", 2), ("pl_PL", 1), ("it_IT", 1), ("de_DE", 1),
                   ("tr_TR", 1), ("nl_NL", 1), ("sv_SE", 1), ("fi_FI", 1), ("en_IE", 1),
                   ("fr_CA", 1), ("hu_HU", 1), ("ro_RO", 1), ("en_IN", 1), ("es_CO", 1),
                   ("da_DK", 1)]
STAFF_LOCALES = [("en_US", 5), ("en_AU", 1), ("en_NZ", 1), ("en_IN", 1), ("en_GB", 1),
                 ("es_MX", 1), ("nl_NL", 1)]
_FAKERS = {}


def faker(locale):
    if locale not in _FAKERS:
        _FAKERS[locale] = Faker(locale)
    return _FAKERS[locale]


def ascii_fold(s):
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")


def local_part(s):
    return "".join(c for c in ascii_fold(s).lower() if c.isalnum() or c in "._-").strip(".")


class Person:
    def __init__(self, first, last, locale, sex):
        self.first, self.last, self.locale, self.sex = first, last, locale, sex

    @property
    def full(self):
        return "%s %s" % (self.first, self.last)

    @property
    def rev(self):
        return "%s, %s" % (self.last, self.first)

    @property
    def title(self):
        return ("Mr. " if self.sex == "M" else "Ms. ") + self.last


class Ctx:
    def __init__(self, seed, index):
        self.seed, self.index = seed, index
        self.rng = random.Random("sixth-%d-%d" % (seed, index))
        # "today" for this message: a working day in Oct-Dec 2026
        self.today = dt.date(2026, 10, 1) + dt.timedelta(days=self.rng.randrange(0, 75))
        while self.today.weekday() >= 5:
            self.today += dt.timedelta(days=1)

    # choices
    def pick(self, seq):
        return self.rng.choice(list(seq))

    def maybe(self, p, text, alt=""):
        return text if self.rng.random() < p else alt

    def chance(self, p):
        return self.rng.random() < p

    def num(self, a, b):
        return self.rng.randint(a, b)

    def digits(self, n):
        return "".join(str(self.rng.randrange(10)) for _ in range(n))

    def shuffled(self, seq):
        seq = list(seq)
        self.rng.shuffle(seq)
        return seq

    def some(self, seq, k_min, k_max=None):
        seq = list(seq)
        k = self.num(k_min, min(k_max or len(seq), len(seq)))
        return self.rng.sample(seq, k)

    def fk(self, locale):
        f = faker(locale)
        f.seed_instance(self.rng.randrange(2 ** 31))
        return f

    def _weighted(self, table):
        tot = sum(w for _, w in table)
        x = self.rng.uniform(0, tot)
        for item, w in table:
            x -= w
            if x <= 0:
                return item
        return table[-1][0]

    # people
    def person(self, locale=None, sex=None, staff=False):
        locale = locale or self._weighted(STAFF_LOCALES if staff else PATIENT_LOCALES)
        f = self.fk(locale)
        sex = sex or self.pick("MF")
        first = f.first_name_male() if sex == "M" else f.first_name_female()
        last = f.last_name_male() if sex == "M" and hasattr(f, "last_name_male") else \
            f.last_name_female() if hasattr(f, "last_name_female") else f.last_name()
        first = first.split()[0]
        return Person(first, last, locale, sex)

    def patient(self, **kw):
        return self.person(**kw)

    def staff(self, cred=None):
        p = self.person(staff=True)
        p.cred = cred or self.pick(["RN", "MD", "NP", "PA-C", "LPN", "MA", "CMA", "BSN, RN",
                                    "DO", "PharmD", "Au.D.", "DPM", "CPhT", "RHIT", "MSN, RN"])
        return p

    def email_for(self, p, domain, style=None):
        style = style or self.pick(["f.l", "fl", "first", "flast", "f_l", "lastf"])
        f, l = local_part(p.first), local_part(p.last).replace(" ", "")
        lp = {"f.l": f + "." + l, "fl": f + l, "first": f, "flast": f[:1] + l,
              "f_l": f + "_" + l, "lastf": l + f[:1]}[style]
        return "%s@%s" % (lp, domain)

    def personal_email(self, p):
        dom = self.pick(["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com",
                         "aol.com", "comcast.net", "proton.me", "att.net"])
        f, l = local_part(p.first), local_part(p.last).replace(" ", "")
        lp = self.pick([f + l, f + "." + l + str(self.num(1, 99)), f[:1] + l + str(self.num(60, 99)),
                        l + "." + f, f + "_" + l[:3] + str(self.num(1, 2020))])
        return "%s@%s" % (lp, dom)

    def addr(self, p, email):
        return '"%s" <%s>' % (p.full, email) if self.chance(0.5) else "%s <%s>" % (p.full, email)

    # organisations
    def org(self, kind):
        stems = ["Brookhaven", "Cedar Ridge", "Millbrook", "Stonebridge", "Harbor Point",
                 "Juniper Valley", "Redwater", "Ashgrove", "Kestrel Bay", "Fairhollow",
                 "Pinecrest", "Marrowdale", "Silverlake", "Oakmont", "Larkspur", "Tallgrass",
                 "Riverbend", "Copper Hill", "Westmoor", "Bellhaven", "Granite Falls", "Summit Park"]
        stem = self.pick(stems)
        kinds = ORG_KINDS[kind]
        suffix, dsuf = self.pick(kinds)
        name = "%s %s" % (stem, suffix)
        dom = local_part(stem).replace(" ", "") + dsuf + self.pick([".org", ".com", ".health", ".net", ".us"])
        return name, dom.replace(" ", "")

    # numbers
    def phone(self):
        a, b, c = self.num(201, 989), self.num(201, 989), self.digits(4)
        return self.pick(["(%d) %d-%s", "%d-%d-%s", "%d.%d.%s", "+1 %d %d %s"]) % (a, b, c)

    def mrn(self):
        return self.pick(["%s" % self.digits(8), "M%s" % self.digits(7), "%s-%s" % (self.digits(3), self.digits(5)),
                          "E%s" % self.digits(9), "00%s" % self.digits(7)])

    def member_id(self):
        return self.pick(["%s%s" % (self.pick(["XJH", "WQB", "ZGP", "HMN", "KCA"]), self.digits(9)),
                          "W%s" % self.digits(8), "%s%s01" % (self.pick(["YKL", "MXP"]), self.digits(7)),
                          "9%s" % self.digits(10)])

    def mbi(self):
        L = "ACDEFGHJKMNPQRTUVWXY"
        s = "%d%s%s%d%s%s%d%s%s%d%d" % (self.num(1, 9), self.pick(L), self.pick(L + "0123456789"),
                                        self.num(0, 9), self.pick(L), self.pick(L + "0123456789"),
                                        self.num(0, 9), self.pick(L), self.pick(L), self.num(0, 9), self.num(0, 9))
        return self.pick([s, s[:4] + "-" + s[4:7] + "-" + s[7:], s.lower()])

    def ssn(self):
        a, b, c = self.num(100, 665), self.num(10, 99), self.digits(4)
        return self.pick(["%d-%d-%s", "%d %d %s", "%d%d%s"]) % (a, b, c)

    def npi(self):
        base = "1" + self.digits(8)
        digs = [int(d) for d in "80840" + base]
        tot = 0
        for i, d in enumerate(reversed(digs)):
            if i % 2 == 0:
                d *= 2
                d -= 9 if d > 9 else 0
            tot += d
        return base + str((10 - tot % 10) % 10)

    def luhn16(self, prefix="7"):
        body = prefix + self.digits(14 - len(prefix) + 1)
        digs = [int(d) for d in body]
        tot = 0
        for i, d in enumerate(reversed(digs)):
            if i % 2 == 0:
                d *= 2
                d -= 9 if d > 9 else 0
            tot += d
        return body + str((10 - tot % 10) % 10)

    # dates
    def dob_date(self, lo=1938, hi=2008):
        return dt.date(self.num(lo, hi), self.num(1, 12), self.num(1, 28))

    def fmt_date(self, d, style=None):
        style = style or self.pick(["us", "us_short", "iso", "long", "dmy_mon", "us_nopad", "compact"])
        return {"us": d.strftime("%m/%d/%Y"), "us_short": "%d/%d/%s" % (d.month, d.day, d.strftime("%y")),
                "iso": d.isoformat(), "long": "%s %d, %d" % (d.strftime("%B"), d.day, d.year),
                "dmy_mon": d.strftime("%d-%b-%Y"), "us_nopad": "%d/%d/%d" % (d.month, d.day, d.year),
                "compact": d.strftime("%m%d%Y")}[style]

    def dob(self, lo=1938, hi=2008, style=None):
        return self.fmt_date(self.dob_date(lo, hi), style)

    def future(self, a=1, b=30):
        d = self.today + dt.timedelta(days=self.num(a, b))
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        return d

    def past(self, a=1, b=60):
        d = self.today - dt.timedelta(days=self.num(a, b))
        while d.weekday() == 6:
            d -= dt.timedelta(days=1)
        return d

    def short(self, d):
        return "%d/%d" % (d.month, d.day)

    def wd(self, d):
        return d.strftime("%a") + " " + self.short(d)

    def time(self):
        h = self.pick([7, 8, 9, 10, 11, 13, 14, 15, 16])
        m = self.pick([0, 15, 30, 45])
        return self.pick(["%d:%02d %s", "%d:%02d%s"]) % (h if h <= 12 else h - 12, m,
                                                          "AM" if h < 12 else "PM") if self.chance(0.8) \
            else "%02d%02d" % (h, m)

    def street(self):
        return self.fk("en_US").street_address()

    def city_zip(self):
        f = self.fk("en_US")
        return "%s, %s %s" % (f.city(), f.state_abbr(), f.zipcode())

    # text noise
    def typo(self, text, p=0.25):
        if not self.chance(p):
            return text
        words = text.split(" ")
        cands = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
        if not cands:
            return text
        i = self.pick(cands)
        w = words[i]
        j = self.num(1, len(w) - 2)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        return " ".join(words)

    def greet(self, name=None):
        if name:
            return self.pick(["Hi %s,", "Hello %s,", "Dear %s,", "%s -", "Hi %s -", "Good morning %s,"]) % name
        return self.pick(["Hi,", "Hello,", "Hi all,", "Good morning,", "Hi team,", "Hello everyone,"])

    def thanks(self):
        return self.pick(["Thanks,", "Thank you,", "Thx", "Best,", "Regards,", "Many thanks,",
                          "Kind regards,", "Thanks!", "-"])

    def sig(self, p, org, phone=True, fax=None, npi=False, role=None):
        lines = ["%s, %s" % (p.full, p.cred) if getattr(p, "cred", None) else p.full]
        if role:
            lines.append(role)
        lines.append(org)
        if phone:
            lines.append(self.pick(["P: ", "Phone: ", "Tel ", "Direct: ", "o: "]) + self.phone())
        if fax or (fax is None and self.chance(0.4)):
            lines.append(self.pick(["F: ", "Fax: ", "Fax "]) + self.phone())
        if npi:
            lines.append("NPI " + self.npi())
        if self.chance(0.3):
            lines.append(self.pick(["Sent from my iPhone", "CONFIDENTIALITY NOTICE: This e-mail may contain "
                                    "confidential information. If you received it in error, please notify "
                                    "the sender and delete it.", "Please consider the environment before printing.",
                                    "This message may contain PHI; handle per policy."]))
        return "\n".join(lines)


ORG_KINDS = {
    "derm": [("Dermatology", "derm"), ("Skin & Laser Center", "skin"), ("Dermatology Associates", "dermassoc")],
    "audiology": [("Hearing Center", "hearing"), ("Audiology & Hearing Aids", "audiology"), ("ENT & Audiology", "ent")],
    "wound": [("Wound & Foot Clinic", "woundcare"), ("Podiatry Group", "podiatry"), ("Limb Preservation Center", "limb")],
    "fertility": [("Fertility Center", "fertility"), ("Reproductive Medicine", "rmed"), ("IVF Associates", "ivf")],
    "bariatric": [("Weight Loss Surgery Program", "bariatrics"), ("Metabolic & Bariatric Center", "metabolic")],
    "peds": [("Pediatrics", "peds"), ("Children's Clinic", "kids"), ("Pediatric Associates", "pedsassoc")],
    "hospice": [("Hospice", "hospice"), ("Hospice & Palliative Care", "hospicecare")],
    "payer": [("Health Plan", "healthplan"), ("Community Health Plan", "chp"), ("Medicaid Managed Care", "mcare")],
    "pharmacy": [("Compounding Pharmacy", "compounding"), ("Apothecary", "apothecary"), ("Specialty Pharmacy", "rx")],
    "infusion": [("Home Infusion", "infusion"), ("Infusion Services", "homeinfusion")],
    "hospital": [("Regional Medical Center", "rmc"), ("Memorial Hospital", "memorial"), ("General Hospital", "general"),
                 ("Health System", "health")],
    "radiology": [("Imaging", "imaging"), ("Radiology Partners", "radiology")],
    "ambulance": [("EMS Billing", "emsbilling"), ("Ambulance Service", "ambulance")],
    "primary": [("Family Medicine", "familymed"), ("Internal Medicine", "im"), ("Primary Care", "primarycare")],
    "occ": [("Occupational Health", "occhealth"), ("Workplace Health", "workhealth")],
    "travel": [("Travel Medicine Clinic", "travelmed"), ("Travel Health", "travelhealth")],
    "behavioral": [("Forensic Psychology", "forensicpsych"), ("Behavioral Health", "bh")],
    "research": [("Clinical Research Institute", "research"), ("Research Center", "crc")],
    "nemt": [("Medical Transportation", "nemt"), ("Ride Health", "ride")],
    "interpreter": [("Language Services", "language"), ("Interpreting Group", "interp")],
    "supplier": [("Medical Supply", "medsupply"), ("Surgical Products", "surgical"), ("Healthcare Distribution", "dist")],
    "vendor": [("Medical Devices", "devices"), ("Diagnostics", "dx"), ("Hearing Technologies", "hearingtech")],
    "insurer": [("Life Insurance Company", "life"), ("Mutual Life", "mutual")],
    "law": [("Law Group", "law"), ("Public Defender's Office", "pd")],
    "employer": [("Logistics", "logistics"), ("Freight Lines", "freight"), ("Transit Authority", "transit")],
    "pubhealth": [("County Health Department", "countyhealth"), ("Public Health District", "phd")],
}


# ---------------------------------------------------------------- formats

def csv_text(rows):
    out = []
    for r in rows:
        cells = []
        for c in r:
            c = str(c)
            cells.append('"%s"' % c.replace('"', '""') if ("," in c or '"' in c) else c)
        out.append(",".join(cells))
    return "\r\n".join(out) + "\r\n"


def html_table(header, rows, style=True):
    st = ' style="border-collapse:collapse;font-family:Calibri,Arial,sans-serif;font-size:11pt"' if style else ""
    td = ' style="border:1px solid #999;padding:3px 6px"' if style else ""
    h = "".join("<th%s>%s</th>" % (td, esc(c)) for c in header)
    b = "".join("<tr>%s</tr>" % "".join("<td%s>%s</td>" % (td, esc(c)) for c in r) for r in rows)
    return "<table%s><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (st, h, b)


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_doc(body_html):
    return ("<html><head><meta charset=\"utf-8\"></head><body style=\"font-family:Calibri,Arial,sans-serif\">\n"
            + body_html + "\n</body></html>\n")


def text_to_html(text):
    return "".join("<p>%s</p>\n" % esc(par).replace("\n", "<br>\n") for par in text.split("\n\n"))


def pdf(lines, title="Document"):
    """A minimal one-or-more-page PDF with Helvetica text (a real text layer), uncompressed."""
    def enc(s):
        s = ascii_fold(s) if any(ord(c) > 126 for c in s) else s
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    pages = [lines[i:i + 48] for i in range(0, max(len(lines), 1), 48)] or [[]]
    objs = []
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join("%d 0 R" % (4 + 2 * i) for i in range(len(pages)))
    objs.append(("<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages))).encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, pl in enumerate(pages):
        stream = "BT /F1 10 Tf 13 TL 54 750 Td\n" + "".join("(%s) Tj T*\n" % enc(l) for l in pl) + "ET\n"
        sb = stream.encode("latin-1")
        objs.append(("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                     "/Contents %d 0 R >>" % (5 + 2 * i)).encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(sb) + sb + b"endstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for n, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % n + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info << /Title (%s) >> >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objs) + 1, enc(title).encode("latin-1"), xref))
    return bytes(out)


def ics(ctx, summary, start, minutes, location, description, organizer, attendees=(), uid_dom="example.org"):
    def t(d):
        return d.strftime("%Y%m%dT%H%M%S")
    end = start + dt.timedelta(minutes=minutes)
    desc = description.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Sealgate corpus6//EN", "VERSION:2.0", "METHOD:REQUEST",
             "BEGIN:VEVENT", "UID:%s@%s" % (ctx.digits(12), uid_dom),
             "DTSTAMP:%sZ" % t(dt.datetime.combine(ctx.today, dt.time(8, 0))),
             "DTSTART;TZID=America/Chicago:%s" % t(start), "DTEND;TZID=America/Chicago:%s" % t(end),
             "SUMMARY:%s" % summary.replace(",", "\\,"), "LOCATION:%s" % location.replace(",", "\\,"),
             "ORGANIZER:mailto:%s" % organizer]
    lines += ["ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:%s" % a for a in attendees]
    lines += ["DESCRIPTION:%s" % desc, "END:VEVENT", "END:VCALENDAR"]
    # fold long lines at 74 octets
    out = []
    for l in lines:
        while len(l.encode()) > 74:
            cut = 74
            while len(l[:cut].encode()) > 74:
                cut -= 1
            out.append(l[:cut])
            l = " " + l[cut:]
        out.append(l)
    return "\r\n".join(out) + "\r\n"


def vcard(name_first, name_last, org=None, title=None, phone=None, email=None, note=None, adr=None):
    lines = ["BEGIN:VCARD", "VERSION:3.0", "N:%s;%s;;;" % (name_last, name_first), "FN:%s %s" % (name_first, name_last)]
    if org:
        lines.append("ORG:%s" % org)
    if title:
        lines.append("TITLE:%s" % title)
    if phone:
        lines.append("TEL;TYPE=WORK,VOICE:%s" % phone)
    if email:
        lines.append("EMAIL;TYPE=INTERNET:%s" % email)
    if adr:
        lines.append("ADR;TYPE=WORK:;;%s;;;;" % adr.replace(",", "\\,"))
    if note:
        lines.append("NOTE:%s" % note.replace(",", "\\,").replace("\n", "\\n"))
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def quote_gmail(ctx, when, who, text):
    head = "On %s, %s wrote:" % (when.strftime("%a, %b %-d, %Y at %-I:%M %p"), who)
    return head + "\n" + "\n".join(("> " + l) if l else ">" for l in text.split("\n"))


def quote_outlook(ctx, when, frm, to, subject, text):
    return ("\n________________________________\nFrom: %s\nSent: %s\nTo: %s\nSubject: %s\n\n%s"
            % (frm, when.strftime("%A, %B %-d, %Y %-I:%M %p"), to, subject, text))


# ---------------------------------------------------------------- assembly

def build(ctx, m):
    """m: dict with frm, to (list), subject, text; optional cc, html, html_only, attachments
    [(filename, maintype, subtype, data)], headers {}."""
    random.seed("sixth-mime-%d-%d" % (ctx.seed, ctx.index))  # MIME boundaries use the global RNG
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = m["frm"]
    msg["To"] = ", ".join(m["to"])
    if m.get("cc"):
        msg["Cc"] = ", ".join(m["cc"])
    msg["Subject"] = m["subject"]
    when = dt.datetime.combine(ctx.today, dt.time(ctx.num(6, 19), ctx.num(0, 59), ctx.num(0, 59)),
                               tzinfo=dt.timezone(dt.timedelta(hours=ctx.pick([-5, -6, -7, -8]))))
    msg["Date"] = format_datetime(when)
    dom = m["frm"].rsplit("@", 1)[1].rstrip(">")
    msg["Message-ID"] = "<%s.%s@%s>" % (ctx.digits(10), "".join(ctx.pick("abcdef0123456789") for _ in range(8)), dom)
    msg["MIME-Version"] = "1.0"
    for k, v in m.get("headers", {}).items():
        msg[k] = v
    text = m.get("text")
    html = m.get("html")
    if m.get("html_only"):
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
    for fn, maintype, subtype, data in m.get("attachments", []):
        if isinstance(data, str):
            if maintype == "text":
                msg.add_attachment(data, subtype=subtype, filename=fn)
            else:
                msg.add_attachment(data.encode("utf-8"), maintype=maintype, subtype=subtype, filename=fn)
        else:
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=fn)
    raw = msg.as_bytes(policy=policy.SMTP)
    assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF"
    assert all(len(l) <= 998 for l in raw.split(b"\r\n")), "line too long"
    return raw
