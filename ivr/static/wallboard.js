/* The supervisors' wallboard: draws /agent/api/wallboard as tiles and plain SVG charts, every REFRESH_MS.
 * Every label goes in with textContent (queue names and flow steps come from designer data). */
(function () {
  "use strict";
  var REFRESH_MS = 5000;
  var SVG = "http://www.w3.org/2000/svg";
  var REASON = { human_request: "お客様のご希望", emotion: "感情の高まり", complex: "複雑な案件",
    repeated_failure: "聞き取り失敗の繰り返し", backend_error: "システム障害", harassment: "ハラスメント",
    language: "多言語", no_input: "無言", goodbye: "ご用件なしで終了", unknown: "不明" };
  var STATE = { available: "受付可", busy: "対応中", after_call_work: "後処理", offline: "離席" };
  var COLORS = { resolved: "#2e7d32", handovers: "#1565c0", abandoned: "#c62828", bar: "#c2185b", target: "#ef6c00" };

  function el(tag, text, cls) {
    var n = document.createElement(tag);
    if (text !== undefined && text !== null) n.textContent = String(text);
    if (cls) n.className = cls;
    return n;
  }
  function svg(tag, attrs, text) {
    var n = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) n.textContent = String(text);
    return n;
  }
  function pct(x) { return x === null || x === undefined ? "—" : (Math.round(x * 1000) / 10) + " %"; }
  function secs(x) {
    if (x === null || x === undefined) return "—";
    var s = Math.round(x);
    return s < 60 ? s + "秒" : Math.floor(s / 60) + "分" + ("0" + (s % 60)).slice(-2) + "秒";
  }
  function tiles(id, items) {
    var box = document.getElementById(id);
    box.textContent = "";
    items.forEach(function (t) {
      var d = el("div", null, "tile" + (t.cls ? " " + t.cls : ""));
      d.appendChild(el("div", t.k, "k"));
      // a long value (「後処理 1 / 受付可 1」) in a smaller size, on one line, not wrapped over two
      d.appendChild(el("div", t.v, String(t.v).length > 8 ? "v long" : "v"));
      if (t.sub) { d.appendChild(el("div", t.sub, "k sub")); d.title = t.sub; } // e.g. the waits per queue
      box.appendChild(d);
    });
  }
  function empty(box, text) { box.textContent = ""; box.appendChild(el("p", text, "empty")); }

  var LABEL_MAX = 300;
  // about how wide a label is drawn at the charts' 13px: full-width (Japanese) characters twice a Latin one
  function textWidth(text) {
    var n = 0;
    String(text).split("").forEach(function (ch) { n += ch.charCodeAt(0) > 0xff ? 13 : 7; });
    return n;
  }
  function fitted(text, width) {
    if (textWidth(text) <= width) return text;
    var out = "";
    text.split("").some(function (ch) {
      if (textWidth(out + ch + "…") > width) return true;
      out += ch;
      return false;
    });
    return out + "…";
  }

  /* horizontal bars: [{label, value, text?, sub?}]; `sub` is a second, smaller line under the label */
  function hbars(id, rows, color, emptyText) {
    var box = document.getElementById(id);
    if (!rows.length) { empty(box, emptyText); return; }
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; })) || 1;
    // the label column as wide as the longest label needs (flow steps are long), up to LABEL_MAX; a longer
    // label is cut with … and keeps its whole text in a tooltip; room is left for the value after each bar
    var labelW = Math.min(LABEL_MAX, Math.max(120, Math.max.apply(null, rows.map(function (r) {
      return Math.max(textWidth(r.label), r.sub ? textWidth(r.sub) / 1.2 : 0); // the sub line is drawn smaller
    })) + 12));
    var two = rows.some(function (r) { return r.sub; });
    var rowH = two ? 40 : 26, w = 560, h = rows.length * rowH + 8, valueW = 90;
    var s = svg("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": document.getElementById(id).parentNode.querySelector("h2").textContent });
    rows.forEach(function (r, i) {
      var y = i * rowH + 4, bw = Math.max(2, (w - labelW - valueW) * r.value / max);
      var text = svg("text", { x: labelW - 6, y: y + 16, "text-anchor": "end" }, fitted(String(r.label), labelW - 12));
      text.appendChild(svg("title", {}, r.sub ? r.label + "(" + r.sub + ")" : r.label));
      s.appendChild(text);
      if (r.sub) {
        var sub = svg("text", { x: labelW - 6, y: y + 32, "text-anchor": "end" }, fitted(String(r.sub), (labelW - 12) * 1.2));
        sub.style.fontSize = "10px"; // CSSOM, not a style attribute: the page's CSP allows no inline styles
        sub.style.fill = "#6b7280";
        s.appendChild(sub);
      }
      s.appendChild(svg("rect", { x: labelW, y: y + 3, width: bw, height: rowH - 8, fill: color, rx: 3 }));
      s.appendChild(svg("text", { x: labelW + bw + 6, y: y + 16 }, r.text || r.value));
    });
    box.textContent = "";
    box.appendChild(s);
  }

  /* stacked columns per hour */
  function hours(rows) {
    var box = document.getElementById("chart-hours");
    if (!rows.length) { empty(box, "この期間の記録はありません。"); return; }
    rows = rows.slice(-48);
    var w = 560, h = 220, pad = 28, keys = ["resolved", "handovers", "abandoned"];
    var max = Math.max.apply(null, rows.map(function (r) { return r.contacts; })) || 1;
    var cw = (w - pad * 2) / rows.length;
    var s = svg("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": "時間帯別の件数" });
    s.appendChild(svg("line", { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, "class": "axis" }));
    s.appendChild(svg("text", { x: 2, y: 14 }, max));
    rows.forEach(function (r, i) {
      var x = pad + i * cw, y = h - pad;
      var other = r.contacts - r.resolved - r.handovers - r.abandoned;
      keys.concat(["other"]).forEach(function (k) {
        var v = k === "other" ? other : r[k];
        if (v <= 0) return;
        var bh = (h - pad * 2) * v / max;
        y -= bh;
        var rect = svg("rect", { x: x + 1, y: y, width: Math.max(1, cw - 2), height: bh, fill: COLORS[k] || "#9e9e9e" });
        rect.appendChild(svg("title", {}, r.hour + " " + k + " " + v));
        s.appendChild(rect);
      });
      if (rows.length <= 24 || i % Math.ceil(rows.length / 12) === 0) {
        s.appendChild(svg("text", { x: x + cw / 2, y: h - 10, "text-anchor": "middle" }, r.hour.slice(11, 13) + "時"));
      }
    });
    box.textContent = "";
    box.appendChild(s);
    var legend = el("div", null, "legend");
    [["resolved", "ボットで解決"], ["handovers", "オペレーター転送"], ["abandoned", "途中終了・放棄"]].forEach(function (p) {
      var sp = el("span", p[1]);
      sp.style.setProperty("--c", COLORS[p[0]]);
      legend.appendChild(sp);
    });
    box.appendChild(legend);
  }

  /* service level against its target, as a bar with a target mark */
  function serviceLevel(k) {
    var box = document.getElementById("chart-sl");
    var w = 560, h = 70, x0 = 10, bw = w - 20;
    var s = svg("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": "サービスレベル" });
    s.appendChild(svg("rect", { x: x0, y: 10, width: bw, height: 24, fill: "#eceff1", rx: 4 }));
    if (k.service_level !== null) {
      var good = k.service_level >= k.service_level_target;
      s.appendChild(svg("rect", { x: x0, y: 10, width: bw * k.service_level, height: 24, rx: 4,
        fill: good ? COLORS.resolved : COLORS.abandoned }));
    }
    var tx = x0 + bw * k.service_level_target;
    s.appendChild(svg("line", { x1: tx, y1: 4, x2: tx, y2: 40, stroke: COLORS.target, "stroke-width": 3 }));
    s.appendChild(svg("text", { x: x0, y: 58 }, pct(k.service_level) + " が " + k.service_level_threshold_s +
      "秒以内に応答(目標 " + pct(k.service_level_target) + ")"));
    box.textContent = "";
    box.appendChild(s);
  }

  function draw(d) {
    var k = d.kpis, live = d.live, cb = d.callbacks, sat = k.satisfaction;
    var agents = Object.keys(live.agents).map(function (s) { return (STATE[s] || s) + " " + live.agents[s]; }).join(" / ");
    // waiting contacts per queue, by the bot's names for its queues (escalation_rules/queues.yaml); else the id
    var names = live.queue_labels || {};
    var byQueue = Object.keys(live.waiting_by_queue || {}).map(function (q) {
      return (names[q] || q) + " " + live.waiting_by_queue[q];
    }).join(" / ");
    tiles("live-tiles", [
      { k: "受付待ち", v: live.waiting + " 件", sub: byQueue, cls: live.waiting ? "bad" : "" },
      { k: "最長待ち時間", v: secs(live.longest_wait_s) },
      { k: "オペレーター", v: agents || "サインインなし" },
      { k: "折り返し予定", v: cb.due + " 件", cls: cb.overdue ? "bad" : "" },
    ]);
    tiles("kpi-tiles", [
      { k: "お問い合わせ", v: k.contacts + " 件" },
      { k: "ボット完結率", v: pct(k.containment) },
      { k: "オペレーター転送", v: k.handovers + " 件" },
      { k: "平均応答時間 (ASA)", v: secs(k.asa_seconds) },
      { k: "平均処理時間 (AHT)", v: secs(k.aht_seconds) },
      { k: "放棄率", v: pct(k.abandonment), cls: k.abandonment > 0.1 ? "bad" : "" },
      { k: "サービスレベル", v: pct(k.service_level),
        cls: k.service_level === null ? "" : (k.service_level >= k.service_level_target ? "good" : "bad") },
      { k: "満足度 (CSAT)", v: pct(sat.csat) },
    ]);
    serviceLevel(k);
    hours(d.by_hour);
    hbars("chart-reasons", Object.keys(k.handovers_by_reason).map(function (r) {
      return { label: REASON[r] || r, value: k.handovers_by_reason[r] };
    }), COLORS.handovers, "この期間の転送はありません。");
    hbars("chart-stuck", d.stuck.map(function (s) {
      // 「注文番号の聞き取り」 on top, the flow under it: a long flow name is cut, never the step
      var words = String(s.step_ja || s.step).split(" — ");
      return { label: words[words.length - 1], sub: words.length > 1 ? words[0] : "", value: s.no_matches, text: s.no_matches + " 回(" + s.calls + " 件)" };
    }), COLORS.bar, "聞き取れなかった発話はありません。");
    hbars("chart-callbacks", [
      { label: "予約", value: cb.booked }, { label: "予定(未発信)", value: cb.due },
      { label: "期限超過", value: cb.overdue }, { label: "実施(つながった)", value: cb.kept },
      { label: "不通・留守電", value: cb.missed }
    ].filter(function (r) { return cb.booked; }), COLORS.target, "この期間の折り返しはありません。");
    var dist = sat.distribution || {};
    hbars("chart-csat", sat.responses ? ["5", "4", "3", "2", "1"].map(function (n) {
      return { label: n + " 点", value: dist[n] || 0 };
    }) : [], COLORS.resolved, "この期間の回答はありません。");
    document.getElementById("updated").textContent = "更新 " + d.generated_at.slice(11, 19);
  }

  function period() { return document.getElementById("period").value; }
  function load() {
    var p = period();
    document.getElementById("csv").href = "/agent/api/wallboard.csv?period=" + encodeURIComponent(p);
    return fetch("/agent/api/wallboard?period=" + encodeURIComponent(p), { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { location.href = "/agent/login"; throw new Error("login required"); }
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(draw).catch(function (e) {
        document.getElementById("updated").textContent = "更新できませんでした(" + e.message + ")";
      });
  }
  document.getElementById("period").addEventListener("change", load);
  document.getElementById("controls").addEventListener("submit", function (e) { e.preventDefault(); });
  load();
  setInterval(load, REFRESH_MS);
})();
