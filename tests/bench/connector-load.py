#!/usr/bin/env python3
"""SMTP load generator for the connector benchmark (tests/bench/connectors.sh): STARTTLS with a client
certificate and extra header fields, as Exchange Online sends through a connector. A copy of
../shared/bench/smtp-load.py (smtp-source has no TLS, no client certificate, no custom headers), extended.

usage: connector-load.py HOST:PORT [-s SESSIONS] [-m MESSAGES] [-l BODY_BYTES] [--tls] [--reuse]
                         [--cert PEM --key PEM] [--header 'Name: value']... [--from ADDR]
  --cert/--key  client certificate presented in the STARTTLS handshake
  --header      a header field added to every message (repeatable)
  --from        envelope sender and header From (default sender@bench.test)
  -s  parallel sessions (one OS process each, so the GIL does not serialize them)
  -m  total messages; -l body size in bytes (headers extra, like smtp-source -l)
  --tls    issue STARTTLS after EHLO (certificate NOT verified: test rigs use self-signed certs)
  --reuse  send all of a session's messages over one connection (default: one connection per message)
Prints messages/s over the wall time and the client's own CPU seconds; exit 1 if any message failed.
Only point it at servers you run on loopback."""
import argparse, multiprocessing as mp, os, smtplib, ssl, sys, time, resource


def make_msg(size, n, sender, headers):
    line = ("x" * 76 + "\r\n")
    body = (line * (size // len(line) + 1))[:size]
    extra = "".join(h + "\r\n" for h in headers)
    return (f"From: <{sender}>\r\nTo: <rcpt@dest.bench.test>\r\n{extra}"
            f"Subject: load {n}\r\nMessage-ID: <{n}.{os.getpid()}@bench.test>\r\n\r\n" + body).encode()


def worker(args, count, wid, q):
    host, port = args.target.rsplit(":", 1)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    msg = make_msg(args.l, wid, args.sender, args.header)
    ok = 0
    s = None
    try:
        for i in range(count):
            if s is None:
                s = smtplib.SMTP(host, int(port), local_hostname="client.bench.test", timeout=60)
                s.ehlo()
                if args.tls:
                    s.starttls(context=ctx)
                    s.ehlo()
            s.sendmail(args.sender, ["rcpt@dest.bench.test"], msg)
            ok += 1
            if not args.reuse:
                s.quit()
                s = None
        if s is not None:
            s.quit()
    except Exception as e:  # report and stop this session
        print(f"session {wid}: {type(e).__name__}: {e}", file=sys.stderr)
    q.put(ok)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("target")
    p.add_argument("-s", type=int, default=1)
    p.add_argument("-m", type=int, default=1)
    p.add_argument("-l", type=int, default=1024)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--reuse", action="store_true")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--from", dest="sender", default="sender@bench.test")
    args = p.parse_args()
    q = mp.Queue()
    per = [args.m // args.s + (1 if i < args.m % args.s else 0) for i in range(args.s)]
    procs = [mp.Process(target=worker, args=(args, per[i], i, q)) for i in range(args.s)]
    t0 = time.monotonic()
    for pr in procs:
        pr.start()
    sent = sum(q.get() for _ in procs)
    for pr in procs:
        pr.join()
    dt = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"sent={sent}/{args.m} wall={dt:.2f}s rate={sent/dt:.0f} msg/s client_cpu={ru.ru_utime+ru.ru_stime:.2f}s "
          f"tls={args.tls} reuse={args.reuse} sessions={args.s} size={args.l}")
    sys.exit(0 if sent == args.m else 1)


if __name__ == "__main__":
    main()
