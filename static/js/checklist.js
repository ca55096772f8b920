// The close page's slow section ("what viewers will not see"): fetched once the page is shown, so the rest of the
// checklist and the form are usable at once. Without scripts, or if the fetch fails, its link works it out in the
// page itself. No inline script anywhere (Content-Security-Policy).
(function () {
  "use strict";

  function load(section) {
    fetch(section.dataset.fragment, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var loaded = holder.querySelector("section");
        if (!loaded) return;
        section.replaceWith(loaded);
        var summary = document.getElementById("suppression-summary");
        if (summary) summary.textContent = loaded.dataset.summary;
      })
      .catch(function () { section.removeAttribute("aria-busy"); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("section[data-fragment]").forEach(load);
  });
})();
