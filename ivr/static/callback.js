/* The web callback form: posts to /callback/api and shows the answer or each field's reason (textContent). */
(function () {
  "use strict";
  var form = document.getElementById("callback-form");
  var day = document.getElementById("cb-date");
  function iso(d) { return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2); }
  var today = new Date();
  day.min = iso(today);
  day.max = iso(new Date(today.getTime() + 14 * 86400000));
  if (!day.value) day.value = iso(new Date(today.getTime() + 86400000));
  var conversation = new URLSearchParams(location.search).get("conversation_id");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ["phone", "topic", "date", "window"].forEach(function (k) { document.getElementById("err-" + k).textContent = ""; });
    var body = { name: form.name.value, phone: form.phone.value, topic: form.topic.value, date: form.date.value,
      window: form.window.value };
    if (conversation) body.conversation_id = conversation;
    var result = document.getElementById("cb-result");
    fetch("/callback/api", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (d) { return [r.ok, d]; }); })
      .then(function (p) {
        var d = p[1];
        if (p[0]) { result.textContent = d.message; form.querySelector("button").disabled = true; return; }
        result.textContent = d.error;
        Object.keys(d.fields || {}).forEach(function (k) {
          var span = document.getElementById("err-" + k);
          if (span) span.textContent = d.fields[k];
        });
      }).catch(function () { result.textContent = "送信できませんでした。時間をおいてお試しください。"; });
  });
})();
