#!/usr/bin/env python3
"""Checks a generated split: every .eml parses with Python's email module, every attachment
opens with its own reader, labels.tsv is well formed, and (with --ocr N) N scanned PDFs/images
are read back with tesseract. Prints counts by kind and label.

    check.py DIR [--ocr N]
"""

import argparse
import email
import email.policy
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET
from collections import Counter

problems = []


def fail(name, msg):
    problems.append(f"{name}: {msg}")


def check_zip(name, data, depth=0):
    z = zipfile.ZipFile(io.BytesIO(data))
    bad = z.testzip()
    if bad:
        fail(name, f"zip member {bad} corrupt")
    for n in z.namelist():
        body = z.read(n)
        if n.endswith(".zip"):
            check_zip(name, body, depth + 1)
        elif n.endswith(".csv") and not body.decode("utf-8").strip():
            fail(name, f"empty csv {n}")


def check_xlsx(name, data):
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = sum(1 for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)
    if not cells:
        fail(name, "empty workbook")


def check_pdf(name, data, ocr_queue):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        lst = subprocess.run(["pdfimages", "-list", f.name], capture_output=True, text=True)
        if lst.returncode != 0 or len(lst.stdout.strip().splitlines()) < 3:
            fail(name, "pdf has no images")
        txt = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True)
        if txt.returncode != 0:
            fail(name, "pdftotext failed")
        elif txt.stdout.strip():
            fail(name, "pdf has a text layer (should be image-only)")
    ocr_queue.append((name, "pdf", data))


def walk(name, msg, ocr_queue, seen):
    for part in msg.walk():
        ctype = part.get_content_type()
        seen[ctype] += 1
        if part.is_multipart():
            continue
        if ctype == "message/rfc822":
            continue  # walk() descends into the attached message itself
        fn = part.get_filename() or ""
        data = part.get_payload(decode=True)
        if data is None:
            fail(name, f"{ctype} part without payload")
            continue
        if ctype.startswith("text/"):
            part.get_content()  # decodes with the declared charset
        if fn.endswith(".zip") or ctype in ("application/zip", "application/x-zip-compressed"):
            check_zip(name, data)
        elif fn.endswith(".xlsx"):
            check_xlsx(name, data)
        elif ctype == "application/pdf":
            check_pdf(name, data, ocr_queue)
        elif ctype.startswith("image/"):
            if part["Content-ID"]:
                cid = part["Content-ID"].strip("<>")
                html = [p for p in msg.walk() if p.get_content_type() == "text/html"]
                if not any(("cid:" + cid) in p.get_content() for p in html):
                    fail(name, f"inline image {cid} not referenced from the HTML")
            else:
                ocr_queue.append((name, "img", data))
        elif fn.endswith(".json"):
            json.loads(data)
        elif fn.endswith(".xml"):
            ET.fromstring(data)
        elif fn.endswith(".ics") or ctype == "text/calendar":
            if b"BEGIN:VCALENDAR" not in data or b"BEGIN:VEVENT" not in data:
                fail(name, "calendar part without VEVENT")
        elif fn.endswith(".xls"):
            if not data.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
                fail(name, ".xls is not an OLE2 file")
        elif fn.endswith(".gz"):
            import gzip
            gzip.decompress(data)
        elif fn.endswith(".vcf"):
            if b"BEGIN:VCARD" not in data:
                fail(name, "vCard without BEGIN:VCARD")
        elif fn.endswith(".hl7"):
            if not data.startswith(b"MSH|") or b"\rPID|" not in data:
                fail(name, "HL7 attachment without MSH/PID")


def ocr(data, kind):
    with tempfile.TemporaryDirectory() as d:
        if kind == "pdf":
            p = os.path.join(d, "in.pdf")
            open(p, "wb").write(data)
            subprocess.run(["pdfimages", "-png", p, os.path.join(d, "pg")], check=True)
            imgs = sorted(f for f in os.listdir(d) if f.startswith("pg"))
        else:
            open(os.path.join(d, "pg.png"), "wb").write(data)
            imgs = ["pg.png"]
        out = []
        for i in imgs:
            r = subprocess.run(["tesseract", os.path.join(d, i), "-", "--dpi", "300"], capture_output=True, text=True)
            out.append(r.stdout)
        return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--ocr", type=int, default=0, help="OCR this many scans and show what was read")
    a = ap.parse_args()
    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(a.dir, "labels.tsv"))]
    ocr_queue, seen = [], Counter()
    for r in rows:
        if len(r) != 4 or r[1] not in ("yes", "no"):
            fail(r[0], f"bad labels.tsv row {r}")
            continue
        with open(os.path.join(a.dir, r[0]), "rb") as f:
            raw = f.read()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for h in ("From", "To", "Subject", "Date", "Message-ID"):
            if not msg[h]:
                fail(r[0], f"missing {h}")
        if msg.defects:
            fail(r[0], f"defects {msg.defects}")
        try:
            walk(r[0], msg, ocr_queue, seen)
        except Exception as e:  # noqa: BLE001
            fail(r[0], f"{type(e).__name__}: {e}")
    files = {f for f in os.listdir(a.dir) if f.endswith(".eml")}
    if files != {r[0] for r in rows}:
        fail(a.dir, "labels.tsv and the .eml files disagree")
    if a.ocr and shutil.which("tesseract"):
        step = max(1, len(ocr_queue) // a.ocr)
        for name, kind, data in ocr_queue[::step][:a.ocr]:
            text = ocr(data, kind)
            words = [w for w in text.split() if len(w) > 2]
            print(f"OCR {name}: {len(words)} words: {' '.join(words[:14])}")
            if len(words) < 4 and kind == "pdf":  # every scanned PDF carries text; some photos do not
                fail(name, "OCR read almost nothing")
    by = Counter((r[3], r[1]) for r in rows)
    print(f"{a.dir}: {len(rows)} messages, yes {sum(r[1] == 'yes' for r in rows)}, no {sum(r[1] == 'no' for r in rows)}, "
          f"templates {len({r[2] for r in rows})}")
    for k in sorted({r[3] for r in rows}):
        print(f"  {k:14s} yes {by[(k, 'yes')]:4d}  no {by[(k, 'no')]:4d}")
    print("  content types:", ", ".join(f"{k} {v}" for k, v in sorted(seen.items())))
    if problems:
        print("\n".join(problems[:50]), file=sys.stderr)
        print(f"{len(problems)} problems", file=sys.stderr)
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
