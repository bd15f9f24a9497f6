// The import screen's progress bar (issue 20 §1). Without this script the forms post as
// usual. With it, the upload goes through XMLHttpRequest so the bar shows the bytes sent;
// while the server reads and checks the sheet (and while a confirmed import runs) the bar
// has no value, which browsers draw as "working".
(function () {
  "use strict";

  function bar(form) {
    var progress = form.querySelector("[data-import-progress]");
    if (progress) { progress.hidden = false; progress.removeAttribute("value"); }
    return progress;
  }

  function upload(form, event) {
    if (!window.FormData || !window.XMLHttpRequest) { return; }
    event.preventDefault();
    var progress = bar(form);
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (progress && e.lengthComputable) {
        progress.value = Math.round(100 * e.loaded / e.total);
        if (e.loaded === e.total) { progress.removeAttribute("value"); }
      }
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL !== window.location.href) {
        window.location.assign(xhr.responseURL);
      } else {
        document.open();
        document.write(xhr.responseText);
        document.close();
      }
    });
    xhr.addEventListener("error", function () { form.submit(); });
    xhr.send(new FormData(form));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var up = document.querySelector("form[data-import-upload]");
    if (up) { up.addEventListener("submit", function (e) { upload(up, e); }); }
    var confirm = document.querySelector("form[data-import-confirm]");
    if (confirm) {
      confirm.addEventListener("submit", function () {
        bar(confirm);
        var button = confirm.querySelector("button[type=submit]");
        if (button) { button.setAttribute("aria-busy", "true"); }
      });
    }
  });
}());
