// Council's own behaviour: small, CSP-safe (no inline code), and only an enhancement.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Every htmx request carries the CSRF token in a header.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A session that ended answers htmx with 401 and HX-Redirect; follow it even if htmx did not.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 401) {
      window.location.href = xhr.getResponseHeader("HX-Redirect") || "/login";
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");

    // The language switcher submits on change; its button stays for keyboards without JS.
    document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });

    document.querySelectorAll(".js-select-on-focus").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });

    document.querySelectorAll(".js-copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy-target"));
        if (!target) { return; }
        target.select();
        var done = function () { button.textContent = button.getAttribute("data-copied-text"); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(target.value).then(done);
        } else if (document.execCommand("copy")) {
          done();
        }
      });
    });
  });
})();
