// Sealgate portal page script (served as /static/portal.js; no inline script anywhere).
// On the link page it moves the link half from the URL fragment into this tab's
// sessionStorage and removes it from the address bar; the half never goes to the server before
// the recipient is authenticated. On the message page it posts the half with the CSRF token,
// then shows the sanitised message in the sandboxed frame and offers attachments as downloads.
// Its texts come from the page's data-t-* attributes, in the page's language.
(function () {
  "use strict";
  var root = document.getElementById("portal");
  if (!root || !root.dataset) { return; }
  var path = location.pathname.split("/");
  var id = path[1] === "m" ? path[2] : null;
  if (!id) { return; }
  var slot = "sealgate-" + id;
  if (location.hash.length > 1) {
    sessionStorage.setItem(slot, location.hash.slice(1));
    history.replaceState(null, "", location.pathname);
  }
  var box = document.getElementById("message");
  if (!box) { return; }
  var csrf = root.dataset.csrf;
  var key = sessionStorage.getItem(slot);
  var status = document.getElementById("status");
  if (!key) {
    status.textContent = root.dataset.tNokey;
    return;
  }
  var body = "csrf=" + encodeURIComponent(csrf) + "&key=" + encodeURIComponent(key);
  fetch("/m/" + id + "/open", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: body
  }).then(function (r) {
    if (!r.ok) { throw new Error(String(r.status)); }
    return r.json();
  }).then(function (m) {
    document.getElementById("from").textContent = m.from;
    document.getElementById("subject").textContent = m.subject;
    document.getElementById("meta").hidden = false;
    var frame = document.getElementById("frame");
    frame.srcdoc = m.document;
    frame.hidden = false;
    status.textContent = "";
    var list = document.getElementById("files");
    m.attachments.forEach(function (a) {
      var form = document.createElement("form");
      form.method = "post";
      form.action = "/m/" + id + "/a/" + a.index;
      [["csrf", csrf], ["key", key]].forEach(function (kv) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = kv[0]; input.value = kv[1];
        form.appendChild(input);
      });
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "secondary";
      button.textContent = root.dataset.tDownload.replace("{name}", a.name).replace("{size}", a.size);
      form.appendChild(button);
      var item = document.createElement("li");
      item.appendChild(form);
      list.appendChild(item);
    });
    document.getElementById("files-title").hidden = m.attachments.length === 0;
  }).catch(function () {
    status.textContent = root.dataset.tFailed;
  });
})();
