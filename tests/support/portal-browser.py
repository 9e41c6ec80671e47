#!/usr/bin/env python3
"""Drives Debian's Chromium through Playwright against a running Sealgate portal.

Called by gateway/portal/tests/browser.rs with one JSON argument:
  {"base": "http://localhost:PORT", "links": {"normal": URL, "hostile": URL,
   "revoked": URL, "expired": URL}, "codes": PATH, "artifacts": DIR,
   "attachment_sha256": HEX, "canary": TEXT,
   "brand": {"background": "rgb(r, g, b)", "intro": TEXT}}   (brand optional)
The Rust side appends "<escrow id> <code>" lines to `codes` as the portal mails codes.
Prints one JSON line of findings and exits 1 on the first failed check.

With {"mode": "e2e", "base", "link", "mail_dir", "artifacts", "attachment_sha256", "canary"}
(tests/scenarios/portal.rs) the portal runs inside `sealgate serve` and the code arrives as
real mail: the driver polls the receiver's `mail_dir` for a new code mail instead.
"""
import hashlib
import json
import os
import sys
import time

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
cfg = json.loads(sys.argv[1])
findings = {"pages": {}, "screenshots": []}


def fail(msg):
    print(json.dumps({"error": msg, **findings}))
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def mail_codes():
    """Codes found in the code mails under mail_dir, oldest first."""
    import email
    import glob
    import re
    out = []
    for path in sorted(glob.glob(os.path.join(cfg["mail_dir"], "*.eml"))):
        with open(path, "rb") as f:
            msg = email.message_from_bytes(f.read())
        if "secure mail code" not in str(msg.get("Subject", "")):
            continue
        text = msg.get_payload(decode=True).decode("utf-8", "replace")
        m = re.search(r"Your code is (\d{6})", text)
        if m:
            out.append(m.group(1))
    return out


def wait_code(escrow, seen):
    deadline = time.monotonic() + 60
    if cfg.get("mode") == "e2e":
        while time.monotonic() < deadline:
            codes = mail_codes()
            if len(codes) > seen:
                return codes[-1]
            time.sleep(0.1)  # polling the receiver's directory with a deadline, not timing
        fail("no code mail arrived")
    while time.monotonic() < deadline:
        if os.path.exists(cfg["codes"]):
            with open(cfg["codes"]) as f:
                lines = [l.split() for l in f.read().splitlines() if l.strip()]
            codes = [c for e, c in lines if e == escrow]
            if len(codes) > seen:
                return codes[-1]
        time.sleep(0.05)  # polling a file with a deadline, not timing
    fail("no code mail for " + escrow)


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
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            check(not overflow, f"{name} page scrolls sideways at 320 px")
    page.set_viewport_size({"width": 1280, "height": 900})


def tab_to(page, predicate_js, limit=20):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    fail("keyboard: could not reach " + predicate_js)


def check_brand(page):
    """The tenant's template: header colour, intro, and a same-origin logo that loaded."""
    brand = cfg.get("brand")
    if not brand:
        return
    bg = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
    check(bg == brand["background"], f"header background {bg}, expected {brand['background']}")
    check(brand["intro"] in page.locator(".intro").inner_text(), "the intro shows")
    logo = page.locator("header img.logo")
    check(logo.count() == 1, "the logo is in the header")
    src = page.evaluate("document.querySelector('header img.logo').src")
    check(src.startswith(cfg["base"] + "/static/brand/"), f"logo from the portal origin: {src}")
    page.wait_for_function("document.querySelector('header img.logo').complete")
    check(page.evaluate("document.querySelector('header img.logo').naturalWidth") > 0,
          "the logo loaded under the page's CSP")
    # Opened directly, the SVG is sandboxed: its own CSP allows no script.
    resp = page.context.request.get(src)
    csp = resp.headers.get("content-security-policy", "")
    check(resp.status == 200 and "sandbox" in csp and "script-src" not in csp,
          f"the logo's own CSP: {csp}")
    findings["brand"] = {"background": bg, "logo": src}


def escrow_of(url):
    return url.split("/m/")[1].split("#")[0]


def read_message(ctx, link, name, keyboard=True):
    """Opens the link, asks for a code and enters it (keyboard only), returns the page."""
    page = ctx.new_page()
    requests, dialogs = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(link)
    check("#" not in page.url, "the fragment stays in the address bar")
    escrow = escrow_of(link)
    if name == "normal":
        check_brand(page)
        axe(page, "link")
        shots(page, "link")
    before = 0
    if cfg.get("mode") == "e2e":
        before = len(mail_codes())
    elif os.path.exists(cfg["codes"]):
        with open(cfg["codes"]) as f:
            before = sum(1 for l in f if l.startswith(escrow))
    if keyboard:
        tab_to(page, "document.activeElement && document.activeElement.textContent === 'Email me a code'")
        page.keyboard.press("Enter")
    else:
        page.get_by_role("button", name="Email me a code").click()
    page.wait_for_selector("#code, main p")
    check(page.locator("#code").count() == 1, "code page expected, got: " + page.locator("main").inner_text())
    code = wait_code(escrow, before)
    if name == "normal":
        axe(page, "code")
        shots(page, "code")
    check(page.evaluate("document.activeElement.id") == "code", "the code field has focus")
    check(page.get_attribute("#code", "autocomplete") == "one-time-code", "autocomplete one-time-code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_selector("#frame:not([hidden])")
    frame = page.frame_locator("#frame")
    frame.locator("body").wait_for()
    return page, requests, dialogs


def e2e(browser):
    """The scenario's flow: link -> code by mail -> message -> attachment."""
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page, requests, dialogs = read_message(ctx, cfg["link"], "e2e")
    text = page.frame_locator("#frame").locator("body").inner_text()
    check(cfg["canary"] in text, "the message text shows in the frame")
    shots(page, "e2e-message")
    tab_to(page, "document.activeElement && document.activeElement.textContent.startsWith('Download')")
    with page.expect_download() as dl:
        page.keyboard.press("Enter")
    data = open(dl.value.path(), "rb").read()
    check(hashlib.sha256(data).hexdigest() == cfg["attachment_sha256"], "attachment byte-identical")
    findings["download"] = {"name": dl.value.suggested_filename, "bytes": len(data)}
    check(not dialogs, "no dialog")
    outside = [u for u in requests if not u.startswith(cfg["base"]) and not u.startswith("data:")]
    check(not outside, f"requests left the portal origin: {outside}")
    findings["requests"] = len(requests)


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
    if cfg.get("mode") == "e2e":
        e2e(browser)
        browser.close()
        print(json.dumps(findings))
        sys.exit(0)
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})

    # End to end, keyboard only: link → code → message → attachment.
    page, requests, dialogs = read_message(ctx, cfg["links"]["normal"], "normal")
    text = page.frame_locator("#frame").locator("body").inner_text()
    check(cfg["canary"] in text, "the message text shows in the frame")
    check(page.get_attribute("#frame", "sandbox") == "", "the frame is sandboxed without permissions")
    axe(page, "message")
    shots(page, "message")
    tab_to(page, "document.activeElement && document.activeElement.textContent.startsWith('Download')")
    with page.expect_download() as dl:
        page.keyboard.press("Enter")
    data = open(dl.value.path(), "rb").read()
    check(hashlib.sha256(data).hexdigest() == cfg["attachment_sha256"], "attachment byte-identical")
    findings["download"] = {"name": dl.value.suggested_filename, "bytes": len(data)}
    check(not dialogs, "no dialog on the normal message")
    cookies = ctx.cookies()
    check(all(c["httpOnly"] and c["secure"] and c["sameSite"] == "Strict" for c in cookies),
          f"cookie flags: {cookies}")
    check(page.evaluate("document.cookie") == "", "the session cookie is invisible to script")

    # Hostile mail in a fresh context: nothing runs, nothing leaves the portal origin.
    ctx2 = browser.new_context(accept_downloads=True)
    page2, requests2, dialogs2 = read_message(ctx2, cfg["links"]["hostile"], "hostile", keyboard=False)
    page2.wait_for_load_state("networkidle")
    buttons = page2.locator("#files button")
    check(buttons.count() == 1, "the HTML attachment is offered as a download")
    url_before = page2.url
    # Chromium holds a downloaded .html from a page without a referrer as a dangerous file
    # (no download event), so: click it (the page must stay), then fetch the same form post
    # with the context's cookies and check it is served only as a download.
    buttons.first.click()
    fields = page2.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#files form input')]
        .map(i => [i.name, i.value]))""")
    resp = ctx2.request.post(cfg["base"] + "/m/" + escrow_of(cfg["links"]["hostile"]) + "/a/0",
                             form=fields, headers={"Origin": cfg["base"]})
    headers = resp.headers
    check(resp.status == 200, f"attachment status {resp.status}")
    check(headers.get("content-disposition", "").startswith('attachment; filename="page.html"'),
          f"HTML attachment served as a download: {headers}")
    check(headers.get("content-type") == "application/octet-stream", f"type: {headers}")
    check(headers.get("x-content-type-options") == "nosniff", "nosniff on the attachment")
    page2.wait_for_load_state("networkidle")
    check(page2.url == url_before, "the attachment did not replace the page")
    check(len(page2.frames) == 2, f"no extra frames: {[f.url for f in page2.frames]}")
    check(not dialogs2, f"no dialog fired: {dialogs2}")
    outside = [u for u in requests2 if not u.startswith(cfg["base"]) and not u.startswith("data:")]
    check(not outside, f"requests left the portal origin: {outside}")
    findings["hostile"] = {"requests": len(requests2), "outside": outside, "dialogs": dialogs2}

    # Withdrawn and expired pages.
    for name in ("revoked", "expired"):
        pg = ctx.new_page()
        pg.goto(cfg["links"][name])
        want = "withdrawn on" if name == "revoked" else "expired on"
        check(want in pg.locator(".gone").inner_text(), f"{name} page says '{want}'")
        check(pg.get_by_role("button", name="Ask the sender to send it again").count() == 1,
              f"{name} page offers to ask the sender")
        axe(pg, name)
        shots(pg, name)
    browser.close()

print(json.dumps(findings))
