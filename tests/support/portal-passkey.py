#!/usr/bin/env python3
"""Drives Debian's Chromium through Playwright to check the portal's passkeys.

Called by gateway/portal/tests/passkey.rs with one JSON argument:
  {"a": "http://a.localhost:PORT", "b": "http://b.localhost:PORT",
   "links": {"a1": URL, "a2": URL, "b1": URL}, "codes": PATH, "artifacts": DIR, "canary": TEXT}
a1 and a2 are two messages of tenant A (portal host a.localhost) to one address, b1 a message
of tenant B (b.localhost) to the same address. The passkey lives in Chromium's virtual
authenticator (CDP WebAuthn.addVirtualAuthenticator). Prints one JSON line of findings and
exits 1 on the first failed check.
"""
import json
import os
import sys
import time

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP *.localhost 127.0.0.1"]
cfg = json.loads(sys.argv[1])
findings = {"pages": {}, "screenshots": [], "steps": []}


def fail(msg):
    print(json.dumps({"error": msg, **findings}))
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def step(name):
    findings["steps"].append(name)


def escrow_of(url):
    return url.split("/m/")[1].split("#")[0]


def codes_for(escrow):
    if not os.path.exists(cfg["codes"]):
        return []
    with open(cfg["codes"]) as f:
        lines = [l.split() for l in f.read().splitlines() if l.strip()]
    return [c for e, c in lines if e == escrow]


def wait_code(escrow, seen):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        codes = codes_for(escrow)
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


def shot(page, name):
    page.set_viewport_size({"width": 320, "height": 900})
    path = os.path.join(cfg["artifacts"], f"{name}-320.png")
    page.screenshot(path=path, full_page=True)
    findings["screenshots"].append(path)
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    check(not overflow, f"{name} page scrolls sideways at 320 px")
    page.set_viewport_size({"width": 1280, "height": 900})


def code_login(page, link, send="Email me a code", open_it="Open the message"):
    """Link -> "Email me a code" -> code -> the message shows (button names in the page's
    language)."""
    escrow = escrow_of(link)
    seen = len(codes_for(escrow))
    page.goto(link)
    page.get_by_role("button", name=send).click()
    page.wait_for_selector("#code")
    page.fill("#code", wait_code(escrow, seen))
    page.get_by_role("button", name=open_it).click()
    page.wait_for_selector("#frame:not([hidden])")


def message_text(page):
    page.wait_for_selector("#frame:not([hidden])")
    return page.frame_locator("#frame").locator("body").inner_text()


def settled(page):
    """The passkey status line once the ceremony ended (polled with a deadline)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = page.locator("#passkey-status").inner_text()
        if text and "…" not in text:
            return text
        time.sleep(0.05)
    fail("the passkey ceremony did not end: " + page.locator("#passkey-status").inner_text())


def log_off(page):
    page.get_by_role("button", name="Log off").click()
    page.wait_for_selector("text=You are logged off")


def post_json(page, path, csrf):
    """A same-origin POST from the page (its Origin, cookie and CSRF token): (status, json)."""
    return page.evaluate("""async ([path, csrf]) => {
        const r = await fetch(path, {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/x-www-form-urlencoded"},
            body: "csrf=" + encodeURIComponent(csrf)});
        let j = null; try { j = await r.json(); } catch (e) {}
        return [r.status, j];
    }""", [path, csrf])


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    findings["console"] = []
    page.on("console", lambda m: findings["console"].append(m.text))
    page.on("pageerror", lambda e: findings["console"].append(f"pageerror {e}"))
    page.on("response", lambda r: findings["console"].append(f"{r.status} {r.url.split('#')[0]}"))
    cdp = ctx.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    auth = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})["authenticatorId"]
    links = cfg["links"]

    # 1. Code login on tenant A, then the offer: create a passkey.
    code_login(page, links["a1"])
    check(cfg["canary"] in message_text(page), "a1 shows after the code")
    offer = page.get_by_role("button", name="Create a passkey")
    check(offer.count() == 1, "the message page offers a passkey after a code login")
    axe(page, "message-offer")
    shot(page, "passkey-offer")
    # Keyboard: focus the button and press Enter (also what a keyboard user does).
    offer.focus()
    page.keyboard.press("Enter")
    status = settled(page)
    check("Your passkey was created" in status, f"registration: {status}")
    creds = cdp.send("WebAuthn.getCredentials", {"authenticatorId": auth})["credentials"]
    check(len(creds) == 1 and creds[0]["rpId"] == "a.localhost",
          f"one credential for a.localhost in the authenticator: {creds}")
    findings["credential_rp"] = creds[0]["rpId"]
    step("registered")
    log_off(page)

    # 2. A second message of tenant A opens with the passkey alone: no code is mailed.
    a2 = escrow_of(links["a2"])
    page.goto(links["a2"])
    button = page.get_by_role("button", name="Open with passkey")
    button.wait_for()
    axe(page, "link-passkey")
    shot(page, "passkey-link")
    button.focus()
    page.keyboard.press("Enter")
    check(cfg["canary"] in message_text(page), "a2 shows after the passkey")
    check(codes_for(a2) == [], "no code was mailed for a2")
    check(page.get_by_role("button", name="Create a passkey").count() == 0,
          "no second offer once a passkey exists")
    step("opened-with-passkey")

    # 3. Tenant B's message to the same address: no passkey offered or accepted.
    page_b = ctx.new_page()
    cdp_b = ctx.new_cdp_session(page_b)
    cdp_b.send("WebAuthn.enable")
    auth_b = cdp_b.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})["authenticatorId"]
    # The same device: tenant A's credential copied into this page's authenticator.
    cdp_b.send("WebAuthn.addCredential", {"authenticatorId": auth_b, "credential": creds[0]})
    page_b.goto(links["b1"])
    page_b.get_by_role("button", name="Email me a code").wait_for()
    check(page_b.locator("#passkey").count() == 0, "tenant B's page offers no passkey")
    csrf = page_b.locator("input[name=csrf]").first.get_attribute("value")
    b1 = escrow_of(links["b1"])
    status, body = post_json(page_b, f"/m/{b1}/passkey/challenge", csrf)
    check(status == 404, f"tenant B's portal has no passkey challenge for A's passkey: {status} {body}")
    # The browser itself refuses to use A's relying party from B's origin.
    err = page_b.evaluate("""async (id) => {
        const raw = Uint8Array.from(atob(id.replace(/-/g, "+").replace(/_/g, "/")), c => c.charCodeAt(0));
        try {
            await navigator.credentials.get({publicKey: {challenge: new Uint8Array(32),
                rpId: "a.localhost", allowCredentials: [{type: "public-key", id: raw}]}});
            return "signed";
        } catch (e) { return e.name; }
    }""", creds[0]["credentialId"])
    check(err == "SecurityError", f"Chromium refuses A's rp id on B's origin: {err}")
    findings["cross_tenant"] = {"challenge_status": status, "browser": err}
    step("tenant-b-refused")
    page_b.close()

    # 4. The recipient's list of passkeys; removing it brings back the code step.
    # Keyboard, as for the passkey buttons: a mouse click can land while the message frame
    # is still resizing the page and be lost.
    page.get_by_role("link", name="Your passkeys").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("ul.passkeys li")
    check(page.locator("ul.passkeys li").count() == 1, "one passkey listed")
    axe(page, "passkey-list")
    shot(page, "passkey-list")
    page.get_by_role("button", name="Remove Passkey 1").click()
    page.wait_for_selector("text=The passkey was removed.")
    check(page.locator("ul.passkeys li").count() == 0, "the list is empty after removal")
    axe(page, "passkey-list-empty")
    step("removed")
    page.get_by_role("link", name="Back to the message").click()
    log_off(page)
    page.goto(links["a2"])
    page.get_by_role("button", name="Email me a code").wait_for()
    check(page.locator("#passkey").count() == 0, "no passkey offered after removal")
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    status, _ = post_json(page, f"/m/{a2}/passkey/challenge", csrf)
    check(status == 404, f"no challenge for a removed passkey: {status}")
    code_login(page, links["a2"])
    check(cfg["canary"] in message_text(page), "a2 opens with the code again")
    check(len(codes_for(a2)) == 1, "the code step came back for a2")
    step("code-again")

    # 5. Spanish for a browser asking es.
    ctx_es = browser.new_context(locale="es-ES", extra_http_headers={"Accept-Language": "es-ES,es;q=0.9"})
    page_es = ctx_es.new_page()
    code_login(page_es, links["a1"], "Enviarme un código por correo", "Abrir el mensaje")
    check(page_es.get_by_role("button", name="Crear una llave de acceso").count() == 1,
          "the offer in Spanish")
    axe(page_es, "message-offer-es")
    step("spanish")
    browser.close()

print(json.dumps(findings))
