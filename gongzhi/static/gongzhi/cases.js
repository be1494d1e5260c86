/* 共治 Gongzhi — the case pages: the report form (photos, voice, the place on the map, category
 * suggestions), the case map, the photo lightbox, the workbench's ticks and the sidestep form.
 *
 * Everything here improves a page that works without it: the report form posts as a plain
 * multipart form, photos and recordings can be chosen with the file inputs, and the map only
 * fills the hidden lng/lat fields. The browser's own position is WGS-84, so crs stays "wgs84".
 */
(function () {
  "use strict";

  var T = {};

  function t(key, values) {
    var text = T[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("%(" + k + ")s", values[k]); });
    return text;
  }

  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function canSetFiles() {
    try { return typeof DataTransfer !== "undefined" && !!new DataTransfer().files; } catch (e) { return false; }
  }

  function setFiles(input, files) {
    var dt = new DataTransfer();
    files.forEach(function (f) { dt.items.add(f); });
    input.files = dt.files;
  }

  /* --- photos: camera or gallery, previews, at most N ------------------------------------------ */
  function setupPhotos(box) {
    var pick = box.querySelector("#id_photos");
    var camera = box.querySelector("#photo-camera");
    var list = box.querySelector("[data-photo-previews]");
    var count = box.querySelector("[data-photo-count]");
    var max = parseInt(box.getAttribute("data-max"), 10) || 9;
    var chosen = [];
    var urls = [];
    if (!pick || !list || !canSetFiles()) return; // the plain inputs still send what was chosen

    function render(warning) {
      urls.forEach(function (u) { URL.revokeObjectURL(u); });
      urls = [];
      list.innerHTML = "";
      chosen.forEach(function (file, i) {
        var li = document.createElement("li");
        var img = document.createElement("img");
        var url = URL.createObjectURL(file);
        urls.push(url);
        img.src = url;
        img.alt = file.name;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "photo-remove";
        remove.setAttribute("aria-label", t("remove") + " " + file.name);
        remove.textContent = "×";
        remove.addEventListener("click", function () { chosen.splice(i, 1); sync(); });
        li.appendChild(img);
        li.appendChild(remove);
        list.appendChild(li);
      });
      if (count) {
        count.textContent = chosen.length ? t(count.getAttribute("data-template") || "%(n)s", { n: chosen.length }) : count.textContent;
        if (warning) count.textContent += " — " + warning;
      }
    }

    function sync(warning) {
      setFiles(pick, chosen);
      if (camera) camera.value = "";
      render(warning);
    }

    function add(files) {
      var warning = "";
      Array.prototype.forEach.call(files, function (file) {
        if (file.type && file.type.indexOf("image/") !== 0) return;
        if (chosen.length >= max) { warning = t("too_many"); return; }
        chosen.push(file);
      });
      sync(warning);
    }

    pick.addEventListener("change", function () {
      // The browser replaced the input's files with the new choice: add them to those kept.
      var fresh = Array.prototype.slice.call(pick.files);
      setFiles(pick, []);
      add(fresh);
    });
    if (camera) camera.addEventListener("change", function () { add(camera.files); });
  }

  /* --- voice: record in the page (MediaRecorder) into the audio file input ---------------------- */
  function setupVoice(box) {
    var record = box.querySelector("[data-voice-record]");
    var stop = box.querySelector("[data-voice-stop]");
    var remove = box.querySelector("[data-voice-remove]");
    var time = box.querySelector("[data-voice-time]");
    var player = box.querySelector("[data-voice-play]");
    var input = box.querySelector("#id_audio");
    var max = parseInt(box.getAttribute("data-max"), 10) || 180;
    var recorder = null, chunks = [], started = 0, timer = null, url = null;
    // Recording needs a secure page (HTTPS, or localhost) and a browser that records; choosing a
    // recording file works everywhere.
    var canRecord = !!(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia &&
                       window.isSecureContext && input && canSetFiles());
    if (!input || !player) return;
    if (canRecord) record.hidden = false;

    function clock(seconds) {
      var s = Math.round(seconds);
      return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
    }

    function mimeType() {
      var kinds = ["audio/webm;codecs=opus", "audio/webm", "audio/mp4", "audio/ogg;codecs=opus"];
      for (var i = 0; i < kinds.length; i++) {
        if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(kinds[i])) return kinds[i];
      }
      return "";
    }

    function finish(stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      clearInterval(timer);
      var seconds = (Date.now() - started) / 1000;
      var type = (recorder.mimeType || "audio/webm").split(";")[0];
      var ext = type.indexOf("mp4") >= 0 ? "m4a" : type.indexOf("ogg") >= 0 ? "ogg" : "webm";
      var file = new File([new Blob(chunks, { type: type })], "voice." + ext, { type: type });
      setFiles(input, [file]);
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(file);
      player.src = url;
      player.hidden = false;
      remove.hidden = false;
      stop.hidden = true;
      record.hidden = false;
      time.textContent = t("recorded") + " " + clock(seconds);
    }

    if (canRecord) record.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var type = mimeType();
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
        chunks = [];
        recorder.addEventListener("dataavailable", function (e) { if (e.data && e.data.size) chunks.push(e.data); });
        recorder.addEventListener("stop", function () { finish(stream); });
        recorder.start();
        started = Date.now();
        record.hidden = true;
        stop.hidden = false;
        time.textContent = t("recording") + " 0:00";
        timer = setInterval(function () {
          var seconds = (Date.now() - started) / 1000;
          time.textContent = t("recording") + " " + clock(seconds) + " / " + clock(max);
          if (seconds >= max && recorder.state === "recording") recorder.stop();
        }, 250);
      }).catch(function () { time.textContent = t("mic_denied"); });
    });
    stop.addEventListener("click", function () { if (recorder && recorder.state === "recording") recorder.stop(); });
    remove.addEventListener("click", function () {
      input.value = "";
      player.hidden = true;
      player.removeAttribute("src");
      remove.hidden = true;
      time.textContent = "";
    });
    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) return;
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(file);
      player.src = url;
      player.hidden = false;
      remove.hidden = false;
      time.textContent = file.name;
    });
    // The length of a chosen recording, once the browser has read it.
    player.addEventListener("loadedmetadata", function () {
      if (isFinite(player.duration) && time.textContent.indexOf(t("recorded")) !== 0) {
        time.textContent = (input.files[0] ? input.files[0].name + " · " : "") + clock(player.duration);
      }
    });
  }

  /* --- maps --------------------------------------------------------------------------------------- */
  var AREA_STYLE = {
    district: { color: "#5a2f2c", weight: 2, dashArray: "6 5", fill: false, interactive: false },
    street: { color: "#7a4a46", weight: 1.6, fill: false, interactive: false },
    community: { color: "#2f6db3", weight: 1.3, fillColor: "#2f6db3", fillOpacity: 0.03, interactive: false },
    grid: { color: "#2f6db3", weight: 0.6, opacity: 0.55, fill: false, dashArray: "2 3", interactive: false },
    picked: { color: "#a8231b", weight: 2.5, opacity: 1, fillColor: "#a8231b", fillOpacity: 0.08, dashArray: null },
    point_grid: { color: "#2f6db3", weight: 2, fillColor: "#2f6db3", fillOpacity: 0.08, interactive: false }
  };

  function baseMap(el, options) {
    var tileURL = el.getAttribute("data-tile-url");
    var map = L.map(el, Object.assign({ zoomSnap: 0.25, attributionControl: !!tileURL, scrollWheelZoom: false }, options || {}));
    if (tileURL) {
      map.attributionControl.setPrefix(false);
      L.tileLayer(tileURL, { attribution: el.getAttribute("data-tile-attribution") || "", maxZoom: 19 }).addTo(map);
    }
    map.setView([35, 105], 4);
    el.gzMap = map; // for the browser tests and the console
    window.addEventListener("resize", function () { map.invalidateSize(); });
    return map;
  }

  function pin() {
    return L.divIcon({ className: "gz-pin", html: '<span class="gz-pin-head"></span>', iconSize: [28, 36], iconAnchor: [14, 34] });
  }

  function setupPickMap(el) {
    var form = el.closest("form");
    var lng = form.querySelector("#id_lng"), lat = form.querySelector("#id_lat"), crs = form.querySelector("#id_crs");
    var status = form.querySelector("[data-locate-status]");
    var map = baseMap(el, { tap: true });
    var marker = null;
    var grids = {};
    var picked = null;
    var fitNext = false; // after "use my location": show the whole grid the phone is in
    var focus = (el.getAttribute("data-focus") || "").split(",").map(Number);

    function placeMarker(latlng) {
      if (!marker) {
        marker = L.marker(latlng, { icon: pin(), draggable: true, keyboard: false, title: t("picked") }).addTo(map);
        marker.on("dragend", function () { choose(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
    }

    function choose(latlng) {
      var ll = latlng.wrap();
      placeMarker(ll);
      lng.value = ll.lng.toFixed(6);
      lat.value = ll.lat.toFixed(6);
      crs.value = "wgs84"; // what the map and the browser's geolocation both give
      document.body.dispatchEvent(new CustomEvent("gzpoint"));
    }

    function highlight(id) {
      if (picked) picked.setStyle(AREA_STYLE.grid);
      picked = id && grids[id] ? grids[id] : null;
      if (picked) {
        picked.setStyle(AREA_STYLE.picked);
        picked.bringToFront();
        if (fitNext) map.fitBounds(picked.getBounds(), { padding: [24, 24], maxZoom: 17 });
      }
      fitNext = false;
    }

    map.on("click", function (e) { choose(e.latlng); });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.target && e.target.id === "where") {
        var p = e.target.querySelector("[data-grid-id]");
        highlight(p ? p.getAttribute("data-grid-id") : null);
      }
    });

    fetch(el.getAttribute("data-areas"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var order = { district: 0, street: 1, community: 2, grid: 3 };
        var features = (data.features || []).slice().sort(function (a, b) {
          return order[a.properties.level] - order[b.properties.level];
        });
        var bounds = L.latLngBounds([]);
        var communities = features.filter(function (f) { return f.properties.level === "community"; }).length;
        features.forEach(function (f) {
          var level = f.properties.level;
          var layer = L.geoJSON(f, { style: function () { return AREA_STYLE[level] || AREA_STYLE.grid; }, interactive: false });
          layer.addTo(map);
          layer.eachLayer(function (l) { if (level === "grid") grids[f.properties.id] = l; });
          if (level === "community" && f.properties.name && communities <= 60) {
            layer.bindTooltip(f.properties.name, { permanent: true, direction: "center", className: "gz-area-label" });
          }
          bounds.extend(layer.getBounds());
        });
        if (focus.length === 4 && focus.every(isFinite)) {
          map.fitBounds([[focus[1], focus[0]], [focus[3], focus[2]]], { padding: [12, 12] });
        } else if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [8, 8] });
        }
        if (lng.value && lat.value) { // the form came back (an error without JavaScript's help)
          var ll = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
          placeMarker(ll);
          // Not animated, so the fit to the grid that follows is not dropped mid-animation.
          map.setView(ll, Math.max(map.getZoom(), 15), { animate: false });
          document.body.dispatchEvent(new CustomEvent("gzpoint"));
        }
      })
      .catch(function () { if (status) status.textContent = t("map_failed"); });

    var locate = form.querySelector("[data-locate]");
    if (locate) {
      locate.addEventListener("click", function () {
        if (!navigator.geolocation || !window.isSecureContext) { status.textContent = t("no_locate"); return; }
        status.textContent = t("locating");
        navigator.geolocation.getCurrentPosition(function (pos) {
          var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
          fitNext = true;
          choose(ll);
          // Not animated, so the fit to the grid that follows is not dropped mid-animation.
          map.setView(ll, Math.max(map.getZoom(), 15), { animate: false });
          status.textContent = t("located", { m: Math.round(pos.coords.accuracy || 0) });
        }, function (err) {
          status.textContent = err && err.code === 1 ? t("locate_denied") : t("locate_failed");
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  function setupPointMap(el) {
    var data = readJSON(el.getAttribute("data-features"));
    if (!data) return;
    var map = baseMap(el);
    var bounds = L.latLngBounds([]);
    (data.features || []).forEach(function (f) {
      if (f.geometry.type === "Point") {
        var ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
        L.marker(ll, { icon: pin(), keyboard: false, title: f.properties.name }).addTo(map);
        bounds.extend(ll);
      } else {
        var layer = L.geoJSON(f, { style: function () { return AREA_STYLE.point_grid; } }).addTo(map);
        layer.bindTooltip(f.properties.name, { permanent: true, direction: "top", className: "gz-area-label" });
        bounds.extend(layer.getBounds());
      }
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
  }

  /* --- category suggestions: a tap picks the category ------------------------------------------ */
  function setupSuggestions() {
    document.addEventListener("click", function (e) {
      var chip = e.target.closest ? e.target.closest("[data-category]") : null;
      if (!chip) return;
      var select = document.getElementById("id_category");
      if (!select) return;
      select.value = chip.getAttribute("data-category");
      select.dispatchEvent(new Event("change", { bubbles: true }));
      document.querySelectorAll("[data-category]").forEach(function (c) {
        c.classList.toggle("is-chosen", c === chip);
        c.setAttribute("aria-pressed", c === chip ? "true" : "false");
      });
    });
  }

  /* --- sending the report: progress, and the problems brought into view ------------------------- */
  function setupSubmit(form) {
    var bar = form.querySelector("[data-upload-progress]");
    form.addEventListener("htmx:xhr:progress", function (e) {
      if (!bar || !e.detail.lengthComputable) return;
      bar.hidden = false;
      bar.value = Math.round(e.detail.loaded / e.detail.total * 100);
    });
    form.addEventListener("htmx:afterRequest", function () { if (bar) bar.hidden = true; });
    form.addEventListener("htmx:afterSwap", function (e) {
      var box = e.detail.target;
      if (box && box.id === "report-errors" && box.querySelector(".form-errors")) {
        box.scrollIntoView({ behavior: "smooth", block: "center" });
        box.focus({ preventScroll: true });
      }
    });
  }

  /* --- lightbox ------------------------------------------------------------------------------- */
  function setupLightbox() {
    var dialog = null, img = null, group = [], index = 0;
    function show(i) {
      index = (i + group.length) % group.length;
      img.src = group[index].getAttribute("href");
    }
    function build() {
      dialog = document.createElement("dialog");
      dialog.className = "lightbox";
      dialog.innerHTML = '<img alt=""><div class="lightbox-bar">' +
        '<button type="button" class="btn btn-small" data-lb="prev"></button>' +
        '<button type="button" class="btn btn-small" data-lb="next"></button>' +
        '<button type="button" class="btn btn-small" data-lb="close"></button></div>';
      dialog.querySelector('[data-lb="prev"]').textContent = "‹ " + t("previous");
      dialog.querySelector('[data-lb="next"]').textContent = t("next") + " ›";
      dialog.querySelector('[data-lb="close"]').textContent = t("close");
      img = dialog.querySelector("img");
      dialog.addEventListener("click", function (e) {
        var action = e.target.getAttribute && e.target.getAttribute("data-lb");
        if (action === "prev") show(index - 1);
        else if (action === "next") show(index + 1);
        else if (action === "close" || e.target === dialog || e.target === img) dialog.close();
      });
      dialog.addEventListener("keydown", function (e) {
        if (e.key === "ArrowLeft") show(index - 1);
        if (e.key === "ArrowRight") show(index + 1);
      });
      document.body.appendChild(dialog);
    }
    document.addEventListener("click", function (e) {
      var link = e.target.closest ? e.target.closest("a[data-lightbox]") : null;
      if (!link || typeof HTMLDialogElement === "undefined") return;
      e.preventDefault();
      if (!dialog) build();
      group = Array.prototype.slice.call(document.querySelectorAll('a[data-lightbox="' + link.getAttribute("data-lightbox") + '"]'));
      var several = group.length > 1;
      dialog.querySelector('[data-lb="prev"]').hidden = !several;
      dialog.querySelector('[data-lb="next"]').hidden = !several;
      show(group.indexOf(link));
      dialog.showModal();
    });
  }

  /* --- workbench: tick all, count the ticks ------------------------------------------------------ */
  function setupBulk(form) {
    var all = form.querySelector("[data-check-all]");
    var out = form.querySelector("[data-ticked]");
    function boxes() { return Array.prototype.slice.call(form.querySelectorAll('input[name="cases"]')); }
    function count() {
      var n = boxes().filter(function (b) { return b.checked; }).length;
      if (out) out.textContent = n ? t("ticked", { n: n }) : "";
      if (all) all.checked = n > 0 && n === boxes().length;
    }
    if (all) all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      count();
    });
    form.addEventListener("change", function (e) { if (e.target.name === "cases") count(); });
    count();
  }

  /* --- sidestep request: show the transfer target or the extension only when asked for ---------- */
  function setupSidestep(form) {
    var kind = form.querySelector('select[name$="kind"]');
    if (!kind) return;
    function update() {
      form.querySelectorAll("[data-sidestep-for]").forEach(function (el) {
        el.hidden = el.getAttribute("data-sidestep-for") !== kind.value;
      });
    }
    kind.addEventListener("change", update);
    update();
  }

  ready(function () {
    T = readJSON("cases-i18n") || {};
    document.querySelectorAll("[data-photos]").forEach(setupPhotos);
    document.querySelectorAll("[data-voice]").forEach(setupVoice);
    if (window.L) {
      document.querySelectorAll('[data-case-map="pick"]').forEach(setupPickMap);
      document.querySelectorAll('[data-case-map="point"]').forEach(setupPointMap);
    }
    var report = document.getElementById("report-form");
    if (report) setupSubmit(report);
    setupSuggestions();
    setupLightbox();
    document.querySelectorAll("[data-bulk]").forEach(setupBulk);
    document.querySelectorAll("[data-sidestep]").forEach(setupSidestep);
  });
})();
