#!/usr/bin/env python3
"""Writes the seventh evaluation corpus.

    generate.py OUT_DIR [--seed 7] [--n 400]

Writes OUT_DIR/NNNN.eml (CRLF line ends) and OUT_DIR/labels.json, which maps each file name to
{"needs_protection": bool, "category": template name, "why": the LABELLING.md rule that decides it}.
Templates are sorted by name, shuffled by the seed and cycled, so every template gets n/len or
n/len+1 messages. Output is byte-identical for a seed (and a Faker version).
"""

import argparse
import json
import os
import random
import sys
from collections import Counter
from email import policy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mailkit  # noqa: E402
import tpl_neg_a  # noqa: E402,F401
import tpl_neg_b  # noqa: E402,F401
import tpl_pos_a  # noqa: E402,F401
import tpl_pos_b  # noqa: E402,F401


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--summary", action="store_true", help="print messages per template")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    names = [t[0] for t in mailkit.TEMPLATES]
    assert len(names) == len(set(names)), "duplicate template name"
    order = sorted(mailkit.TEMPLATES, key=lambda t: t[0])
    random.Random("seventh-order-%d" % a.seed).shuffle(order)
    labels = {}
    pol = policy.SMTP.clone(max_line_length=998)
    for i in range(a.n):
        name, label, why, fn = order[i % len(order)]
        c = mailkit.Ctx(a.seed, i)
        msg = fn(c)
        data = msg.as_bytes(policy=pol)
        for line in data.split(b"\r\n"):
            if len(line) > 998 or b"\n" in line:
                sys.exit("%s (message %d): a line over 998 octets or a bare LF" % (name, i))
        fname = "%04d.eml" % (i + 1)
        with open(os.path.join(a.out, fname), "wb") as f:
            f.write(data)
        labels[fname] = {"needs_protection": label, "category": name, "why": why}
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1, sort_keys=True)
    pos = sum(v["needs_protection"] for v in labels.values())
    print("%d messages (%d positive, %d negative), %d templates" % (len(labels), pos, len(labels) - pos, len(order)))
    if a.summary:
        cnt = Counter((v["category"], v["needs_protection"]) for v in labels.values())
        for (cat, lab), k in sorted(cnt.items(), key=lambda x: (not x[0][1], x[0][0])):
            print("  %-40s %-3s %d" % (cat, "yes" if lab else "no", k))


if __name__ == "__main__":
    main()
