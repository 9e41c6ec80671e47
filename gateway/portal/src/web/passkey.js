// Sealgate portal passkey script (served as /static/passkey.js; no inline script anywhere).
// On the link page ("open" mode) it asks the server for a challenge, lets the browser sign it
// with the recipient's passkey and posts the answer; the server then lets this session read the
// message and the page moves on to it (portal.js there uses the link half this tab kept).
// On the message page ("create" mode) it registers a new passkey for the tenant's portal host.
(function () {
  "use strict";
  var box = document.getElementById("passkey");
  if (!box || !box.dataset) { return; }
  var button = document.getElementById("passkey-button");
  var status = document.getElementById("passkey-status");
  if (!button || !window.PublicKeyCredential || !navigator.credentials) {
    box.hidden = true;
    return;
  }
  var id = location.pathname.split("/")[2];
  var csrf = box.dataset.csrf;

  function text(buf) {
    var s = "";
    new Uint8Array(buf).forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function bytes(t) {
    t = t.replace(/-/g, "+").replace(/_/g, "/");
    while (t.length % 4) { t += "="; }
    var s = atob(t);
    var a = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) { a[i] = s.charCodeAt(i); }
    return a;
  }
  function post(path, fields) {
    var body = "csrf=" + encodeURIComponent(csrf);
    Object.keys(fields).forEach(function (k) {
      body += "&" + k + "=" + encodeURIComponent(fields[k]);
    });
    return fetch("/m/" + id + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) { throw new Error(j.error || String(r.status)); }
        return j;
      });
    });
  }
  function failed(e) {
    // The reason (a DOMException name or the server's generic line) for whoever debugs.
    if (window.console) { console.warn("passkey: " + (e && (e.name + " " + e.message))); }
    status.textContent = box.dataset.failed;
    button.disabled = false;
  }
  function create() {
    post("/passkey/new", {}).then(function (o) {
      o.challenge = bytes(o.challenge);
      o.user.id = bytes(o.user.id);
      o.excludeCredentials.forEach(function (c) { c.id = bytes(c.id); });
      return navigator.credentials.create({ publicKey: o });
    }).then(function (c) {
      return post("/passkey/add", {
        client_data: text(c.response.clientDataJSON),
        attestation: text(c.response.attestationObject)
      });
    }).then(function (j) {
      status.textContent = j.message;
      button.hidden = true;
    }).catch(failed);
  }
  function open() {
    post("/passkey/challenge", {}).then(function (o) {
      o.challenge = bytes(o.challenge);
      o.allowCredentials.forEach(function (c) { c.id = bytes(c.id); });
      return navigator.credentials.get({ publicKey: o });
    }).then(function (c) {
      return post("/passkey/login", {
        credential: text(c.rawId),
        client_data: text(c.response.clientDataJSON),
        authenticator_data: text(c.response.authenticatorData),
        signature: text(c.response.signature)
      });
    }).then(function (j) {
      location.assign(j.next);
    }).catch(failed);
  }
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = box.dataset.working;
    if (box.dataset.mode === "create") { create(); } else { open(); }
  });
})();
