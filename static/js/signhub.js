/* signhub: small progressive enhancements. No inline scripts anywhere (CSP-friendly). */
(function () {
  "use strict";

  // 1. Time zone: remember the browser's zone in a cookie so the server renders local times.
  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }
  var zone = null;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
  if (zone && !readCookie("tz")) {
    // IANA names only use letters, digits, "/", "_", "-" and "+": safe in a cookie as they are.
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    if (zone !== "UTC" && !sessionStorage.getItem("signhub-tz-reloaded")) {
      sessionStorage.setItem("signhub-tz-reloaded", "1");
      window.location.reload();
    }
  }

  function refreshResults() {
    if (!window.htmx || !document.getElementById("results")) return;
    window.htmx.ajax("GET", window.location.pathname + window.location.search, {
      target: "#results", swap: "innerHTML"
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;

    // 2. Short, shareable URLs: leave empty filter fields out of HTMX requests.
    body.addEventListener("htmx:configRequest", function (event) {
      if (event.detail.verb !== "get") return;
      var params = event.detail.parameters;
      var names = params instanceof FormData ? Array.from(new Set(params.keys())) : Object.keys(params);
      names.forEach(function (name) {
        var values = params instanceof FormData ? params.getAll(name) : [].concat(params[name]);
        if (values.every(function (v) { return v === ""; })) {
          if (params instanceof FormData) { params.delete(name); } else { delete params[name]; }
        }
      });
    });

    // 2b. Leaving the search box fires "change" for text its typing already sent: skip that
    // duplicate request (it would also race a click on a sort header or page link).
    body.addEventListener("htmx:configRequest", function (event) {
      var search = document.getElementById("id_q");
      if (search && event.detail.elt.id === "filters") search.dataset.sent = search.value;
    });
    body.addEventListener("htmx:confirm", function (event) {
      var trigger = event.detail.triggeringEvent;
      var search = trigger && trigger.target;
      if (trigger && trigger.type === "change" && search && search.id === "id_q" &&
          search.dataset.sent === search.value) {
        event.preventDefault();
      }
    });

    // 3. A sync started with "Sync now" finished: show the fresh list.
    body.addEventListener("signhub:synced", refreshResults);

    // 4. Closing the detail panel returns to the list (the panel pushed its own URL), and
    // focus returns to the link that opened it: found again by its address, because going
    // back may re-render the list (htmx history restore) and replace the link itself.
    var opener = null;
    body.addEventListener("click", function (event) {
      var link = event.target.closest("td.title > a");
      if (link) opener = link.getAttribute("href");
    });
    function refocusOpener() {
      if (!opener) return;
      var panel = document.getElementById("detail");
      if (panel && panel.classList.contains("open")) return;
      var links = document.querySelectorAll("td.title > a");
      for (var i = 0; i < links.length; i++) {
        if (links[i].getAttribute("href") === opener) { links[i].focus(); return; }
      }
    }
    // Back may restore the list in place (the link is still there) or re-render it from
    // the server (htmx:historyRestore, a new link): focus it in both cases, then forget it.
    window.addEventListener("popstate", function () {
      window.setTimeout(refocusOpener, 0);
      window.setTimeout(function () { opener = null; }, 3000);
    });
    document.addEventListener("htmx:historyRestore", function () {
      refocusOpener();
      opener = null;
    });
    body.addEventListener("click", function (event) {
      var close = event.target.closest("[data-close-detail]");
      var panel = document.getElementById("detail");
      if (!close || !panel || !panel.contains(close)) return;
      event.preventDefault();
      panel.innerHTML = "";
      panel.classList.remove("open");
      window.history.back();
    });

    // Escape closes the drawer too (keyboard users), as soon as it shows a document: its
    // "open" class comes only after htmx settles, and an Escape pressed before that was lost.
    document.addEventListener("keydown", function (event) {
      var panel = document.getElementById("detail");
      if (event.key !== "Escape" || !panel || !panel.children.length) return;
      var close = panel.querySelector("[data-close-detail]");
      if (close) { event.preventDefault(); close.click(); }  // handled: not also "clear"
    });

    // 5. Focus: the detail heading when the panel opens; the result count after paging.
    body.addEventListener("htmx:afterSettle", function (event) {
      var target = event.detail.target;
      if (!target) return;
      if (target.id === "detail") {
        target.classList.toggle("open", target.children.length > 0);
        var title = document.getElementById("detail-title");
        if (title) title.focus();
      } else if (target.id === "results") {
        var panel = document.getElementById("detail");
        if (panel) { panel.innerHTML = ""; panel.classList.remove("open"); }
        if (document.activeElement === document.body || !document.activeElement) {
          var count = document.getElementById("result-count");
          if (count) { count.setAttribute("tabindex", "-1"); count.focus(); }
        }
      }
    });
  });
})();
