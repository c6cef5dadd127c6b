/* Staff console: small progressive enhancements; every page also works without script.
 * - forms with data-confirm="…" ask before submitting (publish, retire, close, delete);
 * - forms with data-preview="URL" post themselves there on input and show the HTML it returns in
 *   the element named by data-preview-target (the live preview of an FAQ answer);
 * - fetch() calls send the page's CSRF token in X-CSRF-Token;
 * - the knowledge build status (#build-status) follows a running build: it asks
 *   /admin/faq/build-status every two seconds until the build is done and shows the result in place
 *   (the element is an aria-live region, so the change is announced). */
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

  function busy(el) {
    return el.getAttribute("data-state") === "building" || el.getAttribute("data-pending") === "1";
  }

  function followBuild(status) {
    var failures = 0;
    function poll() {
      fetch("/admin/faq/build-status", {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          failures = 0;
          var fresh = document.createElement("div");
          fresh.innerHTML = data.html;
          fresh = fresh.firstElementChild;
          status.innerHTML = fresh.innerHTML;  // same element: the live region stays and is announced
          status.setAttribute("data-state", fresh.getAttribute("data-state"));
          status.setAttribute("data-pending", fresh.getAttribute("data-pending"));
          if (busy(status)) setTimeout(poll, 2000);
        })
        .catch(function () { if (++failures < 5) setTimeout(poll, 5000); });
    }
    setTimeout(poll, 2000);
  }

  var buildStatus = document.getElementById("build-status");
  if (buildStatus && busy(buildStatus)) followBuild(buildStatus);

  document.querySelectorAll("form[data-preview]").forEach(function (form) {
    var timer = null;
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { preview(form); }, 400); });
    preview(form);
  });
})();
