// Rows of a Django formset added and removed in the page (the empty row is cloned from a <template>).
// Without scripts the page still works: it has one blank row and a "Remove" checkbox per row.
(function () {
  "use strict";

  function totalInput(formset) {
    return formset.querySelector('input[name="' + formset.dataset.formset + '-TOTAL_FORMS"]');
  }

  function renumber(formset) {
    var number = 0;
    formset.querySelectorAll("[data-formset-row]").forEach(function (row) {
      if (row.hidden) return;
      number += 1;
      var label = row.querySelector("[data-row-number]");
      if (label) label.textContent = String(number);
    });
  }

  function addRemoveButton(formset, row) {
    var box = row.querySelector('input[type="checkbox"][name$="-DELETE"]');
    if (!box) return;
    box.closest(".row-remove").hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link remove-row";
    button.textContent = formset.dataset.removeLabel || "Remove";
    button.addEventListener("click", function () {
      box.checked = true;
      row.hidden = true;
      renumber(formset);
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
    row.querySelector("legend").appendChild(button);
    if (box.checked) row.hidden = true;
  }

  function addRow(formset) {
    var total = totalInput(formset);
    var index = parseInt(total.value, 10);
    var template = formset.querySelector("template[data-formset-empty]");
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.querySelector("[data-formset-row]");
    formset.querySelector("[data-formset-rows]").appendChild(row);
    total.value = String(index + 1);
    addRemoveButton(formset, row);
    renumber(formset);
    return row;
  }

  function setUp(formset) {
    var add = formset.querySelector("[data-formset-add]");
    formset.querySelectorAll("[data-formset-rows] [data-formset-row]").forEach(function (row) {
      addRemoveButton(formset, row);
    });
    renumber(formset);
    add.hidden = false;
    add.addEventListener("click", function () {
      var row = addRow(formset);
      var first = row.querySelector("select, input:not([type=hidden])");
      if (first) first.focus();
    });
    // A restored draft asks for as many rows as it had (draft.js).
    formset.addEventListener("vigie:rows", function (event) {
      while (parseInt(totalInput(formset).value, 10) < event.detail) addRow(formset);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-formset]").forEach(setUp);
  });
})();
