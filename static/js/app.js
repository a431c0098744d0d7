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
// Asking first (app/confirm.py): a confirmation dialog swapped in by htmx opens modally;
// "No" or Esc closes it and the keyboard focus returns to the button that asked.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var dialog = target.querySelector && target.querySelector("dialog.confirm-dialog");
    if (!dialog || !dialog.showModal) { return; }
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var opener = form && form.querySelector ? form.querySelector("button[type=submit]") : null;
    dialog.addEventListener("close", function () {
      dialog.remove();
      if (opener) { opener.focus(); }
    });
    dialog.showModal();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-close-dialog]");
    var dialog = button && button.closest("dialog");
    if (dialog) { dialog.close(); }
  });
})();
