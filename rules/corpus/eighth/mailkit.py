"""Shared kit for the eighth corpus: per-message context, people, organisations, identifiers,
dates, signatures, quoting/forwarding styles, attachment writers and MIME assembly.

Everything random comes from the message's own `random.Random` (`Ctx.r`); Faker instances are
reseeded from it before each use, so a seed gives the same bytes every time.
"""

import datetime as dt
import email.policy
import email.utils
import io
import random
import re
import unicodedata
import zipfile
from email.message import EmailMessage

from faker import Faker

TEMPLATES = {}


def template(name, label, why):
    """Registers a template: fn(ctx) -> EmailMessage. Every message it makes has `label`."""

    def wrap(fn):
        TEMPLATES[name] = (fn, label, why)
        return fn

    return wrap


# Patient locales (Latin script), weighted toward en_US. Hand lists cover names Faker gives in
# native script or gives wrongly (vi_VN / fil_PH return English given names).
PATIENT_LOCALES = ["en_US"] * 8 + ["es_AR", "es_CL", "pt_BR", "fr_BE", "de_CH", "it_IT", "tr_TR",
                                   "en_IN", "id_ID", "zu_ZA", "yo_NG", "nl_BE", "ro_RO", "az_AZ", "et_EE"]
STAFF_LOCALES = ["en_US"] * 5 + ["en_AU", "en_IN", "es_AR", "nl_BE", "de_CH", "it_IT"]
_FAKERS = {}

HAND = {
    "vi": (["Thanh", "Huong", "Minh", "Lan", "Quang", "Ngoc", "Duc", "Phuong", "Tuan", "Hanh", "Khoa", "Trang"],
           ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do", "Ngo", "Duong", "Ly"]),
    "tl": (["Marites", "Jomar", "Rowena", "Arnel", "Lorna", "Rodel", "Maricel", "Ferdinand", "Jocelyn", "Ramil"],
           ["Dela Cruz", "Bautista", "Villanueva", "Mendoza", "Santos", "Reyes", "Manalo", "Ocampo", "Dimaculangan"]),
    "ar": (["Omar", "Layla", "Yousef", "Mariam", "Khaled", "Huda", "Samir", "Rania", "Tariq", "Noor"],
           ["Haddad", "Khalil", "Nasser", "Saleh", "Mansour", "Abboud", "Darwish", "Hamdan", "Qasim"]),
    "ru": (["Dmitri", "Olga", "Sergei", "Natalia", "Andrei", "Irina", "Pavel", "Svetlana", "Yuri", "Galina"],
           ["Ivanov", "Petrova", "Smirnov", "Kuznetsova", "Volkov", "Sokolova", "Morozov", "Pavlova"]),
    "pl": (["Krzysztof", "Agnieszka", "Tomasz", "Małgorzata", "Paweł", "Ewa", "Grzegorz", "Joanna"],
           ["Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zielińska", "Szymański"]),
}
AR_NATIVE = {"Omar": "عمر", "Layla": "ليلى", "Yousef": "يوسف", "Mariam": "مريم", "Khaled": "خالد",
             "Huda": "هدى", "Samir": "سمير", "Rania": "رانيا", "Tariq": "طارق", "Noor": "نور"}
WEBMAIL = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "hotmail.com", "proton.me", "comcast.net"]
PLACES = ["Tamarack", "Old Mill", "Coyote Flats", "Harbor Point", "Bluestem", "Ridgefield", "Sandhill", "Ironwood",
          "Lakeshore", "Mesa Verde", "Copper Hollow", "Stillwater", "Pine Bluff", "Granite Falls", "Wolf Creek",
          "Cedar Bend", "Prairie View", "Juniper", "Saltmarsh", "Fox Run", "North Fork", "Maple Grove"]
STATES = [("WI", "53"), ("MN", "55"), ("OR", "97"), ("NM", "87"), ("OH", "43"), ("GA", "30"), ("AZ", "85"),
          ("MI", "48"), ("NC", "27"), ("PA", "15"), ("TX", "78"), ("CO", "80"), ("WA", "98"), ("KY", "40")]
STREETS = ["Elm", "Oak", "Lincoln", "Ridge", "Maple", "Sunset", "Lake", "Hillcrest", "Walnut", "River", "Park",
           "Church", "Mill", "Spring", "Highland", "Cherry"]
STREET_KINDS = ["St", "Ave", "Rd", "Dr", "Ln", "Ct", "Blvd", "Way"]


class Person:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    @property
    def name(self):
        return f"{self.first} {self.last}"

    @property
    def rev(self):
        return f"{self.last}, {self.first}"

    def addr(self):
        return f"{self.street}, {self.city}, {self.state} {self.zip}"


class Org:
    def __init__(self, name, domain, phone, fax, street, city, state, zip_):
        self.name, self.domain, self.phone, self.fax = name, domain, phone, fax
        self.street, self.city, self.state, self.zip = street, city, state, zip_

    def addr(self):
        return f"{self.street}, {self.city}, {self.state} {self.zip}"


def _faker(loc):
    if loc not in _FAKERS:
        _FAKERS[loc] = Faker(loc)
    return _FAKERS[loc]


def ascii_fold(s):
    s = unicodedata.normalize("NFKD", s.replace("ł", "l").replace("ı", "i").replace("Ł", "L"))
    return re.sub(r"[^a-z0-9._]", "", "".join(c for c in s if not unicodedata.combining(c)).lower())


def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


class Ctx:
    def __init__(self, seed, index):
        self.seed, self.index = seed, index
        self.r = random.Random(f"eighth-{seed}-{index}")
        base = dt.datetime(2026, 11, 2, 7, 0)
        self.now = base + dt.timedelta(days=self.r.randrange(0, 31), minutes=self.r.randrange(0, 11 * 60))
        self.today = self.now.date()

    # ---- choice helpers
    def pick(self, seq):
        return self.r.choice(list(seq))

    def maybe(self, p=0.5):
        return self.r.random() < p

    def sample(self, seq, k):
        return self.r.sample(list(seq), k)

    def digits(self, n, first_nonzero=True):
        s = "".join(str(self.r.randrange(10)) for _ in range(n))
        return (str(self.r.randrange(1, 10)) + s[1:]) if first_nonzero else s

    def faker(self, loc):
        f = _faker(loc)
        f.seed_instance(self.r.randrange(1 << 30))
        return f

    # ---- people
    def _names(self, locales, hand=None, sex=None):
        if hand:
            firsts, lasts = HAND[hand]
            return self.pick(firsts), self.pick(lasts)
        f = self.faker(self.pick(locales))
        first = f.first_name_female() if sex == "F" else f.first_name_male() if sex == "M" else f.first_name()
        return first, f.last_name()

    def person(self, hand=None, age=(2, 88), locales=PATIENT_LOCALES, sex=None):
        sex = sex or self.pick("FM")
        first, last = self._names(locales, hand, sex if not hand else None)
        years = self.r.randrange(age[0], age[1] + 1)
        dob = self.today - dt.timedelta(days=years * 365 + self.r.randrange(0, 360))
        st, zp = self.pick(STATES)
        city = self.pick(PLACES) if self.maybe(0.6) else self.faker("en_US").city()
        local = ascii_fold(self.pick([
            f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}{self.r.randrange(1, 99)}",
            f"{last}.{first[0]}", f"{first}_{self.r.randrange(60, 99)}"]))
        return Person(first=first, last=last, dob=dob, age=years, sex=sex,
                      street=f"{self.r.randrange(100, 9899)} {self.pick(STREETS)} {self.pick(STREET_KINDS)}",
                      city=city, state=st, zip=zp + self.digits(3, False), phone=self.phone(),
                      email=f"{local or 'pt'}@{self.pick(WEBMAIL)}")

    def staff(self, cred=None, locales=STAFF_LOCALES):
        first, last = self._names(locales)
        cred = cred or self.pick(["RN", "MD", "NP", "PA-C", "LPN", "MA", "CMA", "RN, BSN", "DO", "LCSW"])
        return Person(first=first, last=last, cred=cred, phone=self.phone(), ext=str(self.r.randrange(200, 899)),
                      email="", dob=None)

    def org(self, kind, abbrev=None):
        place = self.pick(PLACES)
        name = f"{place} {kind}"
        short = abbrev or "".join(w[0] for w in kind.split() if w[0].isalpha()).lower()
        domain = self.pick([f"{place.replace(' ', '').lower()}{short}.org", f"{place.replace(' ', '').lower()}-{short}.com",
                            f"{short}{place.split()[0].lower()}.org"])
        st, zp = self.pick(STATES)
        return Org(name, domain, self.phone(), self.phone(), f"{self.r.randrange(10, 9999)} {self.pick(STREETS)} "
                   f"{self.pick(STREET_KINDS)}", self.pick(PLACES), st, zp + self.digits(3, False))

    def addr_of(self, person, org):
        """A staff member's mailbox at an organisation (the same one every time it is asked for)."""
        if person.email.endswith("@" + org.domain):
            return person.email
        local = self.pick([f"{person.first}.{person.last}", f"{person.first[0]}{person.last}", f"{person.last}{person.first[0]}"])
        person.email = ascii_fold(local) + "@" + org.domain
        return person.email

    # ---- numbers
    def phone(self):
        a, b, c = self.r.randrange(201, 989), self.r.randrange(201, 999), self.digits(4, False)
        return self.pick([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"{a} {b} {c}"])

    def mrn(self):
        return self.pick([self.digits(8), "M" + self.digits(7), self.digits(3) + "-" + self.digits(5),
                          "E" + self.digits(9, False), self.digits(10, False)])

    def mrn_labelled(self):
        return f"{self.pick(['MRN', 'MRN:', 'MR#', 'Med Rec No.', 'Chart #', 'Acct/MRN'])} {self.mrn()}"

    def member_id(self):
        return self.pick([self.pick(["XQH", "W", "ZGP", "JQU", "MBR"]) + self.digits(9, False),
                          self.digits(3) + self.digits(6, False) + "-0" + str(self.r.randrange(1, 5)),
                          "U" + self.digits(8) + "0" + str(self.r.randrange(1, 4))])

    def mbi(self):
        L = "ACDEFGHJKMNPQRTUVWXY"
        s = (str(self.r.randrange(1, 10)) + self.pick(L) + self.pick(L + "0123456789") + self.digits(1, False) +
             self.pick(L) + self.pick(L + "0123456789") + self.digits(1, False) + self.pick(L) + self.pick(L) +
             self.digits(2, False))
        return self.pick([s, f"{s[:4]}-{s[4:7]}-{s[7:]}", s.lower(), f"{s[:4]} {s[4:7]} {s[7:]}"])

    def medicaid_id(self):
        return self.pick([self.digits(10, False), "M" + self.digits(8), self.digits(2) + "-" + self.digits(7, False)])

    def ssn(self):
        a, b, c = str(self.r.randrange(100, 772)).zfill(3), self.digits(2, False), self.digits(4, False)
        if b == "00":
            b = "17"
        return self.pick([f"{a}-{b}-{c}", f"{a} {b} {c}", f"{a}.{b}.{c}", f"{a}{b}{c}"])

    def npi(self):
        body = "1" + self.digits(8, False)
        return body + luhn_digit("80840" + body)

    def luhn16(self, first=None):
        body = (first or str(self.r.randrange(3, 10))) + self.digits(14, False)
        return body + luhn_digit(body)

    def ndc(self):
        return f"{self.digits(5, False)}-{self.digits(3, False)}-{self.digits(2, False)}"

    def ups(self):
        return "1Z" + "".join(self.pick("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))

    # ---- dates
    def day(self, lo, hi):
        return self.today + dt.timedelta(days=self.r.randrange(lo, hi + 1))

    def fdate(self, d, style=None):
        styles = ["%m/%d/%Y", "%-m/%-d/%y", "%Y-%m-%d", "%B %-d, %Y", "%d-%b-%Y", "%-m/%-d/%Y", "%b %-d %Y",
                  "%m.%d.%Y", "%a %-m/%-d"]
        return d.strftime(style or self.pick(styles))

    def fdob(self, d):
        return d.strftime(self.pick(["%m/%d/%Y", "%-m/%-d/%Y", "%-m/%-d/%y", "%Y-%m-%d", "%d-%b-%Y", "%B %-d, %Y",
                                     "%m%d%Y", "%b %d, %Y"]))

    def ftime(self):
        h = self.r.randrange(7, 17)
        ampm = (" AM" if h < 12 else " PM") if self.maybe(0.4) else ""
        return f"{h % 12 or 12}:{self.pick(['00', '15', '30', '45'])}{ampm}"

    def dob_phrase(self, p):
        d = self.fdob(p.dob)
        return self.pick([f"DOB {d}", f"DOB: {d}", f"(DOB {d})", f"born {d}", f"D.O.B. {d}", f"dob {d}"])


# ---- signatures, quoting

FOOTERS = ["CONFIDENTIALITY NOTICE: This e-mail and any attachments may contain protected health information. "
           "If you received it in error, notify the sender and delete it.",
           "This message is intended only for the addressee and may contain privileged information.",
           "Please consider the environment before printing this e-mail."]


def signature(ctx, person, org, title=None, footer=None):
    lines = ["", "--" if ctx.maybe(0.4) else "", f"{person.first} {person.last}, {person.cred}" if person.cred else person.name]
    if title:
        lines.append(title)
    lines.append(org.name)
    if ctx.maybe(0.6):
        lines.append(org.addr())
    lines.append(ctx.pick([f"P {org.phone} x{person.ext}", f"Tel: {org.phone} ext. {person.ext}", f"Direct: {person.phone}"]))
    if ctx.maybe(0.5):
        lines.append(f"F {org.fax}")
    if footer or (footer is None and ctx.maybe(0.3)):
        lines += ["", ctx.pick(FOOTERS)]
    return "\n".join(lines)


def wrote_line(ctx, who, email_, when):
    return f"On {when.strftime('%a, %b %-d, %Y at %-I:%M %p')} {who} <{email_}> wrote:"


def gt_quote(text):
    return "\n".join("> " + l if l else ">" for l in text.split("\n"))


def outlook_header(frm, sent, to, subject):
    return ("________________________________\n" f"From: {frm}\nSent: {sent.strftime('%A, %B %-d, %Y %-I:%M %p')}\n"
            f"To: {to}\nSubject: {subject}\n")


def apple_fwd(frm, to, subject, when):
    return (f"Begin forwarded message:\n\nFrom: {frm}\nSubject: {subject}\nDate: "
            f"{when.strftime('%B %-d, %Y at %-I:%M:%S %p')} CST\nTo: {to}\n")


def thunderbird_fwd(frm, to, subject, when):
    return (f"-------- Forwarded Message --------\nSubject: \t{subject}\nDate: \t"
            f"{when.strftime('%a, %-d %b %Y %H:%M:%S')} -0600\nFrom: \t{frm}\nTo: \t{to}\n")


def gmail_fwd(frm, to, subject, when):
    return (f"---------- Forwarded message ---------\nFrom: {frm}\nDate: {when.strftime('%a, %b %-d, %Y at %-I:%M %p')}\n"
            f"Subject: {subject}\nTo: {to}\n")


def mobile_sig(ctx):
    return ctx.pick(["Sent from my iPhone", "Sent from my iPad", "Sent from my Galaxy", "Sent from Outlook for iOS",
                     "Get Outlook for Android", "Sent from Yahoo Mail for iPhone"])


# ---- attachments


def rtf(paragraphs):
    """A small RTF document; non-ASCII as \\uN? escapes."""

    def esc(s):
        out = []
        for ch in s:
            if ch in "\\{}":
                out.append("\\" + ch)
            elif ord(ch) > 127:
                out.append(f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?")
            else:
                out.append(ch)
        return "".join(out)

    body = "\r\n".join((r"{\b " + esc(p[2:]) + r"}\par" if p.startswith("# ") else esc(p) + r"\par") for p in paragraphs)
    return (r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}}\f0\fs20" "\r\n" + body + "\r\n}").encode("ascii")


def fixed_zip(data):
    """Rewrites a zip (openpyxl output) with fixed member timestamps and fixed core-property dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2026-11-01T08:00:00Z", content)
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 1, 8, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, content)
    return out.getvalue()


def xlsx(rows, sheet="Sheet1", date_fmt="mm/dd/yyyy"):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, dt.date):
                c.number_format = date_fmt
    wb.properties.creator = "openpyxl"
    wb.properties.created = dt.datetime(2026, 11, 1, 8, 0)
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def png_text(lines, width=900):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 22)
    img = Image.new("L", (width, 40 + 34 * len(lines)), 250)
    d = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        d.text((30, 20 + 34 * i), line, fill=20, font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def ics(ctx, org, summary, start, minutes, description, location, attendees=()):
    stamp = ctx.now.strftime("%Y%m%dT%H%M%SZ")
    end = start + dt.timedelta(minutes=minutes)
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "VERSION:2.0",
             "METHOD:REQUEST", "BEGIN:VEVENT", f"UID:{ctx.digits(12)}-{ctx.index}@{org.domain}", f"DTSTAMP:{stamp}",
             f"DTSTART:{start.strftime('%Y%m%dT%H%M%S')}", f"DTEND:{end.strftime('%Y%m%dT%H%M%S')}",
             f"SUMMARY:{summary}", f"LOCATION:{location}", "DESCRIPTION:" + description.replace("\n", "\\n")]
    lines += [f"ATTENDEE;CN={n};RSVP=TRUE:mailto:{e}" for n, e in attendees]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    out = []
    for line in lines:  # fold at 74 octets
        b = line
        while len(b.encode()) > 74:
            cut = 74
            while len(b[:cut].encode()) > 74:
                cut -= 1
            out.append(b[:cut])
            b = " " + b[cut:]
        out.append(b)
    return "\r\n".join(out) + "\r\n"


def html_table(header, rows, style="border-collapse:collapse;font-family:Calibri,sans-serif;font-size:11pt"):
    cell = 'style="border:1px solid #999;padding:3px 6px"'
    h = "".join(f"<th {cell}>{c}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td {cell}>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table style="{style}"><tr>{h}</tr>{body}</table>'


def html_wrap(inner, outlook=True):
    if outlook:
        return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
                f'<body lang="EN-US"><div class="WordSection1">{inner}</div></body></html>')
    return f'<div dir="ltr">{inner}</div>'


def para_html(text):
    return "".join(f'<p class="MsoNormal">{l or "&nbsp;"}</p>' for l in text.split("\n"))


# ---- messages


def new_message(ctx, frm, to, subject, body=None, html=None, cc=None, frm_domain=None):
    m = EmailMessage()
    m["From"] = email.utils.formataddr(frm) if isinstance(frm, tuple) else frm
    m["To"] = ", ".join(email.utils.formataddr(t) if isinstance(t, tuple) else t for t in (to if isinstance(to, list) else [to]))
    if cc:
        m["Cc"] = ", ".join(email.utils.formataddr(t) if isinstance(t, tuple) else t for t in cc)
    m["Subject"] = subject
    m["Date"] = email.utils.format_datetime(ctx.now.replace(tzinfo=dt.timezone(dt.timedelta(hours=-6))))
    domain = frm_domain or email.utils.parseaddr(m["From"])[1].split("@")[-1]
    m["Message-ID"] = f"<{ctx.digits(6)}.{''.join(ctx.pick('0123456789abcdef') for _ in range(16))}@{domain}>"
    if body is not None and html is not None:
        m.set_content(body)
        m.add_alternative(html, subtype="html")
    elif html is not None:
        m.set_content(html, subtype="html")
    else:
        m.set_content(body or "")
    return m


def attach_bytes(m, data, mime, filename):
    maintype, subtype = mime.split("/")
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)


def attach_text(m, text, subtype, filename, mime_main="text"):
    if mime_main == "text":
        m.add_attachment(text, subtype=subtype, filename=filename)
    else:
        m.add_attachment(text.encode("utf-8"), maintype=mime_main, subtype=subtype, filename=filename)


def render(m):
    data = m.as_bytes(policy=email.policy.SMTP)
    for line in data.split(b"\r\n"):
        if len(line) > 998 or b"\n" in line or b"\r" in line:
            raise ValueError("line over 998 octets or a bare CR/LF")
    return data
