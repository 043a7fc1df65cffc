// The review screen (templates/reviews/version.html). Without JavaScript every button is
// a link to the section's comment form, with the row chosen by the server.
(function () {
  "use strict";

  var page = document.querySelector(".review-page");
  if (!page) { return; }

  // "Comment on this section" and each row's button bring the section's one comment form
  // to where the reviewer is reading (under the heading, under the row) with the row
  // chosen, instead of sending them to the end of a long section.
  var opened = null; // {form, home, holder, button} while the form is away from home

  function putBack() {
    if (!opened) { return; }
    opened.home.parentNode.insertBefore(opened.form, opened.home);
    opened.home.remove();
    if (opened.holder) { opened.holder.remove(); }
    opened.form.querySelector("[data-comment-cancel]").classList.add("d-none");
    var choice = opened.form.querySelector("select[name=row]");
    if (choice) { choice.value = ""; }
    var button = opened.button;
    opened = null;
    return button;
  }

  function holderAfter(row) {
    // A table row gets a row of its own below it; a list item (the SWOT grid) an item.
    var holder, inner;
    if (row.tagName === "TR") {
      holder = document.createElement("tr");
      inner = document.createElement("td");
      inner.colSpan = row.cells.length;
      holder.appendChild(inner);
    } else {
      holder = inner = document.createElement("li");
      holder.className = "list-group-item";
    }
    holder.classList.add("comment-composer");
    row.after(holder);
    return { holder: holder, inner: inner };
  }

  function open(button) {
    var key = button.getAttribute("data-comment-section");
    var form = page.querySelector('form[data-comment-form="' + key + '"]');
    if (!form) { return false; }
    putBack();
    var home = document.createComment("comment form");
    form.parentNode.insertBefore(home, form);
    var rowKey = button.getAttribute("data-comment-row");
    var holder = null;
    if (rowKey) {
      var place = holderAfter(button.closest("tr, li"));
      holder = place.holder;
      place.inner.appendChild(form);
    } else {
      var section = document.getElementById(key);
      section.querySelector(".card-body").prepend(form);
    }
    var choice = form.querySelector("select[name=row]");
    if (choice) { choice.value = rowKey; }
    form.querySelector("[data-comment-cancel]").classList.remove("d-none");
    opened = { form: form, home: home, holder: holder, button: button };
    form.querySelector("textarea").focus();
    return true;
  }

  page.addEventListener("click", function (event) {
    var button = event.target.closest("[data-comment-section]");
    if (button && open(button)) { event.preventDefault(); return; }
    if (event.target.closest("[data-comment-cancel]")) {
      var back = putBack();
      if (back) { back.focus(); }
    }
  });
  page.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && opened && opened.form.contains(event.target)) {
      var back = putBack();
      if (back) { back.focus(); }
    }
  });

  // The jump list marks the section being read.
  var links = {};
  page.querySelectorAll(".review-jump-link").forEach(function (link) {
    links[link.getAttribute("href").slice(1)] = link;
  });
  if (!("IntersectionObserver" in window)) { return; }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var link = links[entry.target.id];
      if (!link || !entry.isIntersecting) { return; }
      Object.keys(links).forEach(function (id) {
        links[id].classList.remove("active");
        links[id].removeAttribute("aria-current");
      });
      link.classList.add("active");
      link.setAttribute("aria-current", "location");
    });
  }, { rootMargin: "-20% 0px -70% 0px" });
  Object.keys(links).forEach(function (id) {
    var target = document.getElementById(id);
    if (target) { observer.observe(target); }
  });
})();
