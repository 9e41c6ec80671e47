#!/usr/bin/env python3
"""Drives Debian's Chromium through Playwright against the sender's status page of a running
`sealgate serve` (tests/scenarios/portal_status.rs).

One JSON argument: {"base": URL, "artifacts": DIR, "mail_dir": DIR, "steps": [STEP, ...]}
Steps, run in order in one browser:
  {"do": "status", "link": URL, "name": NAME, "check": bool}
      the receipt's link: GET shows only "Continue" (axe-checked when "check"), click it,
      the status page (axe, screenshots at 320 and 1280 px when "check"); records its text
  {"do": "spanish", "link": URL}    the same page for a browser asking `es`: lang and text
  {"do": "read", "link": URL}       the recipient: "Email me a code", the code from the
      mail in mail_dir, the message frame shown
  {"do": "revoke", "link": URL, "recipient": ADDRESS}
      on the status page, "Withdraw" in that recipient's section; records the page text
  {"do": "recipient", "link": URL, "name": NAME}   the recipient's link page text
Prints one JSON line {"texts": {NAME: TEXT}, "pages": ..., "screenshots": [...]}; exits 1
on the first failed check.
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
findings = {"texts": {}, "pages": {}, "screenshots": []}


def fail(msg):
    print(json.dumps({"error": msg, **findings}))
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def axe_path():
    """axe.min.js from axe-playwright-python (PyPI), or AXE_JS (e.g. npm's axe-core)."""
    if os.environ.get("AXE_JS"):
        return os.environ["AXE_JS"]
    import axe_playwright_python
    root = os.path.dirname(axe_playwright_python.__file__)
    for dirpath, _, files in os.walk(root):
        if "axe.min.js" in files:
            return os.path.join(dirpath, "axe.min.js")
    fail("axe.min.js not found in axe-playwright-python")


AXE_SOURCE = open(axe_path()).read()


def axe(page, name):
    # Evaluated over CDP, which the page's CSP (script-src 'self') does not govern.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    every = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
             for v in result["violations"]]
    bad = [v for v in every if v["impact"] in ("serious", "critical")]
    findings["pages"][name] = {"violations": len(every), "all": every, "serious_or_critical": bad}
    check(not bad, f"axe: serious/critical violations on the {name} page: {bad}")


def shots(page, name):
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        path = os.path.join(cfg["artifacts"], f"{name}-{width}.png")
        page.screenshot(path=path, full_page=True)
        findings["screenshots"].append(path)
        if width == 320:
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            check(not overflow, f"{name} page scrolls sideways at 320 px")
    page.set_viewport_size({"width": 1280, "height": 900})


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


def open_status(ctx, link, name, checked):
    page = ctx.new_page()
    page.goto(link)
    main = page.locator("main").inner_text()
    buttons = page.get_by_role("button").all_inner_texts()
    check(len(buttons) == 1, f"the GET page offers one button only: {buttons}")
    check("@" not in main, "the GET page shows no address")
    if checked:
        axe(page, name + "-continue")
    page.get_by_role("button").first.click()
    page.wait_for_selector("main h2")
    if checked:
        axe(page, name)
        shots(page, "status-" + name)
    return page


def step_status(ctx, s):
    page = open_status(ctx, s["link"], s["name"], s.get("check", False))
    findings["texts"][s["name"]] = page.locator("main").inner_text()
    page.close()


def step_spanish(browser, s):
    ctx = browser.new_context(locale="es-ES", extra_http_headers={"Accept-Language": "es-ES,es;q=0.9"})
    page = ctx.new_page()
    page.goto(s["link"])
    check(page.get_attribute("html", "lang") == "es", "lang=es for a Spanish browser")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_selector("main h2")
    check(page.get_attribute("html", "lang") == "es", "the status page in Spanish has lang=es")
    axe(page, "spanish")
    findings["texts"]["spanish"] = page.locator("main").inner_text()
    ctx.close()


def step_read(ctx, s):
    page = ctx.new_page()
    page.goto(s["link"])
    before = len(mail_codes())
    page.get_by_role("button", name="Email me a code").click()
    page.wait_for_selector("#code")
    deadline = time.monotonic() + 60
    while len(mail_codes()) <= before:
        check(time.monotonic() < deadline, "no code mail arrived")
        time.sleep(0.1)  # polling the receiver's directory with a deadline, not timing
    page.fill("#code", mail_codes()[-1])
    page.get_by_role("button", name="Open the message").click()
    page.wait_for_selector("#frame:not([hidden])")
    page.frame_locator("#frame").locator("body").wait_for()
    page.close()


def step_revoke(ctx, s):
    page = open_status(ctx, s["link"], "revoke", False)
    section = page.locator("section", has=page.get_by_role("heading", name=s["recipient"]))
    check(section.count() == 1, "one section for " + s["recipient"])
    section.get_by_role("button", name="Withdraw").click()
    page.wait_for_selector("main [role=alert]")
    findings["texts"]["revoked"] = page.locator("main").inner_text()
    axe(page, "after-revoke")
    shots(page, "status-after-revoke")
    page.close()


def step_recipient(ctx, s):
    page = ctx.new_page()
    page.goto(s["link"])
    findings["texts"][s["name"]] = page.locator("main").inner_text()
    page.close()


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
    sender = browser.new_context(viewport={"width": 1280, "height": 900})
    recipient = browser.new_context(viewport={"width": 1280, "height": 900})
    for step in cfg["steps"]:
        kind = step["do"]
        if kind == "status":
            step_status(sender, step)
        elif kind == "spanish":
            step_spanish(browser, step)
        elif kind == "read":
            step_read(recipient, step)
        elif kind == "revoke":
            step_revoke(sender, step)
        elif kind == "recipient":
            step_recipient(recipient, step)
        else:
            fail("unknown step " + kind)
    browser.close()
    print(json.dumps(findings))
