/* 共治 Gongzhi — the party tree's map (party:home): the grids the branches cover, drawn from the
 * GeoJSON the page embeds (json_script). Each feature's properties: id, code, name, organisations
 * [{id, name}]. A click opens a popup naming the organisations covering the grid, with links.
 * The tree itself is plain HTML with htmx: nothing here. */
(function () {
  "use strict";

  var STYLE = { color: "#a8231b", weight: 1.5, opacity: 0.9, fillColor: "#a8231b", fillOpacity: 0.15 };

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

  function orgURL(el, id) {
    return (el.getAttribute("data-detail-url") || "/party/organisations/0/").replace(/\/0\/$/, "/" + id + "/");
  }

  function popup(el, p) {
    var html = '<div class="gz-popup"><strong>' + escapeHTML(p.name) + "</strong><ul class=\"party-popup-list\">";
    (p.organisations || []).forEach(function (o) {
      html += '<li><a href="' + escapeHTML(orgURL(el, o.id)) + '">' + escapeHTML(o.name) + " ›</a></li>";
    });
    return html + "</ul></div>";
  }

  function init(el) {
    var data = readJSON(el.getAttribute("data-features"));
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false });
    map.setView([35, 105], 4);
    var bounds = L.latLngBounds([]);
    ((data && data.features) || []).forEach(function (f) {
      if (!f.geometry) return;
      var layer = L.geoJSON(f, { style: function () { return STYLE; } }).addTo(map);
      layer.bindPopup(popup(el, f.properties || {}));
      bounds.extend(layer.getBounds());
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
    var el = document.getElementById("party-map");
    if (el) init(el);
  }

  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();
