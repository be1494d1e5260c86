/* 共治 Gongzhi — maps of divisions and grids, drawn from our own GeoJSON with Leaflet.
 *
 * A map is a <div data-map="MODE"> with:
 *   data-features  id of a json_script FeatureCollection (properties: id, code, name, kind, area_m2)
 *   data-src       URL of a FeatureCollection to fetch instead (the grids API)
 *   data-outline   id of a json_script FeatureCollection drawn as the surrounding boundary
 *   data-problems  id of a json_script list of {message, geometry, location: [lng, lat]}
 *   data-detail-url  "/divisions/0/": a division's page, 0 standing for its id
 *   data-tile-url, data-tile-attribution  a base map, only where the deployment has one
 * MODE: overview | grids | coverage | split (draw a cutting line) | merge (pick grids) | import.
 * No base map by default: the polygons sit on a plain light background.
 */
(function () {
  "use strict";

  var T = {};
  var LABEL_LIMIT = 2000;
  // Labels crowd each other when many grids share the screen: above this many at the first view,
  // they appear only once the user zooms in two steps.
  var CROWDED = 25;

  var STYLE = {
    piece: { color: "#2f6db3", weight: 1.5, opacity: 0.9, fillColor: "#2f6db3", fillOpacity: 0.12 },
    outline: { color: "#5a2f2c", weight: 2.2, dashArray: "7 5", fill: false, interactive: false },
    overlap: { color: "#b71c1c", weight: 1.5, fillColor: "#d32f2f", fillOpacity: 0.6 },
    gap: { color: "#e07b00", weight: 1.5, fillColor: "#e07b00", fillOpacity: 1, className: "gz-gap" },
    outside: { color: "#7b3fa0", weight: 1.5, dashArray: "4 3", fillColor: "#7b3fa0", fillOpacity: 0.35 },
    target: { color: "#a8231b", weight: 2.5, fillColor: "#a8231b", fillOpacity: 0.1 },
    context: { color: "#8a939c", weight: 1, fillColor: "#8a939c", fillOpacity: 0.05, interactive: false },
    selected: { color: "#a8231b", weight: 2.5, fillColor: "#a8231b", fillOpacity: 0.35 },
    problem: { color: "#c62828", weight: 2.5, dashArray: "3 3", fillColor: "#c62828", fillOpacity: 0.3 },
    line: { color: "#a8231b", weight: 3, dashArray: "8 6" }
  };

  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function t(key) { return T[key] || key; }

  function formatArea(m2) {
    if (m2 === null || m2 === undefined) return "—";
    var lang = document.documentElement.lang || undefined;
    if (m2 >= 1e6) return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(m2 / 1e6) + " " + t("km2");
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(m2) + " " + t("m2");
  }

  function escapeHTML(text) {
    var div = document.createElement("div");
    div.textContent = text === null || text === undefined ? "" : String(text);
    return div.innerHTML;
  }

  function detailURL(el, id) {
    return (el.getAttribute("data-detail-url") || "/divisions/0/").replace(/\/0\/$/, "/" + id + "/");
  }

  function popupHTML(el, p) {
    var html = '<div class="gz-popup"><strong>' + escapeHTML(p.name) + "</strong><dl>";
    if (p.code) html += "<dt>" + escapeHTML(t("code")) + '</dt><dd class="mono">' + escapeHTML(p.code) + "</dd>";
    html += "<dt>" + escapeHTML(t("area")) + "</dt><dd>" + escapeHTML(formatArea(p.area_m2)) + "</dd></dl>";
    if (p.id) html += '<a href="' + escapeHTML(detailURL(el, p.id)) + '">' + escapeHTML(t("open")) + " ›</a>";
    return html + "</div>";
  }

  function ensureHatch() {
    if (document.getElementById("gz-hatch")) return;
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "gz-svg-defs");
    svg.setAttribute("aria-hidden", "true");
    svg.innerHTML = '<defs><pattern id="gz-hatch" patternUnits="userSpaceOnUse" width="7" height="7" ' +
      'patternTransform="rotate(45)"><rect width="7" height="7" fill="rgba(224,123,0,0.18)"></rect>' +
      '<rect width="3" height="7" fill="rgba(224,123,0,0.85)"></rect></pattern></defs>';
    document.body.appendChild(svg);
  }

  function showMessage(el, text) {
    var box = el.querySelector(".map-message");
    if (!text) { if (box) box.remove(); return; }
    if (!box) { box = document.createElement("div"); box.className = "map-message"; el.appendChild(box); }
    box.textContent = text;
  }

  function makeMap(el) {
    var tileURL = el.getAttribute("data-tile-url");
    var map = L.map(el, {
      zoomSnap: 0.25, attributionControl: !!tileURL,
      scrollWheelZoom: el.classList.contains("map-large")
    });
    if (tileURL) {
      map.attributionControl.setPrefix(false);
      L.tileLayer(tileURL, { attribution: el.getAttribute("data-tile-attribution") || "", maxZoom: 19 }).addTo(map);
    }
    map.setView([35, 105], 4); // until the data says where to look
    return map;
  }

  /* What a feature is in this map: how to draw it and whether it is one of the pieces. */
  function roleOf(mode, kind, hasGrids) {
    if (kind === "self" || kind === "outline") return "outline";
    if (kind === "community") return hasGrids ? "outline" : "piece";
    if (kind === "overlap" || kind === "gap" || kind === "outside") return kind;
    if (kind === "target") return "target";
    if (kind === "context") return "context";
    return "piece";
  }

  function drawCollection(state, data) {
    var el = state.el, map = state.map, mode = state.mode;
    var features = (data && data.features) || [];
    var hasGrids = features.some(function (f) { return f.properties && f.properties.kind === "grid"; });
    var pieces = features.filter(function (f) {
      return roleOf(mode, (f.properties || {}).kind, hasGrids) === "piece";
    });
    var labelled = pieces.length <= LABEL_LIMIT;
    state.crowded = pieces.length > CROWDED;
    // Outlines first, then pieces, then problems on top.
    var order = { outline: 0, context: 1, piece: 2, target: 3, outside: 4, gap: 5, overlap: 6 };
    features = features.slice().sort(function (a, b) {
      return order[roleOf(mode, (a.properties || {}).kind, hasGrids)] - order[roleOf(mode, (b.properties || {}).kind, hasGrids)];
    });
    features.forEach(function (f) {
      if (!f.geometry) return;
      var p = f.properties || {};
      var role = roleOf(mode, p.kind, hasGrids);
      var layer = L.geoJSON(f, { style: function () { return STYLE[role]; } });
      layer.addTo(map);
      state.bounds.extend(layer.getBounds());
      if (role === "piece" || role === "target") {
        if (labelled && p.name && mode !== "split") {
          layer.bindTooltip(escapeHTML(p.name), { permanent: true, direction: "center", className: "gz-label" });
        }
        if (mode === "merge") {
          layer.on("click", function () { toggleMerge(state, p.id); });
          state.pieces[p.id] = layer;
        } else if (mode !== "split") {
          layer.bindPopup(popupHTML(el, p));
        }
      } else if (role === "overlap" || role === "gap" || role === "outside") {
        var what = t(role) + (p.area_m2 !== undefined ? " · " + formatArea(p.area_m2) : "");
        if (p.name && role !== "gap") what += "<br>" + escapeHTML(p.name);
        layer.bindPopup('<div class="gz-popup"><strong>' + what + "</strong></div>");
      }
    });
  }

  function drawProblems(state, problems) {
    (problems || []).forEach(function (p) {
      var text = '<div class="gz-popup"><strong>' + escapeHTML(t("problem")) + "</strong><p>" + escapeHTML(p.message) + "</p></div>";
      if (p.geometry) {
        var layer = L.geoJSON(p.geometry, { style: function () { return STYLE.problem; } }).addTo(state.map);
        layer.bindPopup(text);
        state.bounds.extend(layer.getBounds());
      }
      if (p.location && p.location.length === 2) {
        var ll = L.latLng(p.location[1], p.location[0]);
        L.circleMarker(ll, { radius: 7, color: "#fff", weight: 2, fillColor: "#c62828", fillOpacity: 1 })
          .addTo(state.map).bindPopup(text);
        state.bounds.extend(ll);
      }
    });
  }

  function fit(state) {
    if (state.bounds.isValid()) {
      state.map.fitBounds(state.bounds, { padding: [14, 14], maxZoom: 18 });
      showMessage(state.el, null);
      if (state.crowded) {
        var readable = state.map.getZoom() + 2;
        var toggle = function () {
          state.el.classList.toggle("gz-hide-labels", state.map.getZoom() < readable);
        };
        state.map.on("zoomend", toggle);
        toggle();
      }
    } else {
      showMessage(state.el, t("empty"));
    }
  }

  /* --- merge: pick grids on the map, kept in step with the form's checkboxes ------------------- */
  function mergeBox(id) {
    return document.querySelector('input[name="grids"][value="' + id + '"]');
  }

  function restyleMerge(state) {
    Object.keys(state.pieces).forEach(function (id) {
      var box = mergeBox(id);
      state.pieces[id].setStyle(box && box.checked ? STYLE.selected : STYLE.piece);
    });
  }

  function toggleMerge(state, id) {
    var box = mergeBox(id);
    if (!box) return;
    box.checked = !box.checked;
    restyleMerge(state);
  }

  /* --- split: click points to draw the cutting line ------------------------------------------- */
  function setupSplit(state) {
    var input = document.querySelector('#split-form input[name="line"]');
    var status = document.getElementById("line-status");
    var points = [];
    var line = L.polyline([], STYLE.line).addTo(state.map);
    var dots = L.layerGroup().addTo(state.map);

    try {
      var saved = input && input.value ? JSON.parse(input.value) : null;
      if (saved && saved.coordinates) points = saved.coordinates.slice();
    } catch (e) { points = []; }

    function redraw() {
      var lls = points.map(function (c) { return L.latLng(c[1], c[0]); });
      line.setLatLngs(lls);
      dots.clearLayers();
      lls.forEach(function (ll) {
        L.circleMarker(ll, { radius: 4, color: "#a8231b", weight: 2, fillColor: "#fff", fillOpacity: 1, interactive: false }).addTo(dots);
      });
      if (input) {
        input.value = points.length >= 2 ? JSON.stringify({ type: "LineString", coordinates: points }) : "";
      }
      if (status) status.textContent = t("points").replace("%(n)s", points.length);
    }

    state.map.on("click", function (e) {
      var ll = e.latlng.wrap();
      points.push([Math.round(ll.lng * 1e7) / 1e7, Math.round(ll.lat * 1e7) / 1e7]);
      redraw();
    });
    var undo = document.querySelector("[data-line-undo]");
    var clear = document.querySelector("[data-line-clear]");
    if (undo) undo.addEventListener("click", function () { points.pop(); redraw(); });
    if (clear) clear.addEventListener("click", function () { points = []; redraw(); });
    state.el.style.cursor = "crosshair";
    redraw();
    points.forEach(function (c) { state.bounds.extend(L.latLng(c[1], c[0])); });
  }

  /* --- zoom to a row of a problem table ------------------------------------------------------- */
  function setupZoomLinks(state) {
    document.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("[data-zoom-bounds], [data-zoom-point]") : null;
      if (!target) return;
      var b = target.getAttribute("data-zoom-bounds");
      var pt = target.getAttribute("data-zoom-point");
      if (b) {
        var n = b.split(",").map(Number);
        if (n.length === 4) state.map.fitBounds([[n[1], n[0]], [n[3], n[2]]], { padding: [40, 40], maxZoom: 18 });
      } else if (pt) {
        var c = pt.split(",").map(Number);
        state.map.setView([c[1], c[0]], Math.max(state.map.getZoom(), 16));
      }
      state.el.scrollIntoView({ behavior: "smooth", block: "center" });
    });
  }

  function init(el) {
    var state = { el: el, mode: el.getAttribute("data-map"), map: makeMap(el), bounds: L.latLngBounds([]), pieces: {} };
    var outline = readJSON(el.getAttribute("data-outline"));
    if (outline) drawCollection(state, {
      type: "FeatureCollection",
      features: (outline.features || []).map(function (f) {
        return Object.assign({}, f, { properties: Object.assign({}, f.properties, { kind: "outline" }) });
      })
    });
    var embedded = readJSON(el.getAttribute("data-features"));
    if (embedded) drawCollection(state, embedded);
    drawProblems(state, readJSON(el.getAttribute("data-problems")));
    if (state.mode === "split") setupSplit(state);
    if (state.mode === "merge") {
      restyleMerge(state);
      document.querySelectorAll('input[name="grids"]').forEach(function (box) {
        box.addEventListener("change", function () { restyleMerge(state); });
      });
    }
    setupZoomLinks(state);

    var src = el.getAttribute("data-src");
    if (src && !embedded) {
      showMessage(el, t("loading"));
      fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          data.features = (data.features || []).map(function (f) {
            f.properties = Object.assign({ kind: "grid" }, f.properties);
            return f;
          });
          drawCollection(state, data);
          fit(state);
        })
        .catch(function () { showMessage(el, t("failed")); });
    } else {
      fit(state);
    }
    // A map that was laid out while hidden or resized (phone rotation) needs to re-measure.
    window.addEventListener("resize", function () { state.map.invalidateSize(); });
  }

  function start() {
    T = readJSON("map-i18n") || {};
    if (!window.L) return;
    ensureHatch();
    document.querySelectorAll("[data-map]").forEach(init);
  }

  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();
