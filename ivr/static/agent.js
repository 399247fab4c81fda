/* The agent console: fills agent.html from /agent/api/*. Every value goes in with textContent, never as
 * HTML: transcripts and summaries quote what callers typed. */
(function () {
  "use strict";

  var LABELS = {
    outcome: { resolved: "ボットで解決", transferred: "オペレーター転送", callback_scheduled: "折り返し予約",
      ended: "ボットが終了", abandoned: "途中終了" },
    reason: { human_request: "お客様のご希望", emotion: "感情の高まり", complex: "複雑な案件",
      repeated_failure: "認識失敗の繰り返し", backend_error: "システム障害", harassment: "ハラスメント",
      language: "多言語", no_input: "無言", goodbye: "ご用件なしで終了", unclear_mail: "用件不明のメール" },
    emotion: { neutral: "平静", anger: "怒り", anxiety: "不安", sadness: "悲しみ" },
    channel: { voice: "電話", chat: "チャット", email: "メール" },
    intent: {}, // the bot's names for its requests (prompts `label_<intent>`, /agent/api/me); else the id
  };
  var REFRESH_MS = 10000;

  function label(kind, value) {
    if (value === null || value === undefined || value === "") return "—";
    return LABELS[kind][value] || String(value); // a request the bot has no label for shows its name
  }
  function when(iso) {
    if (!iso) return "—";
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso); // keep the call's own (Tokyo) time
    return m ? m[1] + "/" + m[2] + "/" + m[3] + " " + m[4] + ":" + m[5] : String(iso);
  }
  function intents(list) {
    return (list || []).map(function (i) { return label("intent", i); }).join("、") || "—";
  }
  function slots(obj) {
    var keys = Object.keys(obj || {});
    return keys.map(function (k) { return k + ": " + JSON.stringify(obj[k]); }).join("\n") || "—";
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function row(cells) {
    var tr = el("tr");
    cells.forEach(function (c) {
      var td = el("td");
      if (c instanceof Node) td.appendChild(c); else td.textContent = c;
      tr.appendChild(td);
    });
    return tr;
  }
  function fill(id, rows, emptyText, columns) {
    var body = document.getElementById(id);
    body.textContent = "";
    if (!rows.length) {
      var td = el("td", emptyText, "muted");
      td.colSpan = columns;
      var tr = el("tr");
      tr.appendChild(td);
      body.appendChild(tr);
    }
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function api(path) {
    return fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (r.status === 401) { location.href = "/agent/login"; throw new Error("login required"); }
      if (!r.ok) throw new Error(path + ": " + r.status);
      return r.json();
    });
  }

  function detailButton(c) {
    var b = el("button", "詳細", "link");
    b.type = "button";
    b.setAttribute("aria-label", "ケース " + c.case_id + " の詳細");
    b.addEventListener("click", function () { showCase(c.case_id); });
    return b;
  }

  function caseRow(c) {
    var tr = row([when(c.started_at), label("channel", c.channel), label("intent", c.intent), label("outcome", c.outcome),
      label("reason", c.reason), label("emotion", c.emotion_peak), c.summary_ja || "", detailButton(c)]);
    tr.className = "outcome-" + (c.outcome || "none") + (c.harassment ? " harassment" : "");
    return tr;
  }
  function shortRow(c) {
    return row([when(c.started_at), label("channel", c.channel), label("outcome", c.outcome), c.summary_ja || "",
      detailButton(c)]);
  }

  function showCase(id) {
    api("/agent/api/cases/" + encodeURIComponent(id)).then(function (note) {
      var body = document.getElementById("detail-body");
      document.getElementById("detail-empty").hidden = true;
      body.textContent = "";
      var dl = el("dl", null, "facts");
      var pairs = [["ケースID", note.case_id], ["日時", when(note.started_at)], ["チャネル", label("channel", note.channel)]];
      if (note.fields_ja) {
        // the note's own fields in an agent's words (dialogue/escalation/note_words.py)
        note.fields_ja.forEach(function (f) { pairs.push([f.label, f.value]); });
      } else {
        pairs = pairs.concat([["電話番号", note.caller_phone || "—"], ["用件", intents(note.intents)],
          ["結果", label("outcome", note.outcome)], ["理由", label("reason", note.reason)],
          ["感情のピーク", label("emotion", note.emotion && note.emotion.peak)], ["聞き取り済みの項目", slots(note.slots)]]);
      }
      // what the desk added when a person handled it (ivr/agent_api.py's close and release)
      if (note.agent_name || note.agent) pairs.push(["担当者", note.agent_name || note.agent]);
      if (note.wait_seconds !== undefined && note.wait_seconds !== null) pairs.push(["待ち時間", minutes(note.wait_seconds)]);
      if (note.handle_seconds) pairs.push(["対応時間", minutes(note.handle_seconds)]);
      if (note.disposition) pairs.push(["対応結果", note.disposition]);
      if (note.handover_note) pairs.push(["ボットへの申し送り", note.handover_note]);
      pairs.forEach(function (pair) {
        dl.appendChild(el("dt", pair[0]));
        dl.appendChild(el("dd", pair[1]));
      });
      body.appendChild(el("h3", "要約"));
      body.appendChild(el("p", note.summary_ja || "—", "summary"));
      body.appendChild(dl);
      body.appendChild(el("h3", "会話の記録"));
      var ol = el("ol", null, "transcript");
      (note.transcript || []).forEach(function (t) {
        // after a hand-over the note's transcript holds the agent's lines too: they are the agent's, not the bot's
        var who = t.speaker === "caller" || t.speaker === "agent" ? t.speaker : "bot";
        var li = el("li", null, who);
        li.appendChild(el("span", who === "agent" ? (note.agent_name ? "担当 " + note.agent_name : "担当者") :
          SPEAKER[who], "speaker"));
        li.appendChild(el("span", t.text, "said"));
        ol.appendChild(li);
      });
      body.appendChild(ol);
      showCustomer("detail-customer", customerOf(note));
      document.getElementById("detail").focus();
    }).catch(function (e) { console.error(e); });
  }

  // -- contact history (/agent/api/customers/{id}) ------------------------------------------------------------

  function customerOf(note) {
    if (!note) return null;
    return note.caller_phone || (note.slots && note.slots.phone_number) || null;
  }

  // a customer id that is a Japanese number reads with hyphens, as agents write it: 090-1234-5678
  function phoneJa(id) {
    var s = String(id);
    var m = /^(0[5789]0)(\d{4})(\d{4})$/.exec(s) || /^(0120|0800)(\d{3})(\d{3})$/.exec(s) ||
      /^(0[36])(\d{4})(\d{4})$/.exec(s);
    return m ? m.slice(1).join("-") : s;
  }

  function showCustomer(boxId, id) {
    var box = document.getElementById(boxId);
    box.textContent = "";
    box.hidden = !id;
    if (!id) return;
    api("/agent/api/customers/" + encodeURIComponent(id)).then(function (p) {
      box.textContent = "";
      box.appendChild(el("h3", "お客様の履歴(" + phoneJa(p.customer_id) + ")"));
      var flag = p.flag || {};
      if (flag.flagged) {
        box.appendChild(el("p", "要注意: ハラスメントで登録済み" + (flag.by ? "(" + flag.by + ")" : "") +
          (flag.note ? " — " + flag.note : ""), "flagged"));
      }
      box.appendChild(el("p", "過去のお問い合わせ " + p.total + " 件(直近: " + when(p.last_contact) + ")", "muted"));
      var ol = el("ol", null, "history");
      p.contacts.slice(0, 20).forEach(function (c) {
        var li = el("li");
        li.appendChild(el("span", when(c.started_at) + " " + label("channel", c.channel) + " " +
          (LABELS.intent[c.intents[c.intents.length - 1]] || c.intents.join("、") || "—") +
          (c.order_id ? " 注文" + c.order_id : "") + " / " + (HISTORY_OUTCOME[c.outcome] || c.outcome) +
          (c.disposition ? "(" + c.disposition + ")" : ""), "when"));
        if (c.summary_ja) li.appendChild(el("div", c.summary_ja, "said"));
        ol.appendChild(li);
      });
      if (!p.contacts.length) ol.appendChild(el("li", "過去のお問い合わせはありません。", "muted"));
      box.appendChild(ol);
      var b = el("button", flag.flagged ? "要注意の登録を解除" : "ハラスメントで要注意登録");
      b.type = "button";
      b.addEventListener("click", function () {
        var text = flag.flagged ? "" : (window.prompt("登録の理由(任意)") || "");
        post("/agent/api/customers/" + encodeURIComponent(p.customer_id) + "/flag",
          { flagged: !flag.flagged, note: text || undefined })
          .then(function () { showCustomer(boxId, id); })
          .catch(function (e) { note("登録できませんでした: " + e.message); });
      });
      box.appendChild(b);
    }).catch(function (e) { box.textContent = ""; box.appendChild(el("p", "履歴を表示できませんでした。", "muted")); console.error(e); });
  }

  var HISTORY_OUTCOME = { resolved: "ボットで解決", handover: "担当者対応", callback: "折り返し", abandoned: "途中終了",
    ended: "ボットが終了" };

  function kpis(k) {
    var dl = document.getElementById("kpis");
    dl.textContent = "";
    [["件数", k.calls + " 件"], ["ボットで解決", k.resolved_by_bot_pct + " %"], ["オペレーター転送", k.transferred_pct + " %"],
      ["ハラスメント", k.harassment + " 件"]].forEach(function (pair) {
      var div = el("div", null, "kpi");
      div.appendChild(el("dt", pair[0]));
      div.appendChild(el("dd", pair[1]));
      dl.appendChild(div);
    });
    var reasons = Object.keys(k.by_reason || {}).map(function (r) { return label("reason", r) + " " + k.by_reason[r] + " 件"; });
    document.getElementById("kpi-reasons").textContent = "理由別: " + (reasons.join(" / ") || "—");
  }

  function refresh(me) {
    api("/agent/api/kpis").then(kpis).catch(console.error);
    api("/agent/api/cases").then(function (d) {
      fill("cases", d.cases.map(caseRow), "ケースノートはまだありません。", 8);
    }).catch(console.error);
    api("/agent/api/live").then(function (d) {
      fill("live", d.live.map(function (s) {
        return row([when(s.started_at), label("channel", s.channel), intents(s.intents), s.awaiting_ja || "—",
          label("emotion", s.emotion), s.last_caller_text || "—"]);
      }), "対応中の会話はありません。", 6);
    }).catch(console.error);
    if (me.role === "supervisor") {
      api("/agent/api/supervisor").then(function (d) {
        fill("sv-queue", d.queue.map(shortRow), "対応待ちはありません。", 5);
        fill("sv-harassment", d.harassment.map(shortRow), "ハラスメント案件はありません。", 5);
      }).catch(console.error);
      api("/agent/api/agents").then(function (d) {
        var now = Date.now() / 1000;
        fill("sv-agents", d.agents.map(function (a) {
          return row([(a.display_name || a.name) + "(" + a.name + ")", AGENT_STATE[a.state] || a.state,
            minutes(now - a.since), skills(a.skills)]);
        }), "サインインしているオペレーターはいません。", 4);
      }).catch(console.error);
    }
  }

  // -- live chat with the desk (/agent/api/queue, /agent/api/conversations/*) --------------------------------

  // the bot's names for its queues (`label` in escalation_rules/queues.yaml) and its agents' skills
  // (queues/acd.yaml `skill_labels`), as /agent/api/me and /agent/api/queue give them; without one, the id
  var QUEUE_LABELS = {};
  var SKILL_LABELS = {};
  var DESK_MS = 2000;
  var AGENT_STATE = { available: "受付可", busy: "対応中", after_call_work: "後処理", offline: "離席" };
  function queueName(queue) { return QUEUE_LABELS[queue] || queue; }
  function skills(list) {
    return (list || []).map(function (s) { return SKILL_LABELS[s] || s; }).join("、") || "—";
  }
  // where a transfer went, as an agent says it: 「請求・お支払い窓口へ転送しました」
  function place(queue) { return QUEUE_LABELS[queue] || "別の窓口"; }
  var ME = null; // the logged-in user, once /agent/api/me answered
  var current = null; // the conversation open in the chat panel
  var shown = 0; // how many of its lines the panel shows

  function post(path, body) {
    return fetch(path, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body || {}) }).then(function (r) {
      if (r.status === 401) { location.href = "/agent/login"; throw new Error("login required"); }
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.error || String(r.status));
        return data;
      });
    });
  }
  function note(text) { document.getElementById("state-note").textContent = text; }
  function minutes(seconds) {
    var s = Math.round(seconds || 0);
    return Math.floor(s / 60) + "分" + ("0" + (s % 60)).slice(-2) + "秒";
  }
  function conv(id) { return "/agent/api/conversations/" + encodeURIComponent(id); }

  function acceptButton(c) {
    var b = el("button", "受付");
    b.type = "button";
    b.setAttribute("aria-label", queueName(c.queue) + " の会話を受け付ける");
    b.addEventListener("click", function () {
      post(conv(c.conversation_id) + "/accept").then(function () {
        note("");
        openChat(c.conversation_id);
        refreshDesk();
      }).catch(function (e) { note("受付できませんでした: " + e.message); refreshDesk(); });
    });
    return b;
  }

  // Screen pop: a phone call given to me without my pressing 受付 (my phone took the next caller from the
  // queue: Twilio's <Dial><Queue>) opens with its case note at once, as does one already mine when the page
  // loads and nothing else is open. A call I accepted here is open already.
  var known = null; // conversation ids seen among mine
  function popCalls(assigned) {
    var fresh = assigned.filter(function (c) { return !known || !known[c.conversation_id]; });
    var first = known === null;
    known = {};
    assigned.forEach(function (c) { known[c.conversation_id] = true; });
    var call = fresh.filter(function (c) { return c.channel === "voice"; })[0];
    if (!call || call.conversation_id === current || (first && current)) return;
    openChat(call.conversation_id);
    note("お電話がつながりました。ケースノートを表示しています。");
  }

  function refreshDesk() {
    return api("/agent/api/queue").then(function (d) {
      QUEUE_LABELS = d.queue_labels || QUEUE_LABELS;
      document.getElementById("agent-state").value = d.me.state;
      var waits = Object.keys(d.estimated_wait_seconds || {}).map(function (q) {
        return queueName(q) + " 約" + Math.ceil(d.estimated_wait_seconds[q] / 60) + "分";
      });
      document.getElementById("waits").textContent = waits.length ? "予想待ち時間: " + waits.join(" / ") : "";
      fill("queue", d.queue.map(function (c) {
        var tr = row([String(c.priority), queueName(c.queue), label("channel", c.channel),
          minutes(c.waiting_seconds), label("reason", c.reason), (c.case_note && c.case_note.summary_ja) || "",
          acceptButton(c)]);
        if (c.priority >= 6) tr.className = "prio-high";
        return tr;
      }), "受付待ちの会話はありません。", 7);
      var select = document.getElementById("transfer-queue");
      if (!select.options.length) {
        d.queues.forEach(function (q) { select.appendChild(el("option", queueName(q))).value = q; });
      }
      var mine = document.getElementById("mine");
      mine.textContent = "";
      if (!d.assigned.length) mine.appendChild(el("li", "対応中のお問い合わせはありません。", "muted"));
      d.assigned.forEach(function (c) {
        var li = el("li");
        var b = el("button");
        b.appendChild(el("span", label("channel", c.channel) + "・" + queueName(c.queue) + "・" +
          label("reason", c.reason), "what"));
        b.appendChild(el("span", (c.case_note && c.case_note.summary_ja) || "ケースノートはありません", "gist"));
        b.type = "button";
        b.setAttribute("aria-current", c.conversation_id === current ? "true" : "false");
        b.addEventListener("click", function () { note(""); openChat(c.conversation_id); });
        li.appendChild(b);
        mine.appendChild(li);
      });
      if (current && !d.assigned.some(function (c) { return c.conversation_id === current; })) closeChat();
      popCalls(d.assigned);
    }).catch(console.error);
  }

  var SPEAKER = { caller: "お客様", bot: "ボット", agent: "担当者", system: "" };

  // a console user as colleagues call them: the name customers see (IVR_AGENT_NAMES), else the login
  function person(user) {
    if (!user) return "担当者";
    var shown = (ME && ME.names && ME.names[user]) || user;
    return /^[\x00-\x7f]+$/.test(shown) ? shown + " さん" : shown + "さん";
  }
  // every event of the desk (dialogue/desk.py, ivr/voice_hold.py) in words; an event this console does not know
  // yet reads as a plain notice, never as its code
  function eventText(m) {
    var extra = m.text ? String(m.text) : "";
    switch (m.event) {
      case "queued": return "受付待ちに入りました";
      case "accepted": return person(m.agent) + "が受け付けました";
      case "connected": return "お電話を" + person(extra || m.agent) + "におつなぎしました";
      case "hung_up": return "お客様が電話を切られました";
      case "transferred": return place(extra) + "へ転送しました";
      case "released": return "自動応答に戻しました" + (extra ? "(申し送り: " + extra + ")" : "");
      case "closed": return "対応を終了しました" + (extra ? "(対応結果: " + extra + ")" : "");
      default: return "お知らせ" + (extra ? ": " + extra : "");
    }
  }

  function showMessages(d) {
    var ol = document.getElementById("chat-log");
    if (d.messages.length < shown) { ol.textContent = ""; shown = 0; }
    d.messages.slice(shown).forEach(function (m) {
      var li = el("li", null, m.speaker);
      var who = m.speaker === "agent" && m.agent_name ? "担当 " + m.agent_name : SPEAKER[m.speaker];
      if (who) li.appendChild(el("span", who, "speaker"));
      var text = m.speaker === "system" ? eventText(m) : m.text;
      li.appendChild(el("span", text, "said"));
      ol.appendChild(li);
    });
    if (d.messages.length > shown) ol.scrollTop = ol.scrollHeight;
    shown = d.messages.length;
  }

  function loadChat() {
    if (!current) return Promise.resolve();
    var id = current;
    return api(conv(id) + "/messages").then(function (d) { if (id === current) showMessages(d); }).catch(console.error);
  }

  function openChat(id) {
    if (current !== id) {
      current = id;
      shown = 0;
      document.getElementById("chat-log").textContent = "";
      showChannel(null); // a chat until the queue row says otherwise (the API refuses a message to a call anyway)
    }
    document.getElementById("chat").hidden = false;
    api("/agent/api/queue").then(function (d) {
      var c = d.assigned.filter(function (x) { return x.conversation_id === id; })[0];
      if (id === current) showChannel(c ? c.channel : null);
      document.getElementById("chat-summary").textContent = (c && c.case_note && c.case_note.summary_ja) || "";
      var facts = document.getElementById("chat-fields");
      facts.textContent = "";
      ((c && c.case_note && c.case_note.fields_ja) || []).forEach(function (f) {
        facts.appendChild(el("dt", f.label));
        facts.appendChild(el("dd", f.value));
      });
      showCustomer("chat-customer", c && (c.customer_id || customerOf(c.case_note)));
    }).catch(console.error);
    loadChat().then(function () {
      var input = document.getElementById("chat-input");
      if (!input.disabled) input.focus();
    });
  }
  // a phone caller hears the agent on the call, never a chat message: no message box for them (the API
  // refuses one with 409 too); the hand-over note, transfer and close stay
  function showChannel(channel) {
    var voice = channel === "voice";
    document.getElementById("chat-title").textContent = voice ? "お電話" : "チャット";
    document.getElementById("chat-voice").hidden = !voice;
    document.getElementById("chat-form").hidden = voice;
    document.getElementById("chat-input").disabled = voice;
  }
  function closeChat() {
    current = null;
    document.getElementById("chat").hidden = true;
  }

  function onSubmit(id, handler) {
    document.getElementById(id).addEventListener("submit", function (event) {
      event.preventDefault();
      if (current) handler(current);
    });
  }
  onSubmit("chat-form", function (id) {
    var input = document.getElementById("chat-input");
    var text = input.value.trim();
    if (!text) return;
    post(conv(id) + "/messages", { text: text }).then(function () { input.value = ""; loadChat(); })
      .catch(function (e) { note("送信できませんでした: " + e.message); });
  });
  document.getElementById("chat-input").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      document.getElementById("chat-form").requestSubmit();
    }
  });
  onSubmit("release-form", function (id) {
    var noteText = document.getElementById("release-note").value.trim();
    post(conv(id) + "/release", noteText ? { note: noteText } : {}).then(function () {
      note("自動応答に戻しました。"); closeChat(); refreshDesk();
    }).catch(function (e) { note("戻せませんでした: " + e.message); });
  });
  onSubmit("transfer-form", function (id) {
    post(conv(id) + "/transfer", { queue: document.getElementById("transfer-queue").value }).then(function () {
      note("転送しました。"); closeChat(); refreshDesk();
    }).catch(function (e) { note("転送できませんでした: " + e.message); });
  });
  onSubmit("close-form", function (id) {
    var input = document.getElementById("disposition");
    post(conv(id) + "/close", { disposition: input.value.trim() }).then(function () {
      input.value = ""; note("対応を終了しました。後処理が済んだら受付状態を「受付可」に戻してください。");
      closeChat(); refreshDesk();
      if (ME) refresh(ME); // the closed case and the KPIs, now rather than at the next tick
    }).catch(function (e) { note("終了できませんでした: " + e.message); });
  });
  document.getElementById("agent-state").addEventListener("change", function (event) {
    post("/agent/api/state", { state: event.target.value }).then(function () {
      note("受付状態を変更しました。"); refreshDesk();
    }).catch(function (e) { note("変更できませんでした: " + e.message); });
  });

  api("/agent/api/me").then(function (me) {
    document.getElementById("me").textContent = (me.display_name && me.display_name !== me.name ?
      me.display_name + " / " + me.name : me.name) + "(" + (me.role === "supervisor" ? "スーパーバイザー" : "オペレーター") + ")";
    document.getElementById("supervisor").hidden = me.role !== "supervisor";
    ME = me;
    QUEUE_LABELS = me.queue_labels || {};
    SKILL_LABELS = me.skill_labels || {};
    LABELS.intent = me.intent_labels || {};
    refresh(me);
    setInterval(function () { refresh(me); }, REFRESH_MS);
  }).catch(console.error).then(function () {
    // the desk once the names are known (its events name colleagues); without them it still works
    refreshDesk();
    setInterval(function () { refreshDesk(); loadChat(); }, DESK_MS);
  });
})();
