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

  // --- Nothing typed is lost ------------------------------------------------------------------
  // An autosaved form (data-autosave) is "dirty" from the first keystroke until a save of it
  // answers. Leaving the page while one is dirty asks first; a workflow button (any other form's
  // submit, e.g. "Godkend notatet") first saves every dirty form, then goes on.
  var dirty = new Set();
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosave]");
    if (form) { dirty.add(form); form.dataset.typedAt = String(Date.now()); }
    if (event.target.tagName === "TEXTAREA") { grow(event.target); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.dataset && dirty.has(form)) { form.dataset.sentAt = String(Date.now()); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !dirty.has(form) || !event.detail.successful) { return; }
    // Typed again while this save was under way: still dirty (the next save takes it).
    if (Number(form.dataset.typedAt || 0) <= Number(form.dataset.sentAt || 0)) { dirty.delete(form); }
    form.dispatchEvent(new CustomEvent("sus:saved", { bubbles: true }));
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty.size && !window.__susLeaving) { event.preventDefault(); event.returnValue = ""; }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-autosave")) {
      if (!window.htmx) { dirty.delete(form); }  // a plain post saves it
      return;
    }
    if (!dirty.size || !window.htmx) { window.__susLeaving = true; return; }
    event.preventDefault();
    var submitter = event.submitter;
    var pending = Array.from(dirty);
    var left = pending.length;
    var go = function () {
      if (dirty.size) { return; }  // a save failed: stay, the form shows why
      window.__susLeaving = true;
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    };
    pending.forEach(function (editor) {
      editor.addEventListener("sus:saved", function done() {
        editor.removeEventListener("sus:saved", done);
        left -= 1;
        if (left === 0) { go(); }
      });
      window.htmx.trigger(editor, "submit");
    });
  }, true);
  // Textareas grow with their text (CSS field-sizing where the browser has it).
  var sizing = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  function grow(area) {
    if (sizing) { return; }
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }
  document.querySelectorAll("textarea").forEach(grow);
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
// Menus of edit controls (templates/agendas/_menu.html, a <details>): Esc closes the open menu
// and gives the focus back to its button; a click elsewhere closes it.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || document.querySelector("dialog[open]")) { return; }
    var menu = event.target.closest && event.target.closest("details.menu[open]");
    if (!menu) { return; }
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
  });
})();
