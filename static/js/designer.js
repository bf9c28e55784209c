/* Drag and drop for the designer's questions (docs/designer.md). An enhancement only: it
   sends the same "Move up"/"Move down" forms a keyboard user presses, once per place, so
   the server checks every move exactly as without JavaScript; then the page reloads. */
(function () {
  "use strict";
  var dragged = null;

  function moveForm(item) {
    return item.querySelector('form[action$="/action/"]');
  }

  function send(form, action, times) {
    var chain = Promise.resolve();
    for (var i = 0; i < times; i++) {
      chain = chain.then(function () {
        var body = new FormData(form);
        body.append("action", action);
        // getAttribute: form.action is the form's button named "action", not its address.
        return fetch(form.getAttribute("action"), {
          method: "POST",
          body: body,
          credentials: "same-origin",
        });
      });
    }
    return chain;
  }

  document.querySelectorAll(".portal-designer-fields").forEach(function (list) {
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li[data-field]");
      if (dragged) {
        dragged.classList.add("portal-designer-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged.getAttribute("data-field"));
      }
    });
    list.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("portal-designer-dragging");
    });
    list.addEventListener("dragover", function (event) {
      if (dragged && dragged.parentNode === list) event.preventDefault();
    });
    list.addEventListener("drop", function (event) {
      var target = event.target.closest("li[data-field]");
      if (!dragged || !target || target === dragged || target.parentNode !== list) return;
      event.preventDefault();
      var items = Array.prototype.slice.call(list.querySelectorAll("li[data-field]"));
      var delta = items.indexOf(target) - items.indexOf(dragged);
      var form = moveForm(dragged);
      if (!form || delta === 0) return;
      send(form, delta < 0 ? "up" : "down", Math.abs(delta)).then(function () {
        window.location.reload();
      });
    });
  });
})();
