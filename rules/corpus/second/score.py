#!/usr/bin/env python3
"""Scores a classifier's predictions against a split's labels.

    score.py DIR/labels.tsv PREDICTIONS.tsv [--misses]

PREDICTIONS.tsv: one line per message, `file<TAB>yes|no` (extra columns ignored; a file missing
from the predictions counts as `no`, i.e. as not protected). Prints precision and recall for
"needs protection" overall and per kind; `--misses` lists the false negatives and false positives
with their template ids.
"""

import argparse
import sys
from collections import defaultdict


def pr(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("labels")
    ap.add_argument("predictions")
    ap.add_argument("--misses", action="store_true")
    a = ap.parse_args()
    truth = {}
    for line in open(a.labels):
        f, lab, tid, kind = line.rstrip("\n").split("\t")
        truth[f] = (lab == "yes", tid, kind)
    pred = {}
    for line in open(a.predictions):
        cols = line.rstrip("\n").split("\t")
        if len(cols) >= 2:
            pred[cols[0].rsplit("/", 1)[-1]] = cols[1].strip().lower() in ("yes", "1", "true", "protect")
    unknown = set(pred) - set(truth)
    if unknown:
        print(f"warning: {len(unknown)} predictions for files not in the labels", file=sys.stderr)
    counts = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    misses = []
    for f, (y, tid, kind) in sorted(truth.items()):
        p = pred.get(f, False)
        for key in ("ALL", kind):
            if p and y:
                counts[key][0] += 1
            elif p and not y:
                counts[key][1] += 1
            elif y and not p:
                counts[key][2] += 1
        if p != y:
            misses.append(("FN" if y else "FP", f, tid))
    for key in ["ALL"] + sorted(k for k in counts if k != "ALL"):
        tp, fp, fn = counts[key]
        p, r = pr(tp, fp, fn)
        print(f"{key:14s} precision {p:.3f}  recall {r:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    if a.misses:
        for m in misses:
            print("\t".join(m))


if __name__ == "__main__":
    main()
