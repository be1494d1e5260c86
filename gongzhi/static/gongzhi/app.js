/* 共治 Gongzhi — small page behaviours: the header (its "More" links and the phone menu), auto-submitting
 * selects, confirmations, copy. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  /* Priority+ navigation: on a desk-sized screen the header is one line whatever the role. The links are
   * laid out in order; those that do not fit move, still in order, into the "More" disclosure before the
   * user's tools, and come back when there is room. A phone (≤ 760 px) has the menu button instead. */
  function fitNavigation() {
    var links = document.querySelector(".site-nav .nav-links");
    var more = document.querySelector(".site-nav .nav-more");
    if (!links || !more) return;
    var toggle = more.querySelector(".nav-more-toggle");
    var list = more.querySelector(".nav-more-list");
    var phone = window.matchMedia("(max-width: 760px)");
    var inner = links.closest(".topbar-inner");

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      list.hidden = !open;
    }
    function overflows() {
      return links.scrollWidth > links.clientWidth + 1;
    }
    function fit() {
      // Moving a link drops its focus; a keyboard user in the menu keeps their place when the nav refits.
      var focused = document.activeElement;
      while (list.firstElementChild) links.appendChild(list.firstElementChild);
      more.hidden = true;
      // The brand's subtitle gives way before any link does.
      inner.classList.remove("nav-crowded");
      if (!phone.matches && overflows()) inner.classList.add("nav-crowded");
      if (!phone.matches && overflows()) {
        more.hidden = false;
        while (links.lastElementChild && overflows()) list.insertBefore(links.lastElementChild, list.firstElementChild);
      }
      toggle.classList.toggle("is-current", !!list.querySelector("[aria-current]"));
      if (more.hidden) setOpen(false);
      if (focused && focused !== document.activeElement && links.parentElement.contains(focused)) focused.focus();
    }

    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    more.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
    // Closes when the user moves on: a click elsewhere, or Tab past the last link in it.
    document.addEventListener("click", function (event) {
      if (!more.contains(event.target)) setOpen(false);
    });
    more.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !more.contains(event.relatedTarget)) setOpen(false);
    });

    fit();
    // The room for links changes with the window, the brand (its subtitle comes and goes with the width)
    // and the user's tools (the unread count is live). A refit may hide the subtitle, which resizes the
    // nav once more, but the next refit ends in the same state, so it settles at once.
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function () { window.requestAnimationFrame(fit); });
      observer.observe(links.parentElement);
      var tools = document.querySelector(".site-nav .nav-tools");
      if (tools) observer.observe(tools);
    } else {
      window.addEventListener("resize", fit);
    }
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(fit);
  }

  ready(function () {
    var toggle = document.querySelector(".nav-toggle");
    var bar = document.getElementById("topbar");
    if (toggle && bar) {
      toggle.addEventListener("click", function () {
        var open = bar.classList.toggle("nav-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    fitNavigation();

    // Filters stay open on a desk-sized screen and folded on a phone until asked for.
    if (window.matchMedia("(min-width: 761px)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
    }

    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });

    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) event.preventDefault();
    });

    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.querySelector(button.getAttribute("data-copy"));
        if (!source || !navigator.clipboard) return;
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = button.getAttribute("data-copied") || button.textContent;
        });
      });
    });
  });
})();
