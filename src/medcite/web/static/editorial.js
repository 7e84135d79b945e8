/* medcite review page: live verification of sentence edits, and picking a verified
   sentence from the cited passages. The server checks every edit again on save. */
(function () {
  "use strict";
  var page = document.querySelector(".ed-page[data-csrf]");
  if (!page) return;
  var csrf = page.getAttribute("data-csrf");

  function call(url, method, body) {
    var options = { method: method, credentials: "same-origin",
                    headers: { "accept": "application/json", "x-csrf-token": csrf } };
    if (body !== undefined) {
      options.headers["content-type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  function feedback(out, ok, text) {
    out.textContent = text;
    out.classList.toggle("verify-ok", ok);
    out.classList.toggle("verify-bad", !ok);
  }

  function initEdit(form) {
    var area = form.querySelector("textarea[name=text]");
    var out = form.querySelector(".verify-feedback");
    var timer = null;
    var seq = 0;

    function verify() {
      var mine = ++seq;
      if (!area.value.trim()) { feedback(out, false, "The sentence is empty."); return; }
      call(form.dataset.verifyUrl, "POST", { text: area.value }).then(function (result) {
        if (mine !== seq) return;
        if (!result.ok) { feedback(out, false, result.data.error ? result.data.error.message : "Cannot check now."); return; }
        var d = result.data;
        if (d.ok) {
          feedback(out, true, "✓ Passes verification: " + Math.round(d.support * 100) +
                   "% of its terms are in the cited passages and every number is traced.");
        } else {
          feedback(out, false, "✗ Would be refused. " + d.reasons.join(" "));
        }
      }).catch(function () { feedback(out, false, "Cannot check now; the server will check on save."); });
    }

    area.addEventListener("input", function () {
      clearTimeout(timer);
      out.textContent = "Checking…";
      out.classList.remove("verify-ok", "verify-bad");
      timer = setTimeout(verify, 250);
    });

    var button = form.querySelector(".show-alternatives");
    var list = form.querySelector(".alternatives");
    if (!button || !list) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      call(form.dataset.alternativesUrl, "GET").then(function (result) {
        list.replaceChildren();
        var items = result.ok ? result.data : [];
        if (!items.length) {
          var none = document.createElement("li");
          none.textContent = "No other verified sentence in the cited passages.";
          list.append(none);
        }
        items.forEach(function (text) {
          var li = document.createElement("li");
          var pick = document.createElement("button");
          pick.type = "button";
          pick.className = "link-button";
          pick.textContent = text;
          pick.addEventListener("click", function () {
            area.value = text;
            area.dispatchEvent(new Event("input"));
            area.focus();
          });
          li.append(pick);
          list.append(li);
        });
        list.hidden = false;
      });
    });
  }

  document.querySelectorAll("form.edit-form").forEach(initEdit);
})();
