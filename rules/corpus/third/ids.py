"""People, organisations and identifiers for the third corpus.

Every value is synthetic (Faker + a seeded `random.Random`). Formats vary on purpose: the point
of the corpus is to look like mail staff type, not like one canonical form.
"""

import datetime as dt

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MESES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
         "septiembre", "octubre", "noviembre", "diciembre"]
PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com",
                    "aol.com", "comcast.net"]
ORG_KINDS = ["Family Medicine", "Community Health Center", "Medical Group", "Orthopedics",
             "Pediatrics", "Women's Health", "Cardiology Associates", "Internal Medicine",
             "Behavioral Health", "Urgent Care"]
HOSPITAL_KINDS = ["Regional Medical Center", "Memorial Hospital", "General Hospital",
                  "Health System", "Community Hospital"]
PAYERS = ["Keystone Mutual Health Plan", "BlueRidge Health Partners", "Cascade Care Plan",
          "Heartland Benefit Administrators", "Lakeshore Health Insurance", "Pinnacle Medicaid MCO"]
LETTERS_MBI = "ACDEFGHJKMNPQRTUVWXY"


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


class Ids:
    """Identifier factory bound to one seeded RNG and Faker instance."""

    def __init__(self, rng, fake, fake_es):
        self.r = rng
        self.fake = fake
        self.fake_es = fake_es

    # --- numbers -------------------------------------------------------------------------
    def digits(self, n):
        return "".join(str(self.r.randint(0, 9)) for _ in range(n))

    def npi(self):
        body = self.r.choice("12") + self.digits(8)
        return body + luhn_check_digit("80840" + body)

    def ssn(self):
        """A social security number in a varied layout; some in reserved test ranges."""
        if self.r.random() < 0.35:
            area = self.r.choice(["9", "00"]) + self.digits(2 if self.r.random() < 0.8 else 1)
            area = area[:3].ljust(3, "0")
        else:
            area = "%03d" % self.r.choice([i for i in range(1, 900) if i != 666])
        group = "%02d" % self.r.randint(1, 99)
        serial = "%04d" % self.r.randint(1, 9999)
        style = self.r.choice(["-", "-", "-", "", " ", "."])
        return style.join([area, group, serial])

    def ssn_last4(self):
        return "%04d" % self.r.randint(1, 9999)

    def mrn(self):
        f = self.r.randrange(6)
        if f == 0:
            return self.digits(8)
        if f == 1:
            return "%s-%s" % (self.digits(3), self.digits(4))
        if f == 2:
            return "E" + self.digits(7)
        if f == 3:
            return self.digits(6)
        if f == 4:
            return "MR" + self.digits(7)
        return "%s %s %s" % (self.digits(2), self.digits(2), self.digits(2))

    def member_id(self):
        f = self.r.randrange(5)
        letters = "".join(self.r.choice("ABCDEFGHJKLMNPRSTUWXYZ") for _ in range(3))
        if f == 0:
            return letters + self.digits(9)
        if f == 1:
            return "W" + self.digits(9)
        if f == 2:
            return "%s-%s-%s" % (letters[:2], self.digits(6), self.digits(2))
        if f == 3:
            return self.digits(11)
        return "M" + self.digits(8) + "0" + str(self.r.randint(1, 4))

    def mbi(self):
        r = self.r
        a = lambda: r.choice(LETTERS_MBI)
        an = lambda: r.choice(LETTERS_MBI + "0123456789")
        n = lambda: str(r.randint(0, 9))
        s = str(r.randint(1, 9)) + a() + an() + n() + a() + an() + n() + a() + a() + n() + n()
        f = r.randrange(3)
        if f == 0:
            return s
        if f == 1:
            return "%s-%s-%s" % (s[:4], s[4:7], s[7:])
        return s.lower() if r.random() < 0.5 else "%s %s %s" % (s[:4], s[4:7], s[7:])

    def claim_no(self):
        return self.r.choice(["", "CLM", "C"]) + self.digits(self.r.choice([10, 12, 14]))

    def account_no(self):
        return self.r.choice(["", "A", "HAR "]) + self.digits(self.r.choice([7, 8, 9]))

    def phone(self):
        area = self.r.choice(["215", "412", "503", "614", "720", "808", "919", "312", "617"])
        mid = "%03d" % self.r.randint(201, 989)
        last = self.digits(4)
        f = self.r.randrange(4)
        return ["(%s) %s-%s", "%s-%s-%s", "%s.%s.%s", "%s %s %s"][f] % (area, mid, last)

    def ticket(self, prefix="INC"):
        return prefix + self.digits(7)

    def order_no(self):
        """A 16-digit Luhn-valid order/confirmation number (not a payment card)."""
        body = "7" + self.digits(14)
        return body + self._luhn_complete(body)

    def _luhn_complete(self, body):
        for d in "0123456789":
            if self._luhn_ok(body + d):
                return d
        return "0"

    @staticmethod
    def _luhn_ok(s):
        total = 0
        for i, ch in enumerate(reversed(s)):
            d = int(ch)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        return total % 10 == 0

    def ein(self):
        return "%s-%s" % (self.r.choice(["23", "25", "46", "52", "81", "94"]), self.digits(7))

    # --- dates ---------------------------------------------------------------------------
    def birth_date(self, min_age=1, max_age=88):
        today = dt.date(2026, 11, 1)
        age_days = self.r.randint(min_age * 365 + 10, max_age * 365 + 300)
        return today - dt.timedelta(days=age_days)

    def fmt_date(self, d, spanish=False):
        if spanish:
            f = self.r.randrange(3)
            if f == 0:
                return "%d de %s de %d" % (d.day, MESES[d.month - 1], d.year)
            if f == 1:
                return "%02d/%02d/%d" % (d.day, d.month, d.year)
            return "%d/%d/%d" % (d.day, d.month, d.year)
        f = self.r.randrange(10)
        return [
            "%02d/%02d/%d" % (d.month, d.day, d.year),
            "%d/%d/%02d" % (d.month, d.day, d.year % 100),
            "%d-%02d-%02d" % (d.year, d.month, d.day),
            "%02d-%s-%d" % (d.day, MONTHS[d.month - 1][:3], d.year),
            "%s %d, %d" % (MONTHS[d.month - 1], d.day, d.year),
            "%02d%02d%d" % (d.month, d.day, d.year),
            "%02d.%02d.%d" % (d.month, d.day, d.year),
            "%d %s %d" % (d.day, MONTHS[d.month - 1][:3], d.year),
            "%d/%d/%d" % (d.month, d.day, d.year),
            "%s %d %d" % (MONTHS[d.month - 1][:3], d.day, d.year),
        ][f]

    def visit_date(self, ahead=False):
        base = dt.date(2026, 11, 20)
        delta = self.r.randint(1, 40)
        return base + dt.timedelta(days=delta) if ahead else base - dt.timedelta(days=delta)

    def short_date(self, d):
        return self.r.choice(["%d/%d" % (d.month, d.day), "%d/%d/%d" % (d.month, d.day, d.year),
                              "%s %d" % (MONTHS[d.month - 1], d.day)])

    def time(self):
        h = self.r.choice([7, 8, 9, 10, 11, 13, 14, 15, 16])
        m = self.r.choice([0, 15, 30, 45])
        return "%d:%02d %s" % (h if h <= 12 else h - 12, m, "AM" if h < 12 else "PM")
