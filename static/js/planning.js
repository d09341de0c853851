// Optional improvements for planning on the task list; every page works without this file.
(function () {
  "use strict";

  // The sort menu applies itself; without script its button does.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.form.classList.add("js-autosubmit");
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Quick add: a live chip saying which date and priority the title will get.
  // The server reads the phrase with the same parser that saves it, in the
  // user's time zone and language; nothing is saved.
  var form = document.querySelector("form[data-preview-url]");
  if (!form) return;
  var input = form.querySelector("input[name=title]");
  var output = form.querySelector(".quick-add-preview");
  var timer = null;
  var latest = 0;
  function preview() {
    var value = input.value;
    var ticket = ++latest;
    if (!value.trim()) { output.textContent = ""; return; }
    var url = form.dataset.previewUrl + "?title=" + encodeURIComponent(value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (ticket !== latest || !data) return;
        output.textContent = data.chip;
      })
      .catch(function () { output.textContent = ""; });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(preview, 150);
  });
  // After an add (the page reloads or the form is reset), the chip empties.
  form.addEventListener("submit", function () { latest++; output.textContent = ""; });
})();
