/* Box screens: a box code scanned (or typed and confirmed) into a field marked
   data-scan-submit opens the box at once: scan.js fills the field and fires "change". */
(function () {
  "use strict";
  document.querySelectorAll("input[data-scan-submit]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.value.trim() && input.form) { input.form.requestSubmit(); }
    });
  });
}());
