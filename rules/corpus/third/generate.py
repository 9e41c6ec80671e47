#!/usr/bin/env python3
"""Writes the third evaluation corpus: N labelled .eml messages and labels.json.

    generate.py OUT_DIR [--seed 3] [--n 600]

Deterministic for a given seed and Faker version (stdlib + Faker only). labels.json maps each
file name to {"needs_protection": bool, "category": template name}. See README.md for the
labelling rule.
"""

import argparse
import datetime as dt
import email
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from email import policy  # noqa: E402

from faker import Faker  # noqa: E402

import mailkit  # noqa: E402
import tpl_neg_a  # noqa: E402,F401  (registers templates)
import tpl_neg_b  # noqa: E402,F401
import tpl_pos_a  # noqa: E402,F401
import tpl_pos_b  # noqa: E402,F401
import tpl_pos_c  # noqa: E402,F401


def check(fname, raw):
    """Every message must parse back without MIME defects and keep lines under RFC 5322's 998."""
    parsed = email.message_from_bytes(raw, policy=policy.default)
    defects = [d for part in parsed.walk() for d in part.defects]
    if defects:
        sys.exit("%s: MIME defects %s" % (fname, defects))
    if max(len(line) for line in raw.split(b"\n")) > 998:
        sys.exit("%s: a line longer than 998 octets" % fname)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--n", type=int, default=600)
    a = ap.parse_args()
    random.seed(a.seed)  # MIME boundaries come from the global RNG
    rng = random.Random(a.seed)
    fake, fake_es = Faker("en_US"), Faker("es_MX")
    fake.seed_instance(a.seed)
    fake_es.seed_instance(a.seed + 1)
    c = mailkit.Ctx(rng, fake, fake_es)
    os.makedirs(a.out, exist_ok=True)
    templates = sorted(mailkit.TEMPLATES, key=lambda t: t[0])
    names = [t[0] for t in templates]
    if len(set(names)) != len(names):
        sys.exit("duplicate template names")
    labels = {}
    start = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    for i in range(a.n):
        name, positive, fn = templates[i % len(templates)]
        spec = fn(c)
        when = start + dt.timedelta(minutes=37 * i + rng.randint(0, 30))
        msg = mailkit.build(c, spec, when)
        fname = "msg-%04d.eml" % (i + 1)
        raw = msg.as_bytes()
        check(fname, raw)
        with open(os.path.join(a.out, fname), "wb") as f:
            f.write(raw)
        labels[fname] = {"needs_protection": positive, "category": name}
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1, sort_keys=True)
    pos = sum(1 for v in labels.values() if v["needs_protection"])
    npos = sum(1 for t in templates if t[1])
    print("%d messages (%d positive, %d negative) from %d templates (%d positive, %d negative) in %s" % (
        len(labels), pos, len(labels) - pos, len(templates), npos, len(templates) - npos, a.out))


if __name__ == "__main__":
    main()
