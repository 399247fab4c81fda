/* The forecast view: fills forecast.html from /agent/api/forecast; the chart is an SVG the server draws
 * (/agent/api/forecast.svg). Every value goes in with textContent. */
(function () {
  "use strict";
  var WEEKDAY = ["日", "月", "火", "水", "木", "金", "土"];
  var CHANNEL = { voice: "電話", chat: "チャット", email: "メール" };
  var filledSeries = false;

  function el(tag, text, cls) {
    var n = document.createElement(tag);
    if (text !== undefined && text !== null) n.textContent = String(text);
    if (cls) n.className = cls;
    return n;
  }
  function day(iso) { // 2026-12-07 -> 12/7(月), read as a Japan date
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
    if (!m) return iso;
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return (+m[2]) + "/" + (+m[3]) + "(" + WEEKDAY[d.getUTCDay()] + ")";
  }
  function slot(iso) { var m = /T(\d{2}):(\d{2})/.exec(iso); return day(iso) + " " + (m ? m[1] + ":" + m[2] : ""); }
  function num(x, digits) { return Number(x).toLocaleString("ja-JP", { maximumFractionDigits: digits }); }

  function params() {
    var q = new URLSearchParams({ weeks: document.getElementById("weeks").value,
      service_level: String(Number(document.getElementById("level").value) / 100),
      answer_seconds: document.getElementById("seconds").value });
    var s = document.getElementById("series").value;
    if (s) {
      var parts = s.split("|");
      if (parts[0]) q.set("channel", parts[0]);
      if (parts[1]) q.set("queue", parts[1]);
    }
    return q;
  }

  function fillSeries(options) {
    if (filledSeries) return;
    filledSeries = true;
    var select = document.getElementById("series");
    var channels = {};
    options.forEach(function (o) { channels[o.channel] = true; });
    Object.keys(channels).forEach(function (c) {
      select.appendChild(el("option", (CHANNEL[c] || c) + "(全窓口)")).value = c + "|";
    });
    options.forEach(function (o) { select.appendChild(el("option", o.label)).value = o.channel + "|" + o.queue; });
  }

  function tiles(d) {
    var s = d.summary, bt = s.backtest;
    var total = s.days.reduce(function (a, x) { return a + x.contacts; }, 0);
    var peak = d.intervals.reduce(function (a, x) { return Math.max(a, x.agents); }, 0);
    var selected = d.intervals.reduce(function (a, x) { return a + x.contacts; }, 0);
    var better = bt.model_mape < bt.naive_mape;
    var box = document.getElementById("tiles");
    box.textContent = "";
    // with every queue chosen, the selection's count is the total: one tile, not two that differ by rounding
    var all = !d.selected.channel && !d.selected.queue;
    [["予測期間", day(s.days[0].date) + " 〜 " + day(s.days[s.days.length - 1].date)],
     ["予測件数(すべての窓口)", num(total, 0) + "件"],
     all ? null : ["予測件数(" + d.selected.label + ")", num(selected, 0) + "件"],
     ["最大必要人数(" + d.selected.label + ")", peak + "人"],
     ["予測モデルの誤差(MAPE)", num(bt.model_mape * 100, 1) + " %", better ? "good" : "bad"],
     ["前週同時間帯の誤差(MAPE)", num(bt.naive_mape * 100, 1) + " %"]].filter(Boolean).forEach(function (t) {
      var div = el("div", null, "tile" + (t[2] ? " " + t[2] : ""));
      div.appendChild(el("div", t[0], "k"));
      div.appendChild(el("div", t[1], "v"));
      box.appendChild(div);
    });
  }

  function tables(d) {
    // per day for the chosen queues (the summary's days are every queue's)
    var perDay = {}, order = [];
    d.intervals.forEach(function (x) {
      var key = x.start.slice(0, 10);
      if (!perDay[key]) { perDay[key] = { date: key, contacts: 0, peak_agents: 0 }; order.push(key); }
      perDay[key].contacts += x.contacts;
      perDay[key].peak_agents = Math.max(perDay[key].peak_agents, x.agents);
    });
    document.getElementById("days-title").textContent = "日別の予測(" + d.selected.label + ")";
    var days = document.getElementById("days");
    days.textContent = "";
    order.map(function (k) { return perDay[k]; }).forEach(function (x) {
      var tr = el("tr");
      tr.appendChild(el("td", day(x.date)));
      tr.appendChild(el("td", num(x.contacts, 0), "num"));
      tr.appendChild(el("td", x.peak_agents + "人", "num"));
      days.appendChild(tr);
    });
    document.getElementById("intervals-title").textContent = "30分ごとの予測と必要人数(" + d.selected.label + ")";
    var rows = document.getElementById("intervals");
    rows.textContent = "";
    d.intervals.forEach(function (x) {
      if (x.contacts < 0.05 && !x.open) return; // the quiet night: nothing to plan
      var tr = el("tr");
      tr.appendChild(el("td", slot(x.start), "nowrap"));
      tr.appendChild(el("td", num(x.contacts, 1), "num"));
      tr.appendChild(el("td", x.agents + "人", "num"));
      tr.appendChild(el("td", x.open ? "受付中" : "時間外", "muted"));
      rows.appendChild(tr);
    });
  }

  function load() {
    var status = document.getElementById("status");
    var q = params().toString();
    document.getElementById("csv").href = "/agent/api/forecast.csv?" + q;
    status.className = "muted";
    status.textContent = "予測を計算しています…";
    fetch("/agent/api/forecast?" + q, { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { location.href = "/agent/login"; return null; }
        return r.json().then(function (body) { return { status: r.status, ok: r.ok, data: body }; });
      })
      .then(function (res) {
        if (!res) return;
        if (!res.ok) {
          status.className = "error";
          status.textContent = (res.status === 422 ? "予測に必要な履歴が足りません: " : "表示できませんでした: ") + (res.data.error || "");
          return;
        }
        var d = res.data;
        fillSeries(d.series_options);
        status.textContent = d.selected.label + "の予測(" + d.weeks + "週間、" + Math.round(d.service_level * 100) + "%を" + d.answer_seconds + "秒以内に応答)";
        tiles(d);
        tables(d);
        var img = document.getElementById("chart");
        img.alt = d.selected.label + "の30分ごとの予測件数と必要人数、検証期間の実績と予測のグラフ";
        img.src = "/agent/api/forecast.svg?" + q;
      })
      .catch(function () { status.className = "error"; status.textContent = "サーバーに接続できませんでした。"; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.getElementById("controls").addEventListener("submit", function (e) { e.preventDefault(); load(); });
    load();
  });
})();
