// Instant search over search-index.js (a script, so it also works opened from disk). Enhancement only:
// without JavaScript the page says where else to look.
(function () {
  "use strict";
  var index = window.PORTFOLIO_SEARCH || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !input || !list) { return; }
  var docs = index.map(function (d) {
    return { title: d[0], url: d[1], kind: d[2], hay: (d[0] + " " + d[2] + " " + d[3]).toLowerCase() };
  });

  function run(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = ""; return; }
    var hits = docs.filter(function (d) {
      return words.every(function (w) { return d.hay.indexOf(w) !== -1; });
    });
    hits.slice(0, 100).forEach(function (d) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = d.url;
      a.textContent = d.title;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" — " + d.kind));
      list.appendChild(li);
    });
    status.textContent = hits.length === 1 ? "1 result" : hits.length + " results" +
      (hits.length > 100 ? " (first 100 shown)" : "");
  }

  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    run(input.value);
  });
  input.addEventListener("input", function () { run(input.value); });
  run(input.value);
})();
