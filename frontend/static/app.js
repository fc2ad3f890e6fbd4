// Herstart's own script: draws the dashboard's charts with Chart.js from
// the data-chart attribute of each canvas (the page carries the figures;
// no inline script under the Content-Security-Policy), and keeps the
// place pickers' datalists filled by htmx. Every page works without it.
(function () {
  "use strict";

  function colours(spec) {
    return String(spec || "#0b71a1").split(",");
  }

  function draw(canvas) {
    if (!window.Chart || canvas.dataset.drawn) return;
    var spec;
    try { spec = JSON.parse(canvas.dataset.chart); } catch (e) { return; }
    canvas.dataset.drawn = "1";
    var datasets = (spec.datasets || []).map(function (d) {
      var c = colours(d.color);
      var data = d.data || [];
      if (spec.linear_x) data = data.map(function (y, i) { return { x: Number(spec.labels[i]), y: y }; });
      var ds = { label: d.label, data: data, backgroundColor: c.length > 1 ? c : c[0], borderColor: c.length > 1 ? "#fff" : c[0] };
      if (spec.type === "line") { ds.stepped = spec.step ? "after" : false; ds.fill = false; ds.pointRadius = 2; ds.borderWidth = 2; }
      return ds;
    });
    var opts = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: datasets.length > 1 || spec.type === "doughnut" } } };
    if (spec.type !== "doughnut") {
      opts.scales = { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true, ticks: { precision: 0 } } };
      if (spec.linear_x) opts.scales.x.type = "linear";
      if (spec.x_title) opts.scales.x.title = { display: true, text: spec.x_title };
      if (spec.y_title) opts.scales.y.title = { display: true, text: spec.y_title };
      if (spec.y_max) opts.scales.y.max = spec.y_max;
      if (spec.horizontal) opts.indexAxis = "y";
    }
    new window.Chart(canvas, { type: spec.type, data: { labels: spec.linear_x ? undefined : (spec.labels || []), datasets: datasets }, options: opts });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
