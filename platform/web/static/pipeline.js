/* The pipeline board: drag a card onto another column, use the card's
   "Move" menu, or Alt + Left/Right arrow on a card (keyboard). A move posts the card's own form through htmx,
   which answers the whole board. A move to a lost stage first asks why
   (the board's #lost-dialog). Without this file the "Move" menus still work. */
(function () {
  "use strict";

  var lastMoved = null; // the card whose menu to focus again after the board is redrawn

  function askReason(form, stageId) {
    var dialog = document.getElementById("lost-dialog");
    if (!dialog) return false;
    var card = form.closest("[data-deal]");
    dialog.querySelector("[name=opportunity_id]").value = card.getAttribute("data-deal");
    dialog.querySelector("[name=stage_id]").value = stageId;
    var label = dialog.querySelector("[data-lost-deal]");
    if (label) label.textContent = card.getAttribute("data-name") || "";
    var reason = dialog.querySelector("[name=lost_reason_id]");
    if (reason) reason.value = "";
    if (dialog.open) dialog.close();
    dialog.showModal();
    if (reason) reason.focus();
    return true;
  }

  function isLost(select) {
    var option = select.options[select.selectedIndex];
    return Boolean(option && option.hasAttribute("data-lost"));
  }

  // A "Move" form sent towards a lost stage asks the reason instead.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-deal-move")) return;
    var select = form.querySelector("select[name=stage_id]");
    lastMoved = form.closest("[data-deal]").getAttribute("data-deal");
    if (select && isLost(select) && askReason(form, select.value)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Alt + Left/Right arrow on a card: to the previous or next stage.
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    var card = event.target instanceof Element && event.target.closest("[data-deal]");
    var form = card && card.querySelector("form[data-deal-move]");
    var select = form && form.querySelector("select[name=stage_id]");
    if (!select) return;
    var index = select.selectedIndex + (event.key === "ArrowRight" ? 1 : -1);
    if (index < 0 || index >= select.options.length || select.options[index].disabled) return;
    event.preventDefault();
    select.selectedIndex = index;
    form.requestSubmit();
  });

  document.addEventListener("dragstart", function (event) {
    var card = event.target instanceof Element && event.target.closest("[data-deal][draggable=true]");
    if (!card) return;
    event.dataTransfer.setData("text/plain", card.getAttribute("data-deal"));
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("is-dragging");
    document.getElementById("board").classList.add("is-dragging");
  });

  document.addEventListener("dragend", function (event) {
    var card = event.target instanceof Element && event.target.closest("[data-deal]");
    if (card) card.classList.remove("is-dragging");
    var board = document.getElementById("board");
    if (board) board.classList.remove("is-dragging");
    document.querySelectorAll(".board-col.is-over").forEach(function (col) {
      col.classList.remove("is-over");
    });
  });

  function dropColumn(event) {
    var col = event.target instanceof Element && event.target.closest(".board-col");
    return col && col.getAttribute("data-drop") === "1" ? col : null;
  }

  document.addEventListener("dragover", function (event) {
    var col = dropColumn(event);
    if (!col) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    col.classList.add("is-over");
  });

  document.addEventListener("dragleave", function (event) {
    var col = dropColumn(event);
    if (col && !col.contains(event.relatedTarget)) col.classList.remove("is-over");
  });

  document.addEventListener("drop", function (event) {
    var col = dropColumn(event);
    if (!col) return;
    event.preventDefault();
    col.classList.remove("is-over");
    var id = event.dataTransfer.getData("text/plain");
    var card = id && document.getElementById("deal-" + id);
    if (!card || card.closest(".board-col") === col) return;
    var form = card.querySelector("form[data-deal-move]");
    var select = form && form.querySelector("select[name=stage_id]");
    if (!select) return;
    if (col.getAttribute("data-kind") === "lost") {
      lastMoved = id;
      askReason(form, col.getAttribute("data-stage"));
      return;
    }
    select.value = col.getAttribute("data-stage");
    col.querySelector(".board-cards").prepend(card); // at once; the board answer confirms it
    form.requestSubmit();
  });

  // The reason not given (dialog closed), each card's menu shows its stage again.
  document.addEventListener("close", function (event) {
    if (!(event.target instanceof HTMLDialogElement) || event.target.id !== "lost-dialog") return;
    document.querySelectorAll("form[data-deal-move] select[name=stage_id]").forEach(function (select) {
      for (var i = 0; i < select.options.length; i += 1) {
        if (select.options[i].defaultSelected) select.selectedIndex = i;
      }
    });
  }, true);

  // A refused move answers 422 with the board asking the reason, or saying why: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 422 && target && target.id === "board") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var dialog = document.querySelector("#board dialog[data-show]");
    if (dialog) {
      dialog.removeAttribute("data-show");
      if (dialog.open) dialog.close();
      dialog.showModal();
      return;
    }
    if (lastMoved) {
      var menu = document.getElementById("move-" + lastMoved);
      lastMoved = null;
      if (menu && document.activeElement === document.body) menu.focus();
    }
  });
})();
