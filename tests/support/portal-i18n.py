#!/usr/bin/env python3
"""Spanish and English portal pages and mails, end to end (tests/scenarios/portal_i18n.rs).

One JSON argument: {"base": "http://localhost:PORT", "link": URL, "revoked": URL,
"mail_dir": DIR, "artifacts": DIR, "link_title_es": TEXT}.
The portal runs inside `sealgate serve` for a tenant with `language = "es"`; notifications and
code mails arrive as .eml files in mail_dir (the aiosmtpd receiver). Checks, in Chromium with
locale es-ES: the notification (parsed with Python's `email`) is Spanish; link → code → message
pages are Spanish; the switch link turns each page English and back; the code mail is Spanish
and has no link; axe-core has no serious or critical violation on any page in either language;
screenshots at 320 px of every page in both languages land in `artifacts`.
Prints one JSON line of findings; exits 1 on the first failed check.
"""
import email
import email.policy
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
findings = {"axe": {}, "screenshots": [], "mails": {}}


def fail(msg):
    print(json.dumps({"error": msg, **findings}))
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def axe_source():
    if os.environ.get("AXE_JS"):
        return open(os.environ["AXE_JS"]).read()
    import axe_playwright_python
    for dirpath, _, files in os.walk(os.path.dirname(axe_playwright_python.__file__)):
        if "axe.min.js" in files:
            return open(os.path.join(dirpath, "axe.min.js")).read()
    fail("axe.min.js not found in axe-playwright-python")


AXE = axe_source()


def mails():
    out = []
    for path in sorted(glob.glob(os.path.join(cfg["mail_dir"], "*.eml"))):
        with open(path, "rb") as f:
            out.append(email.message_from_bytes(f.read(), policy=email.policy.default))
    return out


def wait_mail(pred, what, count=1):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        found = [m for m in mails() if pred(m)]
        if len(found) >= count:
            return found[count - 1]
        time.sleep(0.1)  # polling the receiver's directory with a deadline, not timing
    fail("no " + what)


def part(msg, ctype):
    p = msg.get_body(preferencelist=(ctype.split("/")[1],))
    check(p is not None and p.get_content_type() == ctype, f"no {ctype} part")
    return p.get_content()


def check_notification():
    n = wait_mail(lambda m: str(m["Subject"]).startswith("Mensaje seguro"), "Spanish notification")
    text, html = part(n, "text/plain"), part(n, "text/html")
    check(str(n["Subject"]) == "Mensaje seguro de Acme Health", "subject: " + str(n["Subject"]))
    check("a través de Acme Health" in str(n["From"]), "from: " + str(n["From"]))
    for body in (text, html):
        check("le ha enviado un mensaje seguro" in body, "notification text not Spanish")
        check("Palabra de referencia" in body and "de 20" in body, "reference or date not Spanish")
        check("You can read" not in body, "English left in the notification")
    check('<html lang="es">' in html and "Abrir el mensaje seguro" in html, "html not Spanish")
    findings["mails"]["notification"] = {"subject": str(n["Subject"]), "from": str(n["From"])}


def check_code_mail(count):
    m = wait_mail(lambda m: "código" in str(m["Subject"]), "Spanish code mail", count)
    check(str(m["Subject"]) == "Su código de correo seguro de Acme Health", str(m["Subject"]))
    check(m.get_content_type() == "text/plain" and not m.is_multipart(), "code mail not plain")
    text = m.get_content()
    check("http" not in text, "a link in the code mail")
    check("Introdúzcalo en la página segura" in text, "code mail not Spanish")
    found = re.search(r"Su código es (\d{6})", text)
    check(found, "no code in the code mail")
    findings["mails"]["code"] = {"subject": str(m["Subject"])}
    return found.group(1)


def axe(page, name):
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [{"id": v["id"], "impact": v["impact"]} for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    findings["axe"][name] = {"violations": len(result["violations"]), "serious_or_critical": bad}
    check(not bad, f"axe: serious/critical violations on {name}: {bad}")


def shot(page, name):
    page.set_viewport_size({"width": 320, "height": 800})
    path = os.path.join(cfg["artifacts"], f"i18n-{name}-320.png")
    page.screenshot(path=path, full_page=True)
    findings["screenshots"].append(path)
    check(not page.evaluate("document.documentElement.scrollWidth > window.innerWidth"),
          f"{name} scrolls sideways at 320 px")
    page.set_viewport_size({"width": 1280, "height": 900})


def is_lang(page, lang, must_see, name):
    check(page.evaluate("document.documentElement.lang") == lang, f"{name}: lang is not {lang}")
    body = page.inner_text("body")
    check(must_see in body, f"{name}: '{must_see}' not on the page: {body[:400]}")


def both(page, name, es_text, en_text):
    """The page in Spanish, then switched to English and back; axe and a screenshot each."""
    is_lang(page, "es", es_text, name + "-es")
    axe(page, name + "-es")
    shot(page, name + "-es")
    page.click("nav.lang a[hreflang=en]")
    page.wait_for_load_state()
    is_lang(page, "en", en_text, name + "-en")
    axe(page, name + "-en")
    shot(page, name + "-en")
    page.click("nav.lang a[hreflang=es]")
    page.wait_for_load_state()
    is_lang(page, "es", es_text, name + "-es-again")


def run(browser):
    check_notification()
    ctx = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(cfg["link"])
    check(page.evaluate("navigator.language").startswith("es"), "the browser is not Spanish")
    both(page, "link", cfg["link_title_es"], "Email me a code")
    page.click("text=Enviarme un código por correo")
    page.wait_for_selector("#code")
    code_1 = check_code_mail(1)
    both(page, "code", "Introduzca su código", "Enter your code")
    check(page.is_visible("#code"), "the code form is gone after switching")
    page.fill("#code", code_1)
    page.click("text=Abrir el mensaje")
    page.wait_for_selector("#frame:not([hidden])", timeout=60000)
    both(page, "message", "Palabra de referencia", "Reference word")
    page.wait_for_selector("#frame:not([hidden])", timeout=60000)
    check(page.inner_text("#meta").startswith("De"), "message labels not Spanish")
    for name, url, es_text, en_text in [
        ("withdrawn", cfg["revoked"], "Este mensaje se retiró el", "This message was withdrawn on"),
        ("home", cfg["base"] + "/", "abra el enlace del correo", "open the link in the email"),
    ]:
        page.goto(url)
        both(page, name, es_text, en_text)
    # An error page's switch leads home (it has no GET of its own); the choice then holds.
    page.goto(cfg["base"] + "/nada")
    is_lang(page, "es", "Página no encontrada", "not-found-es")
    axe(page, "not-found-es")
    shot(page, "not-found-es")
    page.click("nav.lang a[hreflang=en]")
    page.wait_for_load_state()
    page.goto(cfg["base"] + "/nada")
    is_lang(page, "en", "Page not found", "not-found-en")
    axe(page, "not-found-en")
    shot(page, "not-found-en")
    # A fresh browser asking for English first sees English.
    en = browser.new_context(locale="en-GB")
    p2 = en.new_page()
    p2.goto(cfg["link"])
    is_lang(p2, "en", "Email me a code", "link-en-browser")
    ctx.close()
    en.close()


with sync_playwright() as pw:
    b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    try:
        run(b)
    finally:
        b.close()
print(json.dumps(findings))
