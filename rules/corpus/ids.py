"""Synthetic identifiers for the corpus: valid ones (check digits computed here, independently of
the Rust validators) and the look-alikes real non-medical mail is full of. No real PHI: every value
is random; SSNs avoid the published example numbers."""

import string

ICD10 = [
    ("E11.9", "type 2 diabetes mellitus without complications"),
    ("I10", "essential (primary) hypertension"),
    ("J45.909", "unspecified asthma, uncomplicated"),
    ("F32.9", "major depressive disorder, single episode"),
    ("M54.50", "low back pain, unspecified"),
    ("E78.5", "hyperlipidemia, unspecified"),
    ("N18.3", "chronic kidney disease, stage 3"),
    ("J44.9", "chronic obstructive pulmonary disease"),
    ("I48.91", "unspecified atrial fibrillation"),
    ("K21.9", "gastro-esophageal reflux disease"),
    ("F41.1", "generalized anxiety disorder"),
    ("E03.9", "hypothyroidism, unspecified"),
    ("S52.501A", "fracture of lower end of right radius, initial encounter"),
    ("O09.90", "supervision of high risk pregnancy"),
    ("C50.911", "malignant neoplasm of right female breast"),
    ("G43.909", "migraine, unspecified"),
    ("B20", "HIV disease"),
    ("Z79.4", "long term (current) use of insulin"),
]

CONDITIONS = [
    "type 2 diabetes", "hypertension", "asthma", "COPD", "atrial fibrillation", "depression",
    "anxiety disorder", "chronic kidney disease", "hypothyroidism", "migraine", "pneumonia",
    "osteoarthritis", "heart failure", "hyperlipidemia", "epilepsy", "breast cancer",
]

MEDS = [
    ("metformin", "500 mg", "1 tab PO BID with meals"),
    ("lisinopril", "10 mg", "1 tab PO daily"),
    ("atorvastatin", "40 mg", "1 tab PO at bedtime"),
    ("albuterol", "90 mcg", "2 puffs q4-6h PRN wheeze"),
    ("sertraline", "50 mg", "1 tab PO daily"),
    ("levothyroxine", "75 mcg", "1 tab PO every morning"),
    ("amlodipine", "5 mg", "1 tab PO daily"),
    ("apixaban", "5 mg", "1 tab PO BID"),
    ("gabapentin", "300 mg", "1 cap PO TID"),
    ("amoxicillin", "875 mg", "1 tab PO BID x 10 days"),
    ("insulin glargine", "100 units/mL", "18 units SC at bedtime"),
    ("oxycodone", "5 mg", "1 tab PO q6h PRN pain, max 4/day"),
]

LABS = [
    ("Hemoglobin A1c", "%", (5.2, 11.5)), ("LDL cholesterol", "mg/dL", (60, 190)),
    ("Creatinine", "mg/dL", (0.6, 2.4)), ("TSH", "mIU/L", (0.3, 8.0)),
    ("Glucose, fasting", "mg/dL", (70, 240)), ("eGFR", "mL/min/1.73m2", (25, 110)),
    ("Potassium", "mmol/L", (3.2, 5.6)), ("Hemoglobin", "g/dL", (9.5, 16.5)),
    ("WBC", "K/uL", (3.5, 14.0)), ("Platelets", "K/uL", (120, 420)),
]


def luhn_digit(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = int(d)
        if i % 2 == 0:  # the check digit will take position 0, so these are doubled
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


class Ids:
    def __init__(self, rng):
        self.r = rng

    def digits(self, n, first=None):
        s = "".join(self.r.choice(string.digits) for _ in range(n))
        return (first + s[1:]) if first else s

    # --------------------------------------------------------------- valid identifiers
    def ssn(self, form=None):
        while True:
            area = self.r.randint(1, 899)
            if area == 666:
                continue
            g, s = self.r.randint(1, 99), self.r.randint(1, 9999)
            if (area, g, s) not in [(78, 5, 1120), (219, 9, 9999), (457, 55, 5462)]:
                break
        form = form or self.r.choice(["dash", "dash", "dash", "space", "plain"])
        sep = {"dash": "-", "space": " ", "plain": ""}[form]
        return "%03d%s%02d%s%04d" % (area, sep, g, sep, s)

    def npi(self):
        base = self.r.choice("12") + self.digits(8)
        return base + luhn_digit("80840" + base)

    def dea(self, surname):
        first = self.r.choice("ABFGMP")
        d = [int(x) for x in self.digits(6)]
        check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
        return first + surname[0].upper() + "".join(map(str, d)) + str(check)

    def mbi(self, dashed=None):
        alpha = [c for c in string.ascii_uppercase if c not in "SLOIBZ"]
        an = alpha + list(string.digits)
        n = lambda: self.r.choice(string.digits)  # noqa: E731
        a = lambda: self.r.choice(alpha)  # noqa: E731
        x = lambda: self.r.choice(an)  # noqa: E731
        c = [str(self.r.randint(1, 9)), a(), x(), n(), a(), x(), n(), a(), a(), n(), n()]
        s = "".join(c)
        dashed = self.r.random() < 0.5 if dashed is None else dashed
        return "%s-%s-%s" % (s[:4], s[4:7], s[7:]) if dashed else s

    def card(self):
        kind = self.r.choice(["visa", "visa", "mc", "amex", "disc"])
        if kind == "amex":
            body = self.r.choice(["34", "37"]) + self.digits(12)
            full = body + luhn_digit(body)
            return "%s %s %s" % (full[:4], full[4:10], full[10:])
        prefix = {"visa": "4", "mc": str(self.r.randint(51, 55)), "disc": "6011"}[kind]
        body = prefix + self.digits(15 - len(prefix))
        full = body + luhn_digit(body)
        sep = self.r.choice([" ", "-", ""])
        return sep.join(full[i : i + 4] for i in range(0, 16, 4))

    def mrn(self):
        return self.r.choice(["", "", "E", "MR"]) + self.digits(self.r.randint(7, 9))

    def member_id(self):
        return self.r.choice(["XKW", "ZGP", "H", "MBR", "QCA"]) + self.digits(9)

    def icd(self):
        return self.r.choice(ICD10)

    # --------------------------------------------------------------- look-alikes
    def ssn_shaped_invalid(self):
        area = self.r.choice(["000", "666", "9%02d" % self.r.randint(0, 99)])
        return "%s-%02d-%04d" % (area, self.r.randint(0, 99), self.r.randint(0, 9999))

    def nine_digits(self):
        return self.digits(9, first=self.r.choice("123456789"))

    def ten_digits_starting_1(self):
        return "1" + self.digits(9)

    def ein(self):
        return "%02d-%07d" % (self.r.randint(10, 99), self.r.randint(0, 9999999))

    def routing(self):
        d = [int(x) for x in ("0" + self.digits(7, first=self.r.choice("123")))]
        w = [3, 7, 1, 3, 7, 1, 3, 7]
        check = (10 - sum(a * b for a, b in zip(d, w)) % 10) % 10
        return "".join(map(str, d)) + str(check)

    def ups(self):
        return "1Z" + "".join(self.r.choice(string.ascii_uppercase + string.digits) for _ in range(6)) + self.digits(10)

    def fedex(self):
        return self.digits(12, first=self.r.choice("1234567"))

    def usps(self, grouped=True):
        s = "94" + self.digits(20)
        return " ".join(s[i : i + 4] for i in range(0, 22, 4)) if grouped else s

    def order(self):
        return self.r.choice([
            "#" + self.digits(10, first="1"),
            "%03d-%07d-%07d" % (self.r.randint(100, 999), self.r.randint(0, 9999999), self.r.randint(0, 9999999)),
            "W" + self.digits(9),
            self.digits(8, first="2"),
        ])

    def invoice(self):
        return self.r.choice([
            "INV-%d-%05d" % (self.r.randint(2021, 2026), self.r.randint(1, 99999)),
            self.ssn_shaped_invalid(),
            self.nine_digits(),
            "%06d" % self.r.randint(100000, 999999),
        ])

    def badge(self):
        return self.r.choice(["B-" + self.digits(6), self.digits(6, first="1"), "EMP" + self.digits(7)])

    def ticket(self):
        return self.r.choice(["INC" + self.digits(7), "REQ" + self.digits(7), "#" + self.digits(6), "CHG" + self.digits(7)])

    def asset(self):
        return self.r.choice(["AT-" + self.digits(6), "SN " + self.digits(4) + "-" + self.digits(4) + "-" + self.digits(4), self.digits(9)])

    def ip(self):
        return "10.%d.%d.%d" % (self.r.randint(0, 255), self.r.randint(0, 255), self.r.randint(1, 254))

    def phone(self):
        a, b, c = self.r.randint(201, 989), self.r.randint(200, 999), self.r.randint(0, 9999)
        return self.r.choice(["(%d) %d-%04d", "%d-%d-%04d", "%d.%d.%04d", "+1 %d %d %04d"]) % (a, b, c)

    def date(self, d, style=None):
        style = style or self.r.choice(["us", "us", "iso", "long", "short"])
        if style == "us":
            return d.strftime("%m/%d/%Y")
        if style == "iso":
            return d.isoformat()
        if style == "short":
            return "%d/%d/%s" % (d.month, d.day, d.strftime("%y"))
        return d.strftime("%B ") + str(d.day) + d.strftime(", %Y")
