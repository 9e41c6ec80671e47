#!/usr/bin/env python3
"""portal-load.py - the reader half of tests/bench/portal.sh (issue 13 item 6).

Seeds N PHI messages through a running `sealgate serve` (SMTP, one recipient each), waits for
their notifications in the receiver's folder (`--mail-dir`, .eml files of smtp-receiver.py),
then runs N concurrent readers against the portal. Each reader logs in through the code flow
like a browser would: GET its link, POST "email me a code" (Origin, session cookie, CSRF),
waits for its code mail in the folder, POSTs the code; then all readers, together, GET their
message page --gets times each, and once all are done, POST /open (decryption of the copy)
--opens times each (two phases, so the CPU of each kind of request is measured apart).
--origin is the tenant's portal origin as configured (its `base_url`; default --portal): the
links and the Origin header carry it while the requests go to --portal. With --pid (the
gateway's process), the gateway's CPU time (utime + stime from /proc) per request of each
phase is printed, beside the client's own.
The portal sits behind a "reverse proxy" (`trusted_proxies = 127.0.0.1`): each reader sends its
own X-Forwarded-For address, so the per-client code limit applies per reader as in real life.

Prints the latency figures (p50/p95/p99/max, ms) of the authenticated message page and of
/open, and the login figures. Figures only, no verdict.

usage: portal-load.py --smtp HOST:PORT --portal http://127.0.0.1:PORT --mail-dir DIR
                      [--origin http://localhost:PORT] [--pid PID]
                      [--readers 200] [--gets 20] [--opens 2] [--timeout 300]
"""
import argparse
import asyncio
import email
import email.policy
import os
import re
import smtplib
import statistics
import sys
import time

import aiohttp

p = argparse.ArgumentParser()
p.add_argument("--smtp", required=True)
p.add_argument("--portal", required=True)
p.add_argument("--mail-dir", required=True)
p.add_argument("--readers", type=int, default=200)
p.add_argument("--gets", type=int, default=20)
p.add_argument("--opens", type=int, default=2)
p.add_argument("--timeout", type=float, default=300)
p.add_argument("--domain", default="readers.bench.test")
p.add_argument("--origin", default=None)
p.add_argument("--pid", type=int, default=None)
args = p.parse_args()
BASE = args.portal.rstrip("/")
ORIGIN = (args.origin or args.portal).rstrip("/")


def cpu_ms(pid):
    """utime + stime of process pid (all its threads), in ms; None without --pid."""
    if pid is None:
        return None
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def recipient(i):
    return f"reader{i:04d}@{args.domain}"


def seed():
    host, port = args.smtp.rsplit(":", 1)
    body = "Patient SSN 078-05-1120, results attached. Lab value 5.4 mmol/L.\r\n" * 20
    with smtplib.SMTP(host, int(port), timeout=60) as s:
        s.ehlo("bench.client")
        for i in range(args.readers):
            msg = (f"From: Dr Bench <doctor@bench.test>\r\nTo: <{recipient(i)}>\r\n"
                   f"Subject: results {i}\r\nMessage-ID: <seed{i}@bench.test>\r\n"
                   "Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n\r\n" + body)
            s.sendmail("doctor@bench.test", [recipient(i)], msg.encode())


class Mailbox:
    """New .eml files of the folder, parsed once each: links and codes by recipient."""

    def __init__(self, folder):
        self.folder, self.seen = folder, set()
        self.links, self.codes = {}, {}

    def scan(self):
        for name in os.listdir(self.folder):
            if not name.endswith(".eml") or name in self.seen:
                continue
            self.seen.add(name)
            with open(os.path.join(self.folder, name), "rb") as f:
                m = email.message_from_bytes(f.read(), policy=email.policy.default)
            to = m["To"].addresses[0].addr_spec if m["To"] else ""
            part = m.get_body(preferencelist=("plain",))
            text = part.get_content() if part else ""
            found = re.search(r"(https?://\S+/m/[0-9a-f]+#\S+)", text)
            if found:
                self.links[to] = found.group(1)
            code = re.search(r"code is (\d{6})", text)
            if code:
                self.codes.setdefault(to, []).append(code.group(1))

    async def wait(self, what, key, deadline):
        while time.monotonic() < deadline:
            self.scan()
            got = getattr(self, what).get(key)
            if got:
                return got
            await asyncio.sleep(0.05)  # polling a folder against a deadline, not timing
        raise TimeoutError(f"no {what} for {key}")


async def reader(i, box, ready, results, paged, opening):
    rcpt = recipient(i)
    deadline = time.monotonic() + args.timeout
    link = box.links[rcpt]
    path, half = link.split(ORIGIN, 1)[1].split("#", 1)
    ip = f"10.77.{i // 250}.{i % 250 + 1}"
    head = {"X-Forwarded-For": ip, "Origin": ORIGIN, "Accept-Language": "en"}
    conn = aiohttp.TCPConnector(limit=1, force_close=False)
    async with aiohttp.ClientSession(connector=conn, cookie_jar=aiohttp.DummyCookieJar()) as http:
        t0 = time.monotonic()
        async with http.get(BASE + path, headers=head) as r:
            page = await r.text()
            cookie = r.headers.get("Set-Cookie", "").split(";", 1)[0]
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        head["Cookie"] = cookie
        async with http.post(BASE + path + "/code", headers=head, data={"csrf": csrf}) as r:
            assert r.status == 200, f"code: {r.status}"
        code = (await box.wait("codes", rcpt, deadline))[-1]
        async with http.post(BASE + path + "/verify", headers=head,
                             data={"csrf": csrf, "code": code}, allow_redirects=False) as r:
            assert r.status == 303, f"verify: {r.status}"
        results["login"].append(time.monotonic() - t0)
        await ready.wait()
        for _ in range(args.gets):
            t = time.monotonic()
            async with http.get(BASE + path, headers=head) as r:
                body = await r.read()
                assert r.status == 200 and b'id="message"' in body, f"message page: {r.status}"
            results["page"].append(time.monotonic() - t)
        paged.append(i)
        await opening.wait()
        for _ in range(args.opens):
            t = time.monotonic()
            async with http.post(BASE + path + "/open", headers=head,
                                 data={"csrf": csrf, "key": half}) as r:
                doc = await r.json()
                assert "document" in doc, "open"
            results["open"].append(time.monotonic() - t)


def figures(name, samples):
    if not samples:
        return f"{name:<28} no samples"
    s = sorted(samples)
    q = lambda f: s[min(len(s) - 1, int(f * len(s)))] * 1000
    return (f"{name:<28} n={len(s):<6} p50 {q(0.50):7.1f} ms  p95 {q(0.95):7.1f} ms  "
            f"p99 {q(0.99):7.1f} ms  max {s[-1] * 1000:7.1f} ms")


async def main():
    box = Mailbox(args.mail_dir)
    t = time.monotonic()
    seed()
    log(f"seeded {args.readers} messages in {time.monotonic() - t:.1f} s; waiting for notifications")
    deadline = time.monotonic() + args.timeout
    while len([r for r in box.links if r.endswith(args.domain)]) < args.readers:
        if time.monotonic() > deadline:
            sys.exit(f"only {len(box.links)} notifications arrived")
        box.scan()
        await asyncio.sleep(0.2)  # polling a folder against a deadline, not timing
    log(f"{args.readers} notifications after {time.monotonic() - t:.1f} s; logging in {args.readers} readers")
    results = {"login": [], "page": [], "open": []}
    ready, opening, paged = asyncio.Event(), asyncio.Event(), []
    tasks = [asyncio.create_task(reader(i, box, ready, results, paged, opening))
             for i in range(args.readers)]
    while len(results["login"]) < args.readers:
        failed = [x for x in tasks if x.done() and x.exception()]
        if failed:
            raise failed[0].exception()
        if time.monotonic() > deadline:
            sys.exit(f"only {len(results['login'])} readers logged in")
        await asyncio.sleep(0.05)  # waiting for the logins against a deadline
    log(f"{args.readers} readers logged in; reading concurrently")
    t, cpu0, own0 = time.monotonic(), cpu_ms(args.pid), time.process_time()
    ready.set()
    while len(paged) < args.readers:
        failed = [x for x in tasks if x.done() and x.exception()]
        if failed:
            raise failed[0].exception()
        await asyncio.sleep(0.01)  # the phase boundary, polled (no timing depends on it)
    t1, cpu1, own1 = time.monotonic(), cpu_ms(args.pid), time.process_time()
    opening.set()
    await asyncio.gather(*tasks)
    t2, cpu2, own2 = time.monotonic(), cpu_ms(args.pid), time.process_time()
    wall = t2 - t
    print(f"# portal readers: {args.readers} concurrent, authenticated by emailed code "
          f"({args.gets} message-page GETs + {args.opens} /open each)")
    print(figures("login (link->code->verify)", results["login"]))
    print(figures("message page GET", results["page"]))
    print(figures("open (decrypt) POST", results["open"]))
    total = len(results["page"]) + len(results["open"])
    print(f"reading phase: {total} requests in {wall:.2f} s = {total / wall:.0f} req/s")
    pages, opens = len(results["page"]), len(results["open"])
    print(f"page phase: {pages} GETs in {t1 - t:.2f} s = {pages / (t1 - t):.0f} req/s; "
          f"open phase: {opens} POSTs in {t2 - t1:.2f} s")
    if cpu0 is not None:
        print(f"gateway CPU per message page GET {(cpu1 - cpu0) / pages:.3f} ms, "
              f"per /open POST {(cpu2 - cpu1) / max(opens, 1):.3f} ms; "
              f"client CPU per GET {(own1 - own0) * 1000 / pages:.3f} ms")


asyncio.run(main())
