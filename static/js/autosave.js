// Autosave of a section page. A few seconds after the user stops typing, the form is posted
// in the background as an ordinary save: the same view, validation and revision rule as the
// buttons, answered in JSON (plans/autosave.py) so the page stays exactly as the user left it.
// A section is saved whole or not at all; what the server refuses stays on the page, flagged.
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }

  var DELAY = 2000; // after the last keystroke
  var status = form.querySelector(".autosave-status");
  var slot = form.querySelector(".autosave-slot");
  var dialog = document.querySelector("dialog.sign-in-again");
  var edits = 0; // changes made on the page so far
  var saved = 0; // of those, how many the server has stored
  var timer = null;
  var inFlight = false;
  var paused = false; // until the user resolves a conflict or signs in again
  var retryDelay = 0;
  var submitter = null; // a button pressed while a background save was under way
  var submitting = false;
  var flagged = [];

  function text(key) { return form.getAttribute("data-text-" + key) || ""; }
  function say(message) { status.textContent = message; }
  function dirty() { return edits > saved; }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function changed(event) {
    if (event.target.closest(".autosave-slot")) { return; }
    edits += 1;
    say(text("unsaved"));
    if (!paused) { schedule(DELAY); }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // Django numbers a table's rows 0..n-1 with the saved rows (those with an id) first.
  // A row added on this page gets its id from a background save, so before every save the
  // rows are put back in that order and numbered again; the focus stays where it was.
  function renumber() {
    form.querySelectorAll("table[data-formset]").forEach(function (table) {
      var prefix = table.getAttribute("data-formset");
      if (!form.querySelector('[data-formset-add="' + prefix + '"]')) { return; } // fixed rows
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.querySelectorAll("tr.formset-row"));
      var hasId = function (row) {
        var id = row.querySelector('input[type="hidden"][name$="-id"]');
        return id !== null && id.value !== "";
      };
      var ordered = rows.filter(hasId).concat(rows.filter(function (row) { return !hasId(row); }));
      if (ordered.some(function (row, i) { return row !== rows[i]; })) {
        var focused = document.activeElement;
        var range = focused && "selectionStart" in focused ? [focused.selectionStart, focused.selectionEnd] : null;
        ordered.forEach(function (row) {
          var errors = row.nextElementSibling;
          body.appendChild(row);
          if (errors && errors.classList.contains("row-errors")) { body.appendChild(errors); }
        });
        if (focused && document.activeElement !== focused) {
          focused.focus();
          if (range) { try { focused.setSelectionRange(range[0], range[1]); } catch (e) { /* not a text field */ } }
        }
      }
      var pattern = new RegExp("^(id_)?" + prefix + "-\\d+-");
      ordered.forEach(function (row, index) {
        row.querySelectorAll("[name], [id], label[for]").forEach(function (element) {
          ["name", "id", "for"].forEach(function (attribute) {
            var value = element.getAttribute(attribute);
            if (value && pattern.test(value)) {
              element.setAttribute(attribute, value.replace(pattern, "$1" + prefix + "-" + index + "-"));
            }
          });
        });
      });
      document.getElementById("id_" + prefix + "-TOTAL_FORMS").value = String(ordered.length);
      document.getElementById("id_" + prefix + "-INITIAL_FORMS").value = String(ordered.filter(hasId).length);
    });
  }

  function clearFlags() {
    flagged.forEach(function (element) {
      element.classList.remove("is-invalid");
      element.removeAttribute("aria-invalid");
    });
    flagged = [];
    form.querySelectorAll(".autosave-feedback").forEach(function (note) { note.remove(); });
  }

  function flag(fields) {
    fields.forEach(function (field) {
      var element = document.getElementById(field.id);
      if (!element) { return; }
      element.classList.add("is-invalid");
      element.setAttribute("aria-invalid", "true");
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block autosave-feedback";
      note.textContent = field.message;
      element.insertAdjacentElement("afterend", note);
      flagged.push(element);
    });
  }

  // The summary a refused save brings replaces any earlier one (also one the page came with).
  function showSummary(html) {
    document.querySelectorAll(".error-summary").forEach(function (old) { old.remove(); });
    slot.innerHTML = html; // rendered by the server, user text escaped there
    document.querySelectorAll(".section-state").forEach(function (state) { state.classList.add("d-none"); });
  }

  function showConflict(message, revision) {
    paused = true;
    slot.innerHTML = "";
    var box = document.createElement("div");
    box.className = "alert alert-warning autosave-conflict";
    box.setAttribute("role", "alert");
    var paragraph = document.createElement("p");
    paragraph.textContent = message;
    var keep = document.createElement("button");
    keep.type = "button";
    keep.className = "btn btn-sm btn-warning me-2";
    keep.textContent = text("keep-mine");
    keep.addEventListener("click", function () {
      form.querySelector('input[name="revision"]').value = String(revision);
      paused = false;
      slot.innerHTML = "";
      save();
    });
    var theirs = document.createElement("a");
    theirs.href = form.getAttribute("data-overview-url");
    theirs.target = "_blank";
    theirs.rel = "noopener";
    theirs.className = "btn btn-sm btn-link";
    theirs.textContent = text("see-theirs");
    box.append(paragraph, keep, theirs);
    slot.appendChild(box);
    say(message);
  }

  // The plan check's findings for this section, asked for after each save: the save
  // itself checks nothing beyond its section (its query budget), the findings page does.
  function refreshFindings() {
    var current = document.getElementById("section-findings");
    if (!current) { return; }
    fetch(current.getAttribute("data-findings-url"), { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { return null; }
      return response.text();
    }).then(function (html) {
      var shown = document.getElementById("section-findings");
      if (!html || !shown) { return; }
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("section-findings");
      if (fresh) {
        if (shown.classList.contains("d-none")) { fresh.classList.add("d-none"); }
        shown.replaceWith(fresh);
      }
    }, function () { /* offline: the findings shown stay until the next save */ });
  }

  function answered(data) {
    inFlight = false;
    retryDelay = 0;
    if (data.state === "saved") {
      Object.keys(data.created).forEach(function (name) {
        var input = form.elements.namedItem(name);
        if (input) { input.value = String(data.created[name]); }
      });
      form.querySelector('input[name="revision"]').value = String(data.revision);
      clearFlags();
      showSummary("");
      document.querySelectorAll(".section-state").forEach(function (state) { state.classList.remove("d-none"); });
      say(text("saved").replace("__TIME__", data.saved_at));
      refreshFindings();
    } else if (data.state === "invalid") {
      clearFlags();
      showSummary(data.summary);
      flag(data.fields);
      say(text("invalid"));
    } else if (data.state === "stale") {
      showConflict(data.message, data.revision);
    } else if (data.state === "signed_out") {
      paused = true;
      say(text("signed-out"));
      dialog.showModal();
      dialog.querySelector('input[type="password"]').focus();
    } else {
      paused = true; // the plan was submitted or closed meanwhile: the user must look
      say(data.message || text("failed"));
    }
    if (submitter) {
      var button = submitter;
      submitter = null;
      form.requestSubmit(button);
    } else if (!paused && data.state === "saved" && dirty()) {
      schedule(DELAY);
    }
  }

  function save() {
    window.clearTimeout(timer);
    if (inFlight || paused || submitting || !dirty()) { return; }
    renumber();
    inFlight = true;
    var sending = edits;
    say(text("saving"));
    fetch(window.location.pathname, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { state: "failed" }; }).then(function (data) {
        if (data.state === "saved") { saved = sending; }
        answered(data);
      });
    }, function () {
      // Offline, or the server is down: keep everything and try again, less and less often.
      inFlight = false;
      retryDelay = Math.min(Math.max(retryDelay * 2, 5000), 60000);
      say(text("offline"));
      schedule(retryDelay);
    });
  }

  // A button pressed during a background save waits for it (its revision is the new one).
  form.addEventListener("submit", function (event) {
    if (inFlight) {
      event.preventDefault();
      submitter = event.submitter;
      return;
    }
    window.clearTimeout(timer);
    renumber();
    submitting = true;
  });

  // Closing the tab or switching away: send what is not saved yet at once.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(); }
  });

  // Leaving with changes the server does not have yet asks first.
  window.addEventListener("beforeunload", function (event) {
    if (dirty() && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });

  // Signing in again from the page: the new session's CSRF token goes to every form.
  dialog.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    var error = dialog.querySelector(".sign-in-again-error");
    fetch(form.getAttribute("data-sign-in-url"), {
      method: "POST",
      body: new FormData(event.target),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { error.textContent = data.message || text("failed"); return; }
        document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
          input.value = data.csrf_token;
        });
        event.target.querySelector('input[type="password"]').value = "";
        error.textContent = "";
        dialog.close();
        paused = false;
        save();
      });
    }, function () { error.textContent = text("offline"); });
  });

  // After a refused save the page opens at the list of errors; its links focus the field.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[data-focus]");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("data-focus"));
    if (target) {
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    }
  });
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.scrollIntoView({ block: "start" });
    summary.focus();
  }
})();
