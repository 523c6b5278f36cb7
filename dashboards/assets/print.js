/* Child Protection Monitor: what a printed page needs and CSS cannot do (print.css lays it out).

   - A stamp at the top of the printed page: the print date, the page's address and the filters
     chosen on it (the pickers themselves are not printed).
   - Charts drawn for the screen's width are redrawn for the A4 page's width before printing
     (Plotly draws to a fixed width), and back to the screen's width afterwards.

   Runs on the browser's "beforeprint" / "afterprint" events and on the print media query turning
   on and off (what a headless browser printing to PDF emulates). Served from assets/ (the Content
   Security Policy allows 'self' only). */
(function () {
  "use strict";

  var PAGE_WIDTH = "180mm"; // A4 (210 mm) less the 15 mm margins of print.css
  var PRINT_HEIGHT = 340; // px: a taller chart is drawn this tall on paper
  var printing = false;

  function text(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // "Indicator: AC06 · Exits to a family; Place: National; Show by: Year"
  function filters() {
    var found = [];
    document.querySelectorAll("#page-content label.cp-label, .cp-page label.cp-label").forEach(
      function (label) {
        if (label.closest(".card")) return; // a form in a card, not a filter of the page
        var control = label.htmlFor ? document.getElementById(label.htmlFor) : null;
        var value = "";
        if (control && control.tagName === "SELECT") {
          value = control.selectedOptions.length ? text(control.selectedOptions[0]) : "";
        } else if (control) {
          value = text(control);
        } else {
          var box = label.parentElement;
          var checked = box && box.querySelector("input:checked");
          var choice = checked && (checked.closest("label") || box.querySelector(
            'label[for="' + checked.id + '"]'));
          value = text(choice);
        }
        if (value && found.indexOf(text(label) + ": " + value) < 0) {
          found.push(text(label) + ": " + value);
        }
      }
    );
    return found.join("; ");
  }

  function stamp() {
    var node = document.getElementById("cp-print-stamp");
    if (!node) {
      node = document.createElement("div");
      node.id = "cp-print-stamp";
      node.className = "cp-print-stamp";
      node.setAttribute("aria-hidden", "true");
      document.body.insertBefore(node, document.body.firstChild);
    }
    var when = new Date();
    var date = when.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
    var time = when.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    var lines = ["Printed " + date + ", " + time + " · " + window.location.href];
    var chosen = filters();
    if (chosen) lines.push(chosen);
    node.textContent = "";
    lines.forEach(function (line) {
      var div = document.createElement("div");
      div.textContent = line;
      node.appendChild(div);
    });
  }

  function pageWidth() {
    var probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;width:" + PAGE_WIDTH;
    document.body.appendChild(probe);
    var width = probe.getBoundingClientRect().width;
    document.body.removeChild(probe);
    return width;
  }

  function graphs() {
    return window.Plotly ? Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot")) : [];
  }

  function toPage() {
    if (printing) return;
    printing = true;
    stamp();
    var width = pageWidth();
    graphs().forEach(function (graph) {
      var body = graph.closest(".card-body") || graph.parentElement;
      var style = body ? window.getComputedStyle(body) : null;
      var inner = style
        ? width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 4
        : width;
      var layout = graph.layout || {};
      var full = graph._fullLayout || {};
      graph.dataset.cpScreenWidth = layout.width || "";
      graph.dataset.cpScreenHeight = layout.height || "";
      var change = { width: Math.floor(inner) };
      if ((full.height || 0) > PRINT_HEIGHT) change.height = PRINT_HEIGHT; // three to a sheet
      window.Plotly.relayout(graph, change);
    });
  }

  function toScreen() {
    if (!printing) return;
    printing = false;
    graphs().forEach(function (graph) {
      var before = graph.dataset.cpScreenWidth;
      var height = graph.dataset.cpScreenHeight;
      delete graph.dataset.cpScreenWidth;
      delete graph.dataset.cpScreenHeight;
      window.Plotly.relayout(graph, {
        width: before ? Number(before) : null,
        height: height ? Number(height) : null,
      }).then(function () {
        if (!before) window.Plotly.Plots.resize(graph);
      });
    });
  }

  window.addEventListener("beforeprint", toPage);
  window.addEventListener("afterprint", toScreen);
  var media = window.matchMedia && window.matchMedia("print");
  if (media && media.addEventListener) {
    media.addEventListener("change", function (event) {
      if (event.matches) toPage();
      else toScreen();
    });
  }
})();
