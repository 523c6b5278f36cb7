/* Child Protection Monitor: small accessibility repairs of what the pages render, kept up to date
   as Dash redraws them. Served from assets/ (the Content Security Policy allows 'self' only).

   - A table wider than its card scrolls sideways in its .table-responsive wrapper; a keyboard
     user can scroll it only if the wrapper takes focus, so a wrapper that scrolls gets
     tabindex="0", role="region" and a name (the table's caption or the section's heading).
   - Dash's dcc.Dropdown puts a focusable input, hidden from screen readers, in front of its
     button (it passes the focus on): it is given the dropdown's label instead of aria-hidden, so
     that what the keyboard reaches is never hidden from a screen reader.
   - A cell of long text in such a table is marked (cp-long-text) so that a phone gives it room.
   - A chart's title is one line of SVG text, cut off where the chart ends: on a narrow screen a
     title too long for its chart is set smaller (down to 10 px) so that it is read whole. */
(function () {
  "use strict";

  function nameOf(wrapper) {
    var table = wrapper.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var card = wrapper.closest(".card, section");
    var heading = card && card.querySelector("h1, h2, h3, h4, h5, .cp-section-title");
    if (heading && heading.textContent.trim()) return heading.textContent.trim() + " (table)";
    return "Table";
  }

  function scrollables() {
    document.querySelectorAll(".table-responsive").forEach(function (wrapper) {
      var scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
      if (scrolls && wrapper.getAttribute("tabindex") !== "0") {
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "region");
        wrapper.setAttribute("aria-label", nameOf(wrapper));
        wrapper.classList.add("cp-scrolls");
      } else if (!scrolls && wrapper.classList.contains("cp-scrolls")) {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
        wrapper.classList.remove("cp-scrolls");
      }
    });
  }

  // Cells of long text in a scrolling table are marked, so that a phone gives them room (the CSS's
  // .cp-long-text) instead of a column a few words wide and rows a dozen lines tall.
  function longCells() {
    document.querySelectorAll(".table-responsive td:not(.cp-long-text)").forEach(function (cell) {
      if (cell.textContent.trim().length > 48) cell.classList.add("cp-long-text");
    });
  }

  function dropdowns() {
    document.querySelectorAll(".dash-dropdown-focus-target[aria-hidden]").forEach(function (input) {
      var button = input.nextElementSibling;
      var label = button && button.id && document.querySelector('label[for="' + button.id + '"]');
      input.removeAttribute("aria-hidden");
      input.setAttribute("aria-label", label ? label.textContent.trim() : "Choose");
    });
  }

  function titles() {
    document.querySelectorAll(".js-plotly-plot .gtitle").forEach(function (title) {
      var svg = title.closest("svg");
      if (!svg || !title.getBBox) return;
      var room = svg.getBoundingClientRect().width - title.getBBox().x - 4;
      var width = title.getBBox().width;
      if (width <= room || room <= 0) return;
      var size = parseFloat(window.getComputedStyle(title).fontSize) || 16;
      title.style.fontSize = Math.max(10, Math.floor((size * room) / width)) + "px";
    });
  }

  var pending = false;
  function repair() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      longCells();
      scrollables();
      dropdowns();
      titles();
    });
  }

  function start() {
    new MutationObserver(repair).observe(document.body, { childList: true, subtree: true });
    window.addEventListener("resize", repair);
    repair();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
