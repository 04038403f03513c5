// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Lets CSS hide what only the no-JavaScript fallback needs (e.g. "Gem svar").
  document.documentElement.classList.add("js");

  // Buttons with data-confirm ask before their form is sent (no inline handlers: CSP).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);

  // <dialog> modals: buttons with data-dialog-open="id" / data-dialog-close.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.dataset.dialogOpen);
      if (dialog && dialog.showModal) {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) {
      var parent = closer.closest("dialog");
      if (parent) {
        event.preventDefault();
        parent.close();
      }
    }
  });

  // After HTMX swaps in content that announces itself, move focus there so
  // keyboard and screen-reader users follow the change.
  document.addEventListener("htmx:afterSettle", function () {
    var focusTarget = document.querySelector("[data-autofocus]");
    if (focusTarget && focusTarget !== document.activeElement) {
      focusTarget.focus();
      focusTarget.removeAttribute("data-autofocus");
    }
  });
})();
