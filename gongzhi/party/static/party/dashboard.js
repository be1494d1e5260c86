/* 共治 Gongzhi — the report-in dashboard's chart (ECharts, from our own static files): the rate of
   each community, with the unit line drawn across. The data comes from a json_script element named
   by data-source; the table beside it holds the same figures for anyone without JavaScript. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source) return null;
    var d = JSON.parse(source.textContent);
    var shown = Math.min(d.names.length, 40);
    el.style.height = Math.max(200, shown * 26 + 50) + "px";
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 40, top: 24, bottom: 30, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + (p.value == null ? "—" : p.value + "%"); } },
      xAxis: { type: "value", min: 0, max: 100, name: d.label, nameLocation: "middle", nameGap: 24 },
      yAxis: { type: "category", inverse: true, data: d.names.slice(0, shown),
               axisLabel: { width: 96, overflow: "truncate" } },
      series: [{
        type: "bar", barMaxWidth: 16,
        data: d.rates.slice(0, shown).map(function (v) {
          return { value: v, itemStyle: { color: v != null && v < d.line ? "#b35900" : "#1a7f37" } };
        }),
        label: { show: true, position: "right", formatter: function (p) { return p.value == null ? "" : p.value + "%"; } },
        markLine: { silent: true, symbol: "none", lineStyle: { color: "#a8231b", type: "dashed" },
                    data: [{ xAxis: d.line }], label: { formatter: d.line + "%" } }
      }]
    });
    return chart;
  }

  ready(function () {
    if (typeof echarts === "undefined") return;
    var charts = [];
    document.querySelectorAll("[data-chart=rates]").forEach(function (el) {
      var c = draw(el);
      if (c) charts.push(c);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
