/* medcite: streams an answer into the page, shows the passage behind each citation,
   and remembers the reader's role. Builds the same markup as templates/_macros.html. */
(function () {
  "use strict";

  var labels = JSON.parse(document.getElementById("ui-labels").textContent);
  var AUDIENCE_KEY = "medcite.audience";
  var AUDIENCE_COOKIE = "medcite_audience";

  /* -- small DOM builder ------------------------------------------------------------ */

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.append(child);
    }
    return node;
  }

  function heading(level, text) {
    return el("h" + Math.min(level, 6), { text: text });
  }

  /* Replace a node's children, skipping empty ones. */
  function fill(node, children) {
    node.replaceChildren.apply(node, children.filter(function (c) { return c !== null && c !== undefined; }));
  }

  function joined(nodes) {
    var out = [];
    nodes.forEach(function (node, i) {
      if (i) out.push(" ");
      out.push(node);
    });
    return out;
  }

  /* -- the answer's anatomy (mirrors _macros.html) ------------------------------------- */

  function sentenceEl(s) {
    var span = el("span", { className: "sentence" }, el("span", { className: s.text.indexOf("\n") >= 0 ? "sentence-text sentence-list" : "sentence-text", text: s.text }));
    (s.citations || []).forEach(function (n) {
      span.append(" ", el("button", {
        type: "button", className: "cite", "data-n": n,
        "data-passages": (s.passage_ids || []).join(" "), "aria-haspopup": "dialog",
        "aria-label": "Source [" + n + "]: show the supporting passage", text: "[" + n + "]"
      }));
    });
    return span;
  }

  function sentencesEl(section) {
    if (labels.bullet_kinds.indexOf(section.kind) >= 0) {
      var list = el("ul", { className: "sentences" });
      section.sentences.forEach(function (s) { list.append(el("li", {}, sentenceEl(s))); });
      return list;
    }
    var p = el("p", { className: "sentences" });
    p.append.apply(p, joined(section.sentences.map(sentenceEl)));
    return p;
  }

  function statusNoteEl(status, notice) {
    if (status === "answered") {
      return notice ? el("div", { className: "status-note status-notice", role: "note" },
        el("p", { className: "notice", text: notice })) : null;
    }
    /* Explained once: an emergency's instruction or the scope notice is the explanation;
       other statuses keep their own text and add the notice (dosing, fallback). */
    var explains = notice && labels.notice_statuses.indexOf(status) >= 0;
    var text = explains ? el("span", { className: "notice", text: notice }) : labels.status_text[status];
    var extra = notice && !explains ? el("p", { className: "notice", text: notice }) : null;
    return el("div", {
      className: "status-note status-" + status, role: status === "emergency" ? "alert" : "note"
    }, el("p", {}, el("strong", { text: labels.status_notes[status] + "." }), " ", text), extra);
  }

  function summaryEl(data, h) {
    if (!data.summary.length) return null;
    var p = el("p");
    p.append.apply(p, joined(data.summary.map(sentenceEl)));
    var verdict = data.verdict ? el("p", { className: "verdict" },
      el("strong", { text: "Verdict:" }), " " + data.verdict.replace(/_/g, " ")) : null;
    return el("section", { className: "bottom-line" }, heading(h, "Bottom line"), p, verdict);
  }

  function addSection(slot, section, h) {
    if (labels.research_kinds.indexOf(section.kind) >= 0) {
      var group = slot.querySelector(".section-research-group");
      if (!group) {
        group = el("section", { className: "section section-research-group" }, heading(h, "From the Research"));
        slot.append(group);
      }
      group.append(el("section", { className: "subsection section-" + section.kind },
        heading(h + 1, section.title), sentencesEl(section)));
      return;
    }
    slot.append(el("section", { className: "section section-" + section.kind },
      heading(h, section.title), sentencesEl(section)));
  }

  function missingEl(missing, h) {
    if (!missing.length) return null;
    var list = el("ul");
    missing.forEach(function (item) { list.append(el("li", { text: item })); });
    return el("section", { className: "missing" }, heading(h, "What the evidence does not cover"), list);
  }

  function referenceType(kind) {
    return labels.reference_types[kind] || kind.charAt(0).toUpperCase() + kind.slice(1).replace(/-/g, " ");
  }

  function referenceUrl(ref) {
    if (ref.url) return ref.url;
    if (ref.pmid) return "https://pubmed.ncbi.nlm.nih.gov/" + ref.pmid + "/";
    if (ref.doi) return "https://doi.org/" + ref.doi;
    return null;
  }

  /* The evidence level, unless it only repeats the type ("Guideline"). */
  function levelEl(ref) {
    if (ref.evidence_label.toLowerCase() === referenceType(ref.kind).toLowerCase()) return null;
    return el("span", { className: "ref-level", text: ref.evidence_label });
  }

  function sourceLine(ref) {
    return [ref.journal || ref.organization, ref.year].filter(Boolean).join(", ");
  }

  function referencesEl(refs, h) {
    if (!refs.length) return null;
    var list = el("ol", { className: "reference-list" });
    refs.forEach(function (ref) {
      var url = referenceUrl(ref);
      var links = el("p", { className: "ref-links" });
      if (url) links.append(el("a", { className: "ref-url", href: url, rel: "noopener noreferrer external", text: "Source" }), " · ");
      links.append(el("a", { className: "ref-doc", href: "/documents/" + encodeURIComponent(ref.doc_id), text: "Passages in medcite" }));
      list.append(el("li", { className: "reference", value: ref.n, "data-n": ref.n },
        el("p", { className: "ref-tags" },
          el("span", { className: "ref-type ref-" + ref.kind, text: referenceType(ref.kind) }), " ",
          levelEl(ref),
          ref.outdated ? " " : null,
          ref.outdated ? el("span", { className: "ref-outdated", text: "may be outdated" }) : null),
        el("p", { className: "ref-title", text: ref.title || ref.doc_id }),
        el("p", { className: "ref-source", text: sourceLine(ref) }),
        links));
    });
    return el("section", { className: "references" }, heading(h, "References"), list);
  }

  function disclaimerEl(audience, text, h) {
    return el("section", { className: "disclaimer" },
      heading(h, labels.disclaimer_titles[audience]), el("p", { text: text }));
  }

  function longDate(iso) {
    var day = new Date(iso.slice(0, 10) + "T00:00:00Z");
    return day.toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  }

  /* -- streaming ---------------------------------------------------------------------- */

  function parseEvent(block) {
    var event = "message";
    var data = [];
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) event = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
    });
    return { event: event, data: data.length ? JSON.parse(data.join("\n")) : null };
  }

  function streamAnswer(article) {
    var h = parseInt(article.getAttribute("data-h"), 10) || 2;
    var body = article.querySelector(".answer-body");
    var progress = body.querySelector(".progress");
    var progressText = body.querySelector(".progress-text");
    var slot = function (name) { return article.querySelector(".slot-" + name); };
    var finished = false;

    function setProgress(text) { if (progressText) progressText.textContent = text; }

    function finish() {
      finished = true;
      body.setAttribute("aria-busy", "false");
      if (progress) progress.remove();
    }

    function fail(error) {
      finish();
      var note = el("div", { className: "status-note status-error", role: "alert" },
        el("p", { text: (error && error.message) || "The answer could not be loaded." }),
        el("p", {}, el("a", { href: window.location.href, text: "Try again" })));
      slot("summary").append(note);
    }

    var handlers = {
      start: function () { setProgress("Searching the guidelines and studies…"); },
      summary: function (data) {
        var note = statusNoteEl(data.status, data.notice);
        if (note) slot("status").append(note);
        var summary = summaryEl(data, h);
        if (summary) slot("summary").append(summary);
        setProgress("Writing the answer…");
      },
      section: function (section) { addSection(slot("sections"), section, h); },
      references: function (refs) {
        article.medciteRefs = refs;
        var section = referencesEl(refs, h);
        if (section) slot("references").append(section);
      },
      done: function (answer) {
        article.medciteRefs = answer.references;
        var missing = missingEl(answer.missing || [], h);
        if (missing) slot("missing").append(missing);
        fill(slot("disclaimer"), answer.disclaimer ? [disclaimerEl(answer.audience, answer.disclaimer, h)] : []);
        var time = article.querySelector(".last-updated");
        if (time && answer.generated_at) {
          time.setAttribute("datetime", answer.generated_at.slice(0, 10));
          time.textContent = longDate(answer.generated_at);
        }
        if (answer.thread_id) {
          article.id = "turn-" + answer.turn;
          var form = document.querySelector(".follow-up-form");
          if (form) {
            form.setAttribute("action", "/threads/" + encodeURIComponent(answer.thread_id));
            form.querySelector("button[type=submit]").disabled = false;
          }
          history.replaceState(null, "", "/threads/" + encodeURIComponent(answer.thread_id) + "#turn-" + answer.turn);
        }
        finish();
        var status = el("p", { className: "visually-hidden", role: "status",
          text: "Answer ready with " + answer.references.length + " references." });
        body.append(status);
      },
      error: function (error) { fail(error.error); }
    };

    fetch(article.getAttribute("data-stream-url"), { headers: { Accept: "text/event-stream" } })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(function (data) { fail(data.error); }, function () {
            fail({ message: "The server answered " + response.status + "." });
          });
        }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) {
              if (!finished) fail({ message: "The answer stream ended early. Reload the page to try again." });
              return;
            }
            buffer += decoder.decode(chunk.value, { stream: true });
            var cut;
            while ((cut = buffer.indexOf("\n\n")) >= 0) {
              var item = parseEvent(buffer.slice(0, cut));
              buffer = buffer.slice(cut + 2);
              if (handlers[item.event]) handlers[item.event](item.data);
            }
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        if (!finished) fail({ message: "The connection to the server was lost. Reload the page to try again." });
      });
  }

  /* -- the passage behind a citation ------------------------------------------------- */

  var lastTrigger = null;

  function referencesOf(article) {
    if (!article) return [];
    if (!article.medciteRefs) {
      var data = article.querySelector(".references-data");
      article.medciteRefs = data ? JSON.parse(data.textContent) : [];
    }
    return article.medciteRefs;
  }

  /* Where ``needle`` sits in ``text``, ignoring whitespace and case: [start, end) or null. */
  function findLoose(text, needle) {
    var positions = [];
    var squashed = "";
    for (var i = 0; i < text.length; i++) {
      if (!/\s/.test(text[i])) { positions.push(i); squashed += text[i].toLowerCase(); }
    }
    var target = needle.replace(/\s+/g, "").toLowerCase();
    var candidates = [target, target.replace(/[.!?]+$/, "")];
    for (var c = 0; c < candidates.length; c++) {
      var at = candidates[c] ? squashed.indexOf(candidates[c]) : -1;
      if (at >= 0) return [positions[at], positions[at + candidates[c].length - 1] + 1];
    }
    return null;
  }

  function passageEl(passage, sentence) {
    var text = el("p", { className: "passage-text" });
    var span = findLoose(passage.text, sentence);
    if (span) {
      text.append(passage.text.slice(0, span[0]), el("mark", { text: passage.text.slice(span[0], span[1]) }),
        passage.text.slice(span[1]));
    } else {
      text.textContent = passage.text;
    }
    return el("blockquote", { className: "source-passage", "data-passage-id": passage.passage_id },
      passage.section ? el("p", { className: "passage-section", text: passage.section }) : null, text);
  }

  function anchor(passageId) {
    return "p-" + passageId.replace(/[^A-Za-z0-9_-]+/g, "-");
  }

  function openSource(button) {
    var dialog = document.getElementById("source-dialog");
    if (!dialog) return;
    var n = parseInt(button.getAttribute("data-n"), 10);
    var ref = referencesOf(button.closest(".answer")).filter(function (r) { return r.n === n; })[0];
    if (!ref) return;
    var ids = (button.getAttribute("data-passages") || "").split(" ").filter(Boolean);
    var passages = ref.passages.filter(function (p) { return ids.indexOf(p.passage_id) >= 0; });
    if (!passages.length) passages = ref.passages;
    var sentence = button.closest(".sentence").querySelector(".sentence-text").textContent;
    dialog.querySelector("#source-dialog-title").textContent = "Source [" + n + "]";
    fill(dialog.querySelector(".source-meta"), [
      el("span", { className: "ref-type ref-" + ref.kind, text: referenceType(ref.kind) }), " ",
      levelEl(ref),
      ref.outdated ? " " : null, ref.outdated ? el("span", { className: "ref-outdated", text: "may be outdated" }) : null,
      el("span", { className: "source-title", text: ref.title || ref.doc_id }),
      el("span", { className: "source-line", text: sourceLine(ref) })]);
    fill(dialog.querySelector(".source-passages"), passages.map(function (p) { return passageEl(p, sentence); }));
    var link = dialog.querySelector(".source-doc");
    link.setAttribute("href", "/documents/" + encodeURIComponent(ref.doc_id) + (passages[0] ? "#" + anchor(passages[0].passage_id) : ""));
    lastTrigger = button;
    dialog.showModal();
    var mark = dialog.querySelector("mark");
    if (mark) mark.scrollIntoView({ block: "nearest" });
  }

  function initDialog() {
    var dialog = document.getElementById("source-dialog");
    if (!dialog) return;
    dialog.querySelector(".dialog-close").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();  /* a click on the backdrop */
    });
    dialog.addEventListener("close", function () {
      if (lastTrigger) lastTrigger.focus();
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button.cite");
      if (button) openSource(button);
    });
  }

  /* -- the reader's role ------------------------------------------------------------- */

  function rememberAudience(value) {
    try { localStorage.setItem(AUDIENCE_KEY, value); } catch (e) { /* private mode */ }
    document.cookie = AUDIENCE_COOKIE + "=" + value + "; path=/; max-age=31536000; SameSite=Lax";
  }

  function initAudience() {
    var saved = null;
    try { saved = localStorage.getItem(AUDIENCE_KEY); } catch (e) { /* private mode */ }
    var home = document.querySelector(".ask-form");
    if (home && saved && document.cookie.indexOf(AUDIENCE_COOKIE + "=") < 0) {
      var radio = home.querySelector('input[name="audience"][value="' + saved + '"]');
      if (radio) radio.checked = true;
    }
    document.querySelectorAll('input[name="audience"]').forEach(function (input) {
      input.addEventListener("change", function () {
        if (!input.checked) return;
        rememberAudience(input.value);
        var form = input.closest("form.audience-switch");
        if (form) form.submit();
      });
    });
  }

  initAudience();
  initDialog();
  document.querySelectorAll("article.answer[data-stream-url]").forEach(streamAnswer);
})();
