// Asks before a step that takes a record out of the figures (archive, reject): a <dialog>, then the form is
// sent with confirm=1. Without scripts the server shows a confirmation page instead.
(function () {
  "use strict";

  function ask(form) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    var text = document.createElement("p");
    text.textContent = form.dataset.confirm;
    var yes = document.createElement("button");
    yes.type = "button";
    yes.className = "danger";
    yes.textContent = form.dataset.confirmYes;
    var no = document.createElement("button");
    no.type = "button";
    no.textContent = form.dataset.confirmNo;
    var actions = document.createElement("div");
    actions.className = "actions";
    actions.appendChild(yes);
    actions.appendChild(no);
    dialog.appendChild(text);
    dialog.appendChild(actions);
    document.body.appendChild(dialog);
    no.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    yes.addEventListener("click", function () {
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirm";
      confirmed.value = "1";
      form.appendChild(confirmed);
      dialog.close();
      form.submit();
    });
    dialog.showModal();
    no.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.querySelector('input[name="confirm"]')) return;
        event.preventDefault();
        ask(form);
      });
    });
  });
})();
