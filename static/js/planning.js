// Optional improvements for planning on the task list; every page works without this file.
// Listeners sit on the document: static/js/tasks.js replaces parts of the list in place.
(function () {
  "use strict";

  // The sort menu applies itself; without script its button does.
  document.documentElement.classList.add("js-autosubmit");
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  // Quick add: a live chip saying which date and priority the title will get.
  // The server reads the phrase with the same parser that saves it, in the
  // user's time zone and language; nothing is saved.
  var timer = null;
  var latest = 0;
  function preview(form, input) {
    var output = form.querySelector(".quick-add-preview");
    var value = input.value;
    var ticket = ++latest;
    if (!output) return;
    if (!value.trim()) { output.textContent = ""; return; }
    var url = form.dataset.previewUrl + "?title=" + encodeURIComponent(value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (ticket !== latest || !data) return;
        var current = document.querySelector("form[data-preview-url] .quick-add-preview");
        if (current) current.textContent = data.chip;
      })
      .catch(function () {});
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    var form = input.closest && input.closest("form[data-preview-url]");
    if (!form || input.name !== "title") return;
    clearTimeout(timer);
    timer = setTimeout(function () { preview(form, input); }, 150);
  });
  // A title typed before this script ran (or kept by the browser on Back) gets its chip now.
  var typed = document.querySelector("form[data-preview-url] input[name=title]");
  if (typed && typed.value.trim()) preview(typed.form, typed);
  // After an add the chip empties with the field.
  document.addEventListener("submit", function (event) {
    if (!event.target.matches("form[data-preview-url]")) return;
    latest++;
    var output = event.target.querySelector(".quick-add-preview");
    if (output) output.textContent = "";
  }, true);
})();
