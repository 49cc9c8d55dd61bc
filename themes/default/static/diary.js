// Instant diary filters: the same filters exist as plain pages (links above), so this only saves a
// page load. Shows the form, then hides entries that do not match every chosen value.
(function () {
  "use strict";
  var form = document.getElementById("diary-filter");
  if (!form) { return; }
  form.hidden = false;
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var items = Array.prototype.slice.call(document.querySelectorAll(".entry-list > li"));
  var status = document.getElementById("diary-filter-status");

  function apply() {
    var chosen = selects.filter(function (s) { return s.value; });
    var shown = 0;
    items.forEach(function (li) {
      var ok = chosen.every(function (s) {
        var values = (li.getAttribute("data-" + s.getAttribute("data-filter")) || "").split(" ");
        return values.indexOf(s.value) !== -1;
      });
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    status.textContent = chosen.length ? shown + " of " + items.length + " entries shown" : "";
  }

  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  selects.forEach(function (s) { s.addEventListener("change", apply); });
})();
