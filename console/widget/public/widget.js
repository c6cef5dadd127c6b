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
 */
(function () {
  "use strict";
  if (window.WomenRightsWidget) return;

  var script = document.currentScript;
  var BASE = script && script.src ? script.src.replace(/[^/]*(\?.*)?$/, "") : "/widget/";
  var RATED_CHARS = 300;  // how much of a rated answer goes back with a 👎 (the bot finds the answer by it)

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
    openOnLoad: false
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

  /* Text with links made clickable; newlines are kept by CSS (white-space: pre-wrap). */
  var LINK = /(https?:\/\/[^\s<>"'，。；、）)]+)|(www\.[^\s<>"'，。；、）)]+)/g;
  function renderText(node, text) {
    var last = 0, m;
    text = String(text || "");
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text))) {
      if (m.index > last) node.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = el("a", null, m[0]);
      a.href = m[1] ? m[0] : "http://" + m[0];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      node.appendChild(a);
      last = m.index + m[0].length;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
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

    var launcher = this.launcher = el("button", "wrw-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-label", "打开" + o.title + "对话窗口");
    launcher.setAttribute("aria-expanded", "false");
    // An inline icon: emoji fonts are not on every machine, and nothing comes from a CDN.
    var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("width", "20");
    icon.setAttribute("height", "20");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("fill-rule", "evenodd");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 " +
      "1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z");
    icon.appendChild(path);
    launcher.appendChild(icon);
    launcher.appendChild(el("span", null, "咨询" + o.title));
    this.badge = el("span", "wrw-badge", "");
    this.badge.hidden = true;
    this.badge.setAttribute("aria-label", "未读消息");
    launcher.appendChild(this.badge);
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
      self.send(text, text);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {  // not while choosing pinyin candidates
        ev.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", {cancelable: true}));
      }
    });
    panel.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { ev.preventDefault(); self.close(); }
    });

    panel.appendChild(header);
    panel.appendChild(ask);
    panel.appendChild(status);
    panel.appendChild(log);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);
  };

  Widget.prototype.isOpen = function () { return !this.panel.hidden; };
  Widget.prototype.toggle = function () { this.isOpen() ? this.close() : this.open(); };
  Widget.prototype.open = function () {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.unread = 0;
    this.badge.hidden = true;
    this.scrollDown();
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
      self.status.hidden = true;
      // (Re)join the room of our session: Rasa pushes (e.g. an officer's reply) to it.
      socket.emit("session_request", {session_id: self.sessionId});
    });
    socket.on("session_confirm", function (id) {
      var sid = id && typeof id === "object" ? id.session_id : id;
      if (sid && sid !== self.sessionId) {
        self.sessionId = sid;
        self.storageSet(self.keySession, sid);
      }
    });
    socket.on("disconnect", function (reason) {
      if (reason !== "io client disconnect") self.status.hidden = false;
    });
    socket.io.on("reconnect_attempt", function () { self.status.hidden = false; });
    socket.on(o.botMessageEvt, function (msg) { self.receive(msg || {}); });
  };

  Widget.prototype.send = function (payload, shown) {
    if (!this.history.some(function (h) { return h.who === "notice"; })) this.add({who: "notice", text: PRIVACY});
    this.add({who: "user", text: shown});
    this.socket.emit(this.o.userMessageEvt, {message: payload, session_id: this.sessionId});
    this.showTyping();
  };

  Widget.prototype.receive = function (msg) {
    this.hideTyping();
    var entry = {who: (msg.metadata && msg.metadata.from === "officer") ? "officer" : "bot", text: msg.text || ""};
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
      this.badge.textContent = String(this.unread);
      this.badge.hidden = false;
    }
  };

  Widget.prototype.add = function (entry) {
    this.history.push(entry);
    this.saveHistory();
    this.renderEntry(entry);
    this.scrollDown();
  };

  Widget.prototype.renderAll = function () {
    var self = this;
    this.log.textContent = "";
    if (!this.history.length) {
      this.log.appendChild(el("p", "wrw-empty", this.o.greeting));
    }
    this.history.forEach(function (e) { self.renderEntry(e); });
  };

  Widget.prototype.renderEntry = function (entry) {
    var self = this;
    var empty = this.log.querySelector(".wrw-empty");
    if (empty) empty.remove();
    if (entry.who === "notice") {
      var n = el("p", "wrw-notice", entry.text);
      n.setAttribute("role", "note");
      this.log.insertBefore(n, this.typing && this.typing.parentNode === this.log ? this.typing : null);
      return;
    }
    var row = el("div", "wrw-msg wrw-" + entry.who);
    var bubble = el("div", "wrw-bubble");
    if (entry.who === "officer") bubble.appendChild(el("span", "wrw-who", "维权专员"));
    if (entry.who === "user") bubble.appendChild(el("span", "wrw-sr-only", "我："));
    else if (entry.who === "bot") bubble.appendChild(el("span", "wrw-sr-only", "助手："));
    renderText(bubble, entry.text);
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
        b.addEventListener("click", function () { self.send(r.payload, r.title); });
        box.appendChild(b);
      });
      this.log.insertBefore(box, before);
    }
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
    [["up", "👍", "有帮助"], ["down", "👎", "没有帮助"]].forEach(function (v) {
      var b = el("button", "wrw-vote-" + v[0], v[1]);
      b.type = "button";
      b.setAttribute("aria-label", v[2]);
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
    if (!this.typing) {
      this.typing = el("div", "wrw-msg wrw-typing-row");
      var dots = el("div", "wrw-bubble wrw-typing");
      dots.setAttribute("aria-label", "对方正在输入");
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
    if (this.typing && this.typing.parentNode) this.typing.parentNode.removeChild(this.typing);
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
