// The in-store screen refreshes itself: every data-refresh seconds it fetches its own page
// and swaps in the new <main>. When the network or the server is down it keeps the last
// figures on screen and says since when (the TV must never show a browser error page).
(function () {
  "use strict";
  var screen = document.getElementById("screen");
  if (!screen || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(screen.getAttribute("data-refresh"), 10) || 60;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function stamp(offline) {
    var main = document.getElementById("screen");
    var time = document.getElementById("updated");
    var box = document.getElementById("updated-at");
    var warning = document.getElementById("offline");
    if (!offline && time && box) {
      var now = new Date();
      time.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes());
      box.hidden = false;
    }
    if (warning) { warning.hidden = !offline; }
    if (main) { main.classList.toggle("is-offline", !!offline); }
  }

  function refresh() {
    fetch(window.location.href, {cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("screen");
        if (!fresh) { throw new Error("no screen in the answer"); }
        document.getElementById("screen").replaceWith(document.importNode(fresh, true));
        stamp(false);
      })
      .catch(function () { stamp(true); });
  }

  stamp(false);
  window.setInterval(refresh, seconds * 1000);
}());
