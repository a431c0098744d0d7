// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // After htmx swaps in an error summary, move focus to it so screen readers announce it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.detail.target.querySelector && event.detail.target.querySelector(".error-summary");
    if (summary) { summary.focus(); }
    // A swapped fragment may name the control that should keep the keyboard focus
    // (e.g. the agenda's move buttons: the moved item's button after reordering).
    var keep = event.detail.target.querySelector && document.querySelector("[data-focus-after-swap]");
    if (keep) { keep.focus(); }
  });
  // Copy buttons: <button data-copy="#id"> copies that element's value or text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) { return; }
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) { return; }
    navigator.clipboard.writeText(source.value || source.textContent.trim()).then(function () {
      var done = button.getAttribute("data-copied");
      if (done) { button.textContent = done; }
    });
  });
})();
