/* Staff console: small progressive enhancements; every page also works without script.
 * - forms with data-confirm="…" ask before submitting (publish, retire, close, delete);
 * - forms with data-preview="URL" post themselves there on input and show the HTML it returns in
 *   the element named by data-preview-target (the live preview of an FAQ answer);
 * - fetch() calls send the page's CSRF token in X-CSRF-Token. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); return; }
    var buttons = form.querySelectorAll("button[type=submit]");  // one click, one submission
    setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
  });

  function preview(form) {
    var target = document.getElementById(form.getAttribute("data-preview-target"));
    if (!target) return;
    fetch(form.getAttribute("data-preview"), {method: "POST", body: new FormData(form),
      headers: {"X-CSRF-Token": csrf}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { target.innerHTML = html; })
      .catch(function () { target.textContent = "预览暂时不可用"; });
  }

  document.querySelectorAll("form[data-preview]").forEach(function (form) {
    var timer = null;
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { preview(form); }, 400); });
    preview(form);
  });
})();
