/* The counter intake form (templates/goods/intake_new.html). Optional comfort only: without
   this script every section is visible and the server fills in the values on "Receive". */
(function () {
  "use strict";
  var form = document.querySelector("form.intake-form");
  if (!form) { return; }
  document.documentElement.classList.add("js");

  // Donor: show only the part that belongs to the chosen kind of donor.
  function showDonorPart() {
    var checked = form.querySelector("input[name=donor_mode]:checked");
    var mode = checked ? checked.value : "anonymous";
    form.querySelectorAll(".donor [data-mode]").forEach(function (part) {
      part.classList.toggle("donor-hidden", part.getAttribute("data-mode") !== mode);
    });
  }
  form.querySelectorAll("input[name=donor_mode]").forEach(function (radio) {
    radio.addEventListener("change", showDonorPart);
  });
  showDonorPart();

  // Choosing an item prefills its fair value (and says where it came from) and opens the
  // food fields of a perishable item.
  var basisText = form.getAttribute("data-basis-text") || "";
  form.querySelectorAll("select[name$='-item_type_id']").forEach(function (select) {
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var prefix = select.name.replace(/item_type_id$/, "");
      var value = form.querySelector("[name='" + prefix + "unit_value']");
      var basis = form.querySelector("[name='" + prefix + "valuation_basis']");
      if (option && option.dataset.value && value && !value.value) {
        value.value = option.dataset.value;
        if (basis && !basis.value) { basis.value = basisText; }
      }
      var line = select.closest(".intake-line");
      var food = line ? line.querySelector("details.food-fields") : null;
      if (food && option && option.dataset.perishable) { food.open = true; }
    });
  });
}());
