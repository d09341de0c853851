// Sign-up: preselect the browser's time zone in the list (without script, the
// list itself is the fallback). Only a zone the list offers is selected.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
    if (option) select.value = zone;
  });
})();
