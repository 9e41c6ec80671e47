#!/usr/bin/env python3
"""Scores the classifier on the eighth corpus by calling the third corpus's scorer.

    score.py CORPUS_DIR [--sealgate PATH] [--rules DIR] [--jobs 2] [--predictions OUT.tsv]

generate.py writes the layout rules/corpus/third/score.py reads (NNNN.eml files and a labels.json
mapping each file to {needs_protection, category, why}; `why` is ignored there), so this file only
forwards its arguments: one scoring rule for all corpora.
"""

import os
import sys

THIRD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "third", "score.py")

if __name__ == "__main__":
    os.execv(sys.executable, [sys.executable, os.path.normpath(THIRD)] + sys.argv[1:])
