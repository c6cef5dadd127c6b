/*
 * 女职工权益助手 web chat widget. No build step, no CDN: embed with
 *
 *   <script src="http://HOST:8000/widget/widget.js"></script>
 *   <script>WomenRightsWidget.init({socketUrl: "http://localhost:5005", title: "女职工权益助手"});</script>
 *
 * It loads widget.css and socket.io.min.js (copied from the socket.io-client package by `make widget`)
 * from the folder it was itself loaded from, and talks to Rasa's socket.io channel
 * (bot/credentials.yml: user_uttered / bot_uttered, session_persistence: true).
 * The session id (as the server confirmed it: "web:" + 32 hex digits) and the conversation are kept in
 * localStorage, so a reload shows the history and the server (SQL tracker store) continues the same
 * conversation.
 *
 * Phones first: on a host page without a viewport meta tag (old sites) the widget adds
 * <meta name="viewport" content="width=device-width, initial-scale=1">, or a phone would show it at
 * about a third of its size; pass setViewport: false to keep the host page as it is.
 * When the server cannot be reached she is told so within seconds, with numbers to call; what she
 * writes meanwhile is kept and sent when the connection is back.
 */
(function () {
  "use strict";
  if (window.WomenRightsWidget) return;

  var script = document.currentScript;
  var BASE = script && script.src ? script.src.replace(/[^/]*(\?.*)?$/, "") : "/widget/";
  var RATED_CHARS = 300;  // how much of a rated answer goes back with a 👎 (the bot finds the answer by it)
  var OFFLINE_AFTER_MS = 3000;  // a reconnection that takes longer is not a blip: say so, with numbers to call
  var INPUT_LINES = 5;  // the input grows with her text up to this many lines
  var TURN_GAP_MS = 1500;  // messages to her further apart than this are not parts of one answer

  /* The numbers the bot's answers give (knowledge/safety.py, answering/compose.py): tap-to-call in any
   * message; the emergency ones always shown at the foot of the panel. */
  var HOTLINES = {
    "110": "报警", "120": "急救", "12338": "妇联", "12356": "心理援助",
    "12351": "职工服务", "12348": "法律援助", "12333": "劳动保障"
  };
  var EMERGENCY_NUMBERS = ["110", "120", "12338", "12356"];
  var UNION_LINE = "12351";
  var OFFLINE_TEXT = ["助手暂时连不上，正在自动重试。急事请直接打全国总工会职工服务热线 ", UNION_LINE,
    "。您写的消息不会丢，连上后会自动发出。"];
  var STARTERS = ["怀孕了被辞退怎么办", "哺乳期每天有哺乳时间吗", "预约法律咨询", "转人工"];

  var PRIVACY = "本对话可能涉及个人信息（如姓名、电话、单位和您的经历），仅用于解答和转交工会维权专员处理，" +
    "不会用于其他用途。请勿发送身份证号、银行卡号等与问题无关的敏感信息。可随时点击“清除记录”删除本机上显示的对话记录。";

  var DEFAULTS = {
    socketUrl: "http://localhost:5005",
    socketPath: "/socket.io/",
    title: "女职工权益助手",
    storageKey: "wrw",
    userMessageEvt: "user_uttered",
    botMessageEvt: "bot_uttered",
    greeting: "您好！我是女职工权益助手，可以解答产假、哺乳假、孕期保护、性骚扰、就业歧视等问题，也可以预约工会服务或转人工。",
    openOnLoad: false,
    setViewport: true
  };

  function loadOnce(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
      el.onload = function () { resolve(); };
      el.onerror = function () { reject(new Error("cannot load " + (attrs.src || attrs.href))); };
      (document.head || document.documentElement).appendChild(el);
    });
  }

  /* 32 random hex digits. Whoever knows the id can read the conversation, so it comes from the
   * browser's cryptographic generator (crypto.getRandomValues works on plain-HTTP pages too, where
   * crypto.randomUUID does not). The server prefixes it ("web:…", bot/channels/widget.py) and
   * session_confirm tells us the id to keep. */
  function newSessionId() {
    var bytes = new Uint8Array(16), s = "";
    window.crypto.getRandomValues(bytes);
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /* A tap-to-call link for one of the HOTLINES. */
  function telLink(number) {
    var a = el("a", "wrw-tel", number);
    a.href = "tel:" + number;
    return a;
  }

  /* Text with web addresses and hotline numbers made links, built as DOM nodes (never innerHTML: the
   * text is the bot's or hers). A number is a hotline only as a whole number not followed by a unit
   * (120天 is a number of days, 3.110 and 110.5 are not phone numbers). Newlines are kept by CSS
   * (white-space: pre-wrap). */
  var LINK = /(https?:\/\/[^\s<>"'，。；、）)]+)|(www\.[^\s<>"'，。；、）)]+)|(\d+)(?![天日元块个小时周月年%％岁号次人分万千百\d]|[.．]\d)/g;
  var AFTER_DECIMAL_POINT = /\d[.．]$/;
  function renderText(node, text) {
    var last = 0, m;
    text = String(text || "");
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text))) {
      var link;
      if (m[3]) {
        if (!HOTLINES[m[3]] || AFTER_DECIMAL_POINT.test(text.slice(0, m.index))) continue;
        link = telLink(m[3]);
      } else {
        link = el("a", null, m[0]);
        link.href = m[1] ? m[0] : "http://" + m[0];
        link.target = "_blank";
        link.rel = "noopener noreferrer";
      }
      if (m.index > last) node.appendChild(document.createTextNode(text.slice(last, m.index)));
      node.appendChild(link);
      last = m.index + m[0].length;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
  }

  /* An inline SVG icon (emoji fonts are not on every phone, and nothing comes from a CDN). */
  function icon(d, size) {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(NS, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("fill-rule", "evenodd");
    path.setAttribute("d", d);
    svg.appendChild(path);
    return svg;
  }
  var CHAT_ICON = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 " +
    "1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z";
  var THUMB_UP = "M2 10h4v11H2zm6 11V10l5-8c1.4 0 2.5 1.1 2.2 2.5L14.4 9H20a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.6 21z";
  var THUMB_DOWN = "M2 3h4v11H2zm6 0v11l5 8c1.4 0 2.5-1.1 2.2-2.5L14.4 15H20a2 2 0 0 0 2-2.3l-1.4-8A2 2 0 0 0 " +
    "18.6 3z";

  /* Old union sites often have no viewport meta tag: a phone then lays the page out 980 px wide and
   * shrinks everything, the widget included, to about a third. */
  function ensureViewport() {
    if (document.querySelector("meta[name=viewport]")) return;
    var meta = document.createElement("meta");
    meta.name = "viewport";
    meta.content = "width=device-width, initial-scale=1, minimum-scale=1";
    (document.head || document.documentElement).appendChild(meta);
  }

  /* What the keyboard can reach inside `box` now (visible, enabled, not taken out of the tab order). */
  function tabbable(box) {
    return Array.prototype.filter.call(
      box.querySelectorAll("a[href], button, textarea, input, [tabindex]"),
      function (e) { return !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0; });
  }

  function Widget(options) {
    this.o = Object.assign({}, DEFAULTS, options || {});
    this.keySession = this.o.storageKey + ":session";
    this.keyHistory = this.o.storageKey + ":history";
    this.history = this.loadHistory();
    this.sessionId = this.storageGet(this.keySession) || newSessionId();
    this.storageSet(this.keySession, this.sessionId);
    this.unread = 0;
    this.typingTimer = null;
    this.offlineTimer = null;
    this.online = false;
    this.turnStart = null;  // the first message of the bot's current answer: kept in view on phones
    this.turnWho = null;
    this.lastReceived = 0;
    if (this.o.setViewport) ensureViewport();
    this.build();
    this.renderAll();
    this.connect();
    if (this.o.openOnLoad) this.open();
  }

  Widget.prototype.storageGet = function (key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  };
  Widget.prototype.storageSet = function (key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: memory only */ }
  };
  Widget.prototype.loadHistory = function () {
    try { return JSON.parse(this.storageGet(this.keyHistory) || "[]") || []; } catch (e) { return []; }
  };
  Widget.prototype.saveHistory = function () {
    this.storageSet(this.keyHistory, JSON.stringify(this.history.slice(-300)));
  };

  Widget.prototype.build = function () {
    var self = this, o = this.o;
    var root = this.root = el("div", "wrw-root");
    root.setAttribute("lang", "zh-CN");

    // Its accessible name is its visible text (and the unread count when there is one).
    var launcher = this.launcher = el("button", "wrw-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.appendChild(icon(CHAT_ICON, 20));
    launcher.appendChild(el("span", null, "咨询" + o.title));
    this.badge = el("span", "wrw-badge");
    this.badge.hidden = true;
    this.badgeCount = el("span", null, "");
    this.badge.appendChild(this.badgeCount);
    this.badge.appendChild(el("span", "wrw-sr-only", "条未读消息"));
    launcher.appendChild(this.badge);
    // Typing and unread messages are announced here (outside the panel, which is hidden when closed).
    this.live = el("div", "wrw-sr-only wrw-live");
    this.live.setAttribute("role", "status");
    this.live.setAttribute("aria-live", "polite");
    launcher.addEventListener("click", function () { self.toggle(); });

    var panel = this.panel = el("div", "wrw-panel");
    panel.hidden = true;
    panel.id = "wrw-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", o.title);
    launcher.setAttribute("aria-controls", panel.id);

    var header = el("div", "wrw-header");
    var title = el("h2", "wrw-title", o.title);
    var clear = this.clearButton = el("button", "wrw-clear", "清除记录");
    clear.type = "button";
    clear.setAttribute("aria-haspopup", "dialog");
    clear.addEventListener("click", function () { self.askClear(); });
    var close = el("button", "wrw-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "关闭对话窗口");
    close.addEventListener("click", function () { self.close(); });
    header.appendChild(title);
    header.appendChild(clear);
    header.appendChild(close);

    // 清除记录 asks first, in the panel (a browser confirm() is blocked in some in-app browsers).
    var ask = this.clearAsk = el("div", "wrw-ask");
    ask.hidden = true;
    ask.setAttribute("role", "alertdialog");
    ask.setAttribute("aria-label", "清除记录");
    ask.id = "wrw-ask";
    var askText = el("p", "wrw-ask-text", "清除本机上显示的对话记录？清除后这里不再显示以前的消息。" +
      "已登记的案件和预约不受影响：维权专员的回复仍会发到这里，说「我的案件进展」仍能查到。");
    askText.id = "wrw-ask-text";
    ask.setAttribute("aria-describedby", askText.id);
    var yes = el("button", "wrw-ask-yes", "清除");
    yes.type = "button";
    yes.addEventListener("click", function () { self.clear(); });
    var no = el("button", "wrw-ask-no", "不清除");
    no.type = "button";
    no.addEventListener("click", function () { self.cancelClear(); });
    ask.appendChild(askText);
    ask.appendChild(yes);
    ask.appendChild(no);
    ask.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); self.cancelClear(); }
    });

    var status = this.status = el("div", "wrw-status", "正在重新连接…");
    status.hidden = true;
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    var log = this.log = el("div", "wrw-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "对话记录");
    log.tabIndex = 0;

    var form = el("form", "wrw-form");
    var label = el("label", "wrw-sr-only", "输入您的问题");
    label.htmlFor = "wrw-input";
    var input = this.input = el("textarea", "wrw-input");
    input.id = "wrw-input";
    input.rows = 1;
    input.placeholder = "请输入您的问题，按回车发送";
    var send = el("button", "wrw-send", "发送");
    send.type = "submit";
    send.setAttribute("aria-label", "发送消息");
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      self.fitInput();
      self.send(text, text);
    });
    input.addEventListener("input", function () { self.fitInput(); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {  // not while choosing pinyin candidates
        ev.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", {cancelable: true}));
      }
    });
    panel.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { ev.preventDefault(); self.close(); }
      else if (ev.key === "Tab") self.trapFocus(ev);
    });

    panel.appendChild(header);
    panel.appendChild(ask);
    panel.appendChild(status);
    panel.appendChild(log);
    panel.appendChild(form);
    panel.appendChild(this.hotlineBar());
    root.appendChild(panel);
    root.appendChild(launcher);
    root.appendChild(this.live);
    document.body.appendChild(root);
    // A phone-size panel covers the page: it is then a modal dialog (focus kept inside it).
    this.phone = window.matchMedia("(max-width: 480px)");
    var modal = function () {
      if (self.phone.matches) panel.setAttribute("aria-modal", "true");
      else panel.removeAttribute("aria-modal");
    };
    modal();
    if (this.phone.addEventListener) this.phone.addEventListener("change", modal);
  };

  /* The emergency numbers, always at the foot of the panel, whatever the connection does. */
  Widget.prototype.hotlineBar = function () {
    var bar = el("p", "wrw-hotlines");
    bar.appendChild(el("span", "wrw-hotlines-title", "紧急求助"));
    EMERGENCY_NUMBERS.forEach(function (number) {
      var a = telLink(number);
      a.appendChild(el("span", "wrw-tel-name", HOTLINES[number]));
      bar.appendChild(a);
    });
    return bar;
  };

  /* Tab and Shift+Tab go round inside a modal (phone-size) panel instead of into the page behind it. */
  Widget.prototype.trapFocus = function (ev) {
    if (!this.phone.matches) return;
    var stops = tabbable(this.panel);
    if (!stops.length) return;
    var first = stops[0], last = stops[stops.length - 1];
    if (ev.shiftKey && (document.activeElement === first || !this.panel.contains(document.activeElement))) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && document.activeElement === last) {
      ev.preventDefault();
      first.focus();
    }
  };

  /* The input grows with her text up to INPUT_LINES lines, then scrolls. */
  Widget.prototype.fitInput = function () {
    var input = this.input, style = window.getComputedStyle(input);
    var line = parseFloat(style.lineHeight) || 22;
    var frame = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) +
      parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    input.style.height = "auto";
    var wanted = input.scrollHeight + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    input.style.height = Math.min(wanted, line * INPUT_LINES + frame) + "px";
  };

  /* After a reply button: focus is not left on a button that is now disabled. It goes to the input,
   * except on a touch screen, where that would pull up the keyboard over the answer: there to the log. */
  Widget.prototype.focusAfterTap = function () {
    if (window.matchMedia("(pointer: coarse)").matches) this.log.focus({preventScroll: true});
    else this.input.focus();
  };

  Widget.prototype.announce = function (text) {
    var live = this.live;
    live.textContent = "";
    if (text) setTimeout(function () { live.textContent = text; }, 50);  // a change, so it is read again
  };

  Widget.prototype.isOpen = function () { return !this.panel.hidden; };
  Widget.prototype.toggle = function () { this.isOpen() ? this.close() : this.open(); };
  Widget.prototype.open = function () {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.unread = 0;
    this.badge.hidden = true;
    if (this.turnStart) this.follow();
    else this.scrollDown();
    this.input.focus();
  };
  Widget.prototype.close = function () {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  };

  Widget.prototype.connect = function () {
    var self = this, o = this.o;
    var socket = this.socket = window.io(o.socketUrl, {
      path: o.socketPath, reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000
    });
    socket.on("connect", function () {
      // (Re)join the room of our session: Rasa pushes (e.g. an officer's reply) to it.
      socket.emit("session_request", {session_id: self.sessionId});
    });
    socket.on("session_confirm", function (id) {
      var sid = id && typeof id === "object" ? id.session_id : id;
      if (sid && sid !== self.sessionId) {
        self.sessionId = sid;
        self.storageSet(self.keySession, sid);
      }
      self.setOnline(true);
    });
    socket.on("disconnect", function (reason) {
      if (reason !== "io client disconnect") self.setOnline(false);
    });
    socket.on("connect_error", function () { self.setOnline(false); });
    socket.on(o.botMessageEvt, function (msg) { self.receive(msg || {}); });
    this.offlineTimer = setTimeout(function () { self.showOffline(); }, OFFLINE_AFTER_MS);  // never connects
  };

  /* Connected (and in our session's room) or not. A drop first says 正在重新连接…; if the server is
   * still unreachable after OFFLINE_AFTER_MS she is told so plainly, with the union's line to call. */
  Widget.prototype.setOnline = function (online) {
    var self = this;
    if (online) {
      clearTimeout(this.offlineTimer);
      this.online = true;
      this.status.hidden = true;
      this.sendQueued();
      return;
    }
    if (!this.online) return;  // a failed retry: the clock started at the drop (or at the start) runs on
    this.online = false;
    this.hideTyping();  // no answer is coming over a dropped connection
    this.status.className = "wrw-status";
    this.status.textContent = "正在重新连接…";
    this.status.hidden = false;
    this.offlineTimer = setTimeout(function () { self.showOffline(); }, OFFLINE_AFTER_MS);
  };

  Widget.prototype.showOffline = function () {
    if (this.online) return;
    var status = this.status;
    status.textContent = "";
    status.appendChild(document.createTextNode(OFFLINE_TEXT[0]));
    status.appendChild(telLink(OFFLINE_TEXT[1]));
    status.appendChild(document.createTextNode(OFFLINE_TEXT[2]));
    status.className = "wrw-status wrw-offline";
    status.hidden = false;
  };

  /* Her messages written while offline, in order, once the connection (and her session) is back. */
  Widget.prototype.sendQueued = function () {
    var self = this, sent = false;
    this.history.forEach(function (h) {
      if (h.queued == null) return;
      self.socket.emit(self.o.userMessageEvt, {message: h.queued, session_id: self.sessionId});
      delete h.queued;
      sent = true;
    });
    if (!sent) return;
    this.saveHistory();
    this.log.querySelectorAll(".wrw-queued").forEach(function (n) { n.remove(); });
    this.showTyping();
  };

  Widget.prototype.send = function (payload, shown) {
    if (!this.history.some(function (h) { return h.who === "notice"; })) this.add({who: "notice", text: PRIVACY});
    this.retireReplies();
    var entry = {who: "user", text: shown};
    if (!this.online) entry.queued = payload;  // kept (with the history) until the connection is back
    this.add(entry);
    if (!this.online) return;
    this.socket.emit(this.o.userMessageEvt, {message: payload, session_id: this.sessionId});
    this.showTyping();
  };

  /* Once she says something, earlier reply buttons are spent: disabled (out of the tab order), kept
   * in view so the conversation still reads right. */
  Widget.prototype.retireReplies = function () {
    this.history.forEach(function (h) { if (h.replies) h.used = true; });
    this.log.querySelectorAll(".wrw-replies button, .wrw-starters button").forEach(function (b) {
      b.disabled = true;
    });
  };

  Widget.prototype.receive = function (msg) {
    this.hideTyping();
    var meta = msg.metadata || {};
    var entry = {who: meta.from === "officer" ? "officer" : "bot", text: msg.text || ""};
    if (entry.who === "officer" && meta.officer_name) entry.name = String(meta.officer_name);
    if (meta.alert === "emergency") entry.alert = "emergency";
    var replies = msg.quick_replies || msg.buttons;
    if (replies && replies.length) {
      entry.replies = replies.map(function (b) { return {title: b.title, payload: b.payload}; });
    }
    if (msg.attachment && msg.attachment.type === "image" && msg.attachment.payload) {
      entry.image = msg.attachment.payload.src;
    }
    if (!entry.text && !entry.replies && !entry.image) return;
    if (this.expectApology) {  // the bot's answer to a 👎 is not itself rated
      entry.noVote = true;
      this.expectApology = false;
    }
    this.add(entry);
    if (!this.isOpen()) {
      this.unread += 1;
      this.badgeCount.textContent = String(this.unread);
      this.badge.hidden = false;
      this.announce(this.o.title + "有" + this.unread + "条新消息");
    }
  };

  Widget.prototype.add = function (entry) {
    this.history.push(entry);
    this.saveHistory();
    var row = this.renderEntry(entry);
    if (entry.who === "bot" || entry.who === "officer") {
      // The parts of one answer come back to back; another speaker, or a message after a pause, starts anew.
      var now = Date.now();
      if (!this.turnStart || entry.who !== this.turnWho || now - this.lastReceived > TURN_GAP_MS) {
        this.turnStart = row;
        this.turnWho = entry.who;
      }
      this.lastReceived = now;
      this.follow();
    } else {
      this.turnStart = null;
      this.scrollDown();
    }
  };

  /* A long answer scrolls only as far as keeps its first line in view: the answer comes first, and
   * on a phone one answer can be taller than the screen. */
  Widget.prototype.follow = function () {
    var log = this.log;
    var top = log.scrollTop + this.turnStart.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
    log.scrollTop = Math.min(top, log.scrollHeight - log.clientHeight);
  };

  Widget.prototype.renderAll = function () {
    var self = this;
    this.log.textContent = "";
    if (!this.history.length) this.log.appendChild(this.starters());
    this.history.forEach(function (e) { self.renderEntry(e); });
  };

  /* An empty widget: the greeting and a few questions workers often start with, to tap. */
  Widget.prototype.starters = function () {
    var self = this;
    var box = el("div", "wrw-empty");
    box.appendChild(el("p", "wrw-greeting", this.o.greeting));
    var list = el("div", "wrw-starters");
    list.setAttribute("role", "group");
    list.setAttribute("aria-label", "常见问题，点一下就能问");
    STARTERS.forEach(function (q) {
      var b = el("button", "wrw-reply", q);
      b.type = "button";
      b.addEventListener("click", function () { self.send(q, q); self.focusAfterTap(); });
      list.appendChild(b);
    });
    box.appendChild(list);
    return box;
  };

  Widget.prototype.renderEntry = function (entry) {
    var self = this;
    var empty = this.log.querySelector(".wrw-empty");
    if (empty) empty.remove();
    if (entry.who === "notice") {
      var n = el("p", "wrw-notice", entry.text);
      n.setAttribute("role", "note");
      this.log.insertBefore(n, this.typing && this.typing.parentNode === this.log ? this.typing : null);
      return n;
    }
    var row = el("div", "wrw-msg wrw-" + entry.who + (entry.alert ? " wrw-emergency" : ""));
    var bubble = el("div", "wrw-bubble");
    // Who speaks: an officer by role and name (not the bot), the emergency reply by a heading.
    if (entry.who === "officer") bubble.appendChild(el("span", "wrw-who", "维权专员" + (entry.name ? " " + entry.name : "")));
    else if (entry.alert) bubble.appendChild(el("span", "wrw-who", "紧急求助"));
    if (entry.who === "user") bubble.appendChild(el("span", "wrw-sr-only", "我："));
    else if (entry.who === "bot" && !entry.alert) bubble.appendChild(el("span", "wrw-sr-only", "助手："));
    renderText(bubble, entry.text);
    if (entry.queued != null) bubble.appendChild(el("span", "wrw-queued", "未发出：连上后自动发送"));
    if (entry.image) {
      var img = el("img");
      img.src = entry.image;
      img.alt = "图片";
      img.style.maxWidth = "100%";
      bubble.appendChild(img);
    }
    row.appendChild(bubble);
    var before = this.typing && this.typing.parentNode === this.log ? this.typing : null;
    this.log.insertBefore(row, before);
    if (entry.who === "bot" && !entry.noVote) this.log.insertBefore(this.voteBox(entry), before);
    if (entry.replies) {
      var box = el("div", "wrw-replies");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "可选回复");
      entry.replies.forEach(function (r) {
        var b = el("button", "wrw-reply", r.title);
        b.type = "button";
        b.disabled = !!entry.used;
        b.addEventListener("click", function () {
          self.send(r.payload, r.title);
          self.focusAfterTap();
        });
        box.appendChild(b);
      });
      this.log.insertBefore(box, before);
    }
    return row;
  };

  /* 👍/👎 under a bot answer, one vote per message (kept in the history). 👎 tells the bot, which logs
   * her question for the union's staff (action_feedback) and apologises; it is not shown as her message.
   * 👍 is only thanked here: nothing needs to be done about an answer that helped. */
  Widget.prototype.voteBox = function (entry) {
    var self = this;
    var box = el("div", "wrw-vote");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "这条回答有帮助吗？");
    var thanks = el("span", "wrw-vote-thanks", entry.vote ? "谢谢反馈" : "");
    thanks.setAttribute("role", "status");
    // An icon and a word: the word is the name, and no emoji font is needed.
    [["up", THUMB_UP, "有帮助"], ["down", THUMB_DOWN, "没有帮助"]].forEach(function (v) {
      var b = el("button", "wrw-vote-" + v[0]);
      b.type = "button";
      b.appendChild(icon(v[1], 16));
      b.appendChild(el("span", null, v[2]));
      b.setAttribute("aria-pressed", entry.vote === v[0] ? "true" : "false");
      b.disabled = !!entry.vote;
      b.addEventListener("click", function () { self.vote(entry, v[0], box, thanks); });
      box.appendChild(b);
    });
    box.appendChild(thanks);
    return box;
  };

  Widget.prototype.vote = function (entry, value, box, thanks) {
    if (entry.vote) return;  // one vote per message, however fast the clicks
    entry.vote = value;
    this.saveHistory();
    box.querySelectorAll("button").forEach(function (b) {
      b.disabled = true;
      b.setAttribute("aria-pressed", b.className === "wrw-vote-" + value ? "true" : "false");
    });
    thanks.textContent = "谢谢反馈";
    if (value !== "down") return;
    this.expectApology = true;
    // The opening of the answer she rated, so that staff see that answer and the question before it
    // (not simply the latest one: she may rate an earlier answer).
    var rated = JSON.stringify({rated: (entry.text || "").slice(0, RATED_CHARS)});
    this.socket.emit(this.o.userMessageEvt, {message: "/feedback_negative" + rated, session_id: this.sessionId});
    this.showTyping();
  };

  Widget.prototype.showTyping = function () {
    var self = this;
    this.announce("助手正在回答…");
    if (!this.typing) {
      this.typing = el("div", "wrw-msg wrw-typing-row");
      this.typing.setAttribute("aria-hidden", "true");  // announced in the status region instead
      var dots = el("div", "wrw-bubble wrw-typing");
      dots.appendChild(el("span"));
      dots.appendChild(el("span"));
      dots.appendChild(el("span"));
      this.typing.appendChild(dots);
    }
    this.log.appendChild(this.typing);
    this.scrollDown();
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(function () { self.hideTyping(); }, 30000);
  };
  Widget.prototype.hideTyping = function () {
    clearTimeout(this.typingTimer);
    if (this.typing && this.typing.parentNode) {
      this.typing.parentNode.removeChild(this.typing);
      if (this.isOpen()) this.announce("");
    }
  };

  Widget.prototype.scrollDown = function () { this.log.scrollTop = this.log.scrollHeight; };

  Widget.prototype.askClear = function () {
    this.clearAsk.hidden = false;
    this.clearAsk.querySelector(".wrw-ask-no").focus();  // the safe choice has the focus
  };
  Widget.prototype.cancelClear = function () {
    this.clearAsk.hidden = true;
    this.clearButton.focus();
  };

  /* 清除记录, once she confirms: forget the history shown on this device. The conversation itself
   * (its session id) is kept, so that an officer's reply to her case still reaches this widget and
   * 「我的案件进展」 still finds the case: a new id would cut her off from them. */
  Widget.prototype.clear = function () {
    this.clearAsk.hidden = true;
    this.hideTyping();
    this.history = [];
    this.turnStart = null;
    this.saveHistory();
    this.renderAll();
    this.input.focus();
  };

  var instance = null;
  var ready = null;

  function assets() {
    if (!ready) {
      var css = document.querySelector("link[data-wrw]") ? Promise.resolve() :
        loadOnce("link", {rel: "stylesheet", href: BASE + "widget.css", "data-wrw": "1"});
      var io = window.io ? Promise.resolve() : loadOnce("script", {src: BASE + "socket.io.min.js"});
      ready = Promise.all([css.catch(function () {}), io]);
    }
    return ready;
  }

  function whenBody() {
    return new Promise(function (resolve) {
      if (document.body) resolve();
      else document.addEventListener("DOMContentLoaded", function () { resolve(); });
    });
  }

  window.WomenRightsWidget = {
    /** Show the launcher; returns a promise of the widget. Calling it again returns the same widget. */
    init: function (options) {
      if (!instance) {
        instance = Promise.all([assets(), whenBody()]).then(function () { return new Widget(options); });
        instance.catch(function (err) { console.error("女职工权益助手 widget:", err); });
      }
      return instance;
    },
    version: "1.0.0"
  };
})();
