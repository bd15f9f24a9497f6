/* Find as you type at the counter (intake, distribution, sale). Optional comfort: without
   JavaScript the search boxes stay hidden (items are chosen from the list or by barcode)
   and the household search is a plain form. Each box names its JSON endpoint
   (data-lookup, charity/goods/views/lookup.py) and what a result does:
   - data-pick="select": put the chosen item into this line's item list;
   - data-pick="link": results are links (households: "Choose"). */
(function () {
  "use strict";
  var WAIT_MS = 250;

  function resultsFor(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function itemButton(input, row) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary outline lookup-choice";
    button.textContent = row.name + (row.unit ? "（" + row.unit + "）" : "") +
      (row.barcode ? " · " + row.barcode : "");
    button.addEventListener("click", function () {
      var select = document.getElementById(input.getAttribute("data-target"));
      if (select) {
        select.value = String(row.id);
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      resultsFor(input).replaceChildren();
      input.value = "";
      var line = input.closest("tr, fieldset");
      var qty = line ? line.querySelector("[name$='-quantity']") : null;
      if (qty) { qty.focus(); }
    });
    return button;
  }

  function householdLink(input, row) {
    var link = document.createElement("a");
    link.setAttribute("role", "button");
    link.className = "secondary outline lookup-choice";
    link.href = row.url;
    link.textContent = input.getAttribute("data-choose") + " " + row.name +
      (row.community ? " · " + row.community : "") + " · " + row.points_text;
    return link;
  }

  function show(input, answer) {
    var box = resultsFor(input);
    var items = answer.results.map(function (row) {
      var li = document.createElement("li");
      li.appendChild(input.getAttribute("data-pick") === "select" ?
        itemButton(input, row) : householdLink(input, row));
      return li;
    });
    if (!items.length && answer.q) {
      var none = document.createElement("li");
      none.className = "lookup-empty";
      none.textContent = input.getAttribute("data-empty");
      items.push(none);
    }
    box.replaceChildren.apply(box, items);
  }

  function watch(input) {
    var timer = null;
    var asked = 0;
    input.hidden = false;
    var label = input.previousElementSibling;
    if (label && label.tagName === "LABEL") { label.hidden = false; }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim();
        var mine = ++asked;
        if (!q) { resultsFor(input).replaceChildren(); return; }
        var url = input.getAttribute("data-lookup") + "&q=" + encodeURIComponent(q);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { q: q, results: [] }; })
          .then(function (answer) { if (mine === asked) { show(input, answer); } })
          .catch(function () { /* offline: the list and the plain search still work */ });
      }, WAIT_MS);
    });
  }

  document.querySelectorAll("input[data-lookup]").forEach(watch);
}());
