// Upload forms (the actor's photos page, a contract's generated outputs):
// previews of the chosen images (a video shows its name) and a real progress
// bar while they upload (XMLHttpRequest upload events). Loaded with the page's
// CSP nonce; no inline handlers, no inline styles (the bar is a <progress>).
// Without this script, or without a file chosen, the form posts as usual and
// the server answers with the page.
(function () {
  "use strict";

  var MAX_PREVIEW_BYTES = 20 * 1024 * 1024;

  function wire(form) {
    var input = form.querySelector("input[type=file]");
    var previews = form.querySelector("[data-upload-previews]");
    var progress = form.querySelector("[data-upload-progress]");
    var errors = form.querySelector("[data-upload-errors]");
    if (!input || !previews || !progress || !errors || !window.FormData || !window.FileReader) {
      return;
    }
    var bar = progress.querySelector("progress");
    var percent = progress.querySelector("[data-upload-percent]");
    var button = form.querySelector("button[type=submit]");
    var busy = false;

    function setProgress(value) {
      bar.value = value;
      percent.textContent = String(value);
    }

    function showErrors(messages) {
      errors.replaceChildren();
      messages.forEach(function (message) {
        var line = document.createElement("div");
        line.textContent = message;
        errors.appendChild(line);
      });
      errors.hidden = messages.length === 0;
    }

    function preview(file) {
      var item = document.createElement("li");
      var figure = document.createElement("figure");
      var caption = document.createElement("figcaption");
      figure.className = "mb-0";
      caption.className = "small text-body-secondary";
      caption.textContent = file.name;
      caption.title = file.name;
      if (/^image\/(jpeg|png|webp)$/.test(file.type) && file.size <= MAX_PREVIEW_BYTES) {
        var image = document.createElement("img");
        image.alt = file.name;
        var reader = new FileReader();
        reader.addEventListener("load", function () {
          image.src = reader.result; // a data: URL, which the CSP allows for images
        });
        reader.readAsDataURL(file);
        figure.appendChild(image);
      }
      figure.appendChild(caption);
      item.appendChild(figure);
      return item;
    }

    input.addEventListener("change", function () {
      previews.replaceChildren();
      Array.prototype.forEach.call(input.files, function (file) {
        previews.appendChild(preview(file));
      });
      previews.hidden = input.files.length === 0;
      showErrors([]);
    });

    function finished(request) {
      var answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (error) {
        answer = null;
      }
      if (request.status >= 200 && request.status < 300 && answer && answer.location) {
        setProgress(100);
        window.location.assign(answer.location);
        return;
      }
      failed(answer && Array.isArray(answer.errors) && answer.errors.length ? answer.errors : null);
    }

    function failed(messages) {
      busy = false;
      button.disabled = false;
      progress.hidden = true;
      showErrors(messages || [form.getAttribute("data-upload-failed")]);
    }

    form.addEventListener("submit", function (event) {
      if (!input.files.length) {
        return; // the server says a photo is needed
      }
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      button.disabled = true;
      showErrors([]);
      setProgress(0);
      progress.hidden = false;
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action") || window.location.href);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (progressEvent) {
        if (progressEvent.lengthComputable && progressEvent.total > 0) {
          // 99 at most until the server has answered: it still checks the photos.
          setProgress(Math.min(99, Math.floor((progressEvent.loaded * 100) / progressEvent.total)));
        }
      });
      request.addEventListener("load", function () {
        finished(request);
      });
      request.addEventListener("error", function () {
        failed(null);
      });
      request.addEventListener("abort", function () {
        failed(null);
      });
      request.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-photo-upload], form[data-file-upload]").forEach(wire);
  });
})();
