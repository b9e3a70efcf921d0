/* The quote editor's lines: "Add a line" copies the row template with the next
   free index, the bin removes a row (the last one is only emptied), and both
   ask the server for the totals again (the "lines-changed" event the totals
   box listens to). The server reads the rows by their index, whatever gaps. */
(function () {
  "use strict";

  function changed() {
    document.body.dispatchEvent(new CustomEvent("lines-changed"));
  }

  function addLine(body) {
    var template = document.getElementById("quote-line-template");
    if (!template) return;
    var index = parseInt(body.getAttribute("data-next-index") || "0", 10);
    body.setAttribute("data-next-index", String(index + 1));
    var html = template.innerHTML.replace(/__index__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    var rows = body.querySelectorAll("[data-line]");
    var field = rows[rows.length - 1].querySelector("textarea");
    if (field) field.focus();
    changed();
  }

  function removeLine(row) {
    var body = row.parentElement;
    if (body.querySelectorAll("[data-line]").length > 1) {
      row.remove();
    } else {
      row.querySelectorAll("input, textarea").forEach(function (field) { field.value = ""; });
    }
    changed();
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var add = target.closest("[data-add-line]");
    if (add) {
      var body = document.getElementById("quote-lines");
      if (body) addLine(body);
      return;
    }
    var remove = target.closest("[data-remove-line]");
    if (remove) {
      var row = remove.closest("[data-line]");
      if (row) removeLine(row);
    }
  });
})();
