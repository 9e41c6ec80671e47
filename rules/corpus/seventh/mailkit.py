"""Shared kit for the seventh corpus: per-message context, people, organisations, identifiers,
date layouts, sloppy writing, quoting, and writers for HTML, CSV, ZIP, XLSX, DOCX, PDF, PNG,
ICS, vCard, HL7 v2 and FHIR, plus MIME assembly and the template registry.

All data is synthetic. Each message draws from its own random.Random; Faker instances are
reseeded from it before each use, so a seed gives the same bytes.
"""

import datetime as dt
import io
import json
import random
import re
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from faker import Faker

TEMPLATES = []  # (name, label, why, fn)


def template(name, label, why):
    def deco(fn):
        TEMPLATES.append((name, label, why, fn))
        return fn
    return deco


# ---------------------------------------------------------------- Faker pool
_FAKERS = {}
PATIENT_LOCALES = [("en_US", 30), ("es_ES", 4), ("pt_PT", 3), ("cs_CZ", 2), ("hr_HR", 2), ("sk_SK", 1),
                   ("lt_LT", 1), ("no_NO", 2), ("en_CA", 4), ("fr_CH", 2), ("de_AT", 2), ("sl_SI", 1),
                   ("lv_LV", 1), ("ga_IE", 2), ("en_NZ", 3)]
STAFF_LOCALES = ["en_US", "en_US", "en_US", "en_CA", "en_NZ", "en_GB", "es_ES", "no_NO", "de_AT"]


def faker(loc, r):
    f = _FAKERS.get(loc)
    if f is None:
        f = _FAKERS[loc] = Faker(loc)
    f.seed_instance(r.randrange(1 << 30))
    return f


# hand lists for names Faker gives poorly (native script or English names)
VI = (["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô"],
      ["Thị Lan", "Văn Hùng", "Thị Mai", "Minh Tuấn", "Thu Hà", "Quốc Bảo", "Ngọc Anh", "Văn Phúc"])
ZH = (["Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Zhou", "Wu", "Lin", "Guo"],
      ["Mei", "Jian", "Xiuying", "Wei", "Fang", "Hao", "Lihua", "Jun", "Yan", "Zhiqiang"])
TL = (["Santos", "Reyes", "Cruz", "Bautista", "Dela Cruz", "Garcia", "Mendoza", "Villanueva", "Aquino", "Ramos"],
      ["Maricel", "Rodel", "Jocelyn", "Arnel", "Lorna", "Ernesto", "Rowena", "Danilo", "Marites", "Jun"])
HT = (["Jean-Baptiste", "Pierre", "Joseph", "Charles", "Louis", "Desir", "Etienne", "Francois", "Noel", "Toussaint"],
      ["Marie-Claire", "Jean-Robert", "Fabiola", "Wilner", "Nadège", "Rosemene", "Jacques", "Guerline", "Ti-Paul", "Mireille"])
SO = (["Abdi", "Hassan", "Warsame", "Farah", "Osman", "Jama", "Mohamud", "Ali", "Yusuf", "Egal"],
      ["Hodan", "Abdirahman", "Fadumo", "Mohamed", "Sahra", "Ayaan", "Khadar", "Istahil", "Liban", "Ubah"])
UK = (["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Oliinyk", "Melnyk", "Polishchuk"],
      ["Oksana", "Taras", "Halyna", "Mykola", "Iryna", "Bohdan", "Nataliia", "Yurii", "Olena", "Andrii"])
HAND = {"vi": VI, "zh": ZH, "tl": TL, "ht": HT, "so": SO, "uk": UK}


class Person:
    def __init__(self, first, last, sex, dob, loc):
        self.first, self.last, self.sex, self.dob, self.loc = first, last, sex, dob, loc

    @property
    def full(self):
        return "%s %s" % (self.first, self.last)

    @property
    def lastfirst(self):
        return "%s, %s" % (self.last, self.first)

    def age(self, on):
        return on.year - self.dob.year - ((on.month, on.day) < (self.dob.month, self.dob.day))


def ascii_local(s):
    table = str.maketrans("áàâäãåçéèêëíìîïñóòôöõøúùûüýÿčćďěłńřšťžůőűăâđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
                          "aaaaaaceeeeiiiinoooooouuuuyyccdelnrstzuouaadouaaaaaaaaaaaaeeeeeeeeiioooooooooooouuuuuuuyyyy")
    s = s.lower().translate(table)
    return re.sub(r"[^a-z0-9]", "", s)


class Ctx:
    """Randomness and generated values for one message."""

    def __init__(self, seed, index):
        self.r = random.Random("seventh-%d-%d" % (seed, index))
        random.seed("seventh-mime-%d-%d" % (seed, index))  # email's boundaries use the global RNG
        base = dt.datetime(2026, 1, 5, 7, 0) + dt.timedelta(days=self.r.randrange(330), minutes=self.r.randrange(11 * 60))
        self.now = base
        self.today = base.date()

    # ---- basics
    def choice(self, seq):
        return self.r.choice(seq)

    def chance(self, p):
        return self.r.random() < p

    def digits(self, n):
        return "".join(str(self.r.randrange(10)) for _ in range(n))

    def sample(self, seq, k):
        return self.r.sample(list(seq), k)

    def pick(self, *variants):
        return self.r.choice(variants)

    # ---- people
    def patient(self, lang=None, minage=1, maxage=88, sex=None):
        r = self.r
        sex = sex or r.choice("FM")
        if lang in HAND:
            lasts, firsts = HAND[lang]
            first, last, loc = r.choice(firsts), r.choice(lasts), lang
        else:
            locs, weights = zip(*PATIENT_LOCALES)
            loc = lang or r.choices(locs, weights)[0]
            f = faker(loc, r)
            first = f.first_name_female() if sex == "F" else f.first_name_male()
            gl = getattr(f, "last_name_female" if sex == "F" else "last_name_male", None)
            last = gl() if gl else f.last_name()
        age_days = r.randrange(minage * 365 + 30, maxage * 365 + 300)
        dob = self.today - dt.timedelta(days=age_days)
        return Person(first, last, sex, dob, loc)

    def staff(self, cred=None):
        f = faker(self.r.choice(STAFF_LOCALES), self.r)
        first, last = f.first_name(), f.last_name()
        cred = cred or self.r.choice(["RN", "MD", "DO", "NP", "PA-C", "LPN", "MA", "RN, BSN", "CMA"])
        return first, last, cred

    def staff_name(self, cred=None):
        first, last, c = self.staff(cred)
        return "%s %s, %s" % (first, last, c)

    def address(self):
        f = faker("en_US", self.r)
        return f.street_address(), f.city(), f.state_abbr(), f.zipcode()

    def phone(self, style=None):
        a = self.r.choice(["312", "415", "503", "617", "704", "312", "720", "813", "919", "248", "505", "971"])
        b, c = "%d%s" % (self.r.randrange(2, 10), self.digits(2)), self.digits(4)
        style = style if style is not None else self.r.randrange(5)
        return ["(%s) %s-%s", "%s-%s-%s", "%s.%s.%s", "%s %s %s", "+1 %s %s %s"][style] % (a, b, c)

    def webmail(self, p):
        if getattr(p, "_mail", None):
            return p._mail
        dom = self.r.choice(["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "hotmail.com", "comcast.net", "proton.me"])
        lp = self.r.choice(["%s.%s", "%s%s", "%s_%s%s", "%s%s%s"])
        a, b = ascii_local(p.first)[:12] or "pt", ascii_local(p.last)[:14] or "x"
        if lp.count("%s") == 3:
            local = lp % (a, b, self.digits(2))
        else:
            local = lp % (a, b)
        p._mail = "%s@%s" % (local, dom)
        return p._mail

    def addr_at(self, first, last, domain, style=None):
        a, b = ascii_local(first) or "x", ascii_local(last) or "y"
        style = style if style is not None else (len(a) + 2 * len(b) + ord(domain[0])) % 3
        local = ["%s.%s" % (a, b), "%s%s" % (a[0], b), "%s_%s" % (a, b)][style]
        return "%s@%s" % (local, domain)

    # ---- dates
    def past(self, lo=1, hi=60):
        return self.today - dt.timedelta(days=self.r.randrange(lo, hi))

    def future(self, lo=1, hi=40):
        d = self.today + dt.timedelta(days=self.r.randrange(lo, hi))
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        return d

    def clock(self):
        h = self.r.choice([7, 8, 8, 9, 9, 10, 10, 11, 13, 13, 14, 14, 15, 16])
        return dt.time(h, self.r.choice([0, 0, 15, 30, 30, 45]))

    # ---- identifiers
    def mrn(self):
        r = self.r
        return r.choice([
            lambda: self.digits(8),
            lambda: "M" + self.digits(7),
            lambda: "%s-%s" % (self.digits(3), self.digits(5)),
            lambda: "00" + self.digits(7),
            lambda: "E" + self.digits(9),
            lambda: "%s %s %s" % (self.digits(2), self.digits(3), self.digits(3)),
        ])()

    def member_id(self):
        r = self.r
        pre = r.choice(["XJH", "ZGP", "W", "HMO", "MBR", "UHX", "YLB", "JQF", "K9", "AZM"])
        body = self.digits(r.choice([8, 9, 10, 11]))
        sep = r.choice(["", "", "-", " "])
        tail = r.choice(["", "", "01", "-02", " 00"])
        return pre + sep + body + tail

    def medicaid_id(self):
        return self.r.choice([lambda: self.digits(10), lambda: "%s%s" % ("".join(self.r.choice("ABCDEFGHJKLMNPRTWY") for _ in range(2)), self.digits(8)),
                              lambda: "%s-%s-%s" % (self.digits(3), self.digits(3), self.digits(3))])()

    def mbi(self, style=None):
        r = self.r
        L = "ACDEFGHJKMNPQRTUVWXY"
        A = L + "0123456789"
        s = (str(r.randrange(1, 10)) + r.choice(L) + r.choice(A) + str(r.randrange(10)) + r.choice(L) + r.choice(A)
             + str(r.randrange(10)) + r.choice(L) + r.choice(L) + str(r.randrange(10)) + str(r.randrange(10)))
        style = style if style is not None else r.randrange(4)
        if style == 1:
            s = "%s-%s-%s" % (s[:4], s[4:7], s[7:])
        elif style == 2:
            s = "%s %s %s" % (s[:4], s[4:7], s[7:])
        elif style == 3:
            s = s.lower()
        return s

    def ssn(self, style=None):
        a = self.r.randrange(100, 900)
        while a == 666:
            a = self.r.randrange(100, 900)
        b, c = self.r.randrange(1, 100), self.r.randrange(1, 10000)
        style = style if style is not None else self.r.randrange(4)
        return ["%03d-%02d-%04d", "%03d %02d %04d", "%03d.%02d.%04d", "%03d%02d%04d"][style] % (a, b, c)

    def npi(self):
        base = str(self.r.choice([1, 2])) + self.digits(8)
        return base + str(luhn_check("80840" + base))

    def luhn16(self, first=None):
        first = first or self.r.choice("3456789")
        body = first + self.digits(14)
        return body + str(luhn_check(body))

    def card(self):
        body = "4" + self.digits(14)
        return body + str(luhn_check(body))

    def ups(self):
        return "1Z" + "".join(self.r.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(6)) + self.digits(10)

    def claim_no(self):
        return self.r.choice(["%s%s" % (self.digits(4), self.digits(9)), "CLM-%s" % self.digits(10), "%sE%s" % (self.digits(2), self.digits(10))])

    def account_no(self):
        return self.r.choice(["ACCT %s" % self.digits(9), "%s" % self.digits(10), "HAR%s" % self.digits(8), "G%s" % self.digits(7)])

    # ---- text
    def greet(self, name=None):
        if name:
            return self.pick("Hi %s," % name, "Hello %s," % name, "Dear %s," % name, "%s -" % name, "Good morning %s," % name)
        return self.pick("Hi,", "Hello,", "Hi all,", "Good morning,", "Hi team,", "Hello there,")

    def sign(self, org, first=None, last=None, cred=None, title=None, heavy=None):
        if first is None:
            first, last, cred = self.staff(cred)
        title = title or ""
        heavy = self.chance(0.4) if heavy is None else heavy
        lines = ["", self.pick("Thanks,", "Thank you,", "Best,", "Regards,", "--", "Thanks!", "Kind regards,"),
                 "%s %s%s" % (first, last, (", " + cred) if cred else "")]
        if title:
            lines.append(title)
        lines.append(org.name)
        if heavy:
            lines.append("%s | Fax %s" % (self.phone(), self.phone()))
            lines.append(org.street)
            if self.chance(0.5):
                lines.append("CONFIDENTIALITY NOTICE: This e-mail, including any attachments, may contain protected "
                             "health information. If you are not the intended recipient, notify the sender and delete it.")
        return "\n".join(lines)


def luhn_check(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


# ---------------------------------------------------------------- organisations
class Org:
    def __init__(self, name, domain, street):
        self.name, self.domain, self.street = name, domain, street


PLACES = ["Juniper", "Harbor View", "Saddleback", "Kettle Creek", "Larkspur", "Bramblewood", "North Fork", "Copper Hill",
          "Tidewater", "Stonebridge", "Wintergreen", "Red Mesa", "Ashgrove", "Falcon Ridge", "Millbrook", "Osprey Point",
          "Prairie Wind", "Silver Lake", "Thornbury", "Westhaven", "Blue Heron", "Granite Falls", "Lantern Bay", "Quarry Hill"]


def org(c, kind, external=False):
    place = c.choice(PLACES)
    name = kind % place
    slug = re.sub(r"[^a-z]", "", place.lower())
    words = [w for w in re.findall(r"[A-Za-z]+", kind.replace("%s", "")) if w.lower() not in ("of", "and", "the", "for")]
    tag = "".join(w[0] for w in words).lower() or "health"
    public = any(w in kind for w in ("County", "Public Health", "Health Department", "Public Schools", "School District", "Health District"))
    tld = "gov" if public and c.chance(0.7) else c.choice(["org", "com", "net", "org", "us"] if not external else ["com", "com", "org", "net"])
    dom = "%s%s.%s" % (slug, tag, tld)
    street = "%s %s" % (c.r.randrange(100, 9999), c.choice(["Medical Pkwy", "Main St, Suite 210", "Commerce Dr", "Hospital Rd",
                                                          "Elm Ave, 3rd Floor", "Industrial Blvd", "Professional Ct"]))
    return Org(name, dom, street)


# ---------------------------------------------------------------- dates in many layouts
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def ordinal(n):
    return "%d%s" % (n, "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


def fdate(d, style=None, r=None):
    """A date in one of many written layouts; style picks one or r chooses."""
    styles = ["%m/%d/%Y", "m/d/yy", "%Y-%m-%d", "%d-%b-%Y", "B d, Y", "%m-%d-%Y", "b d Y", "m/d/Y", "%m%d%Y"]
    if style is None:
        style = r.choice(styles)
    if style == "B d":
        return "%s %d" % (MONTHS[d.month - 1], d.day)
    if style == "m/d":
        return "%d/%d" % (d.month, d.day)
    if style == "m/d/yy":
        return "%d/%d/%02d" % (d.month, d.day, d.year % 100)
    if style == "m/d/Y":
        return "%d/%d/%d" % (d.month, d.day, d.year)
    if style == "B d, Y":
        return "%s %d, %d" % (MONTHS[d.month - 1], d.day, d.year)
    if style == "b d Y":
        return "%s %d %d" % (MONTHS[d.month - 1][:3], d.day, d.year)
    return d.strftime(style)


def sloppy_date(d, r, with_year=True):
    m = MONTHS[d.month - 1]
    opts = ["%s of %s" % (ordinal(d.day), m.lower()), "%s %s" % (m[:3].lower(), ordinal(d.day)), "%d/%d" % (d.month, d.day),
            "%s %d" % (m.lower(), d.day)]
    s = r.choice(opts)
    if with_year:
        s += r.choice([" '%02d" % (d.year % 100), " %d" % d.year, " %d" % d.year])
    return s


def sloppy_dob(d, r):
    m = MONTHS[d.month - 1]
    return r.choice(["%s %s '%02d" % (m[:3].lower(), ordinal(d.day), d.year % 100),
                     "%s of %s %d" % (ordinal(d.day), m.lower(), d.year),
                     "%d/%d/%02d" % (d.month, d.day, d.year % 100),
                     "%s %d %d" % (m.lower(), d.day, d.year),
                     "%d-%d-%d" % (d.month, d.day, d.year)])


def tm(t):
    h = t.hour % 12 or 12
    return "%d:%02d %s" % (h, t.minute, "AM" if t.hour < 12 else "PM")


# ---------------------------------------------------------------- sloppy writing
ABBR = [(r"\byou\b", "u"), (r"\bplease\b", "pls"), (r"\bwith\b", "w/"), (r"\bpatient\b", "pt"), (r"\bbecause\b", "bc"),
        (r"\btomorrow\b", "tmrw"), (r"\bthanks\b", "thx"), (r"\bare\b", "r"), (r"\bwithout\b", "w/o"), (r"\bmessage\b", "msg"),
        (r"\bappointment\b", "appt"), (r"\bfollow up\b", "f/u"), (r"\bto be\b", "2b"), (r"\bbefore\b", "b4"),
        (r"\bthrough\b", "thru"), (r"\bpeople\b", "ppl"), (r"\bokay\b", "ok"), (r"\bsomething\b", "smth")]


def typo(word, r):
    if len(word) < 4 or not word.isalpha():
        return word
    i = r.randrange(1, len(word) - 1)
    op = r.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == 1:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def sloppy(text, r, lower=True, punct=True, typos=0.06, abbr=0.8, keep=()):
    """Lower case, drop punctuation, texting abbreviations and typos. Words in keep are left alone."""
    out = []
    for line in text.split("\n"):
        if lower:
            line = line.lower()
        for pat, rep in ABBR:
            if r.random() < abbr:
                line = re.sub(pat, rep, line, flags=re.I)
        if punct:
            line = re.sub(r"[,;]", "", line)
            line = re.sub(r"\.(\s|$)", lambda m: r.choice([" ", "  ", "..", " "]) + m.group(1) if r.random() < 0.7 else m.group(0), line)
            line = line.replace("'", "") if r.random() < 0.5 else line
        words = line.split(" ")
        for i, w in enumerate(words):
            if w not in keep and r.random() < typos:
                words[i] = typo(w, r)
        out.append(" ".join(words).rstrip())
    return "\n".join(out)


# ---------------------------------------------------------------- quoting
def gmail_quote(body, who_name, who_addr, when):
    head = "On %s, %s <%s> wrote:" % (when.strftime("%a, %b %-d, %Y at %-I:%M %p"), who_name, who_addr)
    return head + "\n" + "\n".join(("> " + l) if l else ">" for l in body.split("\n"))


def outlook_block(frm, sent, to, subject, body, cc=None):
    lines = ["", "-----Original Message-----" if False else "________________________________",
             "From: %s" % frm, "Sent: %s" % sent.strftime("%A, %B %-d, %Y %-I:%M %p"), "To: %s" % to]
    if cc:
        lines.append("Cc: %s" % cc)
    lines += ["Subject: %s" % subject, "", body]
    return "\n".join(lines)


def forward_header(frm, sent, to, subject):
    return "\n".join(["---------- Forwarded message ---------", "From: %s" % frm,
                      "Date: %s" % sent.strftime("%a, %b %-d, %Y at %-I:%M %p"), "Subject: %s" % subject, "To: %s" % to, ""])


# ---------------------------------------------------------------- HTML
def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_table(header, rows, style="outlook"):
    if style == "outlook":
        t = '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;border:none">'
        td = '<td style="border:solid windowtext 1.0pt;padding:0in 5.4pt 0in 5.4pt"><p class="MsoNormal">%s</p></td>'
        th = '<td style="border:solid windowtext 1.0pt;background:#D9E2F3;padding:0in 5.4pt 0in 5.4pt"><p class="MsoNormal"><b>%s</b></p></td>'
    else:
        t = '<table style="border-collapse:collapse;font-family:Arial,sans-serif;font-size:13px" cellpadding="4">'
        td = '<td style="border:1px solid #ccc">%s</td>'
        th = '<th style="border:1px solid #ccc;background:#f2f2f2;text-align:left">%s</th>'
    out = [t, "<tr>" + "".join(th % esc(h) for h in header) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(td % esc(v) for v in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def html_doc(paras, style="outlook"):
    """paras: list of strings (plain text, escaped) or ('raw', html)."""
    parts = []
    for p in paras:
        if isinstance(p, tuple):
            parts.append(p[1])
        elif style == "outlook":
            parts.append('<p class="MsoNormal">%s</p>' % esc(p).replace("\n", "<br>"))
        else:
            parts.append("<div>%s</div>" % (esc(p).replace("\n", "<br>") or "<br>"))
    if style == "outlook":
        return ('<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" '
                'content="text/html; charset=utf-8"><style>p.MsoNormal{margin:0in;font-size:11.0pt;font-family:"Calibri",sans-serif}'
                '</style></head><body lang="EN-US"><div class="WordSection1">\n' + "\n".join(parts) + "\n</div></body></html>")
    return ('<div dir="ltr">\n' + "\n".join(parts) + "\n</div>")


def html_to_text(paras):
    out = []
    for p in paras:
        if isinstance(p, tuple):
            out.append(p[2] if len(p) > 2 else "")
        else:
            out.append(p)
    return "\n\n".join(out)


# ---------------------------------------------------------------- files
FIXED = (2026, 1, 1, 0, 0, 0)


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            zi = zipfile.ZipInfo(name, FIXED)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return buf.getvalue()


def csv_text(header, rows, delim=","):
    def cell(v):
        v = str(v)
        if delim in v or '"' in v or "\n" in v:
            v = '"' + v.replace('"', '""') + '"'
        return v
    return "\r\n".join(delim.join(cell(v) for v in row) for row in [header] + list(rows)) + "\r\n"


def xlsx_bytes(sheets, date_fmt="mm/dd/yyyy"):
    """sheets: list of (title, header, rows). date/datetime values become real date cells."""
    import openpyxl
    from openpyxl.styles import Font
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(list(header))
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in rows:
            ws.append(list(row))
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = date_fmt
    fixed = dt.datetime(2026, 1, 1)
    wb.properties.creator = "export"
    wb.properties.created = fixed
    buf = io.BytesIO()
    wb.save(buf)
    # make the bytes deterministic: fixed zip timestamps and a fixed modified time
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    files = []
    for name in src.namelist():
        data = src.read(name)
        if name == "docProps/core.xml":
            data = re.sub(rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>2026-01-01T00:00:00Z<", data)
        files.append((name, data))
    return zip_bytes(files)


def docx_bytes(blocks):
    """blocks: strings (paragraphs; '# ' prefix = bold heading) or ('table', header, rows)."""
    def run(text, bold=False):
        rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
        return '<w:r>%s<w:t xml:space="preserve">%s</w:t></w:r>' % (rpr, esc(text))

    body = []
    for b in blocks:
        if isinstance(b, tuple) and b[0] == "table":
            _, header, rows = b
            tbl = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/><w:tblBorders>'
                   '<w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/>'
                   '<w:right w:val="single" w:sz="4"/><w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/>'
                   '</w:tblBorders></w:tblPr>']
            for i, row in enumerate([header] + list(rows)):
                tbl.append("<w:tr>" + "".join("<w:tc><w:p>%s</w:p></w:tc>" % run(str(v), bold=(i == 0)) for v in row) + "</w:tr>")
            tbl.append("</w:tbl>")
            body.append("".join(tbl))
        else:
            bold = b.startswith("# ")
            text = b[2:] if bold else b
            body.append("<w:p>%s</w:p>" % run(text, bold))
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + "".join(body) + '<w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr></w:body></w:document>')
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')
    return zip_bytes([("[Content_Types].xml", ct), ("_rels/.rels", rels), ("word/document.xml", doc)])


def _pdf_str(s):
    s = s.encode("cp1252", "replace").decode("latin-1")
    return "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf_bytes(lines, title=None):
    """A PDF with a real text layer (Helvetica, WinAnsi). lines: strings; '# ' prefix = bold."""
    import zlib
    pages, cur = [], []
    for l in lines:
        wrapped = []
        text = l
        while len(text) > 95:
            cut = text.rfind(" ", 0, 95)
            cut = cut if cut > 20 else 95
            wrapped.append(text[:cut])
            text = "  " + text[cut:].lstrip()
        wrapped.append(text)
        for w in wrapped:
            cur.append(w)
            if len(cur) >= 52:
                pages.append(cur)
                cur = []
    if cur or not pages:
        pages.append(cur)
    objs = []
    objs.append("<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(None)  # pages, filled later
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    streams = {}
    for pg in pages:
        ops = ["BT", "/F1 10 Tf", "12 TL", "54 750 Td"]
        for l in pg:
            if l.startswith("# "):
                ops.append("/F2 11 Tf %s Tj T* /F1 10 Tf" % _pdf_str(l[2:]))
            else:
                ops.append("%s Tj T*" % _pdf_str(l))
        ops.append("ET")
        content = zlib.compress("\n".join(ops).encode("latin-1"))
        objs.append(("stream", content))
        cidx = len(objs)
        objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % cidx)
        kids.append(len(objs))
    objs[1] = "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % k for k in kids), len(kids))
    info = "<< /Producer (FaxServer PDF 2.1) %s>>" % (("/Title %s " % _pdf_str(title)) if title else "")
    objs.append(info)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        if isinstance(o, tuple):
            data = o[1]
            out.write(("%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % (i, len(data))).encode())
            out.write(data + b"\nendstream\nendobj\n")
        else:
            out.write(("%d 0 obj\n%s\nendobj\n" % (i, o)).encode("latin-1"))
    xref = out.tell()
    out.write(("xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)).encode())
    for off in offsets:
        out.write(("%010d 00000 n \n" % off).encode())
    out.write(("trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, len(objs), xref)).encode())
    return out.getvalue()


def png_of_text(lines, r, width=1100):
    """Real pixels of text (a 'scan'): PIL with DejaVu fonts, a little skew and noise."""
    from PIL import Image, ImageDraw, ImageFont
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 22)
    bold = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 24)
    h = 80 + 34 * len(lines)
    img = Image.new("L", (width, h), 250)
    d = ImageDraw.Draw(img)
    y = 40
    for l in lines:
        f = bold if l.startswith("# ") else font
        d.text((50 + r.randrange(0, 4), y), l[2:] if l.startswith("# ") else l, fill=r.randrange(10, 50), font=f)
        y += 34
    for _ in range(400):
        d.point((r.randrange(width), r.randrange(h)), fill=r.randrange(120, 200))
    img = img.rotate(r.uniform(-0.8, 0.8), fillcolor=250, resample=Image.BICUBIC)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def ics_text(c, summary, start, minutes, location, description, organizer, attendees=(), method="REQUEST", uid_dom="example.org"):
    def fold(line):
        b = line.encode("utf-8")
        if len(b) <= 74:
            return line
        out, cur = [], ""
        for ch in line:
            if len((cur + ch).encode("utf-8")) > 73:
                out.append(cur)
                cur = " " + ch
            else:
                cur += ch
        out.append(cur)
        return "\r\n".join(out)

    def e(s):
        return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")

    end = start + dt.timedelta(minutes=minutes)
    f = "%Y%m%dT%H%M%S"
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "VERSION:2.0", "METHOD:%s" % method,
             "BEGIN:VEVENT", "UID:%s@%s" % (c.digits(12), uid_dom), "DTSTAMP:%sZ" % c.now.strftime(f),
             "DTSTART;TZID=America/Chicago:%s" % start.strftime(f), "DTEND;TZID=America/Chicago:%s" % end.strftime(f),
             "SUMMARY:%s" % e(summary), "LOCATION:%s" % e(location), "DESCRIPTION:%s" % e(description),
             "ORGANIZER;CN=%s:mailto:%s" % (organizer[0], organizer[1])]
    for name, addr in attendees:
        lines.append("ATTENDEE;CN=%s;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:%s" % (name, addr))
    lines += ["STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(fold(l) for l in lines) + "\r\n"


def vcard_text(first, last, org_name=None, title=None, phone=None, email=None, adr=None, note=None):
    lines = ["BEGIN:VCARD", "VERSION:3.0", "N:%s;%s;;;" % (last, first), "FN:%s %s" % (first, last)]
    if org_name:
        lines.append("ORG:%s" % org_name)
    if title:
        lines.append("TITLE:%s" % title)
    if phone:
        lines.append("TEL;TYPE=WORK,VOICE:%s" % phone)
    if email:
        lines.append("EMAIL;TYPE=INTERNET:%s" % email)
    if adr:
        lines.append("ADR;TYPE=HOME:;;%s;%s;%s;%s;USA" % adr)
    if note:
        lines.append("NOTE:%s" % note.replace(",", "\\,"))
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------- MIME
def message(c, frm, to, subject, text=None, html=None, cc=None, attachments=(), date=None, reply_to=None, extra=None):
    """frm/to: (name, addr) or list of them. attachments: (filename, maintype, subtype, data[, params])."""
    m = EmailMessage()
    fa = frm if isinstance(frm, tuple) else (None, frm)
    m["From"] = formataddr(fa) if fa[0] else fa[1]
    tos = to if isinstance(to, list) else [to]
    m["To"] = ", ".join(formataddr(t) if isinstance(t, tuple) and t[0] else (t[1] if isinstance(t, tuple) else t) for t in tos)
    if cc:
        ccs = cc if isinstance(cc, list) else [cc]
        m["Cc"] = ", ".join(formataddr(t) if isinstance(t, tuple) and t[0] else (t[1] if isinstance(t, tuple) else t) for t in ccs)
    m["Subject"] = subject
    d = date or c.now
    m["Date"] = format_datetime(d.replace(tzinfo=dt.timezone(dt.timedelta(hours=c.choice([-5, -6, -7, -8])))))
    dom = fa[1].split("@")[1]
    m["Message-ID"] = "<%s.%s@%s>" % (c.digits(10), "".join(c.r.choice("abcdef0123456789") for _ in range(12)), dom)
    if reply_to:
        m["In-Reply-To"] = reply_to
        m["References"] = reply_to
    m["MIME-Version"] = "1.0"
    if extra:
        for k, v in extra:
            m[k] = v
    if text is not None:
        m.set_content(text)
        if html is not None:
            m.add_alternative(html, subtype="html")
    elif html is not None:
        m.set_content(html, subtype="html")
    else:
        m.set_content("")
    for a in attachments:
        fname, maintype, subtype, data = a[:4]
        params = a[4] if len(a) > 4 else {}
        if maintype == "message":
            m.add_attachment(data, filename=fname) if fname else m.add_attachment(data)
            continue
        if maintype == "text" and isinstance(data, str):
            m.add_attachment(data, subtype=subtype, filename=fname, params=params)
        else:
            if isinstance(data, str):
                data = data.encode("utf-8")
            m.add_attachment(data, maintype=maintype, subtype=subtype, filename=fname, params=params)
    return m


def reply_id(c, dom):
    return "<%s@%s>" % ("".join(c.r.choice("ABCDEF0123456789") for _ in range(24)), dom)


XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def hl7_ts(d):
    return d.strftime("%Y%m%d%H%M") if isinstance(d, dt.datetime) else d.strftime("%Y%m%d")


def fhir_json(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False)
