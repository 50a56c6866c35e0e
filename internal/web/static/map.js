// Grid maps (Leaflet): the overview of every grid polygon, and drawing a grid's boundary.
// Loaded only when Leaflet is present; without it the pages show a plain list and a text field.
"use strict";
(function () {
  if (!window.L) {
    return;
  }
  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) {
      return null;
    }
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return null;
    }
  }
  function newMap(el) {
    var map = L.map(el, { zoomControl: true, attributionControl: false });
    var tile = el.getAttribute("data-tile");
    if (tile) {
      L.tileLayer(tile, { maxZoom: 19 }).addTo(map);
    }
    map.setView([38.93, 100.45], 15);
    return map;
  }
  var style = { color: "#c8102e", weight: 2, fillColor: "#c8102e", fillOpacity: 0.12 };

  function overview() {
    var el = document.getElementById("grids-map");
    var grids = readJSON("grids-map-data");
    if (!el || !grids) {
      return;
    }
    var map = newMap(el);
    var all = L.featureGroup().addTo(map);
    grids.forEach(function (g) {
      var layer = L.geoJSON(g.boundary, { style: style });
      layer.bindTooltip(g.name, { permanent: true, direction: "center", className: "grid-label" });
      layer.on("click", function () {
        window.location.href = g.url;
      });
      layer.addTo(all);
    });
    if (all.getLayers().length) {
      map.fitBounds(all.getBounds(), { padding: [12, 12] });
    }
  }

  function drawing() {
    var el = document.getElementById("boundary-map");
    var data = readJSON("boundary-map-data");
    var field = document.getElementById("boundary-geojson");
    var tools = document.getElementById("draw-tools");
    if (!el || !data || !field) {
      return;
    }
    var map = newMap(el);
    var current = null;
    if (data.boundary) {
      current = L.geoJSON(data.boundary, { style: style }).addTo(map);
      map.fitBounds(current.getBounds(), { padding: [12, 12] });
    }
    var points = [];
    var active = false;
    var line = L.polyline([], { color: "#1f5fbf", weight: 2, dashArray: "4 4" }).addTo(map);
    var markers = L.layerGroup().addTo(map);
    function redraw() {
      line.setLatLngs(points);
      markers.clearLayers();
      points.forEach(function (p) {
        L.circleMarker(p, { radius: 4, color: "#1f5fbf" }).addTo(markers);
      });
    }
    map.on("click", function (e) {
      if (!active) {
        return;
      }
      points.push(e.latlng);
      redraw();
    });
    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (e) {
        var btn = e.target.closest("[data-draw]");
        if (!btn) {
          return;
        }
        var what = btn.getAttribute("data-draw");
        if (what === "start") {
          active = true;
          points = [];
          redraw();
          el.classList.add("drawing");
        } else if (what === "undo") {
          points.pop();
          redraw();
        } else if (what === "finish") {
          if (points.length < 3) {
            window.alert("至少需要点击 3 个顶点才能构成网格边界");
            return;
          }
          active = false;
          el.classList.remove("drawing");
          var ring = points.map(function (p) {
            return [Math.round(p.lng * 1e7) / 1e7, Math.round(p.lat * 1e7) / 1e7];
          });
          ring.push(ring[0]);
          var geometry = { type: "Polygon", coordinates: [ring] };
          field.value = JSON.stringify(geometry);
          if (current) {
            map.removeLayer(current);
          }
          current = L.geoJSON(geometry, { style: style }).addTo(map);
          points = [];
          redraw();
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    overview();
    drawing();
  });
})();
