/**
 * The supervisor dashboard: one self-contained page (no build step, no CDN), served by the
 * router at GET /dashboard. The supervisor pastes a supervisor or admin key once; the page's
 * script exchanges it (Authorization header, POST /v1/session) for a short-lived HttpOnly,
 * SameSite=Strict session cookie and forgets it. Keys never go into the address or storage.
 * Its data calls ride on that cookie; it refreshes every 5 s. Signing in from bull-board
 * (`?next=admin-queues`) returns there.
 */
export const dashboardPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>triage — supervisor dashboard</title>
<style>
  :root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --muted:#6b7385; --ok:#1f8a4c; --warn:#c77c02; --bad:#c62828; --bar:#3f6fd8; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", "Noto Sans SC", sans-serif; background:var(--bg); color:var(--ink); }
  header { display:flex; align-items:center; gap:16px; padding:12px 20px; background:#1d2330; color:#fff; }
  header h1 { font-size:18px; margin:0; }
  header .meta { margin-left:auto; font-size:12px; color:#c9cedb; }
  main { display:grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap:16px; padding:16px 20px; }
  section { background:var(--card); border-radius:8px; padding:12px 16px; box-shadow:0 1px 2px rgba(0,0,0,.08); min-width:0; overflow-x:auto; }
  section h2 { font-size:15px; margin:0 0 8px; }
  @media (min-width: 900px) { section.wide { grid-column: span 2; } }
  table { width:100%; border-collapse:collapse; }
  th, td { text-align:left; padding:4px 6px; border-bottom:1px solid #eceef2; font-variant-numeric: tabular-nums; }
  th { color:var(--muted); font-weight:600; font-size:12px; }
  .kpis { display:grid; grid-template-columns: repeat(3, 1fr); gap:8px; }
  .kpi { background:var(--bg); border-radius:6px; padding:8px; }
  .kpi .v { font-size:22px; font-weight:700; }
  .kpi .l { color:var(--muted); font-size:12px; }
  .ok { color:var(--ok); } .warn { color:var(--warn); } .bad { color:var(--bad); }
  .bar { fill:var(--bar); } .axis { fill:var(--muted); font-size:11px; }
  #login { max-width:420px; margin:80px auto; background:var(--card); padding:24px; border-radius:8px; }
  #login input { width:100%; padding:8px; margin:8px 0; }
  .hidden { display:none; }
  .error { color:var(--bad); }
  #rateAlerts { grid-column: 1 / -1; background:#fdecea; border:1px solid var(--bad); border-radius:8px; padding:10px 16px; }
  #rateAlerts h2 { color:var(--bad); font-size:15px; margin:0 0 4px; }
  #rateAlerts ul { margin:0; padding-left:18px; }
</style>
</head>
<body>
<header><h1>triage · supervisor dashboard</h1><span class="meta" id="status">loading…</span></header>
<div id="login" class="hidden">
  <h2>Sign in</h2>
  <p>Paste a supervisor or admin key (API_KEYS). It signs this browser in for a short session and is not stored.</p>
  <input id="key" type="password" autocomplete="off" placeholder="demo-admin-key">
  <button id="save">Open dashboard</button>
  <p class="error" id="loginError"></p>
</div>
<main id="board" class="hidden">
  <div id="rateAlerts" class="hidden" role="alert"><h2>Complaint spike</h2><ul id="rateAlertList"></ul></div>
  <section><h2>Service levels (last 7 days)</h2><div class="kpis" id="kpis"></div></section>
  <section class="wide"><h2>Queues</h2>
    <table><thead><tr><th>Queue</th><th>Waiting</th><th title="Waiting tickets that need a skill no online agent has">No agent</th><th>Active</th><th>At risk</th><th>Breached</th><th>Oldest waiting</th></tr></thead><tbody id="queues"></tbody></table>
  </section>
  <section><h2>Queue depth</h2><svg id="depthChart" width="100%" height="180" role="img" aria-label="waiting tickets per queue"></svg></section>
  <section><h2>SLA countdown — next deadlines</h2>
    <table><thead><tr><th>Ticket</th><th>Queue</th><th>Severity</th><th>Due in</th></tr></thead><tbody id="countdowns"></tbody></table>
  </section>
  <section><h2>Recent escalations</h2>
    <table><thead><tr><th>When</th><th>Ticket</th><th>What</th></tr></thead><tbody id="escalations"></tbody></table>
  </section>
  <section class="wide"><h2>Agent ranking — composite of QA, CSAT, SLA, first-contact resolution, transfers <a href="/v1/reports?format=csv&amp;view=agents">CSV</a></h2>
    <table><thead><tr><th>#</th><th>Agent</th><th title="weighted: QA 30, CSAT 25, SLA 25, FCR 15, transfers 5 (docs/quality.md)">Composite</th><th>QA</th><th>CSAT</th><th>Resolution SLA</th><th>FCR</th><th>Transfers</th><th>Resolved</th></tr></thead><tbody id="agents"></tbody></table>
  </section>
  <section><h2>By severity</h2><svg id="severityChart" width="100%" height="160" role="img" aria-label="complaints per severity"></svg></section>
</main>
<script>
(function () {
  var params = new URLSearchParams(location.search);
  var next = params.get('next') === 'admin-queues' ? '/admin/queues' : null;
  // Keys are never read from the address (it ends up in logs and history); an old link's key is dropped unused.
  if (params.has('key')) { params.delete('key'); history.replaceState(null, '', location.pathname + (params.toString() ? '?' + params : '')); }
  localStorage.removeItem('triageAdminKey');
  var countdownTickets = [];
  function el(id) { return document.getElementById(id); }
  function esc(s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return { '&':'&amp;', '<':'&lt;', '>':'&gt;', '"':'&quot;', "'":'&#39;' }[c]; }); }
  function pct(v) { return v == null ? '—' : v.toFixed(1) + ' %'; }
  function mins(v) { if (v == null) return '—'; if (v < 60) return v.toFixed(0) + ' min'; if (v < 1440) return (v / 60).toFixed(1) + ' h'; return (v / 1440).toFixed(1) + ' d'; }
  function cls(v) { return v == null ? '' : v >= 95 ? 'ok' : v >= 80 ? 'warn' : 'bad'; }
  function ago(iso) { if (!iso) return '—'; return mins((Date.now() - new Date(iso).getTime()) / 60000); }
  function dueIn(iso) {
    var ms = new Date(iso).getTime() - Date.now();
    var sign = ms < 0 ? '-' : ''; ms = Math.abs(ms);
    var h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    return sign + (h ? h + 'h ' : '') + m + 'm ' + s + 's';
  }
  function api(path) {
    return fetch(path, { credentials: 'same-origin' }).then(function (r) {
      if (r.status === 401 || r.status === 403) { throw Object.assign(new Error('The session was refused (' + r.status + '); sign in again.'), { auth: true }); }
      if (!r.ok) throw new Error(path + ' answered ' + r.status);
      return r.json();
    });
  }
  function bars(svg, rows) {
    if (!svg.getAttribute('data-height')) svg.setAttribute('data-height', svg.getAttribute('height'));
    var width = svg.clientWidth || 400, height = Number(svg.getAttribute('data-height')), max = Math.max(1, Math.max.apply(null, rows.map(function (r) { return r.value; })));
    var w = width / Math.max(rows.length, 1);
    var longest = Math.max.apply(null, [0].concat(rows.map(function (r) { return String(r.label).length; })));
    // Long labels under narrow columns (eight queues in one card) overlap into an unreadable
    // axis: then draw one bar per line, label on the left.
    if (longest * 7 > w - 4) return barsAcross(svg, rows, width, max, longest);
    svg.setAttribute('height', String(height));
    svg.innerHTML = rows.map(function (r, i) {
      var h = (height - 36) * r.value / max;
      return '<rect class="bar" x="' + (i * w + 6) + '" y="' + (height - 22 - h) + '" width="' + Math.max(w - 12, 2) + '" height="' + h + '"><title>' + esc(r.label) + ': ' + r.value + '</title></rect>' +
        '<text class="axis" x="' + (i * w + w / 2) + '" y="' + (height - 6) + '" text-anchor="middle">' + esc(r.label) + '</text>' +
        '<text class="axis" data-value="' + esc(r.label) + '" x="' + (i * w + w / 2) + '" y="' + (height - 26 - h) + '" text-anchor="middle">' + r.value + '</text>';
    }).join('');
  }
  function barsAcross(svg, rows, width, max, longest) {
    var line = 22, labelWidth = Math.min(width / 2, longest * 7 + 8), room = Math.max(width - labelWidth - 40, 10);
    svg.setAttribute('height', String(rows.length * line + 4));
    svg.innerHTML = rows.map(function (r, i) {
      var y = i * line + 2, w = room * r.value / max;
      return '<text class="axis" x="' + (labelWidth - 6) + '" y="' + (y + 15) + '" text-anchor="end">' + esc(r.label) + '</text>' +
        '<rect class="bar" x="' + labelWidth + '" y="' + (y + 3) + '" width="' + w + '" height="' + (line - 6) + '"><title>' + esc(r.label) + ': ' + r.value + '</title></rect>' +
        '<text class="axis" data-value="' + esc(r.label) + '" x="' + (labelWidth + w + 4) + '" y="' + (y + 15) + '">' + r.value + '</text>';
    }).join('');
  }
  function renderCountdowns() {
    el('countdowns').innerHTML = countdownTickets.map(function (t) {
      var late = new Date(t.dueAt).getTime() < Date.now();
      return '<tr><td>' + esc(t.id.slice(0, 8)) + '</td><td>' + esc(t.queue) + '</td><td>' + esc(t.severity) + '</td><td class="' + (late ? 'bad' : '') + '">' + dueIn(t.dueAt) + '</td></tr>';
    }).join('') || '<tr><td colspan="4">nothing waiting</td></tr>';
  }
  // Open complaint-rate spikes (GET /v1/reports/alerts): a banner above the board while there are any.
  function renderRateAlerts(alerts) {
    el('rateAlerts').classList.toggle('hidden', alerts.length === 0);
    el('rateAlertList').innerHTML = alerts.map(function (a) {
      var when = a.period === 'hour' ? 'this hour (' + new Date(a.bucketStart).toISOString().slice(11, 13) + ':00 UTC)' : 'on ' + a.bucketStart.slice(0, 10);
      return '<li data-alert="' + esc(a.id) + '"><b>' + esc(a.dimension) + ' · ' + esc(a.value) + '</b>: ' + a.count + ' complaints ' + esc(when) +
        ', usually ' + a.baseline.mean + ' (spike above ' + a.limit + ')</li>';
    }).join('');
  }
  function refresh() {
    var to = new Date(), from = new Date(to.getTime() - 7 * 86400000);
    return Promise.all([
      api('/v1/queues'),
      api('/v1/reports?from=' + from.toISOString() + '&to=' + to.toISOString()),
      api('/v1/reports/escalations?limit=15'),
      api('/v1/reports/deadlines?limit=12'),
      api('/v1/reports/alerts?limit=20'),
    ]).then(function (all) {
      var queues = all[0].queues, report = all[1], escalations = all[2].escalations, deadlines = all[3].tickets;
      renderRateAlerts(all[4].alerts);
      var t = report.totals;
      el('kpis').innerHTML = [
        ['received', t.received, ''], ['open backlog', t.backlog, ''], ['resolved', t.resolved, ''],
        ['1st response SLA', pct(t.firstResponse.attainmentPct), cls(t.firstResponse.attainmentPct)],
        ['resolution SLA', pct(t.resolution.attainmentPct), cls(t.resolution.attainmentPct)],
        ['median 1st response', mins(t.firstResponse.p50Minutes), ''],
        ['escalation rate', pct(t.escalationRatePct), ''], ['transfer rate', pct(t.transferRatePct), ''], ['reopen rate', pct(t.reopenRatePct), ''],
        ['promises kept', pct(t.promises.keptPct), cls(t.promises.keptPct)],
        ['CSAT (4–5)', pct(t.csat.csatPct), cls(t.csat.csatPct)], ['first-contact resolution', pct(t.fcrPct), ''],
      ].map(function (k) { return '<div class="kpi" data-kpi="' + esc(k[0]) + '"><div class="v ' + k[2] + '">' + esc(k[1]) + '</div><div class="l">' + esc(k[0]) + '</div></div>'; }).join('');
      el('queues').innerHTML = queues.map(function (q) {
        return '<tr data-queue="' + esc(q.id) + '"><td>' + esc(q.name) + '</td><td class="depth">' + q.depth + '</td><td class="unservable ' + (q.unservable ? 'bad' : '') + '">' + (q.unservable || 0) + '</td><td>' + q.active + '</td><td class="' + (q.atRisk ? 'warn' : '') + '">' + (q.atRisk == null ? 0 : q.atRisk) + '</td><td class="' + (q.breached ? 'bad' : '') + '">' + (q.breached == null ? 0 : q.breached) + '</td><td>' + ago(q.oldestReceivedAt) + '</td></tr>';
      }).join('');
      bars(el('depthChart'), queues.map(function (q) { return { label: q.id, value: q.depth }; }));
      bars(el('severityChart'), report.bySeverity.map(function (s) { return { label: s.id, value: s.received }; }));
      el('escalations').innerHTML = escalations.map(function (e) {
        return '<tr><td>' + new Date(e.at).toLocaleTimeString() + '</td><td>' + esc(e.complaintId.slice(0, 8)) + '</td><td>' + esc(e.type) + (e.detail ? ' · ' + esc(e.detail) : '') + '</td></tr>';
      }).join('') || '<tr><td colspan="3">none</td></tr>';
      el('agents').innerHTML = report.byAgent.map(function (a, i) {
        var c = a.composite || { score: null, parts: {} };
        return '<tr data-agent="' + esc(a.id) + '"><td>' + (i + 1) + '</td><td>' + esc(a.name || a.id) + '</td><td class="composite ' + cls(c.score) + '"><b>' + (c.score == null ? '—' : esc(c.score)) + '</b></td><td>' + (c.parts.qa == null ? '—' : esc(c.parts.qa)) + '</td><td>' + pct(c.parts.csat) + '</td><td class="' + cls(a.resolution.attainmentPct) + '">' + pct(a.resolution.attainmentPct) + '</td><td>' + pct(c.parts.fcr) + '</td><td>' + pct(a.transferRatePct) + '</td><td>' + a.resolved + '</td></tr>';
      }).join('') || '<tr><td colspan="9">no agent activity yet</td></tr>';
      countdownTickets = deadlines;
      renderCountdowns();
      el('status').textContent = 'updated ' + new Date().toLocaleTimeString() + ' · refreshes every 5 s';
    });
  }
  function start() {
    el('login').classList.add('hidden');
    el('board').classList.remove('hidden');
    refresh().catch(fail);
    setInterval(function () { refresh().catch(fail); }, 5000);
    setInterval(renderCountdowns, 1000);
  }
  function fail(error) {
    // The reload shows the form again; say why, or a refused key looks like nothing happened.
    if (error.auth) { sessionStorage.setItem('triageLoginError', error.message); location.reload(); return; }
    el('status').textContent = 'refresh failed: ' + error.message;
  }
  function signedIn() { if (next) location.assign(next); else start(); }
  el('save').onclick = function () {
    var key = el('key').value.trim(); if (!key) return;
    el('key').value = '';
    fetch('/v1/session', { method: 'POST', credentials: 'same-origin', headers: { Authorization: 'Bearer ' + key } }).then(function (r) {
      if (r.ok) { r.json().then(function (who) { if (mayOpen(who)) signedIn(); else location.reload(); }); return; }
      sessionStorage.setItem('triageLoginError', 'The key was refused (' + r.status + ').'); location.reload();
    }, function (error) { el('loginError').textContent = 'Sign-in failed: ' + error.message; });
  };
  function showLogin() {
    el('login').classList.remove('hidden'); el('status').textContent = 'sign in';
    el('loginError').textContent = sessionStorage.getItem('triageLoginError') || ''; sessionStorage.removeItem('triageLoginError');
  }
  // An agent's session (the agent workspace) reads none of this board: say where their page is.
  function mayOpen(who) {
    if (who.role !== 'agent') return true;
    sessionStorage.setItem('triageLoginError', 'This is an agent key: the agent workspace is at /agent.');
    return false;
  }
  fetch('/v1/session', { credentials: 'same-origin' }).then(function (r) {
    if (!r.ok) { showLogin(); return; }
    return r.json().then(function (who) { if (mayOpen(who)) signedIn(); else showLogin(); });
  }).catch(showLogin);
})();
</script>
</body>
</html>
`;
