#!/usr/bin/env python3
"""Writes the sixth evaluation corpus: generate.py OUT_DIR [--seed 6] [--n 400]

OUT_DIR gets NNNN.eml (CRLF, RFC 5322/MIME) and labels.json mapping each file name to
{"needs_protection": bool, "category": template name, "why": deciding rule of LABELLING.md},
the layout rules/corpus/third/score.py reads. Templates are shuffled by the seed and cycled, so
every template gets n/len(templates) messages (+1 for some). Deterministic for a seed and a
Faker version: each message draws from Random("sixth-SEED-INDEX").
"""

import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mailkit  # noqa: E402
import tpl_pos_a, tpl_pos_b, tpl_neg_a, tpl_neg_b  # noqa: E402,F401  (register templates)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--n", type=int, default=400)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    names = sorted({t[0] for t in mailkit.TEMPLATES})
    assert len(names) == len(mailkit.TEMPLATES), "duplicate template name"
    order = sorted(mailkit.TEMPLATES, key=lambda t: t[0])
    random.Random("sixth-order-%d" % a.seed).shuffle(order)
    labels = {}
    for i in range(a.n):
        name, label, why, fn = order[i % len(order)]
        ctx = mailkit.Ctx(a.seed, i)
        raw = mailkit.build(ctx, fn(ctx))
        fname = "%04d.eml" % (i + 1)
        with open(os.path.join(a.out, fname), "wb") as f:
            f.write(raw)
        labels[fname] = {"needs_protection": label, "category": name, "why": why}
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1, sort_keys=True)
        f.write("\n")
    pos = sum(v["needs_protection"] for v in labels.values())
    print("%d messages (%d positive, %d negative) from %d templates in %s" % (a.n, pos, a.n - pos, len(order), a.out))


if __name__ == "__main__":
    main()
