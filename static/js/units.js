// A line's unit select offers the chosen item's packaging units only (issue 20 §2). The
// select's options carry data-item; the base unit ("") is always offered. Without this
// script every option shows and the server refuses a unit of another item.
(function () {
  "use strict";
  function sync(unitSelect) {
    var item = document.getElementById(unitSelect.getAttribute("data-units-of"));
    if (!item) { return; }
    var any = false;
    Array.prototype.forEach.call(unitSelect.options, function (option) {
      var of = option.getAttribute("data-item");
      var mine = !of || of === item.value;
      option.hidden = !mine;
      option.disabled = !mine;
      if (of && mine) { any = true; }
      if (!mine && option.selected) { unitSelect.value = ""; }
    });
    unitSelect.hidden = !any;
  }
  function init() {
    document.querySelectorAll("select[data-units-of]").forEach(function (unitSelect) {
      var item = document.getElementById(unitSelect.getAttribute("data-units-of"));
      if (item) { item.addEventListener("change", function () { sync(unitSelect); }); }
      sync(unitSelect);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
