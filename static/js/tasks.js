// The task list, improved in place: every page works without this file.
//
// Forms marked data-inplace (quick add, undo, bulk actions, inline title edit,
// and the list's one row form, which each row's toggle and delete buttons submit
// to their own URL with `formaction`) are sent with fetch(); the server answers
// as it does without JavaScript (a redirect to the list), and the parts of the
// page marked data-region are swapped for the new ones. Scroll position stays, focus moves
// to a sensible place, and the messages region (role="status") announces the
// result. A small script rather than htmx: one rendering path on the server,
// no attributes to keep in step, nothing injected inline (the CSP forbids it).
//
// Keyboard shortcuts (never while typing in a field): ? help, n new task,
// / search, Esc leaves the search or closes the help, j/k next/previous task,
// x done/open, e edit the title, # delete (with Undo in the message).
(function () {
  "use strict";

  var lastDeletedId = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".task-list > .task-row"));
  }

  function rowOf(element) {
    return element && element.closest ? element.closest(".task-row") : null;
  }

  function quickAddInput() {
    return document.querySelector(".quick-add-input");
  }

  function focusElement(element) {
    if (!element) return;
    element.focus({ preventScroll: true });
    var box = element.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      element.scrollIntoView({ block: "nearest" });
    }
  }

  function focusRow(row, selector) {
    if (!row) return false;
    focusElement(row.querySelector(selector || ".task-toggle"));
    return true;
  }

  // The row a submission acts on: its button's (the row form is outside the rows),
  // or its form's (the inline title edit).
  function rowActedOn(form, submitter) {
    return rowOf(submitter) || rowOf(form);
  }

  // Where focus goes once the page has been updated, decided before the request.
  function focusPlan(form, submitter) {
    var row = rowActedOn(form, submitter);
    var all = rows();
    var index = row ? all.indexOf(row) : -1;
    if (form.classList.contains("quick-add")) {
      var sent = quickAddInput().value;
      return function (typed) {
        // Whatever was typed meanwhile (the next task) survives the update.
        if (typed !== sent) quickAddInput().value = typed;
        focusElement(quickAddInput());
      };
    }
    if (form.classList.contains("task-rename-form")) {
      return function () {
        focusRow(document.getElementById(row.id), ".task-title") || focusElement(quickAddInput());
      };
    }
    if (row) {
      var sameRow = Boolean(submitter) && submitter.classList.contains("task-toggle");
      if (!sameRow) lastDeletedId = row.id;
      return function () {
        var now = rows();
        if (sameRow && focusRow(document.getElementById(row.id))) return;
        // The next row takes the place of one that left the list, else the previous one.
        focusRow(now[index] || now[index - 1]) || focusElement(quickAddInput());
      };
    }
    if (form.classList.contains("message-undo")) {
      var restored = lastDeletedId;
      return function () {
        focusRow(restored && document.getElementById(restored)) ||
          focusRow(rows()[0]) || focusElement(quickAddInput());
      };
    }
    var action = form.getAttribute("action");
    return function () {
      var again = document.querySelector('form[action="' + action + '"] button');
      focusElement(again || (rows()[0] && rows()[0].querySelector(".task-toggle")) || quickAddInput());
    };
  }

  function swap(html, url) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-region]").forEach(function (region) {
      var replacement = fresh.querySelector('[data-region="' + region.dataset.region + '"]');
      if (replacement) region.replaceWith(document.adoptNode(replacement));
    });
    // Update the live region's content, not the element, so it is announced.
    var messages = document.getElementById("messages");
    var freshMessages = fresh.getElementById("messages");
    if (messages && freshMessages) messages.innerHTML = freshMessages.innerHTML;
    document.title = fresh.title;
    if (url) history.replaceState(null, "", url);
  }

  // One request at a time, each applied in order: an update rendered before the
  // next action's change can never land after it and hide it.
  var queue = Promise.resolve();

  // What a request is busy with: the row whose button sent it (the rows share
  // one form), else the form.
  function busyPart(form, submitter) {
    return rowOf(submitter) || form;
  }

  function send(form, submitter) {
    // The form's fields and the button's name and value, posted where the
    // button says (formaction), as the browser would without this file.
    var data = new FormData(form, submitter);
    if (submitter && submitter.name && !data.has(submitter.name)) {
      data.append(submitter.name, submitter.value); // a browser that ignores FormData's submitter
    }
    var url = form.action;
    if (submitter && submitter.hasAttribute("formaction")) url = submitter.formAction;
    var after = focusPlan(form, submitter);
    busyPart(form, submitter).setAttribute("aria-busy", "true");
    queue = queue
      .then(function () {
        return fetch(url, { method: "POST", body: data, credentials: "same-origin" });
      })
      .then(function (response) {
        var target = new URL(response.url);
        if (!response.ok || target.pathname !== window.location.pathname) {
          // Signed out, a task gone meanwhile, another page: load it as a browser would.
          window.location.assign(response.ok ? response.url : window.location.href);
          return null;
        }
        return response.text().then(function (html) {
          var typed = quickAddInput() ? quickAddInput().value : "";
          var scroll = window.scrollY;
          swap(html, target.pathname + target.search);
          window.scrollTo(0, scroll);
          after(typed);
        });
      })
      .catch(function () {
        form.removeAttribute("data-inplace");
        if (submitter && submitter.form === form) form.requestSubmit(submitter);
        else form.submit();
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute("data-inplace")) return;
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-no-inplace")) return;
    event.preventDefault();
    // A second click while the first is on its way would undo it (toggle) or 404
    // (delete); the quick add may send the next task meanwhile.
    var busy = busyPart(form, submitter);
    if (busy.hasAttribute("aria-busy") && !form.classList.contains("quick-add")) return;
    send(form, submitter);
  });

  // --- Inline title edit -----------------------------------------------------------

  function startEdit(row) {
    if (!row || row.querySelector(".task-rename-form")) return;
    var link = row.querySelector(".task-title");
    var form = document.createElement("form");
    form.method = "post";
    form.action = row.dataset.renameUrl;
    form.className = "task-rename-form";
    form.setAttribute("data-inplace", "");
    // The list state and token, from the form the row's buttons submit.
    var rowForm = row.querySelector("button[form]").form;
    rowForm.querySelectorAll("input[type=hidden]").forEach(function (input) {
      form.appendChild(input.cloneNode());
    });
    // The version the row was rendered at: a rename over a newer one is refused.
    var version = document.createElement("input");
    version.type = "hidden";
    version.name = "version";
    version.value = row.dataset.version || "";
    form.appendChild(version);
    var input = document.createElement("input");
    input.type = "text";
    input.name = "title";
    input.maxLength = 200;
    input.required = true;
    input.value = link.textContent;
    input.className = "task-rename-input";
    // The label comes translated from the page (task_list.html).
    var labelled = row.closest("[data-rename-label]");
    input.setAttribute("aria-label", labelled ? labelled.dataset.renameLabel : "");
    input.autocomplete = "off";
    form.appendChild(input);
    link.hidden = true;
    link.after(form);
    input.focus();
    input.select();

    function cancel() {
      form.remove();
      link.hidden = false;
      focusElement(link);
    }
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        cancel();
      }
    });
    input.addEventListener("blur", function () {
      if (!form.isConnected || form.hasAttribute("aria-busy")) return;
      if (input.value.trim() === link.textContent.trim()) cancel();
      else form.requestSubmit();
    });
  }

  document.addEventListener("click", function (event) {
    var edit = event.target.closest("[data-edit]");
    if (edit && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      startEdit(rowOf(edit));
    }
    if (event.target.closest("[data-shortcuts-open]")) openHelp();
  });

  // --- Keyboard shortcuts ------------------------------------------------------------

  function openHelp() {
    var dialog = document.getElementById("shortcuts-dialog");
    if (dialog && !dialog.open) dialog.showModal();
  }

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function currentRow() {
    return rowOf(document.activeElement);
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(currentRow());
    var next = index === -1 ? (step > 0 ? 0 : all.length - 1) : index + step;
    if (next >= 0 && next < all.length) focusRow(all[next]);
  }

  // As a click on the row's button: its form, its URL, its name and value.
  function press(row, selector) {
    var button = row && row.querySelector(selector);
    if (button && button.form) button.form.requestSubmit(button);
  }

  var shortcuts = {
    "?": openHelp,
    n: function () { focusElement(quickAddInput()); },
    "/": function () { focusElement(document.getElementById("task-search-q")); },
    j: function () { move(1); },
    k: function () { move(-1); },
    x: function () { press(currentRow(), ".task-toggle"); },
    e: function () { startEdit(currentRow()); },
    "#": function () { press(currentRow(), ".task-icon-delete"); },
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (event.key === "Escape" && target.id === "task-search-q") {
      target.blur();
      focusRow(rows()[0]) || document.getElementById("main").focus();
      return;
    }
    if (typing(target) || document.querySelector("dialog[open]")) return;
    var shortcut = shortcuts[event.key];
    if (!shortcut) return;
    event.preventDefault();
    shortcut();
  });

  document.querySelectorAll(".shortcut-hint").forEach(function (hint) {
    hint.hidden = false;
  });
})();
