// Optional keyboard shortcuts for the task list; every page works without this file.
// "n" focuses the new-task field and "/" the search field, unless the user is typing.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var field = document.querySelector('[data-shortcut="' + event.key + '"]');
    if (!field) return;
    event.preventDefault();
    field.focus();
  });
})();
