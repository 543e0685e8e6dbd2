// Ledger web UI: the pages work without JavaScript; this only draws the charts (ECharts,
// canvas renderer) from the figures the server put in data-chart, and keeps htmx's
// requests inside the site. No inline scripts or styles anywhere (strict CSP).
"use strict";

// The menu folds behind its button only when scripts run (app.css: html:not(.js)).
document.documentElement.classList.add("js");

function drawCharts() {
  if (typeof window.echarts === "undefined") return;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    if (el.dataset.drawn) return;
    var data = JSON.parse(el.dataset.chart);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      // The unit under the axis, and room to the right for half the last label, centred on
      // its tick ("30,000" at the right edge was cut to "30,00": issue 19).
      grid: { left: 8, right: 44, bottom: 30, top: 36, containLabel: true },
      xAxis: {
        type: "value", name: data.unit, nameLocation: "middle", nameGap: 28,
        axisLabel: { hideOverlap: true, showMaxLabel: true },  // narrow windows
      },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values.map(Number) };
      }),
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
}

document.addEventListener("DOMContentLoaded", drawCharts);
document.addEventListener("htmx:afterSettle", drawCharts);
