"""Helpers for the fourth corpus: people, organisations, identifiers, file formats, MIME.

Everything draws from the per-message context `C` (its own `random.Random` and seeded Faker
instances), so a message depends only on (seed, index). Standard library and Faker only.
"""

import datetime as dt
import io
import unicodedata
import json
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime
from xml.sax.saxutils import escape

from faker import Faker

LOCALES = ("en_US", "es_MX", "en_GB", "zh_CN", "vi_VN")
VI_FIRST = ["Linh", "Minh", "Thảo", "Hương", "Tuấn", "Quang", "Lan", "Phương", "Dũng", "Hải"]
VI_LAST = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
TL_LAST = ["Santos", "Reyes", "Cruz", "Bautista", "Dela Cruz", "Mendoza", "Villanueva", "Aquino"]
TL_FIRST = ["Maricel", "Jericho", "Rowena", "Arnel", "Lorna", "Rommel", "Jocelyn", "Edgardo"]
MAIL_HOSTS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "hotmail.com", "comcast.net"]
MBI_A = "ACDEFGHJKMNPQRTUVWXY"
_FAKERS = {}


def ascii_fold(s):
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def _faker(locale):
    if locale not in _FAKERS:
        _FAKERS[locale] = Faker(locale)
    return _FAKERS[locale]


def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return str((10 - total % 10) % 10)


class C:
    """Per-message context: random source, Fakers, a reference 'today'."""

    def __init__(self, seed, index):
        import random

        self.r = random.Random("fourth-%d-%d" % (seed, index))
        self.index = index
        for loc in LOCALES:
            _faker(loc).seed_instance(self.r.randrange(1 << 30))
        self.today = dt.date(2026, 9, 1) + dt.timedelta(days=self.r.randrange(90))
        self.now = dt.datetime.combine(self.today, dt.time(7 + self.r.randrange(11), self.r.randrange(60)),
                                       tzinfo=dt.timezone(dt.timedelta(hours=-5)))

    # -- small choices ------------------------------------------------------------------------
    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p):
        return self.r.random() < p

    def f(self, locale="en_US"):
        return _faker(locale)

    def digits(self, n):
        return "".join(str(self.r.randrange(10)) for _ in range(n))

    def soon(self, lo=1, hi=30):
        return self.today + dt.timedelta(days=self.r.randint(lo, hi))

    def past(self, lo=1, hi=60):
        return self.today - dt.timedelta(days=self.r.randint(lo, hi))

    def clock(self):
        h = self.r.choice([7, 8, 9, 10, 11, 1, 2, 3, 4])
        return "%d:%s %s" % (h, self.pick(["00", "15", "30", "45"]), "AM" if 7 <= h <= 11 else "PM")

    # -- people -------------------------------------------------------------------------------
    def person(self, lang=None, minor=False, old=False):
        lang = lang or self.pick(["en"] * 6 + ["es", "es", "gb"])
        sex = self.pick("FM")
        if lang == "vi":
            first, last = self.pick(VI_FIRST), self.pick(VI_LAST)
        elif lang == "tl":
            first, last = self.pick(TL_FIRST), self.pick(TL_LAST)
        elif lang == "zh":
            fk = self.f("zh_CN")
            first, last = fk.first_name(), fk.last_name()
        else:
            fk = self.f({"en": "en_US", "es": "es_MX", "gb": "en_GB"}[lang])
            first = fk.first_name_female() if sex == "F" else fk.first_name_male()
            last = fk.last_name()
        if minor:
            age = self.r.randint(6, 16)
        elif old:
            age = self.r.randint(90, 101)
        else:
            age = self.r.randint(19, 84)
        dob = self.today - dt.timedelta(days=age * 365 + self.r.randrange(360))
        fk = self.f("en_US")
        a_first, a_last = ascii_fold(first).lower().replace(" ", ""), ascii_fold(last).lower().replace(" ", "")
        handle = ("%s.%s%s" % (a_first, a_last, self.digits(2))) if a_first and a_last else fk.user_name()
        return dict(first=first, last=last, full=(last + first) if lang == "zh" else "%s %s" % (first, last),
                    sex=sex, age=age, dob=dob, lang=lang, phone=self.phone(),
                    email="%s@%s" % (handle, self.pick(MAIL_HOSTS)),
                    street=fk.street_address(), city=fk.city(), state=fk.state_abbr(), zip=fk.zipcode(),
                    she="she" if sex == "F" else "he", her="her" if sex == "F" else "his")

    def staff(self, creds=("RN", "MA", "LPN", "CMA", "")):
        fk = self.f(self.pick(["en_US", "en_US", "es_MX"]))
        first, last = fk.first_name(), fk.last_name()
        cred = self.pick(creds)
        return dict(first=first, last=last, full="%s %s" % (first, last), cred=cred,
                    sig="%s %s%s" % (first, last, (", " + cred) if cred else ""), phone=self.phone(),
                    ext=self.digits(4))

    def doctor(self, creds=("MD", "DO", "NP", "PA-C")):
        d = self.staff(creds=creds)
        d["title"] = "Dr. " + d["last"] if d["cred"] in ("MD", "DO", "DDS", "OD", "DPT", "DVM") else d["full"]
        return d

    def org(self, kind):
        last = self.f("en_US").last_name()
        place = self.f("en_US").city().split()[0]
        names = {
            "dental": ["%s Family Dental" % last, "%s Smiles Dentistry" % place, "%s Orthodontics" % last],
            "eye": ["%s Eye Care" % place, "%s Vision Center" % last, "%s Optometry" % place],
            "pt": ["%s Physical Therapy" % place, "%s Rehab & Sports PT" % last, "%s Hand & OT Clinic" % place],
            "home": ["%s Home Health" % place, "%s Hospice & Palliative Care" % place, "%s Visiting Nurses" % last],
            "dme": ["%s Medical Supply" % place, "%s Respiratory & DME" % last, "%s HomeCare Equipment" % place],
            "bh": ["%s Behavioral Health" % place, "%s Counseling Associates" % last, "%s Mind & Wellness" % place],
            "payer": ["%s Health Plan" % place, "%s Community Care Plan" % place, "%s Mutual Health" % last],
            "pharm": ["%s Pharmacy" % last, "%s Apothecary" % place, "%s Specialty Rx" % place],
            "lab": ["%s Diagnostic Labs" % place, "%s Imaging Center" % place, "%s Pathology Associates" % last],
            "billing": ["%s Revenue Partners" % last, "%s Medical Billing" % place, "%s Recovery Services" % last],
            "ltc": ["%s Senior Living" % place, "%s Skilled Nursing & Rehab" % place, "%s Gardens Care Center" % last],
            "clinic": ["%s Family Medicine" % place, "%s Medical Group" % last, "%s Pediatrics" % place,
                       "%s Regional Hospital" % place],
            "vet": ["%s Animal Hospital" % place, "%s Veterinary Clinic" % last, "%s Pet Care Center" % place],
            "research": ["%s Clinical Research" % place, "%s Research Institute" % last],
            "vendor": ["%s Surgical Supply" % last, "%s Healthcare Solutions" % place, "%s Staffing" % last],
        }[kind]
        name = self.pick(names)
        slug = "".join(ch for ch in name.lower().split()[0] if ch.isalpha())
        tld = self.pick(["com", "org", "net", "health"])
        return dict(name=name, domain="%s%s.%s" % (slug, kind if kind != "clinic" else "med", tld),
                    phone=self.phone(), fax=self.phone(), street=self.f().street_address(),
                    city=self.f().city(), state=self.f().state_abbr(), zip=self.f().zipcode())

    def addr(self, who, org=None, host=None):
        local = self.pick(["{f}.{l}", "{f0}{l}", "{f}{l0}", "{l}.{f}"]).format(
            f=who["first"].lower(), l=who["last"].lower().replace(" ", ""), f0=who["first"][0].lower(),
            l0=who["last"][0].lower())
        local = ascii_fold(local).replace(" ", "") or "office"
        return "%s <%s@%s>" % (who["full"], local, host or org["domain"])

    def box(self, org, name):
        return "%s <%s@%s>" % (org["name"], name, org["domain"])

    def signature(self, who, org, heavy=None, title=None):
        heavy = self.chance(0.5) if heavy is None else heavy
        titles = {"RN": ["Care Coordinator", "Clinical Lead", "Case Manager"], "LPN": ["Charge Nurse"],
                  "MA": ["Front Desk", "Referral Coordinator"], "CMA": ["Medical Assistant", "Referral Coordinator"],
                  "": ["Front Desk", "Office Manager", "Billing Specialist", "Patient Care Coordinator"]}
        title = title or self.pick(titles.get(who["cred"], [""]))
        lines = ["", "--", who["sig"]] + ([title] if title else []) + [
                 org["name"], "%s | %s, %s %s" % (org["street"], org["city"], org["state"], org["zip"]),
                 "P %s x%s  F %s" % (org["phone"], who["ext"], org["fax"])]
        if heavy:
            lines += ["www.%s" % org["domain"], "Follow us: facebook.com/%s" % org["domain"].split(".")[0],
                      "", "Please consider the environment before printing this email.",
                      "CONFIDENTIALITY NOTICE: This e-mail, including attachments, is for the sole use of the "
                      "intended recipient(s) and may contain confidential and privileged information, including "
                      "protected health information. Any unauthorized review, use, disclosure or distribution is "
                      "prohibited. If you are not the intended recipient, please contact the sender by reply "
                      "e-mail and destroy all copies of the original message."]
        return "\n".join(lines)

    # -- identifiers --------------------------------------------------------------------------
    def phone(self):
        a, b, c = self.r.randint(201, 989), self.r.randint(200, 999), self.digits(4)
        return self.pick(["(%d) %d-%s", "%d-%d-%s", "%d.%d.%s"]) % (a, b, c)

    def ssn(self):
        a, g, s = self.r.randint(1, 899), self.r.randint(1, 99), self.r.randint(1, 9999)
        a = 667 if a == 666 else a
        return self.pick(["%03d-%02d-%04d", "%03d %02d %04d", "%03d.%02d.%04d", "%03d%02d%04d"]) % (a, g, s)

    def mrn(self):
        return self.pick(["MRN %s" % self.digits(8), "MR# %s" % self.digits(7), "Chart #%s" % self.digits(6),
                          "Acct %s-%s" % (self.digits(4), self.digits(5)), "Pt ID %s" % self.digits(7)])

    def member_id(self):
        return self.pick(["%s%s" % ("".join(self.pick("ABCDEFGHJKWXYZ") for _ in range(3)), self.digits(9)),
                          "W%s" % self.digits(9), "%s-%s-0%d" % (self.digits(3), self.digits(6), self.r.randint(1, 4)),
                          "H%s %02d" % (self.digits(8), self.r.randint(1, 3))])

    def mbi(self):
        an = MBI_A + "0123456789"
        p = [str(self.r.randint(1, 9)), self.pick(MBI_A), self.pick(an), self.digits(1), self.pick(MBI_A),
             self.pick(an), self.digits(1), self.pick(MBI_A), self.pick(MBI_A), self.digits(1), self.digits(1)]
        s = "".join(p)
        return self.pick([s, s.lower(), "%s-%s-%s" % (s[:4], s[4:7], s[7:])])

    def npi(self):
        body = str(self.r.randint(1, 2)) + self.digits(8)
        return body + luhn_digit("80840" + body)

    def luhn16(self):
        body = self.pick(["4", "5", "6"]) + self.digits(14)
        return body + luhn_digit(body)

    def ups(self):
        return "1Z%s%s%s" % ("".join(self.pick("ABCDEFGHJKLMNPRSTVWXY0123456789") for _ in range(6)), "03",
                             self.digits(8))

    def dob(self, d):
        fmts = ["%m/%d/%Y", "{m}/{d}/%y", "%Y-%m-%d", "%d-%b-%Y", "%B {d}, %Y", "%m%d%Y", "%m.%d.%Y", "{m}/{d}/%Y"]
        return d.strftime(self.pick(fmts)).format(m=d.month, d=d.day)

    def day(self, d):
        return d.strftime(self.pick(["%m/%d", "%a %m/%d", "%A, %B {d}", "{m}/{d}", "%b {d}"])).format(m=d.month,
                                                                                                    d=d.day)

    def mdY(self, d):
        return "%d/%d/%d" % (d.month, d.day, d.year)


# -- file formats ---------------------------------------------------------------------------
def pdf(lines):
    """A one-page PDF with a real text layer (Helvetica, WinAnsi)."""
    def esc(s):
        s = s.encode("latin-1", "replace").decode("latin-1")
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 10 Tf 50 760 Td 13 TL"] + ["(%s) Tj T*" % esc(line) for line in lines[:55]] + ["ET"]
    stream = "\n".join(body).encode("latin-1")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + o + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def _col(n):
    s = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


def xlsx(rows, sheet="Sheet1"):
    """A minimal valid XLSX: strings inline, numbers as numbers, dates as serials styled as dates."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    cells = []
    for ri, row in enumerate(rows, 1):
        cs = []
        for ci, v in enumerate(row):
            ref = "%s%d" % (_col(ci), ri)
            if isinstance(v, dt.date):
                cs.append('<c r="%s" s="1"><v>%d</v></c>' % (ref, (v - dt.date(1899, 12, 30)).days))
            elif isinstance(v, (int, float)):
                cs.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                cs.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, escape(str(v))))
        cells.append('<row r="%d">%s</row>' % (ri, "".join(cs)))
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    files = {
        "[Content_Types].xml": head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % rel,
        "xl/workbook.xml": head + '<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="%s" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>' % (ns, rel, escape(sheet)),
        "xl/_rels/workbook.xml.rels": head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="%s/styles" Target="styles.xml"/></Relationships>' % (rel, rel),
        "xl/styles.xml": head + '<styleSheet xmlns="%s"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
        '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
        'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
        '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>' % ns,
        "xl/worksheets/sheet1.xml": head + '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>'
        % (ns, "".join(cells)),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), text.encode("utf-8"))
    return out.getvalue()


def csv_text(rows, sep=","):
    def cell(v):
        v = str(v)
        return '"%s"' % v.replace('"', '""') if (sep in v or '"' in v) else v
    return "\r\n".join(sep.join(cell(v) for v in row) for row in rows) + "\r\n"


def html_table(headers, rows, style=True):
    st = ' style="border:1px solid #999;padding:3px 6px;font-family:Calibri,Arial;font-size:11pt"' if style else ""
    head = "".join("<th%s>%s</th>" % (st, escape(str(h))) for h in headers)
    body = "".join("<tr>%s</tr>" % "".join("<td%s>%s</td>" % (st, escape(str(v))) for v in row) for row in rows)
    return '<table cellspacing="0" style="border-collapse:collapse"><tr>%s</tr>%s</table>' % (head, body)


def html_doc(inner):
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
            '<body style="font-family:Calibri,Arial,sans-serif;font-size:11pt">%s</body></html>' % inner)


def para(text):
    return "".join("<p>%s</p>" % escape(p).replace("\n", "<br>") for p in text.split("\n\n"))


def ics(c, summary, start, minutes, location, attendees, organizer, description=""):
    fmt = "%Y%m%dT%H%M%S"
    end = start + dt.timedelta(minutes=minutes)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
             "METHOD:REQUEST", "BEGIN:VEVENT", "UID:%s@%s" % (c.digits(12), organizer.split("@")[-1].strip(">")),
             "DTSTAMP:%sZ" % c.now.strftime(fmt), "DTSTART:%s" % start.strftime(fmt), "DTEND:%s" % end.strftime(fmt),
             "SUMMARY:%s" % summary, "LOCATION:%s" % location.replace(",", "\\,"),
             "ORGANIZER:mailto:%s" % organizer.split("<")[-1].strip(">")]
    lines += ["ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:%s" % a for a in attendees]
    if description:
        lines.append("DESCRIPTION:%s" % description.replace("\n", "\\n").replace(",", "\\,"))
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def vcard(full, last, first, org="", title="", phone="", email="", adr="", note=""):
    lines = ["BEGIN:VCARD", "VERSION:3.0", "N:%s;%s;;;" % (last, first), "FN:%s" % full]
    lines += ["ORG:%s" % org] if org else []
    lines += ["TITLE:%s" % title] if title else []
    lines += ["TEL;TYPE=CELL:%s" % phone] if phone else []
    lines += ["EMAIL;TYPE=INTERNET:%s" % email] if email else []
    lines += ["ADR;TYPE=HOME:;;%s" % adr] if adr else []
    lines += ["NOTE:%s" % note.replace(",", "\\,")] if note else []
    return "\r\n".join(lines + ["END:VCARD"]) + "\r\n"


def fhir(resource):
    return json.dumps(resource, indent=2, ensure_ascii=False)


# -- MIME -----------------------------------------------------------------------------------
def quote_outlook(c, frm, to, subject, when, body):
    return "\n".join(["", "", "________________________________", "From: %s" % frm,
                      "Sent: %s" % when.strftime("%A, %B %d, %Y %I:%M %p"), "To: %s" % to,
                      "Subject: %s" % subject, "", body])


def quote_gt(frm, when, body):
    head = "On %s, %s wrote:" % (when.strftime("%a, %b %d, %Y at %I:%M %p"), frm)
    return "\n\n" + head + "\n" + "\n".join(("> " + line) if line else ">" for line in body.split("\n"))


def message(c, frm, to, subject, text=None, html=None, attach=(), cc=None, inner=None, when=None):
    """Build an EmailMessage. attach: (filename, maintype/subtype, bytes|str) triples."""
    m = EmailMessage()
    m["From"] = frm
    m["To"] = to if isinstance(to, str) else ", ".join(to)
    if cc:
        m["Cc"] = cc if isinstance(cc, str) else ", ".join(cc)
    m["Subject"] = subject
    m["Date"] = format_datetime(when or c.now)
    m["Message-ID"] = "<%s.%s@%s>" % (c.digits(10), c.index, frm.split("@")[-1].strip(">"))
    m["MIME-Version"] = "1.0"
    if text is not None:
        m.set_content(text, cte="8bit" if not text.isascii() else "7bit")
        if html is not None:
            m.add_alternative(html, subtype="html")
    else:
        m.set_content(html, subtype="html")
    for name, ctype, data in attach:
        main, sub = ctype.split("/")
        if isinstance(data, str) and main == "text":
            m.add_attachment(data, subtype=sub, filename=name)
        else:
            data = data.encode("utf-8") if isinstance(data, str) else data
            m.add_attachment(data, maintype=main, subtype=sub, filename=name)
    if inner is not None:
        m.add_attachment(inner)
    return m


# -- registry -------------------------------------------------------------------------------
TEMPLATES = []


def template(name, label, why):
    """Register a template: every message it renders has `label`; `why` names the deciding rule."""
    def wrap(fn):
        TEMPLATES.append(dict(name=name, label=label, why=why, fn=fn))
        return fn
    return wrap
