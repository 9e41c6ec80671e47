#!/usr/bin/env python3
"""Writes the fourth evaluation corpus.

    generate.py OUT_DIR [--seed 4] [--n 400]

Writes OUT_DIR/NNNN.eml and OUT_DIR/labels.json ({file: {needs_protection, category, why}}), the
layout rules/corpus/third/score.py reads. Deterministic for a seed and a Faker version.
"""

import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mailkit  # noqa: E402
import tpl_neg_a  # noqa: E402,F401  (registers templates)
import tpl_neg_b  # noqa: E402,F401
import tpl_pos_a  # noqa: E402,F401
import tpl_pos_b  # noqa: E402,F401
import tpl_pos_c  # noqa: E402,F401
from email import policy  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--n", type=int, default=400)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    order = list(mailkit.TEMPLATES)
    random.Random(a.seed).shuffle(order)
    labels = {}
    for i in range(a.n):
        t = order[i % len(order)]
        c = mailkit.C(a.seed, i)
        random.seed("boundary-%d-%d" % (a.seed, i))  # email's MIME boundaries use the global RNG
        msg = t["fn"](c)
        name = "%04d.eml" % i
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(msg.as_bytes(policy=policy.SMTP))
        labels[name] = {"needs_protection": t["label"], "category": t["name"], "why": t["why"]}
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1, sort_keys=True)
    pos = sum(v["needs_protection"] for v in labels.values())
    print("wrote %d messages (%d positive, %d negative) from %d templates to %s"
          % (a.n, pos, a.n - pos, len(order), a.out))


if __name__ == "__main__":
    main()
