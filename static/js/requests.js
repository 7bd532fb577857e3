// Request pages: a live character count under text areas with a limit.
// Loaded with the page's CSP nonce; works on content htmx swaps in.
(function () {
  "use strict";

  function update(field) {
    var counter = document.querySelector('.char-counter[data-counter-for="' + field.id + '"]');
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!counter || !max) {
      return;
    }
    var used = field.value.length;
    counter.textContent = used + " / " + max;
    counter.classList.toggle("char-counter-over", used > max);
  }

  function wire(root) {
    root.querySelectorAll("textarea[data-char-counter]").forEach(update);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-char-counter]")) {
      update(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    wire(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    wire(event.target.parentNode || document);
  });
})();
