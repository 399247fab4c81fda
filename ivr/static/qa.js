/* The quality view: fills qa.html from /agent/api/qa. Every value goes in with textContent: the evidence
 * quotes what bots, agents and callers said. */
(function () {
  "use strict";
  // the protocol's rules (qa/protocol.yaml `label:`) and the bot's requests (prompts `label_<intent>`) in
  // its own words come with each answer of /agent/api/qa (`labels`); an id without one shows as it is
  var RULE = {};
  var FLOW = {};
  var AGENT = {}; // console users by their display names (alice -> 佐藤)
  var SPEAKER = { bot: "ボット", agent: "オペレーター", caller: "お客様" };
  var CHANNEL = { voice: "電話", chat: "チャット", email: "メール" };
  // the checker's reasons (dialogue/qa.py) in the supervisors' words; an unknown one shows as it is
  var WHY = [
    [/^first words lack the company greeting$/, function () { return "第一声に会社の挨拶がありません"; }],
    [/^last words lack a closing phrase$/, function () { return "最後の発話に締めの挨拶がありません"; }],
    [/^order details disclosed before the caller was verified$/, function () { return "本人確認の前に注文の内容を伝えています"; }],
    [/^no apology in the next (\d+) replies to a complaint$/, function (m) { return "お申し出のあと" + m[1] + "回の応答でお詫びがありません"; }],
    [/^「できません」 with no alternative offered$/, function () { return "「できません」のあとに代わりの案内がありません"; }],
    [/^plain-form ending: (.*)$/, function (m) { return "丁寧語でない文末: " + m[1]; }],
    [/^blames the customer$/, function () { return "お客様に責任を押し付けています"; }],
    [/^hold of (\d+) s \(limit (\d+) s\)$/, function (m) { return "保留" + m[1] + "秒(上限" + m[2] + "秒)"; }],
    [/^(\d+) s of silence before this reply \(limit (\d+) s\)$/, function (m) { return "応答まで" + m[1] + "秒の無応答(上限" + m[2] + "秒)"; }],
  ];
  var BOT = "(bot)";
  var DIMENSION = { agent: "担当者", flow: "用件", day: "日付" };
  var filter = null; // {kind: agent|flow|day, name}

  function el(tag, text, cls) {
    var n = document.createElement(tag);
    if (text !== undefined && text !== null) n.textContent = String(text);
    if (cls) n.className = cls;
    return n;
  }
  function why(text) {
    for (var i = 0; i < WHY.length; i++) {
      var m = WHY[i][0].exec(text || "");
      if (m) return WHY[i][1](m);
    }
    return text || "";
  }
  function agentName(a) { return !a || a === BOT ? "自動応答(ボット)" : AGENT[a] || a; }
  function flowName(f) { return !f || f === "(none)" ? "(用件なし)" : FLOW[f] || f; }
  function pct(x) { return x === null || x === undefined ? "—" : Math.round(x * 1000) / 10 + " %"; }
  function when(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || "");
    return m ? m[2] + "/" + m[3] + " " + m[4] + ":" + m[5] : "—";
  }
  function rules(map) {
    var keys = Object.keys(map || {});
    return keys.length ? keys.map(function (r) { return (RULE[r] || r) + " " + map[r] + "件"; }).join("、") : "指摘なし";
  }
  function isoDay(d) {
    var t = new Date(d.getTime() + 9 * 3600 * 1000); // the centre works in Japan time
    return t.toISOString().slice(0, 10);
  }

  function tiles(s) {
    var box = document.getElementById("tiles");
    box.textContent = "";
    [["対象の応対", s.contacts + "件"], ["平均点", s.mean_score === null ? "—" : s.mean_score + "点", s.mean_score >= 90 ? "good" : "bad"],
     ["合格率(80点以上)", pct(s.passed_rate), s.passed_rate >= 0.9 ? "good" : "bad"],
     ["チェックしたルール", s.rules_checked + "件"], ["指摘の多いルール", rules(s.failed_rules).split("、")[0]]]
      .forEach(function (t) {
        var d = el("div", null, "tile" + (t[2] && s.contacts ? " " + t[2] : ""));
        d.appendChild(el("div", t[0], "k"));
        d.appendChild(el("div", t[1], "v"));
        box.appendChild(d);
      });
  }

  function groupTable(id, kind, rows, show) {
    var box = document.getElementById(id);
    box.textContent = "";
    if (!rows.length) { box.appendChild(el("p", "この期間の応対はありません。", "empty")); return; }
    var wrap = el("div", null, "table-scroll");
    var t = el("table");
    var head = el("tr");
    [DIMENSION[kind], "件数", "平均点", "合格率", "主な指摘"].forEach(function (h, i) {
      var th = el("th", h, i && i < 4 ? "num" : "");
      th.scope = "col";
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    t.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (g) {
      var tr = el("tr");
      var name = el("td");
      var b = el("button", show(g.name), "linkish");
      b.type = "button";
      b.title = "この" + DIMENSION[kind] + "の応対だけを表示";
      b.addEventListener("click", function () { filter = { kind: kind, name: g.name }; load(); });
      name.appendChild(b);
      tr.appendChild(name);
      tr.appendChild(el("td", g.contacts, "num"));
      tr.appendChild(el("td", g.mean_score, "num"));
      tr.appendChild(el("td", pct(g.passed_rate), "num"));
      tr.appendChild(el("td", rules(g.failed_rules)));
      body.appendChild(tr);
    });
    t.appendChild(body);
    wrap.appendChild(t);
    box.appendChild(wrap);
  }

  function contacts(data) {
    var body = document.getElementById("contacts");
    body.textContent = "";
    var text = "全" + data.matching + "件" + (data.shown < data.matching ? "のうち新しい" + data.shown + "件を表示" : "");
    if (filter) text = DIMENSION[filter.kind] + "「" + ({ agent: agentName, flow: flowName, day: String }[filter.kind])(filter.name) + "」の応対: " + text;
    document.getElementById("filter-text").textContent = text;
    document.getElementById("clear-filter").hidden = !filter;
    if (!data.contacts.length) {
      var tr = el("tr");
      var td = el("td", "該当する応対はありません。", "empty");
      td.colSpan = 6;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    data.contacts.forEach(function (c) {
      var tr = el("tr");
      tr.appendChild(el("td", when(c.started_at), "nowrap"));
      tr.appendChild(el("td", CHANNEL[c.channel] || c.channel || "—", "nowrap"));
      tr.appendChild(el("td", agentName(c.agent), "nowrap"));
      tr.appendChild(el("td", flowName(c.flow), "nowrap"));
      tr.appendChild(el("td", c.score + "点", "num score " + (c.passed ? "good" : "bad")));
      var ev = el("td");
      if (!c.failed.length) ev.appendChild(el("span", "指摘なし", "muted"));
      c.failed.forEach(function (f) {
        var p = el("p", null, "finding");
        p.appendChild(el("span", RULE[f.rule] || f.rule, "rule"));
        var where = f.turn === null || f.turn === undefined ? "" : "発話" + f.turn + "(" + (SPEAKER[f.speaker] || f.speaker || "—") + ") ";
        p.appendChild(el("span", where));
        if (f.text) p.appendChild(el("q", f.text));
        p.appendChild(el("span", " — " + why(f.why), "muted"));
        ev.appendChild(p);
      });
      tr.appendChild(ev);
      body.appendChild(tr);
    });
  }

  function load() {
    var status = document.getElementById("status");
    var q = new URLSearchParams({ from: document.getElementById("from").value, to: document.getElementById("to").value });
    if (document.getElementById("only-failed").checked) q.set("only", "failed");
    if (filter) q.set(filter.kind, filter.name);
    status.className = "muted";
    status.textContent = "集計しています…";
    fetch("/agent/api/qa?" + q.toString(), { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { location.href = "/agent/login"; return null; }
        return r.json().then(function (d) { return { ok: r.ok, data: d }; });
      })
      .then(function (res) {
        if (!res) return;
        if (!res.ok) {
          status.className = "error";
          status.textContent = "表示できませんでした: " + (res.data.error || "");
          return;
        }
        var d = res.data;
        RULE = (d.labels && d.labels.rules) || {};
        FLOW = (d.labels && d.labels.flows) || {};
        AGENT = (d.labels && d.labels.agents) || {};
        status.textContent = d.from + " 〜 " + d.to + "(日本時間)の応対 " + d.summary.contacts + "件";
        tiles(d.summary);
        groupTable("by-agent", "agent", d.summary.by_agent, agentName);
        groupTable("by-flow", "flow", d.summary.by_flow, flowName);
        groupTable("by-day", "day", d.summary.by_day, String);
        contacts(d);
      })
      .catch(function () { status.className = "error"; status.textContent = "サーバーに接続できませんでした。"; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var now = new Date();
    var params = new URLSearchParams(location.search);
    document.getElementById("to").value = params.get("to") || isoDay(now);
    document.getElementById("from").value = params.get("from") || isoDay(new Date(now.getTime() - 6 * 86400 * 1000));
    document.getElementById("controls").addEventListener("submit", function (e) { e.preventDefault(); filter = null; load(); });
    document.getElementById("clear-filter").addEventListener("click", function () { filter = null; load(); });
    load();
  });
})();
