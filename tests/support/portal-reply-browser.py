#!/usr/bin/env python3
"""Drives Debian's Chromium through Playwright for the secure reply (tests/scenarios/portal_reply.rs).

One JSON argument: {"base", "link", "mail_dir", "artifacts", "attachment", "big", "limit", "canary"}.
  link        the notification's portal link (with its fragment)
  mail_dir    the recipient MX's directory (*.eml): the code mail arrives there
  attachment  a file to attach to the first reply (checked byte-identical on the Rust side)
  big         a file larger than the tenant's reply_max_size
  limit       the tenant's reply_daily_limit
  canary      a PHI value the first reply's text carries (the rules must classify it)
Flow: link -> "Email me a code" -> code from the mail -> message -> "Reply to the sender"
(axe-core, screenshots at 320 and 1280 px) -> reply with the attachment -> "Reply sent";
a cross-site POST is refused (403); an oversized POST is refused while reading (413, clear
page); the second reply with "reply to all"; then the form shows the daily cap and a POST over
the cap is refused (429, clear page; axe-core on that page too).
Prints one JSON line of findings; exits 1 on the first failed check.
"""
import email
import glob
import json
import os
import re
import sys
import time

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
cfg = json.loads(sys.argv[1])
findings = {"pages": {}, "screenshots": [], "posts": {}}


def fail(msg):
    print(json.dumps({"error": msg, **findings}))
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def mail_codes():
    out = []
    for path in sorted(glob.glob(os.path.join(cfg["mail_dir"], "*.eml"))):
        with open(path, "rb") as f:
            msg = email.message_from_bytes(f.read())
        if "secure mail code" not in str(msg.get("Subject", "")):
            continue
        m = re.search(r"Your code is (\d{6})", msg.get_payload(decode=True).decode("utf-8", "replace"))
        if m:
            out.append(m.group(1))
    return out


def wait_code(seen):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        codes = mail_codes()
        if len(codes) > seen:
            return codes[-1]
        time.sleep(0.1)  # polling the receiver's directory with a deadline, not timing
    fail("no code mail arrived")


def axe_source():
    if os.environ.get("AXE_JS"):
        return open(os.environ["AXE_JS"]).read()
    import axe_playwright_python
    for dirpath, _, files in os.walk(os.path.dirname(axe_playwright_python.__file__)):
        if "axe.min.js" in files:
            return open(os.path.join(dirpath, "axe.min.js")).read()
    fail("axe.min.js not found in axe-playwright-python")


AXE = axe_source()


def axe(page, name):
    page.evaluate(AXE)  # over CDP, which the page's CSP does not govern
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    findings["pages"][name] = {"violations": len(result["violations"]), "serious_or_critical": bad}
    check(not bad, f"axe: serious/critical violations on the {name} page: {bad}")


def shots(page, name):
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        path = os.path.join(cfg["artifacts"], f"{name}-{width}.png")
        page.screenshot(path=path, full_page=True)
        findings["screenshots"].append(path)
        if width == 320:
            check(not page.evaluate("document.documentElement.scrollWidth > window.innerWidth"),
                  f"{name} page scrolls sideways at 320 px")
    page.set_viewport_size({"width": 1280, "height": 900})


def h1(page):
    return page.locator("h1").inner_text()


def login(ctx):
    page = ctx.new_page()
    page.goto(cfg["link"])
    before = len(mail_codes())
    page.get_by_role("button", name="Email me a code").click()
    page.wait_for_selector("#code")
    page.fill("#code", wait_code(before))
    page.get_by_role("button", name="Open the message").click()
    page.wait_for_selector("#frame:not([hidden])")
    return page


def reply(page, text, files, everyone):
    # Keyboard: a mouse click can land while the message frame is still resizing the page
    # (and the passkey offer is being drawn below it) and be lost.
    page.get_by_role("link", name="Reply to the sender").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("form.reply")
    page.wait_for_function("document.getElementById('reply-key').value.length > 0")
    page.fill("#reply-text", text)
    if files:
        page.set_input_files("#reply-files", files)
    if everyone:
        page.check("#reply-all")
    with page.expect_navigation():
        page.get_by_role("button", name="Send reply").click()
    return h1(page)


def raw_post(ctx, page, origin, fields, files):
    """A multipart POST outside the form: the browser's cookies, a chosen Origin."""
    escrow = cfg["link"].split("/m/")[1].split("#")[0]
    multipart = dict(fields)
    for name, path in files:
        multipart[name] = {"name": os.path.basename(path), "mimeType": "application/octet-stream",
                           "buffer": open(path, "rb").read()}
    resp = ctx.request.post(f"{cfg['base']}/m/{escrow}/reply", multipart=multipart,
                            headers={"Origin": origin}, max_redirects=0)
    return resp.status, resp.text()


def form_fields(page):
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('form.reply input[type=hidden]')]
        .map(i => [i.name, i.value]))""")


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = login(ctx)
    back = page.url

    # The reply page: axe and 320 px, then the first reply with the attachment.
    # Keyboard: a mouse click can land while the message frame is still resizing the page
    # (and the passkey offer is being drawn below it) and be lost.
    page.get_by_role("link", name="Reply to the sender").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("form.reply")
    check(page.get_attribute("form.reply", "enctype") == "multipart/form-data", "multipart form")
    axe(page, "reply")
    shots(page, "reply")
    fields = form_fields(page)
    page.goto(back)
    page.wait_for_selector("#frame:not([hidden])")
    title = reply(page, "Thank you, doctor. My SSN is " + cfg["canary"] + " as you asked; the scan is attached.",
                  [cfg["attachment"]], False)
    check(title == "Reply sent", "first reply: " + page.locator("main").inner_text())
    findings["first"] = page.locator("main").inner_text()
    axe(page, "sent")
    shots(page, "reply-sent")

    # Cross-site POST: refused before anything is read or sent.
    status, body = raw_post(ctx, page, "https://evil.example", fields, [])
    findings["posts"]["cross_site"] = status
    check(status == 403, f"cross-site POST answered {status}")
    # Over the tenant's size limit: refused while reading, with a clear page.
    status, body = raw_post(ctx, page, cfg["base"], {**fields, "text": "Big scan."}, [("files", cfg["big"])])
    findings["posts"]["too_large"] = status
    check(status == 413 and "Reply too large" in body, f"oversized POST answered {status}: {body[:300]}")

    # The second reply, to everyone at the tenant.
    page.goto(back)
    page.wait_for_selector("#frame:not([hidden])")
    title = reply(page, "Thanks to the whole team.", [], True)
    check(title == "Reply sent", "second reply: " + page.locator("main").inner_text())
    findings["second"] = page.locator("main").inner_text()

    # The daily cap: the form says so, and a POST over it is refused with a clear page.
    page.goto(back)
    page.wait_for_selector("#frame:not([hidden])")
    page.get_by_role("link", name="Reply to the sender").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/reply")
    check(h1(page) == "Too many replies today", "cap page: " + page.locator("main").inner_text())
    axe(page, "cap")
    status, body = raw_post(ctx, page, cfg["base"], {**fields, "text": "One more question."}, [])
    findings["posts"]["over_cap"] = status
    check(status == 429 and "most replies allowed in one day" in body,
          f"POST over the cap answered {status}: {body[:300]}")
    browser.close()

print(json.dumps(findings))
