#!/usr/bin/env python3
"""Scores the Sealgate classifier on a corpus written by generate.py.

    score.py CORPUS_DIR [--sealgate PATH] [--rules DIR] [--jobs 2] [--predictions OUT.tsv]

Runs `sealgate explain --json FILE` (the shipped rules unless --rules) on every message listed in
CORPUS_DIR/labels.json. A message counts as protected when the decision gives any recipient a
requirement other than `deliver` (encrypt, tls-only, hold) or rejects it. Prints precision and
recall for "needs protection", then the misses by category: file names and categories only,
never message content.

A message whose headers name no recipient (a list sent in Bcc: `To: undisclosed-recipients:;`)
is explained for one envelope recipient given with `--rcpt` (`BCC_RECIPIENT`), as the gateway
would decide it from `RCPT TO`; binaries without that option count it as an error.
"""

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def find_sealgate(given):
    if given:
        return given
    for profile in ("debug", "release"):
        path = os.path.join(ROOT, "target", profile, "sealgate")
        if os.path.exists(path):
            return path
    sys.exit("no sealgate binary: run `cargo build -p sealgate` or pass --sealgate")


def protected(decision):
    """True when the decision protects (or stops) the message for at least one recipient."""
    if decision.get("reject"):
        return True
    return any(r.get("kind") != "deliver" for r in decision.get("recipients", []))


# The envelope recipient of a message whose headers name none (not a webmail address).
BCC_RECIPIENT = "list-member@example.net"


def classify(binary, rules, path):
    cmd = [binary, "explain", "--json", path]
    if rules:
        cmd[2:2] = ["--rules", rules]
    out = subprocess.run(cmd, capture_output=True, timeout=120)
    if out.returncode == 2 and b"--rcpt" in out.stdout:
        out = subprocess.run(cmd + ["--rcpt", BCC_RECIPIENT], capture_output=True, timeout=120)
    if out.returncode != 0:
        return None  # an error is reported, and counted as "not protected"
    return protected(json.loads(out.stdout)["decision"])


def ratio(a, b):
    return a / b if b else 1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--sealgate")
    ap.add_argument("--rules")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--predictions")
    a = ap.parse_args()
    binary = find_sealgate(a.sealgate)
    labels = json.load(open(os.path.join(a.corpus, "labels.json")))
    files = sorted(labels)
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        preds = dict(zip(files, pool.map(lambda f: classify(binary, a.rules, os.path.join(a.corpus, f)), files)))
    if a.predictions:
        with open(a.predictions, "w") as f:
            for name in files:
                f.write("%s\t%s\n" % (name, "error" if preds[name] is None else "yes" if preds[name] else "no"))
    errors = [f for f in files if preds[f] is None]
    tp = fp = fn = tn = 0
    per_cat = defaultdict(lambda: [0, 0, None])  # total, wrong, label
    misses = defaultdict(list)
    for name in files:
        truth, cat = labels[name]["needs_protection"], labels[name]["category"]
        pred = bool(preds[name])
        tp += truth and pred
        fn += truth and not pred
        fp += pred and not truth
        tn += not truth and not pred
        per_cat[cat][0] += 1
        per_cat[cat][2] = truth
        if pred != truth:
            per_cat[cat][1] += 1
            misses[cat].append(name)
    p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
    print("messages %d (positive %d, negative %d), explain errors %d" % (len(files), tp + fn, fp + tn, len(errors)))
    print("precision %.3f  recall %.3f  (tp %d, fp %d, fn %d, tn %d)" % (p, r, tp, fp, fn, tn))
    for kind, truth in (("false negatives (missed PHI)", True), ("false positives (protected needlessly)", False)):
        cats = sorted((c for c in misses if per_cat[c][2] == truth), key=lambda c: (-per_cat[c][1], c))
        print("\n%s by category:" % kind)
        for cat in cats:
            total, wrong, _ = per_cat[cat]
            print("  %-34s %2d/%-2d  %s" % (cat, wrong, total, " ".join(misses[cat])))
        if not cats:
            print("  none")
    if errors:
        print("\nexplain failed on: %s" % " ".join(errors))


if __name__ == "__main__":
    main()
