#!/usr/bin/env python3
"""Second DLP corpus for Sealgate: synthetic outbound clinic mail, labelled by ../LABELLING.md.

    generate.py --split dev|heldout --out DIR [--count N]

Writes DIR/NNNN-<template>.eml and DIR/labels.tsv (no header; columns: file, yes|no, template,
kind). Output depends only on --split and --count: seeds are fixed, "today" is pinned (lib.TODAY),
and every timestamp inside zip/XLSX/PDF containers is fixed. The two splits share no template.
"""

import argparse
import hashlib
import os
import random
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from faker import Faker  # noqa: E402

import lib  # noqa: E402
import templates_dev  # noqa: E402,F401
import templates_heldout  # noqa: E402,F401
import email.policy  # noqa: E402

SEEDS = {"dev": 0x5EA1_0D3F, "heldout": 0x7E1D_0A75}


def templates_for(split):
    return [t for t in lib.TEMPLATES if t["split"] == split]


def plan(split, count):
    """Alternate positive and negative templates; within a label, walk through a shuffled
    list of the split's templates so every template is used about equally."""
    rng = random.Random(SEEDS[split])
    pools = {lab: [t for t in templates_for(split) if t["label"] == lab] for lab in ("yes", "no")}
    queues = {"yes": [], "no": []}
    out = []
    for i in range(count):
        lab = "yes" if i % 2 == 0 else "no"
        if not queues[lab]:
            queues[lab] = pools[lab][:]
            rng.shuffle(queues[lab])
        out.append(queues[lab].pop())
    return out


def generate(split, out_dir, count):
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):  # a rerun into the same folder must not leave stale messages
        if re.fullmatch(r"\d{4,}-[a-z0-9-]+\.eml", old):
            os.remove(os.path.join(out_dir, old))
    fk = Faker("en_US")
    fk_es = Faker("es_MX")
    rows = []
    for i, t in enumerate(plan(split, count), start=1):
        seed = int.from_bytes(hashlib.sha256(f"{split}:{SEEDS[split]}:{i}".encode()).digest()[:8], "big")
        random.seed(seed)  # MIME boundaries come from the global generator
        fk.seed_instance(seed)
        fk_es.seed_instance(seed ^ 0x55)
        ctx = lib.Ctx(split, random.Random(seed), fk, fk_es)
        msg = t["fn"](ctx)
        name = f"{i:04d}-{t['id']}.eml"
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(msg.as_bytes(policy=email.policy.SMTP))
        rows.append((name, t["label"], t["id"], t["kind"]))
    with open(os.path.join(out_dir, "labels.tsv"), "w", newline="\n") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    return rows


def template_table():
    c = Counter((t["kind"], t["split"], t["label"]) for t in lib.TEMPLATES)
    rows = ["| kind | dev yes | dev no | heldout yes | heldout no |", "|---|---|---|---|---|"]
    for k in lib.KINDS:
        rows.append(f"| {k} | {c[(k, 'dev', 'yes')]} | {c[(k, 'dev', 'no')]} | {c[(k, 'heldout', 'yes')]} | {c[(k, 'heldout', 'no')]} |")
    tot = Counter((t["split"], t["label"]) for t in lib.TEMPLATES)
    rows.append(f"| **all** | {tot[('dev', 'yes')]} | {tot[('dev', 'no')]} | {tot[('heldout', 'yes')]} | {tot[('heldout', 'no')]} |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["dev", "heldout"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--summary", action="store_true", help="print counts by kind and label")
    ap.add_argument("--list", action="store_true", help="list the split's templates (id, kind, label) and exit")
    ap.add_argument("--table", action="store_true", help="print the README's templates-per-kind table and exit")
    a = ap.parse_args()
    if a.table:
        print(template_table())
        return
    if a.list:
        for t in sorted(templates_for(a.split), key=lambda t: (t["kind"], t["label"], t["id"])):
            print(f"{t['kind']}\t{t['label']}\t{t['id']}\t{(t['fn'].__doc__ or '').strip().splitlines()[0]}")
        return
    rows = generate(a.split, a.out, a.count)
    if a.summary:
        by = Counter((r[3], r[1]) for r in rows)
        kinds = sorted({r[3] for r in rows})
        print(f"{a.split}: {len(rows)} messages, {sum(1 for r in rows if r[1] == 'yes')} yes, "
              f"{sum(1 for r in rows if r[1] == 'no')} no, {len(templates_for(a.split))} templates")
        for k in kinds:
            print(f"  {k:14s} yes {by[(k, 'yes')]:4d}  no {by[(k, 'no')]:4d}")


if __name__ == "__main__":
    main()
