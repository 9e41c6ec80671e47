#!/usr/bin/env python3
"""Scripted receiving MTA for the delivery tests (aiosmtpd, loopback only).

usage: smtp-receiver.py --host 127.0.0.1 --port 0 --save DIR [--tls-cert CRT --tls-key KEY]
                        [--drop-after-data] [--greeting REPLY] [--tls-broken]

Binds HOST:PORT (port 0: any free port), then prints `listening HOST PORT` on stdout. After
that it prints one JSON line per event, flushed at once, so the test waits on its stdout
instead of polling:

  {"event": "message", "file": PATH, "mail_from": ..., "rcpt_tos": [...], "message_id": ...,
   "tls": bool}                         a message was accepted (the file is complete: it is
                                        written under a temporary name, then renamed)
  {"event": "rcpt", "address": ..., "code": N}   a RCPT was refused with code N
  {"event": "connections", "open": N}   a connection opened; N are open now

Each accepted message is saved byte for byte as received (after DATA's dot-unstuffing).

Recipients are answered by their local part's prefix:
  defer1-...   451 4.2.0 on the first RCPT for that address, accepted afterwards
  defer-...    451 4.2.0 always
  reject-...   550 5.1.1 always
  anything else: accepted

With --greeting "554 5.7.1 text" it greets with that reply and serves nothing.

With --drop-after-data every message is saved (and reported), then the connection is cut
before the reply to the final dot: the client cannot know the message arrived.

The receiver exits when its stdin closes (the test that started it has gone), so a crashed
test leaves nothing listening.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys
import threading
from email.parser import BytesHeaderParser

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, save, drop_after_data=False):
        self.save = save
        self.drop_after_data = drop_after_data
        self.n = 0
        self.seen = {}

    def emit(self, obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        tries = self.seen.get(address, 0) + 1
        self.seen[address] = tries
        code = None
        if local.startswith("defer1-") and tries == 1:
            code, text = 451, "451 4.2.0 Try again later"
        elif local.startswith("defer-"):
            code, text = 451, "451 4.2.0 Try again later"
        elif local.startswith("reject-"):
            code, text = 550, "550 5.1.1 No such user here"
        if code:
            self.emit({"event": "rcpt", "address": address, "code": code})
            return text
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        path = os.path.join(self.save, f"{self.n:06d}.eml")
        tmp = os.path.join(self.save, f".{self.n:06d}.tmp")
        with open(tmp, "wb") as f:
            f.write(raw)
        os.rename(tmp, path)
        headers = BytesHeaderParser().parsebytes(raw)
        self.emit({
            "event": "message",
            "file": path,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "message_id": (headers.get("Message-ID") or "").strip(),
            "tls": session.ssl is not None,
        })
        if self.drop_after_data:
            # Saved, but the client never hears so: it cannot know the message arrived.
            server.transport.abort()
        return "250 2.0.0 OK queued"


def watch_stdin(loop):
    try:
        sys.stdin.buffer.read()
    finally:
        os._exit(0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--save", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--drop-after-data", action="store_true")
    p.add_argument("--tls-broken", action="store_true",
                   help="with --tls-cert: offer STARTTLS but fail every handshake")
    p.add_argument("--greeting", help="greet with this reply instead of 220 and take nothing")
    a = p.parse_args()
    os.makedirs(a.save, exist_ok=True)
    ctx = None
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        if a.tls_broken:
            # Offers STARTTLS, then can only speak TLS 1.1, which no client here accepts.
            ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    handler = Handler(a.save, a.drop_after_data)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    class Counting(SMTP):
        """Reports the number of open connections whenever one opens."""
        open = 0

        def connection_made(self, transport):
            Counting.open += 1
            handler.emit({"event": "connections", "open": Counting.open})
            super().connection_made(transport)

        def connection_lost(self, exc):
            Counting.open -= 1
            super().connection_lost(exc)

    class Refusing(asyncio.Protocol):
        """Greets with --greeting, answers QUIT with 221 and anything else with 503."""

        def connection_made(self, transport):
            self.transport = transport
            handler.emit({"event": "connections", "open": 1})
            transport.write((a.greeting + "\r\n").encode())

        def data_received(self, data):
            for line in data.split(b"\n"):
                if line.strip().upper() == b"QUIT":
                    self.transport.write(b"221 2.0.0 Bye\r\n")
                    self.transport.close()
                    return
                if line.strip():
                    self.transport.write(b"503 5.5.1 No service\r\n")

    def factory():
        if a.greeting:
            return Refusing()
        return Counting(handler, hostname="receiver.test", ident="smtp-receiver",
                    tls_context=ctx, require_starttls=False, enable_SMTPUTF8=True,
                    decode_data=False, data_size_limit=50 * 1024 * 1024, loop=loop)

    server = loop.run_until_complete(loop.create_server(factory, host=a.host, port=a.port))
    host, port = server.sockets[0].getsockname()[:2]
    print(f"listening {host} {port}", flush=True)
    threading.Thread(target=watch_stdin, args=(loop,), daemon=True).start()
    loop.run_forever()


if __name__ == "__main__":
    main()
