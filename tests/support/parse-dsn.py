#!/usr/bin/env python3
"""Parses a delivery status notification with Python's `email` package and prints what the
tests check, as JSON: the top-level content type and report-type, every part's content type,
the message/delivery-status fields (per message, per recipient), the returned headers or
message, and any defects the parser found.

usage: parse-dsn.py FILE
"""
import email
import json
import sys
from email import policy


def main():
    raw = open(sys.argv[1], "rb").read()
    msg = email.message_from_bytes(raw, policy=policy.default)
    out = {
        "content_type": msg.get_content_type(),
        "report_type": msg.get_param("report-type"),
        "subject": str(msg.get("Subject", "")),
        "from": str(msg.get("From", "")),
        "auto_submitted": str(msg.get("Auto-Submitted", "")),
        "parts": [p.get_content_type() for p in msg.walk()],
        "defects": [repr(d) for p in msg.walk() for d in p.defects],
        "per_message": None,
        "per_recipient": [],
        "returned_headers": None,
        "returned_message": None,
    }
    for part in msg.walk():
        ct = part.get_content_type()
        if ct == "message/delivery-status":
            blocks = part.get_payload()
            out["per_message"] = {k: str(v) for k, v in blocks[0].items()}
            out["per_recipient"] = [{k: str(v) for k, v in b.items()} for b in blocks[1:]]
        elif ct == "text/rfc822-headers":
            out["returned_headers"] = part.get_payload(decode=True).decode("utf-8", "replace")
        elif ct == "message/rfc822":
            out["returned_message"] = part.get_payload()[0].as_bytes().decode("utf-8", "replace")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
