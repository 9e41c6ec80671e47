#!/usr/bin/env python3
"""Writes the fifth evaluation corpus: NNNN.eml (CRLF) and labels.json.

    generate.py OUT_DIR [--seed 5] [--n 400]

Templates are shuffled by the seed and cycled, so every template gets n/len(templates) messages
(give or take one). Each message draws from its own random.Random("fifth-SEED-INDEX"); the output
is byte-identical for a seed and a Faker version. labels.json maps each file to
{needs_protection, category, why} — the layout rules/corpus/third/score.py reads.
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--n", type=int, default=400)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    names = [t[0] for t in mailkit.TEMPLATES]
    if len(set(names)) != len(names):
        sys.exit("duplicate template name")
    order = sorted(mailkit.TEMPLATES, key=lambda t: t[0])
    random.Random("fifth-order-%d" % a.seed).shuffle(order)
    labels = {}
    for i in range(a.n):
        name, label, why, fn = order[i % len(order)]
        ctx = mailkit.Ctx(a.seed, i)
        msg = fn(ctx)
        fname = "%04d.eml" % (i + 1)
        with open(os.path.join(a.out, fname), "wb") as f:
            f.write(mailkit.crlf_bytes(msg))
        labels[fname] = {"needs_protection": label == "yes", "category": name, "why": why}
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1, sort_keys=True)
        f.write("\n")
    pos = sum(v["needs_protection"] for v in labels.values())
    print("%d messages (%d positive, %d negative) from %d templates in %s"
          % (a.n, pos, a.n - pos, len(order), a.out))


if __name__ == "__main__":
    main()
