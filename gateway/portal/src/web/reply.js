// Sealgate portal reply form (served as /static/reply.js): copies this tab's link half (kept
// by portal.js in sessionStorage) into the form's hidden `key` field, so the gateway can open
// the copy for its threading facts. Without it the server answers "open the link again".
(function () {
  "use strict";
  var path = location.pathname.split("/");
  if (path[1] !== "m" || !path[2]) { return; }
  var key = sessionStorage.getItem("sealgate-" + path[2]);
  var field = document.getElementById("reply-key");
  if (field && key) { field.value = key; }
})();
