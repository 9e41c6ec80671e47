#!/usr/bin/env python3
"""Writes the eighth evaluation corpus: NNNN.eml (CRLF) and labels.json.

    generate.py OUT_DIR [--seed 8] [--n 400] [--summary]

labels.json maps each file to {needs_protection, category, why} (the layout
rules/corpus/third/score.py reads). Templates are sorted, shuffled by the seed and cycled; each
message draws from its own random.Random("eighth-SEED-INDEX"), and the global RNG (which the
email package uses for MIME boundaries) is reseeded per message, so a seed gives the same bytes.
"""

import argparse
import json
import os
import random
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mailkit  # noqa: E402
import tpl_neg_a  # noqa: E402,F401
import tpl_neg_b  # noqa: E402,F401
import tpl_pos_a  # noqa: E402,F401
import tpl_pos_b  # noqa: E402,F401


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--summary", action="store_true", help="print messages per template")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    names = sorted(mailkit.TEMPLATES)
    random.Random(f"eighth-order-{a.seed}").shuffle(names)
    labels, counts = {}, Counter()
    for i in range(a.n):
        name = names[i % len(names)]
        fn, label, why = mailkit.TEMPLATES[name]
        random.seed(f"eighth-mime-{a.seed}-{i}")
        ctx = mailkit.Ctx(a.seed, i)
        data = mailkit.render(fn(ctx))
        fname = "%04d.eml" % i
        with open(os.path.join(a.out, fname), "wb") as f:
            f.write(data)
        labels[fname] = {"needs_protection": label, "category": name, "why": why}
        counts[name] += 1
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1, sort_keys=True)
    pos = sum(1 for v in labels.values() if v["needs_protection"])
    print("%d messages (%d positive, %d negative), %d templates" % (a.n, pos, a.n - pos, len(names)))
    if a.summary:
        for name in sorted(counts):
            print("  %-3s %-40s %d" % ("yes" if mailkit.TEMPLATES[name][1] else "no", name, counts[name]))


if __name__ == "__main__":
    main()
