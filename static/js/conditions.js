/* Conditional questions on one page (catalog/forms/conditions.py is the rule; the server
   checks every answer again). A question with data-visible-if is hidden while its
   condition does not hold for the answers on the page; without this script the page
   shows it with a hint "Only if …", and the server drops the answer if it does not apply. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-conditions]");
  if (!form) return;

  function answer(name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    if (!inputs.length) return undefined;
    var first = inputs[0];
    if (first.type === "radio") {
      var picked = form.querySelector('[name="' + name + '"]:checked');
      return picked ? picked.value : undefined;
    }
    if (first.type === "checkbox") {
      if (inputs.length === 1 && first.value === "on") return first.checked;
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
    }
    var text = first.value.trim();
    return text === "" ? undefined : text;
  }

  function same(actual, expected) {
    if (typeof actual === "boolean" || typeof expected === "boolean") return actual === expected;
    var a = Number(String(actual).replace(",", "."));
    var b = Number(String(expected).replace(",", "."));
    if (String(actual).trim() !== "" && !isNaN(a) && !isNaN(b)) return a === b;
    return String(actual) === String(expected);
  }

  function matches(actual, expected) {
    if (Array.isArray(actual)) return actual.some(function (a) { return same(a, expected); });
    return same(actual, expected);
  }

  function holds(c) {
    if (c.all) return c.all.every(holds);
    if (c.any) return c.any.some(holds);
    var actual = answer(c.field);
    if (actual === undefined) return false;
    var box = form.querySelector('[data-question="' + c.field + '"]');
    if (box && box.hidden) return false;
    if ("equals" in c) return matches(actual, c.equals);
    return (c["in"] || []).some(function (v) { return matches(actual, v); });
  }

  var questions = form.querySelectorAll("[data-visible-if]");
  function update() {
    Array.prototype.forEach.call(questions, function (q) {
      q.hidden = !holds(JSON.parse(q.getAttribute("data-visible-if")));
      var hint = q.querySelector(".portal-condition");
      if (hint) hint.hidden = true;
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
