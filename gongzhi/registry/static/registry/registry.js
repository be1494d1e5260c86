/* 共治 Gongzhi — the registry pages: bring a form's problems into view on a phone, whether they
 * came with the page (a refused entry) or were swapped in by htmx (a refused visit keeps its photos
 * and only receives the problems). */
(function () {
  "use strict";

  function show(box) {
    box.scrollIntoView({ behavior: "smooth", block: "center" });
    if (box.focus) box.focus({ preventScroll: true });
  }

  document.addEventListener("htmx:afterSwap", function (e) {
    var box = e.detail.target;
    if (box && box.id === "visit-errors" && box.querySelector(".form-errors")) show(box);
  });

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var first = document.querySelector(".reg-form .has-error, .visit-form .has-error");
    if (first) show(first);
  });
})();
