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
document.addEventListener("click", function (e) {
  // The phone menu: a real button whose state assistive technology hears.
  var btn = e.target.closest(".nav-button");
  if (!btn) {
    return;
  }
  var nav = document.getElementById(btn.getAttribute("aria-controls"));
  var open = btn.getAttribute("aria-expanded") !== "true";
  btn.setAttribute("aria-expanded", open ? "true" : "false");
  nav.classList.toggle("open", open);
});
// Folded filters stay open where the screen has room for them.
if (window.matchMedia && window.matchMedia("(min-width: 760px)").matches) {
  document.querySelectorAll("details.filter-fold").forEach(function (d) { d.open = true; });
}
document.addEventListener("click", function (e) {
  // A copy button copies its text and says so.
  var btn = e.target.closest("button[data-copy]");
  if (!btn || !navigator.clipboard) {
    return;
  }
  navigator.clipboard.writeText(btn.getAttribute("data-copy")).then(function () {
    btn.textContent = "已复制";
  });
});
document.addEventListener("click", function (e) {
  // A sortable table sorts its rows by the number in the column whose header was pressed,
  // largest first, then smallest first on the next press.
  var btn = e.target.closest("table.sortable th button.sort");
  if (!btn) {
    return;
  }
  var th = btn.closest("th");
  var table = th.closest("table");
  var col = Array.prototype.indexOf.call(th.parentNode.children, th);
  var desc = th.getAttribute("aria-sort") !== "descending";
  table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
  th.setAttribute("aria-sort", desc ? "descending" : "ascending");
  var num = function (tr) {
    var v = parseFloat((tr.children[col].textContent || "").replace(/[^0-9.\-]/g, ""));
    return isNaN(v) ? -1 : v;
  };
  var body = table.tBodies[0];
  Array.prototype.slice.call(body.rows).sort(function (a, b) {
    return desc ? num(b) - num(a) : num(a) - num(b);
  }).forEach(function (tr) { body.appendChild(tr); });
});
