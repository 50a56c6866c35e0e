// Cases pages: locate me, the similar-cases panel of the public form, the case map, printing and
// the dashboard charts. Every page works without this script.
"use strict";
(function () {
  function on(sel, ev, fn) {
    document.addEventListener(ev, function (e) {
      var el = e.target.closest(sel);
      if (el) fn(e, el);
    });
  }

  on("[data-print]", "click", function () { window.print(); });

  // Fill the form's lon/lat from the browser (WGS-84).
  on("[data-locate]", "click", function (e, btn) {
    var form = btn.closest("form");
    var status = form.querySelector("[data-locate-status]");
    if (!navigator.geolocation) {
      if (status) status.textContent = "此浏览器不支持定位，请手动填写。";
      return;
    }
    if (status) status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lon.value = pos.coords.longitude.toFixed(6);
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.coord_system.value = "wgs84";
      if (status) status.textContent = "已定位（精度约 " + Math.round(pos.coords.accuracy) + " 米）";
      refreshSimilar(form);
    }, function () {
      if (status) status.textContent = "定位失败，请允许定位或手动填写。";
    }, { enableHighAccuracy: true, timeout: 10000 });
  });

  // The public form: refresh the similar-cases panel in place when the category or place changes.
  var timer;
  function refreshSimilar(form) {
    var panel = document.getElementById("similar");
    if (!panel) return;
    var params = new URLSearchParams();
    ["category_id", "building_id", "lon", "lat", "coord_system", "grid_id", "community_id"].forEach(function (k) {
      var el = form.elements[k];
      if (el && el.value) params.set(k, el.value);
    });
    fetch("/report?" + params.toString(), { headers: { "Accept": "text/html" } }).then(function (res) {
      return res.ok ? res.text() : null;
    }).then(function (html) {
      if (!html) return;
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("similar");
      if (fresh) panel.replaceChildren.apply(panel, Array.prototype.slice.call(fresh.childNodes));
    }).catch(function () {});
  }
  on("[data-refresh]", "change", function (e, el) {
    clearTimeout(timer);
    timer = setTimeout(function () { refreshSimilar(el.form); }, 250);
  });
  document.querySelectorAll("[data-check]").forEach(function (b) { b.hidden = true; });

  // The case map (Leaflet, when present).
  var map = document.getElementById("case-map");
  if (map && window.L) {
    var ll = [parseFloat(map.dataset.lat), parseFloat(map.dataset.lon)];
    var m = window.L.map(map).setView(ll, 17);
    if (map.dataset.tiles) window.L.tileLayer(map.dataset.tiles, { maxZoom: 19 }).addTo(m);
    window.L.circleMarker(ll, { radius: 8, color: "#c8102e" }).addTo(m);
  }

  // Dashboard charts (ECharts, when present); the tables below them stay for everyone.
  var data = document.getElementById("dash-data");
  if (data && window.echarts && document.querySelector("[data-charts]")) {
    var d = JSON.parse(data.textContent);
    var red = "#c8102e", blue = "#1f5fbf", green = "#1a7f37";
    function chart(id, option) {
      var el = document.getElementById(id);
      if (!el) return;
      var c = window.echarts.init(el);
      c.setOption(option);
      window.addEventListener("resize", function () { c.resize(); });
      return c;
    }
    function bars(id, rows, param) {
      var c = chart(id, {
        tooltip: { trigger: "axis" }, legend: { top: 0, data: ["案件数", "已结案"] },
        grid: { left: 90, right: 16, top: 30, bottom: 20 },
        xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
        series: [{ name: "案件数", type: "bar", data: rows.map(function (r) { return r.accepted; }), itemStyle: { color: red } },
          { name: "已结案", type: "bar", data: rows.map(function (r) { return r.closed; }), itemStyle: { color: green } }]
      });
      if (c) c.on("click", function (p) {
        var row = rows[p.dataIndex];
        if (!row || (param === "grid" && row.key === "0")) return;
        var q = new URLSearchParams(window.location.search);
        q.delete("figure");
        if (!q.get(param) || param === "region") q.set(param, row.key);
        if (p.seriesIndex === 1) q.set("figure", "closed");
        window.location.href = "/cases?" + q.toString();
      });
    }
    var months = d.months || [];
    chart("chart-months", {
      tooltip: { trigger: "axis" }, legend: { top: 0, data: ["登记", "受理", "结案"] },
      grid: { left: 40, right: 16, top: 30, bottom: 30 },
      xAxis: { type: "category", data: months.map(function (m) { return m.month; }) }, yAxis: { type: "value" },
      series: [{ name: "登记", type: "line", data: months.map(function (m) { return m.received; }), itemStyle: { color: blue } },
        { name: "受理", type: "line", data: months.map(function (m) { return m.accepted; }), itemStyle: { color: red } },
        { name: "结案", type: "line", data: months.map(function (m) { return m.closed; }), itemStyle: { color: green } }]
    });
    var rates = d.rates || {};
    var names = [["on_time_rate", "按期办结率"], ["resolution_rate", "解决率"], ["satisfaction_rate", "满意率"]];
    chart("chart-rates", {
      tooltip: { formatter: function (p) { return p.name + "：" + (p.value === null ? "—" : p.value + "%"); } },
      grid: { left: 90, right: 30, top: 20, bottom: 20 },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: names.map(function (n) { return n[1]; }) },
      series: [{ type: "bar", itemStyle: { color: red }, label: { show: true, position: "right", formatter: "{c}%" },
        data: names.map(function (n) { var v = rates[n[0]]; return v === null || v === undefined ? null : Math.round(v * 1000) / 10; }) }]
    });
    bars("chart-categories", d.categories || [], "category");
    bars("chart-channels", d.channels || [], "channel");
    bars("chart-regions", d.regions || [], "region");
    bars("chart-grids", d.grids || [], "grid");
  }
})();
