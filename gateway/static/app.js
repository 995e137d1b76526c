// Progressive enhancement only: every page works without this file.
// Autocomplete: fill the search box's <datalist> from /api/suggest as the user types.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var last = "";
  var controller = null;

  function fill(words) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    words.forEach(function (word) {
      var option = document.createElement("option");
      option.value = word; // text, never markup
      list.appendChild(option);
    });
  }

  function lookup() {
    var prefix = input.value.trim();
    if (prefix === last) { return; }
    last = prefix;
    if (prefix.length < 1) { fill([]); return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    var url = input.getAttribute("data-suggest") + "?size=8&q=" + encodeURIComponent(prefix.slice(0, 100));
    fetch(url, { headers: { "Accept": "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (body) { if (input.value.trim() === prefix) { fill(body.suggestions || []); } })
      .catch(function () { /* offline or aborted: the form still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookup, 150);
  });

  // Changing the sort order re-runs the search at once.
  var sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", function () { sort.form.submit(); });
  }
})();

// Page comfort: move focus to an error summary or confirm step, remember the reader's time zone
// (pages then show times in it; Japan otherwise), and open the filter drawer on wide screens.
(function () {
  "use strict";
  var target = document.querySelector("[data-autofocus]");
  if (target && document.activeElement !== target) { target.focus(); }
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) < 0) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: Japan time */ }
  var drawer = document.getElementById("filters-drawer");
  if (drawer && window.matchMedia && window.matchMedia("(min-width: 48.01rem)").matches) {
    drawer.open = true;
  }
})();
