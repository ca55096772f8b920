// The idle-session warning. A signed-in page's <body> says how long an idle session lives (data-session-idle,
// seconds) and how long before its end to warn (data-session-warn); templates/core/session_warning.html holds the
// dialogs, their translated words and URLs. "Stay signed in" renews the session (POST with CSRF); when the time
// is up the page goes to the login page with a message -- unless a form on it holds typed text, which is never
// thrown away silently: the page stays, and says so.
// Tabs share the session, so they tell each other its new end (BroadcastChannel, nothing stored in the browser):
// a tab kept alive renews the others.
(function () {
  "use strict";

  var GRACE_MS = 2000; // go to the login page a little after the end, once the server has surely let it go

  function channel() {
    try { return new BroadcastChannel("vigie-session"); } catch (error) { return null; } // an older browser
  }

  function setUp() {
    var body = document.body;
    var warning = document.getElementById("session-warning");
    var expired = document.getElementById("session-expired");
    var idle = parseInt(body.dataset.sessionIdle || "", 10);
    var lead = parseInt(body.dataset.sessionWarn || "", 10);
    if (!warning || !expired || !(idle > 0) || !(lead >= 0)) return;

    var stay = warning.querySelector("[data-session-stay]");
    var countdown = warning.querySelector("[data-session-countdown]");
    var dirtyNote = warning.querySelector("[data-session-dirty]");
    var failure = warning.querySelector("[data-session-failure]");
    var csrf = warning.querySelector("input[name=csrfmiddlewaretoken]");
    var ends = 0;
    var warnTimer = null;
    var endTimer = null;
    var ticker = null;
    var dirty = false;
    var returnFocus = null;
    var tabs = channel();

    function share(when) {
      if (tabs) tabs.postMessage(when);
    }

    function schedule(when) {
      ends = when;
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      var now = Date.now();
      warnTimer = setTimeout(showWarning, Math.max(0, ends - lead * 1000 - now));
      endTimer = setTimeout(timeIsUp, Math.max(0, ends + GRACE_MS - now));
      if (ends - lead * 1000 > now) hideWarning();
    }

    function remaining() {
      var seconds = Math.max(0, Math.round((ends - Date.now()) / 1000));
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      return minutes + ":" + (rest < 10 ? "0" : "") + rest;
    }

    function showWarning() {
      if (!warning.hidden) return;
      dirtyNote.hidden = !dirty;
      failure.hidden = true;
      countdown.textContent = remaining();
      clearInterval(ticker);
      ticker = setInterval(function () { countdown.textContent = remaining(); }, 1000);
      returnFocus = document.activeElement;
      warning.hidden = false;
      stay.focus();
    }

    function hideWarning() {
      if (warning.hidden) return;
      warning.hidden = true;
      clearInterval(ticker);
      if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
    }

    function timeIsUp() {
      hideWarning();
      clearInterval(ticker);
      if (dirty) {
        expired.hidden = false;
        expired.querySelector("[data-session-expired-focus]").focus();
        return;
      }
      var next = window.location.pathname + window.location.search;
      window.location.assign(expired.dataset.endedUrl + "?next=" + encodeURIComponent(next));
    }

    function renew() {
      stay.disabled = true;
      fetch(warning.dataset.keepaliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf ? csrf.value : "", "Accept": "application/json" },
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status === 401) { ends = Date.now() - GRACE_MS; timeIsUp(); return null; }
        if (!response.ok || type.indexOf("application/json") === -1) throw new Error(String(response.status));
        return response.json();
      }).then(function (answer) {
        if (!answer) return;
        var when = Date.now() + answer.expires_in * 1000;
        share(when);
        schedule(when);
        hideWarning();
      }).catch(function () {
        failure.hidden = false;
      }).then(function () {
        stay.disabled = false;
      });
    }

    stay.addEventListener("click", renew);
    warning.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); renew(); return; }
      if (event.key !== "Tab") return;
      // Keep the keyboard in the dialog while it is open.
      var focusable = warning.querySelectorAll("button:not([disabled]), a[href]");
      var first = focusable[0];
      var last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    });

    // Typed text: any form but the language switch and the sign-out forms.
    function counts(form) {
      return form && !form.classList.contains("language") && !form.hasAttribute("data-session-ignore");
    }
    document.addEventListener("input", function (event) {
      if (event.target && counts(event.target.form)) dirty = true;
    });
    document.addEventListener("submit", function (event) {
      if (counts(event.target)) dirty = false;
    });

    if (tabs) {
      tabs.addEventListener("message", function (event) {
        var when = parseInt(event.data, 10);
        if (when > ends) schedule(when); // another tab loaded a page or was kept signed in
      });
    }

    // This page's request renewed the session: it ends `idle` seconds from now.
    var when = Date.now() + idle * 1000;
    share(when);
    schedule(when);
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
