"""Shared pieces for the fifth corpus: a per-message context (its own random.Random and seeded
Fakers), people, organisations, identifiers, signatures, documents (PDF with a text layer, DOCX,
HTML, CSV) and MIME assembly with CRLF line ends.

Everything here is synthetic. Each message gets `Ctx(seed, index)`; nothing reads the clock or the
global random state except the `email` package's boundary maker, which Ctx reseeds per message.
"""

import datetime as dt
import io
import random
import zipfile
import zlib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from html import escape

from faker import Faker

_FAKERS = {}
TEMPLATES = []  # (name, label, why, fn)


def template(name, label, why):
    """Registers a template; every message it renders has `label` (the rule in `why` decides)."""

    def wrap(fn):
        TEMPLATES.append((name, label, why, fn))
        return fn

    return wrap


# Romanised name lists for groups whose Faker locale gives another script or English names.
HAND_NAMES = {
    "ht": (["Widline", "Jean-Robert", "Guerline", "Fritznel", "Nadège", "Wilner", "Roodly",
            "Marie-Claude", "Jocelyn", "Mackenson", "Rose-Andrée", "Dieunel"],
           ["Pierre", "Jean-Louis", "Joseph", "Toussaint", "Célestin", "Dorvil", "Augustin",
            "Désir", "Jean-Baptiste", "Louissaint", "Fils-Aimé", "Saint-Fleur"]),
    "ko": (["Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Jae-won", "Soo-jin", "Dong-hyun",
            "Eun-ji", "Sung-min", "Hye-jin"],
           ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"]),
    "ru": (["Dmitri", "Olga", "Sergei", "Natalia", "Yelena", "Aleksandr", "Irina", "Viktor",
            "Svetlana", "Mikhail", "Tatyana", "Yuri"],
           ["Ivanov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov", "Morozov",
            "Petrov", "Orlov", "Belov", "Zaitsev", "Fedorov"]),
    "ar": (["Mohammed", "Fatima", "Ahmad", "Layla", "Omar", "Nour", "Youssef", "Mariam",
            "Khaled", "Huda", "Rania", "Tariq"],
           ["Haddad", "Al-Masri", "Khoury", "Mansour", "Saleh", "Nasser", "Abdullah",
            "Hassan", "El-Amin", "Darwish", "Aziz", "Qasim"]),
}
FEMALE_HAND = {"Widline", "Guerline", "Nadège", "Marie-Claude", "Rose-Andrée", "Seo-yeon",
               "Ha-eun", "Soo-jin", "Eun-ji", "Hye-jin", "Olga", "Natalia", "Yelena", "Irina",
               "Svetlana", "Tatyana", "Fatima", "Layla", "Nour", "Mariam", "Huda", "Rania"}
PATIENT_MIX = [("en_US", 44), ("es_MX", 12), ("pt_BR", 5), ("ht", 4), ("fr_FR", 2), ("ru", 4),
               ("ko", 4), ("ar", 4), ("en_IN", 5), ("pl_PL", 3), ("it_IT", 3), ("en_GB", 3),
               ("de_DE", 2)]
MAIL_HOSTS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "hotmail.com",
              "comcast.net", "att.net", "protonmail.com", "verizon.net"]
US_STATES = ["MA", "NY", "NJ", "PA", "FL", "GA", "TX", "IL", "OH", "MI", "CA", "WA", "MD", "NC"]
NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def _faker(locale):
    if locale not in _FAKERS:
        _FAKERS[locale] = Faker(locale)
    return _FAKERS[locale]


def ascii_fold(s):
    table = str.maketrans("áàâãäçéèêëíìîïñóòôõöúùûüýÁÀÂÃÄÇÉÈÊËÍÌÎÏÑÓÒÔÕÖÚÙÛÜÝłŁśŚżŻźŹćĆńŃęĘąĄ",
                          "aaaaaceeeeiiiinooooouuuuyAAAAACEEEEIIIINOOOOOUUUUYlLsSzZzZcCnNeEaA")
    return "".join(c for c in s.translate(table) if c.isascii())


class Person:
    def __init__(self, first, last, sex, locale):
        self.first, self.last, self.sex, self.locale = first, last, sex, locale
        self.full = "%s %s" % (first, last)
        self.title = ""

    def lastfirst(self, upper=False):
        s = "%s, %s" % (self.last, self.first)
        return s.upper() if upper else s


class Org:
    def __init__(self, name, domain, street, city, state, zipc, phone, fax):
        self.name, self.domain = name, domain
        self.street, self.city, self.state, self.zip = street, city, state, zipc
        self.phone, self.fax = phone, fax

    def address(self):
        return "%s, %s, %s %s" % (self.street, self.city, self.state, self.zip)


class Ctx:
    """One message's randomness: a private Random, Fakers seeded from it, the email boundary RNG."""

    def __init__(self, seed, index):
        self.r = random.Random("fifth-%s-%s" % (seed, index))
        random.seed(self.r.getrandbits(64))  # email.generator draws MIME boundaries from here
        self.when = NOW + dt.timedelta(days=self.r.randint(0, 45), minutes=self.r.randint(0, 600))

    # -- choices ---------------------------------------------------------------------------
    def pick(self, seq):
        return self.r.choice(list(seq))

    def chance(self, p):
        return self.r.random() < p

    def some(self, seq, lo, hi=None):
        seq = list(seq)
        return self.r.sample(seq, self.r.randint(lo, min(hi or len(seq), len(seq))))

    def shuffled(self, seq):
        seq = list(seq)
        self.r.shuffle(seq)
        return seq

    def fk(self, locale="en_US"):
        f = _faker(locale)
        f.seed_instance(self.r.getrandbits(32))
        return f

    def digits(self, n):
        return "".join(str(self.r.randint(0, 9)) for _ in range(n))

    # -- people ----------------------------------------------------------------------------
    def person(self, locale=None):
        if locale is None:
            locale = self.r.choices([l for l, _ in PATIENT_MIX], [w for _, w in PATIENT_MIX])[0]
        sex = self.pick("FM")
        if locale in HAND_NAMES:
            firsts, lasts = HAND_NAMES[locale]
            pool = [n for n in firsts if (n in FEMALE_HAND) == (sex == "F")]
            first, last = self.pick(pool), self.pick(lasts)
            if locale == "ru" and sex == "F":
                last += "a"
        else:
            f = self.fk(locale)
            first = f.first_name_female() if sex == "F" else f.first_name_male()
            last = f.last_name()
        p = Person(first, last, sex, locale)
        p.title = self.pick(["Ms.", "Mrs."]) if sex == "F" else "Mr."
        return p

    def patient(self, locale=None, age=(1, 88)):
        p = self.person(locale)
        years = self.r.randint(*age)
        p.dob = (self.when - dt.timedelta(days=365 * years + self.r.randint(0, 364))).date()
        p.age = years
        p.mrn = self.mrn()
        f = self.fk("en_US")
        p.street, p.city = f.street_address(), f.city()
        p.state, p.zip = self.pick(US_STATES), f.zipcode()
        p.phone = self.phone()
        p.email = self.email_for(p)
        return p

    def email_for(self, p):
        first, last = ascii_fold(p.first).lower(), ascii_fold(p.last).lower()
        first, last = first.replace(" ", "").replace("-", ""), last.replace(" ", "").replace("-", "")
        local = self.pick(["%s.%s" % (first, last), "%s%s%d" % (first[:1], last, self.r.randint(1, 99)),
                           "%s_%s%d" % (last, first, self.r.randint(60, 2005)), "%s%s" % (first, last[:3])])
        return "%s@%s" % (local or "x%s" % self.digits(5), self.pick(MAIL_HOSTS))

    def staff(self, roles, org):
        p = self.person(self.r.choices(["en_US", "en_IN", "es_MX", "en_GB", "ko", "ar", "pl_PL"],
                                       [60, 10, 10, 5, 5, 5, 5])[0])
        p.role = self.pick(roles)
        first = ascii_fold(p.first).lower().replace(" ", "").replace("-", "")
        last = ascii_fold(p.last).lower().replace(" ", "").replace("-", "")
        p.email = "%s@%s" % (self.pick(["%s.%s" % (first, last), "%s%s" % (first[:1], last)]), org.domain)
        p.org = org
        p.direct = self.phone()
        return p

    # -- organisations ---------------------------------------------------------------------
    def org(self, kinds, suffixes=("Health", "Medical Center", "Hospital")):
        f = self.fk("en_US")
        base = self.pick([f.city(), f.last_name(), self.pick(["Riverbend", "Northgate", "Harbor",
                                                                 "St. Brendan's", "Mercy Valley",
                                                                 "Lakeshore", "Cedar Ridge"])])
        name = "%s %s" % (base, self.pick(kinds) if kinds else self.pick(suffixes))
        dom = ascii_fold(base).lower().replace(" ", "").replace("'", "").replace(".", "")
        domain = "%s%s.%s" % (dom, self.pick(["health", "med", "care", "", "-" + "hc"]), self.pick(["org", "com", "net", "us"]))
        return Org(name, domain, f.street_address(), f.city(), self.pick(US_STATES), f.zipcode(),
                   self.phone(), self.phone())

    def phone(self):
        a, b, c = self.r.randint(201, 989), self.r.randint(200, 999), self.r.randint(0, 9999)
        return self.pick(["(%d) %d-%04d", "%d-%d-%04d", "%d.%d.%04d"]) % (a, b, c)

    # -- identifiers -----------------------------------------------------------------------
    def mrn(self):
        n = self.digits(self.pick([7, 8, 9]))
        return self.pick([n, "E" + n, n[:3] + "-" + n[3:], "MR" + n])

    def member_id(self):
        return self.pick(["%s%s" % (self.pick(["XJH", "W", "ZGP", "MHP", "U"]), self.digits(9)),
                          "%s-%s" % (self.digits(3), self.digits(8)), self.digits(11) + "01"])

    def mbi(self):
        al = "ACDEFGHJKMNPQRTUVWXY"
        s = (str(self.r.randint(1, 9)) + self.pick(al) + self.pick(al + "0123456789") + self.digits(1)
             + self.pick(al) + self.pick(al + "0123456789") + self.digits(1) + self.pick(al)
             + self.pick(al) + self.digits(2))
        return self.pick([s, s[:4] + "-" + s[4:7] + "-" + s[7:]])

    def ssn(self):
        a, b, c = self.r.randint(100, 665), self.r.randint(10, 99), self.r.randint(1000, 9999)
        return self.pick(["%03d-%02d-%04d", "%03d %02d %04d", "%03d%02d%04d"]) % (a, b, c)

    def claim(self):
        return self.pick(["%s%s" % (self.digits(2), self.digits(11)), "CLM-%s" % self.digits(9),
                          "%s%s" % (self.pick(["E", "K", "Q"]), self.digits(12))])

    def npi(self):
        base = "1" + self.digits(8)
        digits = [int(c) for c in "80840" + base]
        total = 0
        for i, d in enumerate(reversed(digits)):
            if i % 2 == 0:
                d *= 2
                d = d - 9 if d > 9 else d
            total += d
        return base + str((10 - total % 10) % 10)

    def luhn16(self, prefix=""):
        body = prefix + self.digits(15 - len(prefix))
        total = 0
        for i, c in enumerate(reversed(body)):
            d = int(c)
            if i % 2 == 0:
                d *= 2
                d = d - 9 if d > 9 else d
            total += d
        return body + str((10 - total % 10) % 10)

    # -- dates -----------------------------------------------------------------------------
    def day(self, lo=-30, hi=30):
        return (self.when + dt.timedelta(days=self.r.randint(lo, hi))).date()

    def dob(self, d):
        return d.strftime(self.pick(["%m/%d/%Y", "%-m/%-d/%Y", "%m/%d/%y", "%Y-%m-%d", "%d-%b-%Y",
                                     "%B %-d, %Y", "%m-%d-%Y", "%m%d%Y", "%b %d %Y", "%m.%d.%Y"]))

    def sdate(self, d):
        return d.strftime(self.pick(["%m/%d/%Y", "%-m/%-d", "%-m/%-d/%y", "%a %-m/%-d", "%B %-d", "%b %-d"]))

    def time(self, h24=False):
        h, m = self.r.randint(7, 16), self.pick(["00", "15", "30", "45"])
        if h24:
            return "%d:%s" % (h, m)
        am, pm = self.pick([("AM", "PM"), ("am", "pm"), ("AM", "PM")])
        return "%d:%s %s" % (h if h <= 12 else h - 12, m, am if h < 12 else pm)

    def pron(self, p):
        return "her" if p.sex == "F" else "his"

    # -- signatures ------------------------------------------------------------------------
    def signature(self, p, creds="", dept=""):
        org = p.org
        lines = [self.pick(["", "Thanks,", "Thank you,", "Best,", "Regards,", "-", "Kind regards,"])]
        lines.append(p.full + (", " + creds if creds else ""))
        lines.append(p.role + (" | " + dept if dept and self.chance(0.6) else ""))
        lines.append(org.name)
        if self.chance(0.7):
            lines.append(self.pick(["P: %s | F: %s", "Phone %s  Fax %s", "Tel: %s\nFax: %s",
                                    "o: %s  f: %s"]) % (p.direct, org.fax))
        if self.chance(0.4):
            lines.append(org.address())
        if self.chance(0.35):
            lines.append(p.email)
        if self.chance(0.4):
            lines.append("")
            lines.append(self.pick([
                "CONFIDENTIALITY NOTICE: This e-mail, including attachments, is for the sole use of the intended\n"
                "recipient(s) and may contain confidential and privileged information, including PHI.",
                "This message may contain protected health information. If you received it in error, please\n"
                "notify the sender and delete it.",
                "Please consider the environment before printing this e-mail.",
                "The information in this email is confidential and intended only for the addressee."]))
        return "\n".join(l for l in lines if l is not None).strip("\n")

    def mobile_tag(self):
        return self.pick(["Sent from my iPhone", "Sent from my Galaxy", "Sent from Outlook for iOS",
                          "Get Outlook for Android", "Sent from my iPad", ""])


# -- documents ---------------------------------------------------------------------------------
def _pdf_escape(s):
    s = ascii_fold(s) if not s.isascii() else s
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(pages, compress=False, producer="Sealgate corpus"):
    """A PDF with a real text layer: `pages` is a list of lists of lines (Helvetica 10pt)."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"}
    kids, n = [], 4
    for lines in pages:
        ops = ["BT", "/F1 10 Tf", "12 TL", "50 760 Td"]
        for line in lines:
            ops.append("(%s) '" % _pdf_escape(line))
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        if compress:
            stream = zlib.compress(stream)
            head = b"<< /Length %d /Filter /FlateDecode >>" % len(stream)
        else:
            head = b"<< /Length %d >>" % len(stream)
        objs[n + 1] = head + b"\nstream\n" + stream + b"\nendstream"
        objs[n] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (n + 1)
        kids.append(n)
        n += 2
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % k for k in kids).encode(), len(kids))
    objs[n] = b"<< /Producer (%s) >>" % producer.encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = out.tell()
        out.write(b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (n + 1))
    for i in range(1, n + 1):
        out.write(b"%010d 00000 n \n" % offsets[i])
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (n + 1, n, xref))
    return out.getvalue()


def docx(paragraphs):
    """A minimal Word document (WordprocessingML in a zip) holding `paragraphs`."""
    from xml.sax.saxutils import escape
    body = "".join('<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % escape(p) for p in paragraphs)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body>%s</w:body></w:document>' % body)
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", ct), ("_rels/.rels", rels), ("word/document.xml", doc)):
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def html_table(header, rows, style=True):
    th = "".join("<th%s>%s</th>" % (' style="text-align:left;border-bottom:1px solid #999"' if style else "", h) for h in header)
    trs = "\n".join("<tr>%s</tr>" % "".join("<td>%s</td>" % c for c in row) for row in rows)
    return '<table cellpadding="4" cellspacing="0" border="%d">\n<tr>%s</tr>\n%s\n</table>' % (0 if style else 1, th, trs)


def csv_text(header, rows, sep=","):
    def cell(c):
        c = str(c)
        return '"%s"' % c.replace('"', '""') if sep in c or '"' in c else c
    return "\r\n".join(sep.join(cell(c) for c in row) for row in [header] + rows) + "\r\n"


def quote(text, prefix="> "):
    return "\n".join(prefix + l if l else prefix.rstrip() for l in text.split("\n"))


# -- MIME --------------------------------------------------------------------------------------
def mail(ctx, frm, to, subject, text=None, html=None, attach=(), cc=None, headers=None,
         charset="utf-8", cte=None, reply=False):
    """Builds the message. `frm`/`to` are "Name <addr>" strings or lists; `attach` holds
    (filename, mime type, bytes|str|EmailMessage) tuples."""
    m = EmailMessage()
    m["From"] = frm
    m["To"] = ", ".join(to) if isinstance(to, (list, tuple)) else to
    if cc:
        m["Cc"] = ", ".join(cc) if isinstance(cc, (list, tuple)) else cc
    m["Subject"] = subject
    m["Date"] = format_datetime(ctx.when)
    host = frm.split("@")[-1].strip("> ")
    m["Message-ID"] = "<%s.%s@%s>" % (ctx.digits(12), "%08x" % ctx.r.getrandbits(32), host)
    m["MIME-Version"] = "1.0"
    if reply:
        m["In-Reply-To"] = "<%s@%s>" % (ctx.digits(14), host)
    for k, v in (headers or {}).items():
        m[k] = v
    if text is not None:
        if cte is None and charset == "utf-8":
            cte = ctx.pick([None, None, "base64", "quoted-printable"])
        m.set_content(text, charset=charset, cte=cte) if cte else m.set_content(text, charset=charset)
        if html is None and ctx.chance(0.25):
            html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
                    '<body lang="EN-US"><div class="WordSection1">\n%s\n</div></body></html>'
                    % "\n".join("<p class=MsoNormal>%s</p>" % (escape(l) or "&nbsp;") for l in text.split("\n")))
    if html is not None:
        if text is None:
            m.set_content(html, subtype="html", charset="utf-8", cte="quoted-printable")
        else:
            m.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for name, ctype, data in attach:
        if isinstance(data, EmailMessage):
            m.add_attachment(data)
            continue
        maintype, subtype = ctype.split("/", 1)
        if isinstance(data, str):
            if maintype == "text":
                m.add_attachment(data, subtype=subtype, filename=name, cte="quoted-printable")
            else:
                m.add_attachment(data.encode("utf-8"), maintype=maintype, subtype=subtype, filename=name)
        else:
            m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m


def crlf_bytes(m):
    raw = m.as_bytes(policy=SMTP)
    raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    too_long = [l for l in raw.split(b"\r\n") if len(l) > 998]
    if too_long:
        raise ValueError("line over 998 octets")
    return raw


def addr(p):
    return '"%s" <%s>' % (p.full, p.email) if "," in p.full else "%s <%s>" % (p.full, p.email)
