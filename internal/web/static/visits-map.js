// The today page's map (Leaflet): the worker's grid and the households due, overdue in red.
// Loaded only when Leaflet is present; without it the page shows the list alone.
"use strict";
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("today-map");
    var src = document.getElementById("today-map-data");
    if (!window.L || !el || !src) {
      return;
    }
    var data;
    try {
      data = JSON.parse(src.textContent);
    } catch (e) {
      return;
    }
    var map = L.map(el, { zoomControl: true, attributionControl: false });
    var tile = el.getAttribute("data-tile");
    if (tile) {
      L.tileLayer(tile, { maxZoom: 19 }).addTo(map);
    }
    var all = L.featureGroup().addTo(map);
    if (data.boundary) {
      L.geoJSON(data.boundary, { style: { color: "#c8102e", weight: 2, fillOpacity: 0.06 } }).addTo(all);
    }
    (data.points || []).forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lon], {
        radius: 8, color: p.overdue ? "#c8102e" : "#d97706", fillOpacity: 0.8
      });
      m.bindTooltip(p.label);
      m.on("click", function () {
        window.location.href = p.url;
      });
      m.addTo(all);
    });
    if (all.getLayers().length) {
      map.fitBounds(all.getBounds(), { padding: [16, 16], maxZoom: 18 });
    } else {
      map.setView([38.93, 100.45], 15);
    }
  });
})();
