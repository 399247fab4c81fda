/*
 * サクラマート chat widget. Embed with one tag:
 *   <script src="https://bot.example.jp/widget.js" defer></script>
 * Optional attributes: data-title="..." (header), data-open="true" (open on load).
 * Vanilla JS, no build step; the stylesheet and the WebSocket come from the server that served this file.
 */
(function () {
  "use strict";
  if (window.SakuraChat) return; // embedded twice: keep the first

  var script = document.currentScript;
  var origin = new URL(script && script.src ? script.src : "/widget.js", location.href);
  var wsUrl = (origin.protocol === "https:" ? "wss://" : "ws://") + origin.host + "/chat/ws";
  var KEY = "sakuraChat.sessionId";
  var OPEN_KEY = "sakuraChat.open";
  var END_TEXT = {
    resolved: "チャットは終了しました。ご利用ありがとうございました。",
    transferred: "自動応答は終了しました。この後は担当者が対応いたします。",
    callback_scheduled: "チャットは終了しました。担当者から折り返しご連絡いたします。",
    ended: "チャットは終了しました。",
  };
  var title = (script && script.getAttribute("data-title")) || "サクラマート お客様窓口";

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("/widget.css", origin).href;
  document.head.appendChild(css);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text; // caller and bot text is never parsed as HTML
    return node;
  }

  var root = el("div", "sakura-chat");
  var launcher = el("button", "sakura-chat-launcher", "チャットで問い合わせる");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "sakura-chat-panel");

  var panel = el("section", "sakura-chat-panel");
  panel.id = "sakura-chat-panel";
  panel.hidden = true;
  panel.setAttribute("aria-labelledby", "sakura-chat-title");

  var header = el("header", "sakura-chat-header");
  var h = el("h2", "sakura-chat-title", title);
  h.id = "sakura-chat-title";
  var closeBtn = el("button", "sakura-chat-close", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", "チャットを閉じる");
  header.appendChild(h);
  header.appendChild(closeBtn);

  // role=log is an implicit polite live region: screen readers read each new bot message once
  var log = el("div", "sakura-chat-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.setAttribute("aria-label", "会話の履歴");
  log.tabIndex = 0;

  var typing = el("div", "sakura-chat-typing", "入力中…");
  typing.setAttribute("aria-hidden", "true");
  typing.hidden = true;

  var status = el("p", "sakura-chat-status");
  status.setAttribute("role", "status");

  var form = el("form", "sakura-chat-form");
  var label = el("label", "sakura-chat-label", "メッセージ");
  label.htmlFor = "sakura-chat-input";
  var input = el("input", "sakura-chat-input");
  input.id = "sakura-chat-input";
  input.type = "text";
  input.maxLength = 1000;
  input.autocomplete = "off";
  input.placeholder = "ご用件をご入力ください";
  input.setAttribute("enterkeyhint", "send");
  var send = el("button", "sakura-chat-send", "送信");
  send.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);

  // the satisfaction survey after a chat the bot resolved or an agent closed (GET/POST /survey/...)
  var SURVEY_TEXT = {
    thanks: "ご回答ありがとうございました。今後のサービス向上に役立ててまいります。",
    already: "このチャットへのご回答はすでに承っております。ありがとうございました。",
    bad: "恐れ入りますが、1から5の中から評価をお選びください。",
    failed: "送信できませんでした。恐れ入りますが、しばらくしてからもう一度お試しください。",
  };
  var survey = el("form", "sakura-chat-survey");
  survey.hidden = true;
  survey.noValidate = true;
  var surveyQ = el("p", "sakura-chat-survey-question");
  surveyQ.id = "sakura-chat-survey-question";
  survey.setAttribute("aria-labelledby", surveyQ.id);
  var choices = el("div", "sakura-chat-survey-choices");
  choices.setAttribute("role", "group");
  choices.setAttribute("aria-labelledby", surveyQ.id);
  var commentLabel = el("label", "sakura-chat-survey-label", "ご意見・ご感想(任意)");
  commentLabel.htmlFor = "sakura-chat-survey-comment";
  var comment = el("textarea", "sakura-chat-survey-comment");
  comment.id = "sakura-chat-survey-comment";
  comment.rows = 2;
  comment.maxLength = 500;
  var surveySend = el("button", "sakura-chat-survey-send", "評価を送信");
  surveySend.type = "submit";
  surveySend.disabled = true;
  var surveyStatus = el("p", "sakura-chat-survey-status");
  surveyStatus.setAttribute("role", "status");
  survey.appendChild(surveyQ);
  survey.appendChild(choices);
  survey.appendChild(commentLabel);
  survey.appendChild(comment);
  survey.appendChild(surveySend);
  survey.appendChild(surveyStatus);
  var surveyFor = null; // the conversation being rated
  var rating = 0;

  var restart = el("button", "sakura-chat-restart", "新しいチャットを始める");
  restart.type = "button";
  restart.hidden = true;

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(status);
  panel.appendChild(survey);
  panel.appendChild(form);
  panel.appendChild(restart);
  root.appendChild(panel);
  root.appendChild(launcher);

  var ws = null;
  var queue = [];
  var ended = false;
  var withPeople = false; // handed over: replies come from a person, whenever they come (no typing dots)
  var retries = 0;

  function store(key, value) {
    try {
      if (value === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch (e) { /* storage blocked (private mode): the chat still works, without resume */ }
  }
  function stored(key) {
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }

  function add(kind, text, agentName) {
    var item = el("div", "sakura-chat-msg sakura-chat-" + kind);
    var who = { bot: "サクラマート", user: "あなた", notice: "お知らせ", agent: "担当者" }[kind];
    if (kind === "agent") {
      // a person, not the bot: their name is shown (textContent: a name is never markup either)
      item.appendChild(el("span", "sakura-chat-agent-name", "担当 " + (agentName || "")));
      item.appendChild(el("span", "sakura-chat-visually-hidden", ": "));
    } else {
      item.appendChild(el("span", "sakura-chat-visually-hidden", who + ": "));
    }
    item.appendChild(el("span", "sakura-chat-text", text));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function setEnded(isEnded) {
    ended = isEnded;
    input.disabled = isEnded;
    send.disabled = isEnded;
    restart.hidden = !isEnded;
    typing.hidden = true;
  }

  function surveyDone(text) {
    choices.textContent = "";
    comment.hidden = commentLabel.hidden = surveySend.hidden = true;
    surveyStatus.textContent = text;
  }

  function offerSurvey(cid) {
    if (!cid || !window.fetch) return;
    surveyFor = cid;
    fetch(new URL("/survey/chat/" + encodeURIComponent(cid), origin).href)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (frame) {
        if (!frame || surveyFor !== cid) return;
        rating = 0;
        surveyQ.textContent = frame.question;
        choices.textContent = "";
        (frame.options || []).forEach(function (o) {
          var b = el("button", "sakura-chat-survey-choice");
          b.type = "button";
          b.setAttribute("aria-pressed", "false");
          b.appendChild(el("span", "sakura-chat-survey-number", String(o.rating)));
          b.appendChild(el("span", "sakura-chat-survey-word", o.label));
          b.addEventListener("click", function () {
            rating = o.rating;
            Array.prototype.forEach.call(choices.children, function (c) { c.setAttribute("aria-pressed", String(c === b)); });
            surveySend.disabled = false;
            surveyStatus.textContent = "";
          });
          choices.appendChild(b);
        });
        comment.value = "";
        comment.hidden = commentLabel.hidden = surveySend.hidden = false;
        surveySend.disabled = true;
        surveyStatus.textContent = "";
        survey.hidden = false;
        log.scrollTop = log.scrollHeight;
      })
      .catch(function () { /* no survey is better than a broken one */ });
  }

  survey.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!surveyFor) return;
    if (!rating) { surveyStatus.textContent = SURVEY_TEXT.bad; return; }
    surveySend.disabled = true;
    fetch(new URL("/survey/" + encodeURIComponent(surveyFor), origin).href, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ rating: rating, comment: comment.value.trim() || undefined }),
    }).then(function (r) {
      if (r.status === 204) surveyDone(SURVEY_TEXT.thanks);
      else if (r.status === 409) surveyDone(SURVEY_TEXT.already);
      else { surveySend.disabled = false; surveyStatus.textContent = r.status === 400 ? SURVEY_TEXT.bad : SURVEY_TEXT.failed; }
    }).catch(function () { surveySend.disabled = false; surveyStatus.textContent = SURVEY_TEXT.failed; });
  });

  function connect() {
    if (ws && ws.readyState <= 1) return;
    status.textContent = "接続しています…";
    ws = new WebSocket(wsUrl);
    ws.onopen = function () {
      retries = 0;
      status.textContent = "";
      ws.send(JSON.stringify({ type: "hello", session_id: stored(KEY) || undefined }));
      while (queue.length) ws.send(queue.shift());
    };
    ws.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      onServer(msg);
    };
    ws.onclose = function () {
      ws = null;
      if (ended || panel.hidden) return;
      // a dropped network: reconnect and resume the same session (hello carries its id)
      retries += 1;
      status.textContent = "接続が切れました。再接続しています…";
      setTimeout(connect, Math.min(1000 * retries, 10000));
    };
  }

  function onServer(msg) {
    if (msg.type === "session") {
      store(KEY, msg.session_id);
      if (msg.resumed) {
        log.textContent = "";
        (msg.history || []).forEach(function (m) {
          var kind = { caller: "user", agent: "agent", notice: "notice" }[m.speaker] || "bot";
          add(kind, m.text, m.agent_name);
        });
        withPeople = msg.awaiting === "none";
      }
      setEnded(false);
    } else if (msg.type === "bot") {
      typing.hidden = true;
      add("bot", msg.text);
    } else if (msg.type === "handover") {
      // the chat stays open: the user may keep writing, and a person answers here (SPEC 7.6)
      typing.hidden = true;
      withPeople = true;
      add("notice", msg.text || "オペレーターにおつなぎしています");
    } else if (msg.type === "agent") {
      add("agent", msg.text, msg.agent_name);
    } else if (msg.type === "status") {
      add("notice", msg.text);
      if (msg.event === "released" || msg.event === "closed") withPeople = false;
      if (msg.event === "closed") {
        offerSurvey(msg.session_id || stored(KEY)); // the agent closed it: how did it go? (its record's id)
        store(KEY, null); // the next message starts a new chat with the bot
      }
    } else if (msg.type === "end") {
      // the bot finished the chat (not a hand-over nobody could take, not a chat the user left)
      // the session that ended is rated: after an agent's release, the bot's `<id>-r1`, not the first id
      if (msg.outcome !== "transferred" && msg.outcome !== "abandoned") offerSurvey(msg.session_id || stored(KEY));
      store(KEY, null);
      add("notice", END_TEXT[msg.outcome] || END_TEXT.ended);
      setEnded(true);
      restart.focus();
    } else if (msg.type === "error") {
      typing.hidden = true;
      status.textContent = msg.text || "エラーが発生しました。";
    }
  }

  function transmit(payload) {
    var data = JSON.stringify(payload);
    if (ws && ws.readyState === 1) ws.send(data);
    else { queue.push(data); connect(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || ended) return;
    add("user", text);
    status.textContent = "";
    typing.hidden = withPeople;
    transmit({ type: "message", text: text });
    input.value = "";
    input.focus();
  });

  restart.addEventListener("click", function () {
    log.textContent = "";
    survey.hidden = true;
    surveyFor = null;
    status.textContent = "";
    setEnded(false);
    transmit({ type: "hello" });
    input.focus();
  });

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    store(OPEN_KEY, "1");
    connect();
    input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    store(OPEN_KEY, null);
    launcher.focus();
  }
  launcher.addEventListener("click", open);
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });

  function mount() {
    document.body.appendChild(root);
    var wantOpen = script && script.getAttribute("data-open") === "true";
    if (wantOpen || stored(OPEN_KEY) || stored(KEY)) open();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.SakuraChat = { open: open, close: close };
})();
