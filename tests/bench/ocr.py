#!/usr/bin/env python3
"""ocr.py - issue 14: OCR seconds per page, as the rules crate's extractor runs it.

Renders a US Letter page of typed clinic text at 300 dpi (2550x3300, Pillow, DejaVu Sans 11 pt,
about 45 lines) and a half-page insurance-card-sized image, then runs Debian's `tesseract` on each
exactly as `rules/src/extract/ocr.rs` does (image on stdin, text on stdout, `--psm 3`,
`OMP_THREAD_LIMIT=1`), RUNS times, and prints the median wall seconds and the median CPU seconds
(user+sys of the tesseract child) per page. Figures move with machine load: quote them with the
load average printed at the start. Never a test assertion; not run by CI.

usage: python3 tests/bench/ocr.py [--runs N]    (needs tesseract-ocr, Pillow, fonts-dejavu-core,
       all installed by tests/support/install-tools.sh)
"""
import argparse
import io
import os
import resource
import statistics
import subprocess
import time

from PIL import Image, ImageDraw, ImageFont

LINES = [
    "Cedar Hills Family Medicine - Referral",
    "Patient name: ____________________   Date of birth: __/__/____",
    "Reason for referral: follow-up of hypertension and type 2 diabetes.",
    "Current medications: metformin 500 mg twice daily, lisinopril 10 mg.",
    "Allergies: none known. Last A1c 7.9% on 10/02/2026.",
    "Please schedule within two weeks and fax the consult note to 555-0100.",
]


def page(width, height, size):
    img = Image.new("L", (width, height), 255)
    font = ImageFont.truetype("DejaVuSans.ttf", size)
    draw = ImageDraw.Draw(img)
    y, i = 150, 0
    while y < height - 150:
        draw.text((150, y), LINES[i % len(LINES)], fill=0, font=font)
        y += int(size * 1.6)
        i += 1
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def ocr(png):
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    out = subprocess.run(
        ["tesseract", "stdin", "stdout", "--psm", "3"],
        input=png, capture_output=True, env=env, check=True,
    ).stdout
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, len(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    print((version.stdout or version.stderr).splitlines()[0])
    print("load average: %.2f %.2f %.2f, %d CPUs" % (os.getloadavg() + (os.cpu_count(),)))
    pages = {
        "letter page 300 dpi (2550x3300)": page(2550, 3300, 46),
        "card/photo (1400x900)": page(1400, 900, 40),
    }
    for name, png in pages.items():
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu, n = ocr(png)
            walls.append(wall)
            cpus.append(cpu)
        print(
            "%-34s median wall %.2f s/page, median CPU %.2f s/page (%d runs, %d bytes of text)"
            % (name, statistics.median(walls), statistics.median(cpus), args.runs, n)
        )


if __name__ == "__main__":
    main()
