/* Box screens. A box code scanned (or typed and confirmed) into a field marked
   data-scan-submit opens the box at once (scan.js fills the field and fires "change").
   In a stocktake's box check, a code scanned into the field marked data-scan-check ticks
   that box's checkbox (data-code) and empties the field for the next box; nothing is sent
   until the check is saved. */
(function () {
  "use strict";
  function codeOf(raw) {
    var text = raw.trim();
    if (/^https?:\/\//i.test(text)) {
      try { text = new URL(text).searchParams.get("box") || text; } catch (e) { /* typed */ }
    }
    return text.replace(/\s+/g, "").toUpperCase();
  }

  document.querySelectorAll("input[data-scan-submit]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.value.trim() && input.form) { input.form.requestSubmit(); }
    });
  });

  document.querySelectorAll("input[data-scan-check]").forEach(function (input) {
    function tick() {
      var code = codeOf(input.value);
      var box = code && document.querySelector("input[type='checkbox'][data-code='" +
                                                code.replace(/[^A-Z0-9-]/g, "") + "']");
      if (box) {
        box.checked = true;
        input.value = "";
        input.setAttribute("aria-invalid", "false");
      } else if (code) {
        input.setAttribute("aria-invalid", "true");
      }
      input.focus();
    }
    input.addEventListener("change", tick);
    if (input.form) {
      input.form.addEventListener("submit", function (event) { event.preventDefault(); tick(); });
    }
  });
}());
