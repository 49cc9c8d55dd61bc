// Instant caseload filters: the same filters exist as plain pages (one per assessor and per IQA), so
// this only saves a page load. Shows the form, then hides the rows that do not match every choice.
(function () {
  "use strict";
  var form = document.getElementById("caseload-filter");
  if (!form) { return; }
  form.hidden = false;
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("#learners-table tbody tr"));
  var status = document.getElementById("caseload-filter-status");

  function apply() {
    var chosen = selects.filter(function (s) { return s.value; });
    var shown = 0;
    rows.forEach(function (tr) {
      var ok = chosen.every(function (s) {
        var values = (tr.getAttribute("data-" + s.getAttribute("data-filter")) || "").split(" ");
        return values.indexOf(s.value) !== -1;
      });
      tr.hidden = !ok;
      if (ok) { shown += 1; }
    });
    status.textContent = chosen.length ? shown + " of " + rows.length + " learners shown" : "";
  }

  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  selects.forEach(function (s) { s.addEventListener("change", apply); });
})();
