/* Comptoir: the few behaviours pages need beyond htmx. Every page works without
   this file; it only adds comfort. Behaviours are declared with data attributes:

   data-slug-source / data-slug-target   suggest a workspace address from the company name
   data-copy="#selector"                 copy that element's text to the clipboard
   data-dialog-open="id" / data-dialog-close   open or close a <dialog>
   data-confirm="question"               ask before submitting the button's form
   data-autosubmit                       submit the form when a <select> changes
   data-menu (on <details>)              close the menu on outside click or Escape
   data-nav-toggle / data-nav-close      open or close the sidebar on small screens
   data-dismiss                          hide the enclosing flash message
*/
(function () {
  "use strict";

  // Letters that Unicode decomposition does not reduce to ASCII (as on the server).
  var TRANSLITERATIONS = {
    "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O",
    "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i"
  };

  function slugify(text) {
    return text
      .replace(/[œŒæÆßẞøØđĐłŁþÞðÐı]/g, function (letter) { return TRANSLITERATIONS[letter]; })
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40)
      .replace(/-+$/g, "");
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    if (target.hasAttribute("data-slug-target") && event.isTrusted) {
      target.dataset.touched = target.value ? "1" : "";
    }
    if (target.hasAttribute("data-slug-source")) {
      var form = target.form;
      var slug = form && form.querySelector("[data-slug-target]");
      if (slug && !slug.dataset.touched) {
        slug.value = slugify(target.value);
        slug.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
  });

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try {
      document.execCommand("copy");
    } finally {
      document.body.removeChild(area);
    }
    return Promise.resolve();
  }

  document.addEventListener("click", function (event) {
    var el = event.target instanceof Element ? event.target : null;
    if (!el) return;

    var copy = el.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy"));
      if (source) {
        copyText(source.textContent.trim()).then(function () {
          var label = copy.querySelector("span");
          if (label) {
            var before = label.textContent;
            label.textContent = copy.getAttribute("data-copied-label") || "Copied";
            copy.classList.add("is-done");
            setTimeout(function () {
              label.textContent = before;
              copy.classList.remove("is-done");
            }, 2000);
          }
        });
      }
      return;
    }

    var opener = el.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    var closer = el.closest("[data-dialog-close]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) open.close();
      return;
    }
    if (el instanceof HTMLDialogElement && el.open) {
      // A click on the backdrop lands on the dialog itself.
      var box = el.getBoundingClientRect();
      var inside =
        event.clientX >= box.left && event.clientX <= box.right &&
        event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) el.close();
    }

    var ask = el.closest("[data-confirm]");
    if (ask && !window.confirm(ask.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }

    if (el.closest("[data-dismiss]")) {
      var flash = el.closest("[data-flash]");
      if (flash) flash.remove();
      return;
    }

    if (el.closest("[data-nav-toggle]")) {
      document.body.classList.toggle("nav-open");
      return;
    }
    if (el.closest("[data-nav-close]")) {
      document.body.classList.remove("nav-open");
    }

    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(el)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.requestSubmit();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      menu.removeAttribute("open");
    });
    document.body.classList.remove("nav-open");
  });
})();
