// Public licence pages: copy buttons for hashes, and "Check a file", where the
// browser computes the chosen file's SHA-256 (WebCrypto) and opens its page.
// The file is never uploaded. Without this script (or without WebCrypto, which
// browsers give only to secure pages) the hash is pasted into the text field.
(function () {
  "use strict";

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (byte) {
        return byte.toString(16).padStart(2, "0");
      })
      .join("");
  }

  function setUpCopy(button) {
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    var label = button.querySelector("span");
    var original = label.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        label.textContent = button.getAttribute("data-copied-label");
        window.setTimeout(function () {
          label.textContent = original;
        }, 2000);
      });
    });
  }

  function setUpFileCheck(form) {
    if (!(window.crypto && window.crypto.subtle && window.FileReader)) {
      return;
    }
    var box = form.querySelector("[data-output-file]");
    var input = box.querySelector("input[type=file]");
    var status = box.querySelector("[data-output-status]");
    var field = form.querySelector("input[name=sha256]");
    box.hidden = false;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) {
        return;
      }
      status.textContent = form.getAttribute("data-hashing-label");
      file
        .arrayBuffer()
        .then(function (bytes) {
          return window.crypto.subtle.digest("SHA-256", bytes);
        })
        .then(function (digest) {
          var sha256 = hex(digest);
          field.value = sha256;
          window.location.assign(form.getAttribute("data-output-url") + encodeURIComponent(sha256) + "/");
        })
        .catch(function () {
          status.textContent = form.getAttribute("data-hash-failed-label");
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(setUpCopy);
    document.querySelectorAll("[data-output-check]").forEach(setUpFileCheck);
  });
})();
