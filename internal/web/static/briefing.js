// The briefing's comparison chart (ECharts, when present): each count figure by region, this period
// beside the last. The table under it stays for everyone.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("briefing-chart");
    var data = document.getElementById("briefing-data");
    if (!el || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var series = [];
    (d.series || []).forEach(function (s) {
      series.push({ name: s.label, type: "bar", data: s.now });
      series.push({ name: s.label + "（上期）", type: "bar", data: s.prev, itemStyle: { opacity: 0.45 } });
    });
    var c = window.echarts.init(el);
    c.setOption({
      tooltip: { trigger: "axis" }, legend: { type: "scroll", top: 0 },
      grid: { left: 90, right: 16, top: 40, bottom: 20 },
      xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: d.regions || [] },
      series: series
    });
    window.addEventListener("resize", function () { c.resize(); });
  });
})();
