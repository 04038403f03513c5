// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Lets CSS hide what only the no-JavaScript fallback needs (e.g. "Gem svar").
  document.documentElement.classList.add("js");

  // A search box inside a form that searches as one types (the plan's course picker):
  // Enter searches, it does not send the form around it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-no-submit-on-enter]")) {
      event.preventDefault();
    }
  });

  // The plan's activity form: the catalogue's course and session show only while the
  // kind is "Kursus fra kataloget"; hidden, they are emptied, so the form never sends a
  // course the person cannot see.
  function showCatalogueFields(kind) {
    if (!kind.form) { return; }
    var shown = kind.value === kind.getAttribute("data-course-kind");
    kind.form.querySelectorAll("[data-catalogue-field]").forEach(function (select) {
      var field = select.closest(".field") || select;
      field.hidden = !shown;
      if (!shown) { select.value = ""; }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-course-kind]")) {
      showCatalogueFields(event.target);
    }
  });
  document.querySelectorAll("select[data-course-kind]").forEach(showCatalogueFields);

  // The grouped main menu (<details data-nav-group>): one group open at a time; Escape
  // or a click elsewhere closes it, and Escape gives focus back to its button.
  function navGroups() {
    return document.querySelectorAll("details[data-nav-group]");
  }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details[data-nav-group]") || !opened.open) {
      return;
    }
    navGroups().forEach(function (group) {
      if (group !== opened) { group.open = false; }
    });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    navGroups().forEach(function (group) {
      if (group.open) {
        group.open = false;
        if (group.contains(document.activeElement)) { group.querySelector("summary").focus(); }
      }
    });
  });
  document.addEventListener("click", function (event) {
    navGroups().forEach(function (group) {
      if (group.open && !group.contains(event.target)) { group.open = false; }
    });
  });

  // A menu that scrolls sideways (a long flat menu on a phone) shows the current page.
  document.querySelectorAll(".nav-strip [aria-current=page]").forEach(function (link) {
    var strip = link.closest(".nav-strip");
    if (strip.scrollWidth > strip.clientWidth) {
      strip.scrollLeft = link.offsetLeft - (strip.clientWidth - link.offsetWidth) / 2;
    }
  });

  // Tables: each scrolls inside its own box on a narrow screen, never the page. A box
  // that does scroll can be reached and scrolled with the keyboard, and says which
  // table it holds (its caption).
  function tableBoxes() {
    document.querySelectorAll("main table.table").forEach(function (table) {
      if (table.parentElement.classList.contains("table-scroll")) { return; }
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentElement.insertBefore(box, table);
      box.appendChild(table);
    });
    markScrollingBoxes();
  }
  function markScrollingBoxes() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        var caption = box.querySelector("caption");
        var name = (caption && caption.textContent.trim()) ||
          box.querySelector("table").getAttribute("aria-label") ||
          document.body.dataset.tableLabel || "Tabel";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name);
      } else if (box.getAttribute("role") === "region" && box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tableBoxes);
  } else {
    tableBoxes();
  }
  // Whether a box scrolls changes with the window (a phone turned) and with late layout
  // (fonts, charts): mark again whenever a box's size changes, before the next paint.
  if ("ResizeObserver" in window) {
    var boxWatcher = new ResizeObserver(markScrollingBoxes);
    var watchBoxes = function () {
      document.querySelectorAll(".table-scroll").forEach(function (box) { boxWatcher.observe(box); });
    };
    document.addEventListener("DOMContentLoaded", watchBoxes);
    document.addEventListener("htmx:afterSettle", watchBoxes);
    if (document.readyState !== "loading") { watchBoxes(); }
  }
  window.addEventListener("load", markScrollingBoxes);
  window.addEventListener("resize", markScrollingBoxes);
  document.addEventListener("htmx:afterSettle", tableBoxes);

  // Buttons with data-confirm ask before their form is sent (no inline handlers: CSP).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);

  // Autosave (elements with data-autosave and hx-post): nothing says "Gemt" unless the
  // server stored it. While a save is under way the row says so; a save that fails
  // (an error status, no connection, a time-out) keeps the answer on the page, marks
  // the row as not saved with the reason, and is sent again with growing pauses until
  // it goes through. A 401 means the session ended: a dialog asks the person to sign
  // in again in a new tab, and the waiting answers are sent when they come back.
  var texts = document.getElementById("autosave-text");
  var pending = new Set();
  var retryTimer = null;
  var retryDelay = 2000;
  var signedOut = false;

  function say(key, status) {
    var message = (texts && texts.dataset[key]) || "";
    return status ? message.replace("{status}", status) : message;
  }

  function autosaveBox(element) {
    return element && element.closest ? element.closest("[data-autosave]") : null;
  }

  function statusOf(box) {
    var target = box.getAttribute("hx-target");
    var element = target && target.charAt(0) === "#" ? document.getElementById(target.slice(1)) : null;
    return element || box.querySelector("[role=status]");
  }

  function show(box, message, kind) {
    var status = statusOf(box);
    if (!status) {
      return;
    }
    status.textContent = message;
    status.classList.toggle("save-error", kind === "error");
    status.classList.toggle("save-pending", kind === "pending");
  }

  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function sendAgain() {
    retryTimer = null;
    pending.forEach(function (box) {
      if (!box.isConnected) {
        pending.delete(box);
        return;
      }
      window.htmx.trigger(box, "change");
    });
  }

  function retryLater() {
    if (retryTimer || signedOut) {
      return;
    }
    retryTimer = window.setTimeout(sendAgain, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function askToSignIn() {
    signedOut = true;
    var dialog = document.getElementById("signed-out");
    if (dialog && !dialog.open && dialog.showModal) {
      dialog.showModal();
    }
  }

  function backAfterSigningIn() {
    if (!signedOut || pending.size === 0) {
      return;
    }
    signedOut = false;
    sendAgain();
  }

  // Signing in again (in another tab) gives a new CSRF token; send the current one, in
  // the header and in the form field that Django reads first, and keep the page's forms
  // up to date for their ordinary submits.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfCookie();
    if (!token) {
      return;
    }
    event.detail.headers["X-CSRFToken"] = token;
    var parameters = event.detail.parameters;
    if (parameters && typeof parameters.has === "function" && parameters.has("csrfmiddlewaretoken")) {
      parameters.set("csrfmiddlewaretoken", token);
    }
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      input.value = token;
    });
  });

  // A form that saves many fields at once (data-autosave-follow) shows its one status
  // beside the field that was just typed in, not at the end of the form.
  function followField(box, detail) {
    if (!box.hasAttribute("data-autosave-follow")) {
      return;
    }
    var trigger = detail.requestConfig && detail.requestConfig.triggeringEvent;
    var source = trigger && trigger.target;
    var field = source && source.closest ? source.closest(".field") : null;
    var status = statusOf(box);
    if (field && status && box.contains(field) && status.parentNode !== field) {
      field.appendChild(status);
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var box = autosaveBox(event.detail.elt);
    if (box) {
      followField(box, event.detail);
      show(box, say("saving"), "pending");
    }
  });

  function failed(box, xhr) {
    var status = xhr ? xhr.status : 0;
    box.classList.add("is-unsaved");
    pending.add(box);
    if (status === 401) {
      show(box, say("signedOut"), "error");
      askToSignIn();
      return;
    }
    show(box, status ? say("failed", status) : say("offline"), "error");
    retryLater();
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var box = autosaveBox(event.detail.elt);
    if (!box) {
      return;
    }
    if (event.detail.successful) {
      // Stored (or refused with a reason the server put in the row): no longer waiting.
      box.classList.remove("is-unsaved");
      pending.delete(box);
      if (pending.size === 0) {
        retryDelay = 2000;
        var dialog = document.getElementById("signed-out");
        if (dialog && dialog.open) {
          dialog.close();
        }
      }
      return;
    }
    failed(box, event.detail.xhr);
  });

  document.addEventListener("htmx:sendError", function (event) {
    var box = autosaveBox(event.detail.elt);
    if (box) {
      failed(box, null);
    }
  });

  document.addEventListener("htmx:timeout", function (event) {
    var box = autosaveBox(event.detail.elt);
    if (box) {
      failed(box, null);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-retry-saves]")) {
      signedOut = true;
      backAfterSigningIn();
    }
  });
  window.addEventListener("focus", backAfterSigningIn);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      backAfterSigningIn();
    }
  });

  // Leaving the page with answers not yet saved asks first.
  window.addEventListener("beforeunload", function (event) {
    if (pending.size > 0) {
      event.preventDefault();
      event.returnValue = "";
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
