// Unsent drafts kept in this browser: a form with data-draft-key is saved to localStorage as the person types
// (a slow or lost connection must not cost them their typing). Opening the form again offers the draft back.
// The draft is dropped once the form was sent and the server moved on to another page (it was saved).
(function () {
  "use strict";

  var SENT = "vigie-draft-sent";

  function storage(kind) {
    try { return window[kind]; } catch (error) { return null; } // private browsing may refuse storage
  }

  function values(form) {
    var saved = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.name === "csrfmiddlewaretoken" || element.name === "version") return;
      if (element.type === "submit" || element.type === "button" || element.type === "file") return;
      saved[element.name] = element.type === "checkbox" ? element.checked : element.value;
    });
    return saved;
  }

  function restore(form, saved) {
    // Rows first: a draft with three violations needs three rows before their values go in.
    form.querySelectorAll("[data-formset]").forEach(function (formset) {
      var total = saved[formset.dataset.formset + "-TOTAL_FORMS"];
      if (total) formset.dispatchEvent(new CustomEvent("vigie:rows", { detail: parseInt(total, 10) }));
    });
    Object.keys(saved).forEach(function (name) {
      var element = form.elements.namedItem(name);
      if (!element || element.type === "hidden" && /-(TOTAL|INITIAL)_FORMS$/.test(name)) return;
      if (element.type === "checkbox") element.checked = saved[name];
      else element.value = saved[name];
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function offer(form, local, key) {
    var saved;
    try { saved = JSON.parse(local.getItem(key)); } catch (error) { saved = null; }
    if (!saved) return false;
    var box = document.createElement("div");
    box.className = "message warning draft-offer";
    box.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = form.dataset.draftText;
    var again = document.createElement("button");
    again.type = "button";
    again.className = "primary";
    again.textContent = form.dataset.draftRestore;
    var drop = document.createElement("button");
    drop.type = "button";
    drop.textContent = form.dataset.draftDiscard;
    box.appendChild(text);
    box.appendChild(again);
    box.appendChild(drop);
    form.parentNode.insertBefore(box, form);
    again.addEventListener("click", function () { restore(form, saved); box.remove(); });
    drop.addEventListener("click", function () { local.removeItem(key); box.remove(); });
    return true;
  }

  function forgetSentDraft(local, session) {
    var sent = session.getItem(SENT);
    if (!sent) return;
    session.removeItem(SENT);
    // Back on the same form: the server refused it (errors shown); keep the draft.
    var form = document.querySelector("form[data-draft-key]");
    if (!form || form.dataset.draftKey !== sent) local.removeItem(sent);
  }

  function setUp(form, local, session) {
    var key = form.dataset.draftKey;
    if (form.dataset.draftOffer === "1") offer(form, local, key);
    var timer = null;
    function save() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        try { local.setItem(key, JSON.stringify(values(form))); } catch (error) { /* storage full: nothing to do */ }
      }, 300);
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      try { local.setItem(key, JSON.stringify(values(form))); } catch (error) { /* storage full */ }
      session.setItem(SENT, key);
    });
  }

  // Logging out on purpose leaves nothing typed behind on a shared computer (narratives can be sensitive).
  function forgetAllDrafts(local) {
    Object.keys(local).forEach(function (key) {
      if (key.indexOf("vigie-draft:") === 0) local.removeItem(key);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var local = storage("localStorage");
    var session = storage("sessionStorage");
    if (!local || !session) return;
    forgetSentDraft(local, session);
    document.querySelectorAll("form[data-forget-drafts]").forEach(function (form) {
      form.addEventListener("submit", function () { forgetAllDrafts(local); });
    });
    document.querySelectorAll("form[data-draft-key]").forEach(function (form) { setUp(form, local, session); });
  });
})();
