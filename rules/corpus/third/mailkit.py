"""Message assembly for the third corpus: people, organisations, MIME, a tiny PDF writer.

Templates (tpl_*.py) return a plain dict `spec`; `build` turns it into an RFC 5322 message.
"""

import datetime as dt
import html as htmlmod
import unicodedata
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from ids import HOSPITAL_KINDS, ORG_KINDS, PAYERS, PERSONAL_DOMAINS, Ids

TEMPLATES = []  # (name, positive, function)


def template(name, positive):
    def register(fn):
        TEMPLATES.append((name, positive, fn))
        return fn
    return register


def slug(s):
    folded = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


class Ctx:
    """Everything a template draws from: one seeded RNG, Faker (en_US, es_MX) and ids."""

    def __init__(self, rng, fake, fake_es):
        self.r = rng
        self.fake = fake
        self.fake_es = fake_es
        self.ids = Ids(rng, fake, fake_es)

    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p):
        return self.r.random() < p

    # --- people --------------------------------------------------------------------------
    def patient(self, spanish=False, min_age=1, max_age=88, sex=None):
        f = self.fake_es if spanish or self.chance(0.15) else self.fake
        sex = sex or self.pick("FM")
        first = f.first_name_female() if sex == "F" else f.first_name_male()
        last = f.last_name()
        dob = self.ids.birth_date(min_age, max_age)
        age = (dt.date(2026, 11, 20) - dob).days // 365
        addr = self.fake
        return {
            "first": first, "last": last, "name": "%s %s" % (first, last), "sex": sex,
            "dob": dob, "dob_s": self.ids.fmt_date(dob, spanish), "age": age,
            "mrn": self.ids.mrn(), "member": self.ids.member_id(), "phone": self.ids.phone(),
            "street": addr.street_address(), "city": addr.city(), "state": addr.state_abbr(),
            "zip": addr.zipcode(),
            "he": "she" if sex == "F" else "he", "her": "her" if sex == "F" else "him",
            "email": "%s.%s%d@%s" % (slug(first), slug(last), self.r.randint(1, 99),
                                     self.pick(PERSONAL_DOMAINS)),
        }

    def staff(self, role=None):
        first, last = self.fake.first_name(), self.fake.last_name()
        role = role or self.pick(["RN", "MA", "LPN", "front desk", "MD", "NP", "billing", "PA-C"])
        if role in ("MD", "DO"):
            shown = self.pick(["Dr. %s %s" % (first, last), "%s %s, %s" % (first, last, role)])
        elif role in ("RN", "LPN", "NP", "PA-C", "MA", "LCSW", "PT"):
            shown = "%s %s, %s" % (first, last, role)
        else:
            shown = "%s %s" % (first, last)
        return {"first": first, "last": last, "name": "%s %s" % (first, last), "shown": shown,
                "role": role}

    def org(self, kind="clinic"):
        city = self.fake.city()
        if kind == "hospital":
            name = "%s %s" % (city, self.pick(HOSPITAL_KINDS))
        elif kind == "payer":
            name = self.pick(PAYERS)
        elif kind == "vendor":
            name = "%s %s" % (self.fake.last_name(), self.pick(["Medical Supply", "Surgical",
                                                                  "Healthcare Products", "Diagnostics"]))
        else:
            name = "%s %s" % (self.pick([city, self.fake.last_name()]), self.pick(ORG_KINDS))
        words = [w for w in name.replace("'", "").split() if w[0].isalpha()]
        tld = self.pick([".org", ".com", ".net", "health.org"])
        domain = "".join(slug(w)[:1] for w in words[:-1]) + slug(words[-1])
        domain += ".org" if domain.endswith("health") and tld == "health.org" else tld
        return {"name": name, "domain": domain, "city": city, "phone": self.ids.phone(),
                "fax": self.ids.phone()}

    def addr(self, person, org):
        local = self.pick(["%s.%s", "%s%s", "%s_%s"]) % (slug(person["first"])[:1]
                                                        if self.chance(0.4) else slug(person["first"]),
                                                        slug(person["last"]))
        return local + "@" + org["domain"]

    def role_addr(self, org, role):
        return "%s@%s" % (role, org["domain"])

    def sig(self, staff, org):
        lines = ["", self.pick(["Thanks,", "Thank you,", "Best,", "Regards,", "Thx", "--"]),
                 staff["shown"]]
        if self.chance(0.7):
            lines.append(org["name"])
        if self.chance(0.6):
            lines.append("P: %s  F: %s" % (org["phone"], org["fax"]))
        if self.chance(0.35):
            lines += ["", self.pick(CONF_NOTICES)]
        return "\n".join(lines)


CONF_NOTICES = [
    "CONFIDENTIALITY NOTICE: This e-mail, including any attachments, is for the sole use of the "
    "intended recipient(s) and may contain confidential and privileged information, including "
    "protected health information. If you are not the intended recipient, please contact the "
    "sender and destroy all copies.",
    "This message may contain information protected under HIPAA. Unauthorized review, use or "
    "disclosure is prohibited.",
    "Please consider the environment before printing this email.",
]


# --- HTML ----------------------------------------------------------------------------------
def esc(s):
    return htmlmod.escape(str(s), quote=False)


def html_table(headers, rows):
    head = "".join("<th style=\"border:1px solid #999;padding:4px\">%s</th>" % esc(h) for h in headers)
    body = "".join("<tr>%s</tr>" % "".join("<td style=\"border:1px solid #ccc;padding:4px\">%s</td>"
                                           % esc(v) for v in row) for row in rows)
    return "<table style=\"border-collapse:collapse\"><tr>%s</tr>%s</table>" % (head, body)


def html_doc(blocks):
    """blocks: strings (paragraphs, escaped here) or ('raw', html) tuples."""
    parts = []
    for b in blocks:
        if isinstance(b, tuple):
            parts.append(b[1])
        else:
            parts.append("<p>%s</p>" % esc(b).replace("\n", "<br>"))
    return ("<html><head><meta charset=\"utf-8\"></head><body style=\"font-family:Calibri,"
            "Arial,sans-serif;font-size:11pt\">%s</body></html>" % "\n".join(parts))


def csv_text(headers, rows):
    def cell(v):
        v = str(v)
        return '"%s"' % v.replace('"', '""') if any(ch in v for ch in ',"\n') else v
    return "\r\n".join(",".join(cell(v) for v in row) for row in [headers] + rows) + "\r\n"


# --- PDF -----------------------------------------------------------------------------------
def make_pdf(lines, title="Document"):
    """A minimal, valid PDF 1.4 with Helvetica text (uncompressed content streams)."""
    pages = [lines[i:i + 48] for i in range(0, max(len(lines), 1), 48)] or [[]]
    objs = []
    font_id = 3
    page_ids = []
    for page in pages:
        ops = ["BT", "/F1 10 Tf", "12 TL", "50 760 Td"]
        for ln in page:
            s = ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append("(%s) Tj T*" % s)
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1", "replace")
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = 3 + len(objs)
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                    b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id))
        page_ids.append(3 + len(objs))
    head = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
                b" ".join(b"%d 0 R" % i for i in page_ids), len(page_ids)),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    allobjs = head + objs
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(allobjs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(allobjs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info << /Title (%s) >> >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(allobjs) + 1, title.encode("latin-1", "replace"), xref)
    return bytes(out)


# --- assembly ------------------------------------------------------------------------------
def build(c, spec, when):
    """spec: from (name, addr), to [(name, addr)], cc, subject, text, html, attachments
    [(filename, type, content)], forward (EmailMessage attached as message/rfc822)."""
    m = EmailMessage(policy=policy.SMTP)
    m["From"] = fmt_addr(spec["from"])
    m["To"] = ", ".join(fmt_addr(a) for a in spec["to"])
    if spec.get("cc"):
        m["Cc"] = ", ".join(fmt_addr(a) for a in spec["cc"])
    m["Subject"] = spec["subject"]
    m["Date"] = format_datetime(when)
    m["Message-ID"] = "<%s.%s@%s>" % (c.ids.digits(12), c.ids.digits(6),
                                      spec["from"][1].split("@", 1)[1])
    if spec.get("in_reply_to"):
        m["In-Reply-To"] = spec["in_reply_to"]
    text, html = spec.get("text"), spec.get("html")
    if text is not None:
        m.set_content(text)
        if html is not None:
            m.add_alternative(html, subtype="html")
    else:
        m.set_content(html, subtype="html")
    for filename, ctype, content in spec.get("attachments", []):
        maintype, subtype = ctype.split("/", 1)
        if isinstance(content, str):
            m.add_attachment(content, subtype=subtype, filename=filename) if maintype == "text" else \
                m.add_attachment(content.encode("utf-8"), maintype=maintype, subtype=subtype,
                                 filename=filename)
        else:
            m.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    if spec.get("forward") is not None:
        m.add_attachment(spec["forward"])
    return m


def fmt_addr(a):
    name, addr = a
    if not name:
        return addr
    if any(ch in name for ch in ',."()'):
        return '"%s" <%s>' % (name.replace('"', ''), addr)
    return "%s <%s>" % (name, addr)
