/* Camera scanning (issue 15 item 3): a scan button after every <input data-scan="ean|code|qr">.
   The button opens the camera in a dialog; a decoded barcode or QR code fills the field and
   fires input/change, as if it had been typed. The browser's BarcodeDetector is used where
   it exists; elsewhere (Chromium on desktop Linux, Firefox, older phones) the vendored ZXing
   library (static/vendor/zxing, loaded only when needed). Nothing is fetched from outside
   and nothing runs inline: the strict CSP stays. The texts come translated from the
   <script> element's data-* attributes (templates/base.html).
   A QR code holding a URL (a receipt's trace link, a drop-off code's intake link) fills the
   field with its query parameter: the one named by data-scan-param, else the field's name;
   other inputs of the same form named like the URL's other parameters are filled too. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var text = {
    scan: me.getAttribute("data-label") || "Scan",
    title: me.getAttribute("data-title") || "Point the camera at the code",
    cancel: me.getAttribute("data-cancel") || "Cancel",
    denied: me.getAttribute("data-denied") || "The camera could not be opened.",
    failed: me.getAttribute("data-failed") || "The scanner could not be started."
  };
  var base = me.src.replace(/js\/scan\.js(\?.*)?$/, "");
  var FORMATS = {
    ean: {native: ["ean_13", "ean_8", "upc_a", "upc_e"], zxing: ["EAN_13", "EAN_8", "UPC_A", "UPC_E"]},
    code: {native: ["qr_code", "code_128", "code_39"], zxing: ["QR_CODE", "CODE_128", "CODE_39"]},
    qr: {native: ["qr_code"], zxing: ["QR_CODE"]}
  };

  function loadOnce(tag, attrs) {
    var key = attrs.src || attrs.href;
    if (document.querySelector(tag + "[" + (attrs.src ? "src" : "href") + "='" + key + "']")) {
      return Promise.resolve();
    }
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (name) { el.setAttribute(name, attrs[name]); });
      el.onload = resolve;
      el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  /* One detector interface for both engines: detect(video) → Promise of text or null. */
  function nativeDetector(kind) {
    return window.BarcodeDetector.getSupportedFormats().then(function (supported) {
      var formats = FORMATS[kind].native.filter(function (f) { return supported.indexOf(f) >= 0; });
      if (!formats.length) { throw new Error("no format"); }
      var detector = new window.BarcodeDetector({formats: formats});
      return function (video) {
        return detector.detect(video).then(function (found) {
          return found.length ? found[0].rawValue : null;
        });
      };
    });
  }

  function zxingDetector(kind) {
    return loadOnce("script", {src: base + "vendor/zxing/zxing.min.js"}).then(function () {
      var Z = window.ZXing;
      var hints = new Map();
      hints.set(Z.DecodeHintType.POSSIBLE_FORMATS,
                FORMATS[kind].zxing.map(function (f) { return Z.BarcodeFormat[f]; }));
      hints.set(Z.DecodeHintType.TRY_HARDER, true);
      var reader = new Z.MultiFormatReader();
      reader.setHints(hints);
      var canvas = document.createElement("canvas");
      return function (video) {
        if (!video.videoWidth) { return Promise.resolve(null); }
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext("2d", {willReadFrequently: true}).drawImage(video, 0, 0);
        try {
          var bitmap = new Z.BinaryBitmap(new Z.HybridBinarizer(
            new Z.HTMLCanvasElementLuminanceSource(canvas)));
          return Promise.resolve(reader.decodeWithState(bitmap).getText());
        } catch (e) {
          return Promise.resolve(null);  // no code in this frame: try the next one
        }
      };
    });
  }

  function makeDetector(kind) {
    if ("BarcodeDetector" in window) {
      return nativeDetector(kind).catch(function () { return zxingDetector(kind); });
    }
    return zxingDetector(kind);
  }

  function setValue(input, value) {
    input.value = value;
    input.dispatchEvent(new Event("input", {bubbles: true}));
    input.dispatchEvent(new Event("change", {bubbles: true}));
  }

  function fill(input, raw) {
    var url = null;
    if (/^https?:\/\//i.test(raw)) {
      try { url = new URL(raw); } catch (e) { url = null; }
    }
    if (!url) { setValue(input, raw.trim()); return; }
    var own = input.getAttribute("data-scan-param") || input.name;
    url.searchParams.forEach(function (value, name) {
      if (name === own) { return; }
      var other = input.form && input.form.querySelector("input[name='" + name + "']");
      if (other && other.type !== "hidden") { setValue(other, value); }
    });
    setValue(input, url.searchParams.get(own) || raw.trim());
  }

  function buildDialog() {
    var dialog = document.createElement("dialog");
    dialog.className = "scan-dialog";
    var title = document.createElement("p");
    title.textContent = text.title;
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.muted = true;
    var status = document.createElement("p");
    status.className = "scan-status";
    status.setAttribute("role", "alert");
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary scan-cancel";
    cancel.textContent = text.cancel;
    var box = document.createElement("article");
    box.append(title, video, status, cancel);
    dialog.appendChild(box);
    document.body.appendChild(dialog);
    return {dialog: dialog, video: video, status: status, cancel: cancel};
  }

  function openScanner(input) {
    var ui = buildDialog(), dialog = ui.dialog, video = ui.video, status = ui.status;
    var cancel = ui.cancel;
    var stream = null, done = false;

    function close() {
      done = true;
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      if (dialog.open) { dialog.close(); }
      dialog.remove();
      input.focus();
    }
    cancel.addEventListener("click", close);
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); close(); });
    dialog.showModal();

    function loop(detect) {
      if (done) { return; }
      detect(video).then(function (value) {
        if (done) { return; }
        if (value) { close(); fill(input, value); return; }
        window.setTimeout(function () { loop(detect); }, 120);
      }, function () { window.setTimeout(function () { loop(detect); }, 250); });
    }

    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
      .then(function (s) {
        stream = s;
        if (done) { close(); return null; }
        video.srcObject = s;
        return video.play();
      }, function () {
        status.textContent = text.denied;
        dialog.classList.add("scan-error");
        return null;
      })
      .then(function () {
        if (!stream || done) { return; }
        return makeDetector(input.getAttribute("data-scan") || "code").then(loop);
      })
      .catch(function () { status.textContent = text.failed; });
  }

  function addButton(input) {
    // A line copied by an "add line" script already has its button: clicks are delegated.
    if (input.parentNode.classList.contains("scan-field")) { return; }
    var wrap = document.createElement("span");
    wrap.className = "scan-field";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "scan-button secondary";
    button.textContent = text.scan;
    // Named "Scan" only (the field's label stays the field's): it says which field it fills.
    if (input.id) { button.setAttribute("aria-controls", input.id); }
    wrap.appendChild(button);
  }

  function addButtons(root) {
    var inputs = root.querySelectorAll ? root.querySelectorAll("input[data-scan]") : [];
    if (!inputs.length) { return; }
    loadOnce("link", {rel: "stylesheet", href: base + "css/scan.css"});
    inputs.forEach(addButton);
  }

  function start() {
    addButtons(document);
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest(".scan-field > .scan-button");
      var input = button && button.parentNode.querySelector("input[data-scan]");
      if (input) { openScanner(input); }
    });
    // Lines added later (the counter forms grow one line at a time) get their button too.
    new MutationObserver(function (records) {
      records.forEach(function (r) { r.addedNodes.forEach(addButtons); });
    }).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
