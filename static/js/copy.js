// A "Copy" button next to a read-only field (a one-time link): copies the field's text. Without scripts the button
// stays hidden and the field can be selected by hand; no inline script anywhere (Content-Security-Policy).
(function () {
  "use strict";

  function setUp(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      source.select();
      var done = function () {
        button.textContent = button.dataset.copied;
        window.setTimeout(function () { button.textContent = label; }, 2000);
      };
      // The selection copied at once, inside the click: the asynchronous clipboard can wait on a permission that a
      // browser never asks for, and then neither copies nor says so. It is the fallback; the text stays selected.
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      if (copied) {
        done();
      } else if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(done, function () {});
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(setUp);
    document.querySelectorAll("input[data-copy-source]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  });
})();
