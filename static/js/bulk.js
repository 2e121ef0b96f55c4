/* signhub: the list's bulk selection. The checkboxes and buttons are a plain form (POST to
   the evidence pack or the CSV export) that works without this script; it adds the count,
   "select all on this page" (in the table head, and in the bar on phones), and Esc to clear. */
(function () {
  "use strict";

  function boxes(form) {
    return document.querySelectorAll("input[type=checkbox][name=ids][form='" + form.id + "']");
  }

  function update(form) {
    var all = boxes(form), chosen = 0;
    all.forEach(function (box) {
      if (box.checked) chosen += 1;
      var row = box.closest("tr");
      if (row) row.classList.toggle("selected", box.checked);
    });
    var count = form.querySelector("[data-bulk-count]");
    count.textContent = chosen ? chosen + " selected" : "None selected";
    form.classList.toggle("has-selection", chosen > 0);
    form.querySelectorAll("[data-bulk-needs-selection]").forEach(function (button) {
      button.disabled = chosen === 0;
    });
    // Two "select all on this page" boxes: the table head's, and the bar's (phones, where
    // the head is hidden). Both need this script, so they appear with it.
    document.querySelectorAll("[data-select-page-label]").forEach(function (label) {
      label.hidden = false;
    });
    document.querySelectorAll("[data-select-page]").forEach(function (page) {
      page.hidden = false;
      page.checked = chosen > 0 && chosen === all.length;
      page.indeterminate = chosen > 0 && chosen < all.length;
    });
  }

  function setup() {
    var form = document.querySelector("form[data-bulk]");
    if (form && !form.dataset.ready) {
      form.dataset.ready = "1";
      update(form);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setup();
    document.body.addEventListener("htmx:afterSettle", setup);
    document.body.addEventListener("change", function (event) {
      var form = document.querySelector("form[data-bulk]");
      if (!form) return;
      var target = event.target;
      if (target.matches("[data-select-page]")) {
        boxes(form).forEach(function (box) { box.checked = target.checked; });
        update(form);
      } else if (target.matches("input[name=ids]")) {
        update(form);
      }
    });
    document.addEventListener("keydown", function (event) {
      // An Esc that closed the drawer (signhub.js) does not also clear the selection.
      if (event.key !== "Escape" || event.defaultPrevented) return;
      var form = document.querySelector("form[data-bulk]");
      if (!form) return;
      var any = false;
      boxes(form).forEach(function (box) { if (box.checked) { box.checked = false; any = true; } });
      if (any) update(form);
    });
  });
})();
