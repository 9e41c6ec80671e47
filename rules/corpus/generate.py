#!/usr/bin/env python3
"""Generates the labelled corpus: synthetic messages (Faker, no real PHI), each labelled
"needs protection" yes or no, for precision / recall of the default rule set.

    generate.py --seed dev|held-out|N --out DIR [--count N]

writes DIR/NNN-category.eml and DIR/labels.tsv (name, yes|no, category). Tune detectors and
rules on the development seed only; `rules/tests/corpus.rs` scores the held-out seed.
The output depends only on the seed (and the Faker version).
"""

import argparse
import datetime
import os
import random
import sys

sys.dont_write_bytecode = True  # keep rules/corpus free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from faker import Faker  # noqa: E402

import docs  # noqa: E402
import negatives  # noqa: E402
import positives  # noqa: E402
from ids import Ids  # noqa: E402

SEEDS = {"dev": 20261201, "held-out": 7741}
POSITIVE_SHARE = 0.45


ANCHOR = datetime.datetime(2026, 6, 1, 12, 0, 0)


class PinnedFaker:
    """Faker with its relative dates ("-30d", "today", ages) measured from ANCHOR instead of the
    clock, so a seed always yields the same corpus."""

    def __init__(self, seed):
        self._f = Faker("en_US")
        self._f.seed_instance(seed)

    def __getattr__(self, name):
        return getattr(self._f, name)

    @staticmethod
    def _at(x):
        if x in ("now", "today"):
            return ANCHOR
        if isinstance(x, str) and x.endswith("d"):
            return ANCHOR + datetime.timedelta(days=int(x[:-1]))
        return x

    def date_between(self, start, end):
        return self._f.date_between_dates(self._at(start).date(), self._at(end).date())

    def date_time_between(self, start, end):
        return self._f.date_time_between_dates(self._at(start), self._at(end))

    def date_of_birth(self, minimum_age=0, maximum_age=115):
        end = ANCHOR - datetime.timedelta(days=365 * minimum_age)
        start = ANCHOR - datetime.timedelta(days=365 * (maximum_age + 1) - 1)
        return self._f.date_between_dates(start.date(), end.date())


class Ctx:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.fake = PinnedFaker(seed)
        self.ids = Ids(self.rng)
        self.docs = docs
        self.org = self.rng.choice(["Riverside Family Clinic", "Northgate Medical Group", "Lakeview Health", "Cedar Pediatrics", "Summit Cardiology"])
        self.domain = self.org.split()[0].lower() + "-health.example"

    def address(self, own=False):
        f = self.fake
        if own:
            return "%s <%s.%s@%s>" % (f.name(), f.first_name().lower(), f.last_name().lower(), self.domain)
        return "%s <%s>" % (f.name(), f.user_name() + "@" + self.rng.choice(["example.com", "example.net", "example.org", "mail.example"]))

    @staticmethod
    def docs_message(c, spec):
        import email
        import email.policy

        raw = render(c, spec)
        return email.message_from_bytes(raw, policy=email.policy.SMTP)


DISCLAIMERS = [
    "CONFIDENTIALITY NOTICE: This e-mail may contain confidential or protected health information. "
    "If you are not the intended recipient, delete it and notify the sender.",
    "This message is intended only for the addressee. HIPAA: do not forward outside the organisation.",
    "",
    "",
]


def signature(c):
    """A staff signature: name, role, phone, fax, address and often a disclaimer (both classes)."""
    f, r = c.fake, c.rng
    lines = ["", "--", "%s, %s" % (f.name(), r.choice(["RN", "MA", "Practice Manager", "Billing Specialist", "IT Analyst", "Front Desk"])),
             c.org, "Phone %s | Fax %s" % (c.ids.phone(), c.ids.phone())]
    if r.random() < 0.5:
        lines.append("%s, %s, %s %s" % (f.street_address(), f.city(), f.state_abbr(), f.zipcode()))
    lines.append(r.choice(DISCLAIMERS))
    return "\n".join(lines) + "\n"


def render(c, spec):
    if spec.get("text") is not None and c.rng.random() < 0.6:
        spec = dict(spec, text=spec["text"] + signature(c))
    n = c.rng.randint(1, 10**9)
    return docs.message(
        sender=spec.get("sender") or c.address(own=True),
        to=spec.get("to") or c.address(),
        subject=spec["subject"],
        text=spec.get("text"),
        html=spec.get("html"),
        attachments=spec.get("attachments", ()),
        nested=spec.get("nested"),
        msgid="<%d@%s>" % (n, c.domain),
        date=c.fake.date_time_between("-30d", "now").strftime("%a, %d %b %Y %H:%M:%S +0000"),
    )


def plan(c, count):
    """Every category at least once, then a weighted draw."""
    pos = [("yes", n, g, w) for n, g, w in positives.GENERATORS]
    neg = [("no", n, g, w) for n, g, w in negatives.GENERATORS]
    picks = [(lab, n, g) for lab, n, g, _ in pos + neg]
    while len(picks) < count:
        group = pos if c.rng.random() < POSITIVE_SHARE else neg
        lab, n, g, _ = c.rng.choices(group, weights=[w for *_, w in group])[0]
        picks.append((lab, n, g))
    c.rng.shuffle(picks)
    return picks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", required=True, help="dev, held-out or a number")
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=320)
    a = ap.parse_args()
    seed = SEEDS.get(a.seed)
    seed = int(a.seed) if seed is None else seed
    random.seed(seed)  # MIME boundaries come from the global generator
    c = Ctx(seed)
    os.makedirs(a.out, exist_ok=True)
    labels = []
    for k, (label, name, gen) in enumerate(plan(c, a.count)):
        spec = gen(c)
        file = "%03d-%s" % (k, name)
        with open(os.path.join(a.out, file + ".eml"), "wb") as fh:
            fh.write(render(c, spec))
        labels.append("%s\t%s\t%s\n" % (file, label, name))
    with open(os.path.join(a.out, "labels.tsv"), "w") as fh:
        fh.writelines(labels)


if __name__ == "__main__":
    main()
