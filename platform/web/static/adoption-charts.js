/* The adoption charts (workspace dashboard, console tenant page): each
   <canvas data-chart="name" data-kind="line|bar|stacked"> is drawn with
   Chart.js from the page's #adoption-chart-data JSON block. The tables
   beside the charts carry the same figures, so the page reads without it. */
(function () {
  "use strict";

  var PALETTE = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6"];
  var LIFECYCLE = { new: "#10b981", returning: "#4f46e5", resurrecting: "#0ea5e9", dormant: "#f59e0b" };

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name);
    return (value && value.trim()) || fallback;
  }

  function datasets(chart, kind) {
    return chart.series.map(function (series, index) {
      var color = (series.key && LIFECYCLE[series.key]) || PALETTE[index % PALETTE.length];
      var line = kind === "line";
      return {
        label: series.label,
        data: series.data,
        borderColor: color,
        backgroundColor: line ? color + "22" : color,
        borderWidth: line ? 2 : 0,
        borderRadius: line ? 0 : 4,
        pointRadius: line && series.data.length > 45 ? 0 : 2,
        tension: 0.25,
        fill: line && index === 0,
        stack: kind === "stacked" ? "weeks" : undefined,
        yAxisID: series.axis === "right" ? "y1" : "y"
      };
    });
  }

  function draw(canvas, data) {
    var name = canvas.getAttribute("data-chart");
    var kind = canvas.getAttribute("data-kind") || "line";
    var chart = data[name];
    if (!chart || !window.Chart) return;
    var grid = cssVar("--border", "#e5e7eb");
    var text = cssVar("--text-2", "#4b5563");
    var stacked = kind === "stacked";
    var twoAxes = chart.series.some(function (series) { return series.axis === "right"; });
    new window.Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: { labels: chart.labels, datasets: datasets(chart, kind) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { color: text, boxWidth: 12 } } },
        scales: {
          x: { stacked: stacked, grid: { display: false }, ticks: { color: text, maxTicksLimit: 8 } },
          y: { stacked: stacked, beginAtZero: true, grid: { color: grid }, ticks: { color: text, precision: 0 } },
          y1: {
            display: twoAxes, position: "right", beginAtZero: true,
            grid: { drawOnChartArea: false }, ticks: { color: text, precision: 0 }
          }
        }
      }
    });
  }

  function start() {
    var block = document.getElementById("adoption-chart-data");
    if (!block) return;
    var data;
    try {
      data = JSON.parse(block.textContent || "{}");
    } catch (error) {
      return;
    }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) draw(canvases[i], data);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
