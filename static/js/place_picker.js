// The place picker: region → cercle → commune selects narrowing each other, writing into the form's one
// `place` select (which is what is sent). Without scripts that select, listing every place, is used directly.
(function () {
  "use strict";

  function option(value, text) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = text;
    return element;
  }

  function setUp(picker) {
    var place = document.getElementById(picker.dataset.placePicker);
    var source = document.getElementById(picker.dataset.areas);
    if (!place || !source) return;
    var areas = JSON.parse(source.textContent);
    var byId = {};
    areas.forEach(function (area) { byId[area[0]] = { id: area[0], parent: area[1], level: area[2], name: area[3] }; });
    var labels = [picker.dataset.labelRegion, picker.dataset.labelCercle, picker.dataset.labelCommune];
    var selects = [];
    var row = document.createElement("div");
    row.className = "picker-row";
    labels.forEach(function (text, position) {
      var field = document.createElement("div");
      field.className = "field";
      var select = document.createElement("select");
      select.id = place.id + "_level" + (position + 1);
      var label = document.createElement("label");
      label.htmlFor = select.id;
      label.textContent = text;
      field.appendChild(label);
      field.appendChild(select);
      row.appendChild(field);
      selects.push(select);
    });
    place.hidden = true;
    place.required = false; // the browser cannot point at a hidden field; the server says what is missing
    place.insertAdjacentElement("afterend", row);
    var mainLabel = picker.querySelector('label[for="' + place.id + '"]');
    if (mainLabel) mainLabel.htmlFor = selects[0].id;

    function children(parentId, level) {
      return areas.filter(function (area) { return area[2] === level && (level === 1 || area[1] === parentId); });
    }

    function fill(position, parentId, chosen) {
      var select = selects[position];
      select.innerHTML = "";
      var items = position === 0 || parentId ? children(parentId, position + 1) : [];
      select.appendChild(option("", position === 0 ? picker.dataset.choose : picker.dataset.any));
      items.forEach(function (area) { select.appendChild(option(String(area[0]), area[3])); });
      select.value = chosen ? String(chosen) : "";
      select.disabled = position > 0 && items.length === 0;
    }

    // The path from the region down to the chosen place, e.g. [region id, cercle id, commune id].
    function pathTo(id) {
      var path = [];
      var area = byId[id];
      while (area) { path.unshift(area.id); area = byId[area.parent]; }
      return path;
    }

    function showPlace() {
      var path = place.value ? pathTo(parseInt(place.value, 10)) : [];
      fill(0, null, path[0]);
      fill(1, path[0], path[1]);
      fill(2, path[1], path[2]);
    }

    function choose(position) {
      var chosen = selects[position].value;
      for (var next = position + 1; next < 3; next += 1) fill(next, next === position + 1 ? parseInt(chosen, 10) : null, null);
      var deepest = "";
      selects.forEach(function (select) { if (select.value) deepest = select.value; });
      place.value = deepest;
      place.dispatchEvent(new Event("input", { bubbles: true }));
    }

    selects.forEach(function (select, position) {
      select.addEventListener("change", function () { choose(position); });
    });
    // A restored draft sets the hidden select; show it in the three.
    place.addEventListener("change", showPlace);
    showPlace();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-place-picker]").forEach(setUp);
  });
})();
