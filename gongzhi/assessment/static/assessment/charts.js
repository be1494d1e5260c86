/* 共治 Gongzhi — the assessment charts (ECharts, served from our static files). Each chart reads
   its data from a json_script element named by data-source; the tables beside them hold the same
   figures for anyone without JavaScript. */
(function () {
  "use strict";

  var COLORS = { red: "#a8231b", black: "#24292f", ranked: "#5b7fa8", unranked: "#a0a7ae" };

  function data(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function bar(el, d) {
    var rows = d.names.length;
    el.style.height = Math.max(160, rows * 28 + 40) + "px";
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + p.value; } },
      xAxis: { type: "value", min: 0, max: 100, splitNumber: 5 },
      yAxis: { type: "category", inverse: true, data: d.names,
               axisLabel: { width: 110, overflow: "truncate" } },
      series: [{
        type: "bar", name: d.label, barMaxWidth: 18,
        data: d.scores.map(function (v, i) {
          return { value: v, itemStyle: { color: COLORS[d.standings[i]] || COLORS.ranked } };
        }),
        label: { show: true, position: "right", formatter: "{c}" }
      }]
    });
    return chart;
  }

  function line(el, d) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: ["#1f5fae", "#1a7f37", "#b35900", "#8250df", "#a8231b"],
      grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
      legend: { type: "scroll", top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.months, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}" } },
      series: d.series.map(function (s) {
        return { type: "line", name: s.name, data: s.data, connectNulls: false, symbolSize: 6 };
      })
    });
    return chart;
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    if (typeof echarts === "undefined") return;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var d = data(el);
      if (!d) return;
      charts.push(el.getAttribute("data-chart") === "bar" ? bar(el, d) : line(el, d));
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
