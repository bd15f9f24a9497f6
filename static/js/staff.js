/* What every page shares (loaded by templates/base.html; the CSP forbids inline script).
   Optional comfort only: every page works without it. */
(function () {
  "use strict";
  // A refused submit: move the focus to the summary of its errors, so a screen reader reads
  // them and a phone scrolls to them (each error links to its input).
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Print buttons (receipts, handover slips).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
