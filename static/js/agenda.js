// The agenda: drag and drop to reorder (SortableJS), and focus kept on the moved item.
// Only an enhancement: the move up/down buttons are the keyboard's (and no-JavaScript) way.
(function () {
  "use strict";

  var AGENDA = "agenda";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function itemIds(tbody) {
    return Array.prototype.map.call(tbody.querySelectorAll("tr[data-item-id]"), function (row) {
      return row.getAttribute("data-item-id");
    });
  }

  function saveOrder(tbody, sortable) {
    sortable.option("disabled", true); // one change at a time; the answer replaces the list
    htmx.ajax("POST", tbody.getAttribute("data-reorder-url"), {
      target: "#" + AGENDA,
      swap: "outerHTML",
      values: { order: itemIds(tbody) },
      headers: { "X-CSRFToken": csrfToken() }
    });
  }

  function makeSortable(tbody) {
    if (typeof Sortable === "undefined" || tbody.getAttribute("data-sortable-ready")) {
      return;
    }
    tbody.setAttribute("data-sortable-ready", "1");
    tbody.querySelectorAll(".agenda__handle").forEach(function (handle) {
      handle.hidden = false;
    });
    var sortable = Sortable.create(tbody, {
      handle: ".agenda__handle",
      draggable: "tr[data-item-id]",
      animation: 150,
      ghostClass: "agenda__ghost",
      onEnd: function (event) {
        if (event.oldIndex !== event.newIndex) {
          saveOrder(tbody, sortable);
        }
      }
    });
  }

  htmx.onLoad(function (content) {
    var scope = content.querySelectorAll ? content : document;
    if (scope.matches && scope.matches("tbody.agenda__sortable")) {
      makeSortable(scope);
    }
    scope.querySelectorAll("tbody.agenda__sortable").forEach(makeSortable);
  });

  // A refused reorder (400: the agenda changed meanwhile) answers with the agenda as it is now:
  // show it, or the list would keep an order that was not saved.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.target && detail.target.id === AGENDA && detail.xhr.status === 400 &&
        /\/agenda\/reorder$/.test(detail.requestConfig.path)) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  // Moving an item to the top or the bottom removes the button that moved it; keep the
  // keyboard on the same item (its other move button, or its edit link) instead of the page.
  var focusedId = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== AGENDA) {
      return;
    }
    var active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
    // SortableJS styles the rows it animates through the CSSOM (which the CSP allows), and
    // leaves a style attribute behind. htmx copies the attributes of old elements onto the new
    // ones with the same id while it settles, with setAttribute("style"), which the CSP blocks.
    target.querySelectorAll("[style]").forEach(function (element) {
      element.removeAttribute("style");
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    var wanted = focusedId;
    focusedId = null;
    if (!wanted || (document.activeElement && document.activeElement !== document.body)) {
      return;
    }
    var match = /^agenda-item-(\d+)-(up|down)$/.exec(wanted);
    if (!match) {
      return;
    }
    var prefix = "agenda-item-" + match[1] + "-";
    var candidates = [wanted, prefix + (match[2] === "up" ? "down" : "up"), prefix + "edit"];
    for (var i = 0; i < candidates.length; i++) {
      var element = document.getElementById(candidates[i]);
      if (element) {
        element.focus();
        return;
      }
    }
  });
})();
