// Linli's own script: small progressive enhancements. Every page works without it.
"use strict";
document.addEventListener("click", function (e) {
  // Forms confirm on submit (below); here only links and buttons that carry their own message.
  var el = e.target.closest("a[data-confirm], button[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    e.preventDefault();
  }
});
document.addEventListener("submit", function (e) {
  var form = e.target;
  var msg = form.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) {
    e.preventDefault();
  }
});
