// Small progressive enhancements; every page also works without JavaScript.
(function () {
  "use strict";

  // The language switch submits itself when changed.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Row tables: "add a row" clones the formset's empty form; the remove toggle marks the
  // row for deletion on save (nothing typed is lost until the author saves).
  function refreshEmptyHint(table) {
    var section = table.closest(".row-table-section");
    var hint = section && section.querySelector(".empty-hint");
    if (hint) { hint.classList.toggle("d-none", table.tBodies[0].rows.length > 0); }
  }

  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var table = document.querySelector('table[data-formset="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      table.tBodies[0].insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      refreshEmptyHint(table);
      var rows = table.tBodies[0].querySelectorAll("tr.formset-row");
      var first = rows[rows.length - 1].querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
  });

  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("row-delete")) {
      event.target.closest("tr").classList.toggle("row-removed", event.target.checked);
    }
  });
  document.querySelectorAll(".row-delete:checked").forEach(function (box) {
    box.closest("tr").classList.add("row-removed");
  });

  // Row text boxes grow with their text: app.css does it with field-sizing where the
  // browser has it, this where it has not. A one-line box (a name) wraps but takes no
  // line break: Enter does nothing there (unless it confirms an input method's choice).
  if (!(window.CSS && CSS.supports("field-sizing", "content"))) {
    var fit = function (box) {
      box.style.height = "auto";
      box.style.height = box.scrollHeight + 2 + "px";
    };
    document.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches(".row-table textarea")) { fit(event.target); }
    });
    document.querySelectorAll(".row-table textarea").forEach(fit);
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.isComposing && event.target.matches &&
        event.target.matches("textarea[data-single-line]")) {
      event.preventDefault();
    }
  });

  // Guidance panels remember whether they are open, per user and section: each toggle
  // is posted to the panel's data-remember URL.
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  document.querySelectorAll("details[data-remember]").forEach(function (panel) {
    panel.addEventListener("toggle", function () {
      if (!csrf) { return; }
      var body = new URLSearchParams({ open: panel.open ? "1" : "0" });
      fetch(panel.getAttribute("data-remember"), {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRFToken": csrf.value, "Accept": "application/json" }
      }).catch(function () { /* the panel still works; only the memory is lost */ });
    });
  });

  // A block with data-poll is replaced by a fresh copy from that URL every few seconds
  // until the copy carries no data-poll itself (a version's PDFs while they are made).
  function poll(block) {
    var url = block.getAttribute("data-poll");
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();
          var fresh = holder.firstElementChild;
          block.replaceWith(fresh);
          if (fresh.hasAttribute("data-poll")) { poll(fresh); }
        })
        .catch(function () { poll(block); });
    }, 3000);
  }
  document.querySelectorAll("[data-poll]").forEach(poll);
  // Section pages: static/js/autosave.js saves in the background and warns before leaving.
})();
