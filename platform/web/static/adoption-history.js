/* Adoption pages' line charts (data completeness over time, a person's
   weekly timeline), drawn with the vendored Chart.js. Each
   <canvas data-history="ID"> reads the JSON of <script id="ID">:
   {"points": [{"day": "2026-11-20", "score": 0.75}, ...],
    "markers": [{"day": "2026-11-21", "version": 2}, ...]}
   or {"labels": [...], "series": [{"label": "...", "values": [...], "axis": "pct"|"count"}]}.
   Markers (rule changes) are dashed vertical lines, not data. */
(function () {
  "use strict";
  var COLORS = ["#5b4fe0", "#1f9d6b", "#e08a1e", "#d4483b"];

  var markerPlugin = {
    id: "comptoirMarkers",
    afterDatasetsDraw: function (chart) {
      var markers = chart.options.plugins.comptoirMarkers || [];
      if (!markers.length) return;
      var ctx = chart.ctx, x = chart.scales.x, area = chart.chartArea;
      ctx.save();
      ctx.setLineDash([4, 4]);
      ctx.strokeStyle = "#9a98b0";
      ctx.fillStyle = "#6c6a80";
      ctx.font = "11px system-ui, sans-serif";
      markers.forEach(function (marker) {
        var index = chart.data.labels.indexOf(marker.day);
        if (index < 0) return;
        var px = x.getPixelForValue(index);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.fillText(marker.text, px + 4, area.top + 10);
      });
      ctx.restore();
    }
  };

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-history"));
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent || "{}");
    var labels, datasets, markers = [], scales;
    if (data.series) {
      labels = data.labels;
      datasets = data.series.map(function (serie, i) {
        return {
          label: serie.label, data: serie.values, yAxisID: serie.axis === "pct" ? "pct" : "count",
          borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length],
          type: serie.axis === "pct" ? "line" : "bar", tension: 0.25, spanGaps: true
        };
      });
      scales = {
        count: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
        pct: { position: "right", min: 0, max: 1, grid: { drawOnChartArea: false },
               ticks: { callback: function (v) { return Math.round(v * 100) + " %"; } } }
      };
      markers = (data.markers || []).map(function (m) { return { day: m.day, text: m.text }; });
    } else {
      var points = data.points || [];
      var days = points.map(function (p) { return p.day; });
      (data.markers || []).forEach(function (m) {
        if (days.indexOf(m.day) < 0) days.push(m.day);
      });
      days.sort();
      var byDay = {};
      points.forEach(function (p) { byDay[p.day] = p.score; });
      labels = days;
      datasets = [{
        label: canvas.getAttribute("data-label") || "", data: days.map(function (d) {
          return byDay[d] === undefined ? null : byDay[d];
        }),
        borderColor: COLORS[0], backgroundColor: COLORS[0], tension: 0.25, spanGaps: true, yAxisID: "pct"
      }];
      scales = { pct: { min: 0, max: 1, ticks: { callback: function (v) { return Math.round(v * 100) + " %"; } } } };
      var text = canvas.getAttribute("data-marker") || "";
      markers = (data.markers || []).map(function (m) { return { day: m.day, text: text + " (v" + m.version + ")" }; });
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: datasets.length > 1 }, comptoirMarkers: markers },
        scales: scales
      },
      plugins: [markerPlugin]
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-history]"), draw);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
