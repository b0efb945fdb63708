import { bi } from '../pages/page-kit';

/**
 * The agent workspace: one page served by the router at GET /agent, its script at
 * /agent/agent.js and its styles at /agent/agent.css (no build step, no CDN). Every label is
 * bilingual, Chinese then English, each half with its own `lang`. The page holds no data: its
 * script fills it in with `textContent` only (complaint text is customer input), and the strict
 * Content-Security-Policy (agent-workspace-router.ts) allows no inline script or style at all.
 */

export const agentPageStyles = `
:root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --muted:#6b7385; --ok:#1f8a4c; --warn:#c77c02; --bad:#c62828; --accent:#3f6fd8; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans SC", "PingFang SC", sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; align-items:center; gap:12px; padding:10px 20px; background:#1d2330; color:#fff; flex-wrap:wrap; }
header h1 { font-size:17px; margin:0; }
header .who { margin-left:auto; display:flex; gap:10px; align-items:center; font-size:13px; }
header button { background:#33405a; color:#fff; border:1px solid #55627d; }
header .badge { color:var(--ink); }
.hidden { display:none !important; }
button { font:inherit; padding:5px 10px; border-radius:5px; border:1px solid #c8cdd8; background:#fff; cursor:pointer; }
button.primary { background:var(--accent); color:#fff; border-color:var(--accent); }
button:disabled { opacity:.5; cursor:default; }
input, select, textarea { font:inherit; padding:5px 7px; border:1px solid #c8cdd8; border-radius:5px; }
textarea { width:100%; min-height:56px; resize:vertical; }
#login { max-width:440px; margin:80px auto; background:var(--card); padding:24px; border-radius:8px; }
#login input { width:100%; margin:8px 0; }
#desk { display:grid; grid-template-columns: 340px 1fr; gap:16px; padding:16px 20px; align-items:start; }
@media (max-width: 900px) { #desk { grid-template-columns: 1fr; } }
section { background:var(--card); border-radius:8px; padding:12px 16px; box-shadow:0 1px 2px rgba(0,0,0,.08); margin-bottom:16px; min-width:0; }
section h2 { font-size:15px; margin:0 0 8px; }
section h3 { font-size:14px; margin:14px 0 6px; }
ul.plain { list-style:none; margin:0; padding:0; }
#myTickets li { border:1px solid #eceef2; border-radius:6px; padding:8px; margin-bottom:6px; cursor:pointer; }
#myTickets li.selected { border-color:var(--accent); background:#eef3fd; }
#myTickets .subject { font-weight:600; overflow-wrap:anywhere; }
.meta { color:var(--muted); font-size:12px; }
.countdown { font-variant-numeric: tabular-nums; font-weight:600; }
.overdue { color:var(--bad); }
.paused { color:var(--warn); }
.ok { color:var(--ok); }
.error { color:var(--bad); white-space:pre-wrap; }
.badge { display:inline-block; padding:0 6px; border-radius:9px; font-size:12px; background:#eceef2; }
.badge.customer { background:#e3f4ea; }
.badge.missed { background:#fde7e7; color:var(--bad); }
.badge.kept { background:#e3f4ea; color:var(--ok); }
#tBody { white-space:pre-wrap; overflow-wrap:anywhere; background:var(--bg); padding:8px; border-radius:6px; }
dl.facts { display:grid; grid-template-columns: max-content 1fr; gap:2px 12px; margin:0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; overflow-wrap:anywhere; }
#reasons li { margin-bottom:4px; overflow-wrap:anywhere; }
.row { display:flex; gap:8px; align-items:center; flex-wrap:wrap; margin:6px 0; }
.row label { display:flex; gap:4px; align-items:center; }
.cols { display:grid; grid-template-columns: 1fr 1fr; gap:16px; }
@media (max-width: 1200px) { .cols { grid-template-columns: 1fr; } }
#notes li, #followUps li, #history li { border-bottom:1px solid #eceef2; padding:4px 0; overflow-wrap:anywhere; }
`;

export const agentPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>triage — 坐席工作台 agent workspace</title>
<link rel="stylesheet" href="/agent/agent.css">
<script src="/agent/agent.js" defer></script>
</head>
<body>
<header>
  <h1>triage · ${bi('坐席工作台', 'Agent workspace')}</h1>
  <div class="who hidden" id="who">
    <span id="agentName"></span>
    <span id="presence" class="badge"></span>
    <button id="togglePresence" type="button"></button>
    <button id="signOut" type="button">${bi('退出', 'Sign out')}</button>
  </div>
</header>
<div id="login" class="hidden">
  <h2>${bi('登录', 'Sign in')}</h2>
  <p>${bi('粘贴您的坐席密钥。它只用来登录本浏览器一段时间，不会被保存。', 'Paste your agent key. It signs this browser in for a short session and is not stored.')}</p>
  <input id="key" type="password" autocomplete="off" placeholder="demo-agent-bob" aria-label="agent key">
  <button id="signIn" class="primary" type="button">${bi('登录', 'Sign in')}</button>
  <p class="error" id="loginError"></p>
</div>
<main id="desk" class="hidden">
  <div>
    <section>
      <h2>${bi('我的工单', 'My tickets')}</h2>
      <div class="row">
        <button id="claimNext" class="primary" type="button">${bi('领取下一个', 'Claim next')}</button>
      </div>
      <p id="claimMessage" class="meta"></p>
      <ul class="plain" id="myTickets"></ul>
      <p id="noTickets" class="meta hidden">${bi('您手上没有工单。', 'You hold no tickets.')}</p>
    </section>
    <section>
      <h2>${bi('心跳', 'Heartbeats')}</h2>
      <p class="meta" id="heartbeatStatus">${bi('没有需要续租的工单', 'No lease to keep')}</p>
    </section>
  </div>
  <div>
    <p id="pickHint" class="meta">${bi('选择一个工单，或领取下一个。', 'Pick a ticket, or claim the next one.')}</p>
    <div id="ticket" class="hidden">
      <section>
        <h2><span id="tSubject"></span></h2>
        <div class="row meta">
          <span>${bi('状态', 'Status')}: <span id="tStatus"></span></span>
          <span>${bi('时限', 'SLA')}: <span id="tCountdown" class="countdown"></span></span>
          <span>${bi('渠道', 'Channel')}: <span id="tChannel"></span></span>
          <span>${bi('收到', 'Received')}: <span id="tReceived"></span></span>
        </div>
        <p class="meta">${bi('客户', 'Customer')}: <span id="tCustomer"></span></p>
        <div id="tBody"></div>
      </section>
      <div class="cols">
        <section>
          <h2>${bi('分诊结果', 'Decision')}</h2>
          <dl class="facts">
            <dt>${bi('类别', 'Category')}</dt><dd id="dCategory"></dd>
            <dt>${bi('严重程度', 'Severity')}</dt><dd id="dSeverity"></dd>
            <dt>${bi('优先级', 'Priority')}</dt><dd id="dPriority"></dd>
            <dt>${bi('队列', 'Queue')}</dt><dd id="dQueue"></dd>
            <dt>${bi('技能', 'Skills')}</dt><dd id="dSkills"></dd>
            <dt>${bi('首次响应期限', 'First response due')}</dt><dd id="dFirstResponse"></dd>
            <dt>${bi('解决期限', 'Resolution due')}</dt><dd id="dResolution"></dd>
            <dt>${bi('标签', 'Tags')}</dt><dd id="dTags"></dd>
          </dl>
          <h3>${bi('原因', 'Why')}</h3>
          <ol id="reasons"></ol>
        </section>
        <section>
          <h2>${bi('客户历史', "Customer's history")}</h2>
          <ul class="plain" id="history"></ul>
        </section>
      </div>
      <section>
        <h2>${bi('操作', 'Actions')}</h2>
        <div class="row">
          <label>${bi('原因', 'Reason')} <input id="actionReason" size="40" maxlength="2000"></label>
        </div>
        <div class="row">
          <button id="ack" type="button">${bi('确认受理', 'Acknowledge')}</button>
          <button id="pause" type="button">${bi('暂停（等待客户）', 'Pause (waiting for customer)')}</button>
          <button id="resume" type="button">${bi('继续', 'Resume')}</button>
        </div>
        <div class="row">
          <label>${bi('转至队列', 'Transfer to')} <select id="transferQueue"></select></label>
          <button id="transfer" type="button">${bi('转移', 'Transfer')}</button>
        </div>
        <div class="row">
          <label>${bi('解决代码', 'Resolution code')} <select id="resolutionCode"></select></label>
          <label>${bi('摘要', 'Summary')} <input id="resolveSummary" size="30" maxlength="5000"></label>
          <label><input id="finalAnswer" type="checkbox"> ${bi('最终答复', 'Final answer')}</label>
          <button id="resolve" class="primary" type="button">${bi('解决', 'Resolve')}</button>
        </div>
        <p id="actionMessage" role="status"></p>
      </section>
      <div class="cols">
        <section>
          <h2>${bi('备注', 'Notes')}</h2>
          <ul class="plain" id="notes"></ul>
          <textarea id="noteText" maxlength="5000" aria-label="note"></textarea>
          <div class="row">
            <select id="noteVisibility" aria-label="visibility">
              <option value="internal">内部 Internal</option>
              <option value="customer">客户可见 For the customer</option>
            </select>
            <button id="addNote" type="button">${bi('添加备注', 'Add note')}</button>
          </div>
          <p id="noteMessage"></p>
        </section>
        <section>
          <h2>${bi('跟进', 'Follow-ups')}</h2>
          <ul class="plain" id="followUps"></ul>
          <div class="row">
            <label>${bi('到期', 'Due at')} <input id="followUpDue" type="datetime-local"></label>
            <label>${bi('或工作分钟数', 'or in business minutes')} <input id="followUpMinutes" type="number" min="1" step="1" size="6"></label>
          </div>
          <div class="row">
            <label>${bi('内容', 'Note')} <input id="followUpNote" size="36" maxlength="2000"></label>
            <button id="addFollowUp" type="button">${bi('添加跟进', 'Add follow-up')}</button>
          </div>
          <p id="followUpMessage"></p>
        </section>
      </div>
    </div>
  </div>
</main>
</body>
</html>
`;
