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
    // Numbers as the page's language writes them (10.000 in Dutch), and
    // counts from 0 up even when there is nothing yet (Chart.js otherwise
    // draws an empty chart from -1 to 1).
    var opts = { responsive: true, maintainAspectRatio: false, animation: false, locale: document.documentElement.lang || "nl",
      plugins: { legend: { display: datasets.length > 1 || spec.type === "doughnut" } } };
    if (spec.type !== "doughnut") {
      opts.scales = { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true, min: 0, suggestedMax: 1, ticks: { precision: 0 } } };
      if (spec.linear_x) opts.scales.x.type = "linear";
      if (spec.x_title) opts.scales.x.title = { display: true, text: spec.x_title };
      if (spec.y_title) opts.scales.y.title = { display: true, text: spec.y_title };
      if (spec.y_max) opts.scales.y.max = spec.y_max;
      if (spec.horizontal) {
        opts.indexAxis = "y";
        opts.scales.x.min = 0;
        delete opts.scales.y.min;
        delete opts.scales.y.suggestedMax;
      }
    }
    new window.Chart(canvas, { type: spec.type, data: { labels: spec.linear_x ? undefined : (spec.labels || []), datasets: datasets }, options: opts });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  // The error summary: each problem links to its field. A problem named by
  // a path the form does not have as such (skills[1], a list's entry) links
  // to the field that holds it; the field's label goes before the message;
  // the focus moves to the summary, so a keyboard or screen-reader user
  // lands on it, and following a link puts the focus in the field.
  function fieldFor(name) {
    var tries = [name, name.replace(/\[\d+\]$/, ""), name.replace(/\[\d+\]/g, ""), name.split(/[.\[]/)[0]];
    for (var i = 0; i < tries.length; i++) {
      var el = document.querySelector('[name="' + tries[i].replace(/"/g, "") + '"]');
      if (el) return el;
    }
    return null;
  }

  function summary() {
    var box = document.getElementById("error-summary");
    if (!box) return;
    box.querySelectorAll("a[data-field]").forEach(function (a) {
      var field = fieldFor(a.dataset.field);
      if (!field || !field.id) return;
      a.setAttribute("href", "#" + field.id);
      var label = document.querySelector('label[for="' + field.id + '"]');
      if (label && a.textContent.indexOf(label.textContent) !== 0) {
        a.textContent = label.textContent.replace(/\s*\*\s*$/, "") + ": " + a.textContent;
      }
      a.addEventListener("click", function (e) { e.preventDefault(); field.focus(); field.scrollIntoView({ block: "center" }); });
      if (field.getAttribute("aria-invalid") !== "true") {
        field.setAttribute("aria-invalid", "true");
      }
    });
    box.focus();
  }

  // A form larger than the server takes (a pasted file, a huge text) is
  // not sent: the server would refuse it and the page would lose what was
  // typed. The largest field is marked and the summary says why.
  function sizeOf(v) { return typeof v === "string" ? new Blob([v]).size : (v && v.size) || 0; }
  function guardSize(e) {
    var form = e.target, limit = Number(document.body.dataset.bodyLimit || 0);
    if (!limit || !(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    var total = 0, biggest = null, most = -1;
    new FormData(form).forEach(function (v, k) {
      var n = sizeOf(v) + k.length + 2;
      total += n;
      if (n > most) { most = n; biggest = k; }
    });
    if (total <= limit) return;
    e.preventDefault();
    var old = document.getElementById("error-summary");
    if (old) old.remove();
    var box = document.createElement("div");
    box.id = "error-summary";
    box.className = "utrecht-alert utrecht-alert--error error-summary";
    box.setAttribute("role", "alert");
    box.tabIndex = -1;
    var p = document.createElement("p");
    p.className = "utrecht-paragraph";
    p.textContent = document.body.dataset.tooLarge;
    box.appendChild(p);
    var field = biggest && form.querySelector('[name="' + biggest.replace(/"/g, "") + '"]');
    if (field && field.id) {
      var ul = document.createElement("ul"), li = document.createElement("li"), a = document.createElement("a");
      a.href = "#" + field.id;
      a.className = "utrecht-link";
      a.dataset.field = biggest;
      a.textContent = document.body.dataset.tooLargeField;
      li.appendChild(a);
      ul.appendChild(li);
      box.appendChild(ul);
      field.setAttribute("aria-invalid", "true");
    }
    var main = document.getElementById("main");
    main.insertBefore(box, main.firstChild);
    summary();
  }

  document.addEventListener("submit", guardSize, true);
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); summary(); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
