/// The dashboard: one self-contained HTML page (inline CSS and JavaScript, no build step) that reads
/// `dashboard/events` (server-sent events, one ``DashboardSnapshot`` per event) relative to its own URL,
/// passing on its query string (so `?code=<master key>` opens both). `#invocation=<id>` in the URL opens
/// that invocation's log lines.
public enum DashboardPage {
  /// The page.
  public static let html: String = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>functions-host dashboard</title>
    <style>
    body{font:14px system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
    header{background:#1d2330;color:#fff;padding:10px 16px;display:flex;gap:16px;align-items:baseline}
    header h1{font-size:16px;margin:0}#status{font-size:12px;opacity:.8}
    main{display:grid;grid-template-columns:1fr 1fr;gap:12px;padding:12px}
    section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px 12px;overflow:auto}
    section.wide{grid-column:1/3}h2{font-size:13px;text-transform:uppercase;color:#5a6372;margin:4px 0 8px}
    table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eef0f3;white-space:nowrap}
    th{font-weight:600;color:#5a6372;font-size:12px}td.num{text-align:right;font-variant-numeric:tabular-nums}
    .succeeded{color:#1a7f37}.failed,.timed_out{color:#cf222e}.cancelled{color:#9a6700}
    #invocations li{cursor:pointer;padding:2px 4px;list-style:none;font-family:ui-monospace,monospace;font-size:12px}
    #invocations ul{margin:0;padding:0;max-height:320px;overflow:auto}#invocations li.selected{background:#ddf4ff}
    #logs pre{background:#1d2330;color:#e6edf3;padding:8px;border-radius:4px;min-height:60px;max-height:320px;overflow:auto;white-space:pre-wrap}
    svg.spark polyline{fill:none;stroke:#0969da;stroke-width:1.5}.empty{color:#8c959f;font-style:italic}
    </style>
    </head>
    <body>
    <header><h1>functions-host</h1><span id="status">connecting…</span></header>
    <main>
    <section class="wide" id="functions"><h2>Functions</h2>
    <table><thead><tr><th>Function</th><th>Trigger</th><th>URL</th><th>Count</th><th>Errors</th><th>p50 ms</th><th>p99 ms</th><th>Latency</th></tr></thead><tbody></tbody></table></section>
    <section id="invocations"><h2>Recent invocations</h2><ul></ul></section>
    <section id="logs"><h2>Invocation logs</h2><div id="log-title" class="empty">click an invocation</div><pre></pre></section>
    <section id="workers"><h2>Workers</h2>
    <table><thead><tr><th>Slot</th><th>PID</th><th>State</th><th>In flight</th><th>Restarts</th><th>Last exit</th></tr></thead><tbody></tbody></table></section>
    <section id="queues"><h2>Queues</h2>
    <table><thead><tr><th>Function</th><th>Queue</th><th>Depth</th><th>Oldest (s)</th><th>Poison</th></tr></thead><tbody></tbody></table>
    <h2>Timers</h2>
    <table id="timers"><thead><tr><th>Function</th><th>Last run</th><th>Next run</th></tr></thead><tbody></tbody></table></section>
    </main>
    <script>
    "use strict";
    let latest = null, selected = null;
    const $ = (s) => document.querySelector(s);
    const text = (v) => (v === null || v === undefined) ? "" : String(v);
    const ms = (v) => (v === null || v === undefined) ? "" : v.toFixed(1);
    const when = (t) => t ? new Date(t * 1000).toLocaleTimeString() : "";
    function cell(tr, value, cls) { const td = document.createElement("td"); td.textContent = text(value); if (cls) td.className = cls; tr.appendChild(td); return td; }
    function fill(tbody, rows, render) {
      tbody.replaceChildren();
      if (rows.length === 0) { const tr = document.createElement("tr"); const td = cell(tr, "none", "empty"); td.colSpan = 8; tbody.appendChild(tr); return; }
      for (const row of rows) { const tr = document.createElement("tr"); render(tr, row); tbody.appendChild(tr); }
    }
    function sparkline(values) {
      const ns = "http://www.w3.org/2000/svg", w = 120, h = 24;
      const svg = document.createElementNS(ns, "svg"); svg.setAttribute("class", "spark");
      svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
      if (values.length > 0) {
        const max = Math.max(...values, 0.001), step = values.length > 1 ? w / (values.length - 1) : 0;
        const line = document.createElementNS(ns, "polyline");
        line.setAttribute("points", values.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(" "));
        svg.appendChild(line);
        const dot = document.createElementNS(ns, "circle"), last = values.length - 1;
        dot.setAttribute("cx", (last * step).toFixed(1)); dot.setAttribute("cy", (h - 2 - (values[last] / max) * (h - 4)).toFixed(1));
        dot.setAttribute("r", "2"); dot.setAttribute("fill", "#0969da"); svg.appendChild(dot);
      }
      return svg;
    }
    function showLogs(inv) {
      selected = inv.id;
      $("#log-title").className = ""; $("#log-title").textContent = `${inv.function} ${inv.id} — ${inv.outcome}, ${ms(inv.durationMs)} ms`;
      const lines = inv.logs.map((l) => `${new Date(l.time * 1000).toISOString().slice(11, 23)} ${l.level.padEnd(7)} ${l.message}`);
      if (inv.error) lines.push(`error: ${inv.error}`);
      $("#logs pre").textContent = lines.length ? lines.join("\n") : "(no log lines)";
      for (const li of document.querySelectorAll("#invocations li")) li.classList.toggle("selected", li.dataset.id === selected);
    }
    function render(s) {
      latest = s;
      fill($("#functions tbody"), s.functions, (tr, f) => {
        tr.dataset.function = f.name;
        cell(tr, f.name, "name"); cell(tr, f.trigger, "trigger");
        const u = cell(tr, "", "url"); if (f.url) { const a = document.createElement("a"); a.href = f.url; a.textContent = f.url; u.appendChild(a); }
        cell(tr, f.count, "num count"); cell(tr, (f.errorRate * 100).toFixed(0) + "%", "num errors");
        cell(tr, ms(f.p50Ms), "num p50"); cell(tr, ms(f.p99Ms), "num p99");
        cell(tr, "", "spark").appendChild(sparkline(f.recentMs));
      });
      const ul = $("#invocations ul"); ul.replaceChildren();
      for (const inv of s.invocations) {
        const li = document.createElement("li"); li.dataset.id = inv.id; li.dataset.function = inv.function;
        li.className = inv.outcome + (inv.id === selected ? " selected" : "");
        li.textContent = `${when(inv.started)} ${inv.function} ${inv.outcome} ${ms(inv.durationMs)} ms ${inv.id.slice(0, 8)}`;
        li.addEventListener("click", () => showLogs(inv));
        ul.appendChild(li);
      }
      const wanted = selected || (location.hash.startsWith("#invocation=") ? decodeURIComponent(location.hash.slice(12)) : null);
      const chosen = wanted && s.invocations.find((i) => i.id === wanted);
      if (chosen) showLogs(chosen);
      if (s.invocations.length === 0) { const li = document.createElement("li"); li.className = "empty"; li.textContent = "no invocations yet"; ul.appendChild(li); }
      fill($("#workers tbody"), s.workers, (tr, w) => {
        tr.dataset.slot = w.slot;
        cell(tr, w.slot); cell(tr, w.pid, "pid"); cell(tr, w.state, "state"); cell(tr, w.inFlight, "num");
        cell(tr, w.restarts, "num restarts"); cell(tr, w.lastExitCause ? `${w.lastExitCause}: ${w.lastExit}` : "", "exit");
      });
      fill($("#queues tbody"), s.storage.queues, (tr, q) => {
        tr.dataset.queue = q.queue;
        cell(tr, q.function); cell(tr, q.queue); cell(tr, q.depth, "num depth");
        cell(tr, q.oldestAgeSeconds === null || q.oldestAgeSeconds === undefined ? "" : q.oldestAgeSeconds.toFixed(0), "num");
        cell(tr, q.poison, "num poison");
      });
      fill($("#timers tbody"), s.storage.timers, (tr, t) => { tr.dataset.function = t.function; cell(tr, t.function); cell(tr, when(t.lastRun), "last"); cell(tr, when(t.nextRun), "next"); });
      $("#status").textContent = `live · updated ${new Date(s.time * 1000).toLocaleTimeString()}`;
      $("#status").dataset.updated = String(s.time);
    }
    const source = new EventSource("dashboard/events" + location.search);
    source.onmessage = (e) => render(JSON.parse(e.data));
    source.onerror = () => { $("#status").textContent = "disconnected; retrying…"; };
    </script>
    </body>
    </html>
    """#
}
