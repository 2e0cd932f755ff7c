/* Check-in at the door: read the QR code on a member's letter with the phone's camera.
 *
 * The code holds the member's code (e.g. "GM0363", or a text or link that contains it).
 * What is read goes into the search field, which finds the member: one tap checks it in.
 * Without a camera (or without JavaScript) the search by name or code does the same.
 * jsQR (vendored, see static/vendor/README.md) decodes the frames; nothing leaves the phone.
 */
(function () {
  "use strict";
  var button = document.getElementById("scan-qr");
  var box = document.getElementById("qr-reader");
  var video = document.getElementById("qr-video");
  var status = document.getElementById("qr-status");
  var field = document.getElementById("q");
  if (!button || !box || !video || !field || typeof jsQR !== "function") return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  button.hidden = false;
  var startLabel = button.textContent;
  var stream = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var CODE = /[A-Z]{2}\d{4}/;  // "BESLUIT-LID:GM0363" on the cards (attendance/qr.py)

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    box.hidden = true;
    button.textContent = startLabel;
  }

  function found(text) {
    var match = (text || "").toUpperCase().match(CODE);
    field.value = match ? match[0] : text;
    stop();
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }

  function tick() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        found(code.data);
        return;
      }
    }
    window.requestAnimationFrame(tick);
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        box.hidden = false;
        button.textContent = button.dataset.scanLabel;
        video.play();
        window.requestAnimationFrame(tick);
      })
      .catch(function (error) {
        if (status) { box.hidden = false; status.textContent = String(error && error.message || error); }
      });
  });
})();
