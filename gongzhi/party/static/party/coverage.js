/* 共治 Gongzhi — the party coverage check's map (party:coverage): the area's outline and its gap
 * grids, coloured by what is missing (properties.gap: "organisation" — no branch covers it,
 * "work" — no party member at work there, "both"). Labels come from the map's data-label-* attributes. */
(function () {
  "use strict";

  var STYLE = {
    outline: { color: "#5a2f2c", weight: 2.2, dashArray: "7 5", fill: false, interactive: false },
    organisation: { color: "#e07b00", weight: 1.5, fillColor: "#e07b00", fillOpacity: 0.45 },
    work: { color: "#2f6db3", weight: 1.5, fillColor: "#2f6db3", fillOpacity: 0.35 },
    both: { color: "#c62828", weight: 1.5, fillColor: "#c62828", fillOpacity: 0.55 }
  };

  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function escapeHTML(text) {
    var div = document.createElement("div");
    div.textContent = text === null || text === undefined ? "" : String(text);
    return div.innerHTML;
  }

  function draw(map, bounds, collection, styleOf, popupOf) {
    ((collection && collection.features) || []).forEach(function (f) {
      if (!f.geometry) return;
      var layer = L.geoJSON(f, { style: function () { return styleOf(f.properties || {}); } }).addTo(map);
      if (popupOf) layer.bindPopup(popupOf(f.properties || {}));
      bounds.extend(layer.getBounds());
    });
  }

  function init(el) {
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false });
    map.setView([35, 105], 4);
    var bounds = L.latLngBounds([]);
    draw(map, bounds, readJSON(el.getAttribute("data-outline")), function () { return STYLE.outline; });
    draw(map, bounds, readJSON(el.getAttribute("data-features")),
      function (p) { return STYLE[p.gap] || STYLE.both; },
      function (p) {
        return '<div class="gz-popup"><strong>' + escapeHTML(p.name) + "</strong><p>" +
          escapeHTML(el.getAttribute("data-label-" + p.gap) || "") + '</p><p class="mono">' + escapeHTML(p.code) + "</p></div>";
      });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [14, 14], maxZoom: 17 });
    } else {
      var box = document.createElement("div");
      box.className = "map-message";
      box.textContent = el.getAttribute("data-label-empty") || "";
      el.appendChild(box);
    }
    window.addEventListener("resize", function () { map.invalidateSize(); });
  }

  function start() {
    if (!window.L) return;
    var el = document.getElementById("party-coverage-map");
    if (el) init(el);
  }

  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();
