/* Live officers' pages (console/admin/live.py): an element with data-live="URL" listens to the
 * server-sent events at URL.
 * - the case page's conversation (#conversation) gets her new messages appended as they arrive;
 * - the inbox's list (#case-list) is replaced by the list the server sends when anything changed.
 * #live-status (role=status) says what arrived, or that live updates stopped. Without script or
 * EventSource the pages work as before, by reloading. */
(function () {
  "use strict";
  var box = document.querySelector("[data-live]");
  var status = document.getElementById("live-status");
  if (!box || !window.EventSource) return;

  function say(text) {
    if (status) status.textContent = text;
  }

  function bubble(line) {
    var div = document.createElement("div");
    div.className = "bubble " + line.who;
    var who = document.createElement("span");
    who.className = "muted";
    who.textContent = line.label + " " + line.time;
    div.appendChild(who);
    div.appendChild(document.createTextNode("\n" + line.text));
    return div;
  }

  var source = new EventSource(box.getAttribute("data-live"));

  source.addEventListener("lines", function (e) {
    var lines = JSON.parse(e.data);
    var empty = box.querySelector("p.muted");
    if (empty) empty.remove();
    lines.forEach(function (line) { box.appendChild(bubble(line)); });
    var hers = lines.filter(function (line) { return line.who === "worker"; });
    if (hers.length) say("职工发来新消息（" + hers[hers.length - 1].time + "）");  // the union's time, as on the page
  });

  source.addEventListener("list", function (e) {
    var data = JSON.parse(e.data);
    box.innerHTML = data.html;
    if (data.news) say(data.news);
  });

  source.addEventListener("changed", function (e) { say(JSON.parse(e.data).text); });

  source.addEventListener("ended", function (e) {
    say(JSON.parse(e.data).text);
    source.close();
  });

  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) say("实时更新已中断，请刷新页面。");
  });
})();
