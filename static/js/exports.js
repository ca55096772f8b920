// The exports form (templates/reports/exports.html): the format follows the kind of export. The format list offers
// only the formats the chosen kind is made in (the report: PDF; records and the 5W table: CSV or Excel), keeping the
// choice when the new kind allows it; the fields a kind does not take (the record type, a year or a range for the
// report) are hidden and disabled, so nothing hidden is sent. Without scripts every field shows, the format's
// "Default" makes each kind in its usual format, and the server refuses a format the kind is not made in.
(function () {
  "use strict";

  function setUp(form) {
    var kind = form.querySelector("[data-export-kind]");
    var format = form.querySelector("[data-formats-by-kind]");
    if (!kind || !format) return;
    var formatsByKind = JSON.parse(format.dataset.formatsByKind);
    var everyFormat = Array.prototype.map.call(format.options, function (option) {
      return { value: option.value, text: option.textContent };
    });
    var kindFields = form.querySelectorAll("[data-export-kinds]");

    function follow() {
      var allowed = formatsByKind[kind.value] || [];
      var chosen = format.value;
      format.textContent = "";
      everyFormat.forEach(function (item) {
        if (allowed.indexOf(item.value) === -1) return;
        var option = document.createElement("option");
        option.value = item.value;
        option.textContent = item.text;
        format.appendChild(option);
      });
      format.value = allowed.indexOf(chosen) !== -1 ? chosen : allowed[0];
      kindFields.forEach(function (input) {
        var taken = input.dataset.exportKinds.split(" ").indexOf(kind.value) !== -1;
        input.disabled = !taken;
        var field = input.closest(".field");
        if (field) field.hidden = !taken;
      });
    }

    kind.addEventListener("change", follow);
    follow();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-export-form]").forEach(setUp);
  });
})();
