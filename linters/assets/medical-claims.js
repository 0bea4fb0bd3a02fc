/* Registry page: filter the claims table by review status or flag.
 * Buttons carry data-filter="all" | "status:<status>" | "flag:<flag>"; rows carry
 * data-status and data-flags. The toolbar is hidden until this script runs, so
 * without JavaScript the page simply shows every claim. */
(function () {
  "use strict";

  function apply(bar, table, button) {
    var filter = button.getAttribute("data-filter");
    var sep = filter.indexOf(":");
    var kind = sep < 0 ? "all" : filter.slice(0, sep);
    var value = sep < 0 ? "" : filter.slice(sep + 1);
    var shown = 0;
    var rows = table.querySelectorAll("tr.claim-row");
    rows.forEach(function (row) {
      var flags = (row.getAttribute("data-flags") || "").split(" ");
      var match =
        kind === "all" ||
        (kind === "status" && row.getAttribute("data-status") === value) ||
        (kind === "flag" && flags.indexOf(value) >= 0);
      row.hidden = !match;
      if (match) shown += 1;
    });
    bar.querySelectorAll("button[data-filter]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    var live = bar.querySelector(".claims-filter-shown");
    if (live) live.textContent = shown + " of " + rows.length + " claims shown";
  }

  function setup() {
    document.querySelectorAll("[data-claims-filter]").forEach(function (bar) {
      if (bar.getAttribute("data-ready")) return;
      var table = document.getElementById(bar.getAttribute("data-claims-filter"));
      if (!table) return;
      bar.setAttribute("data-ready", "1");
      bar.hidden = false;
      bar.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-filter]");
        if (button) apply(bar, table, button);
      });
    });
  }

  // Material's instant navigation swaps pages without a reload and announces each through document$.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
