import { bi } from '../pages/page-kit';

/**
 * The QA page (质检): one page served by the router at GET /qa, its scripts at /qa/qa-render.js
 * (how a review is drawn) and /qa/qa.js (sign-in, queue, actions, rankings), its styles at
 * /qa/qa.css. No build step, no CDN. Every label is bilingual, Chinese then English, each half
 * with its own `lang`. The page holds no data: its scripts fill it in with `textContent` only (the
 * complaint is customer input), and the strict Content-Security-Policy allows no inline script,
 * handler or style.
 */

export const qaPageStyles = `
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
textarea { width:100%; min-height:50px; resize:vertical; }
#login { max-width:440px; margin:80px auto; background:var(--card); padding:24px; border-radius:8px; }
#login input { width:100%; margin:8px 0; }
#desk { display:grid; grid-template-columns: 360px 1fr; gap:16px; padding:16px 20px; align-items:start; }
@media (max-width: 1000px) { #desk { grid-template-columns: 1fr; } }
section { background:var(--card); border-radius:8px; padding:12px 16px; box-shadow:0 1px 2px rgba(0,0,0,.08); margin-bottom:16px; min-width:0; }
section h2 { font-size:15px; margin:0 0 8px; }
section h3 { font-size:14px; margin:14px 0 6px; }
ul.plain { list-style:none; margin:0; padding:0; }
ul.reviews li { border:1px solid #eceef2; border-radius:6px; padding:7px 8px; margin-bottom:6px; cursor:pointer; }
ul.reviews li.selected { border-color:var(--accent); background:#eef3fd; }
ul.reviews li.overdue { border-color:#f3b5b5; }
.meta { color:var(--muted); font-size:12px; }
.overdue, .due.overdue { color:var(--bad); font-weight:600; }
.ok { color:var(--ok); }
.error { color:var(--bad); white-space:pre-wrap; }
.badge { display:inline-block; padding:0 6px; border-radius:9px; font-size:12px; background:#eceef2; margin-right:4px; }
.badge.reason { background:#fff3d6; color:#7a4b00; }
.badge.reason[data-reason="fatal-auto-qa"], .badge.reason[data-reason="sla-breach"] { background:#fde7e7; color:var(--bad); }
.badge.pass { background:#e3f4ea; color:var(--ok); }
.badge.fail { background:#fde7e7; color:var(--bad); }
.badge.fatal { background:var(--bad); color:#fff; }
.badge.status[data-status="disputed"] { background:#fde7e7; color:var(--bad); }
.badge.status[data-status="settled"], .badge.status[data-status="scored"] { background:#e3f4ea; color:var(--ok); }
#tBody { white-space:pre-wrap; overflow-wrap:anywhere; background:var(--bg); padding:8px; border-radius:6px; }
dl.facts { display:grid; grid-template-columns: max-content 1fr; gap:2px 12px; margin:0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; overflow-wrap:anywhere; }
.row { display:flex; gap:8px; align-items:center; flex-wrap:wrap; margin:6px 0; }
.row label { display:flex; gap:4px; align-items:center; }
.cols { display:grid; grid-template-columns: 1fr 1fr; gap:16px; }
@media (max-width: 1200px) { .cols { grid-template-columns: 1fr; } }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:4px 6px; border-bottom:1px solid #eceef2; vertical-align:top; overflow-wrap:anywhere; }
th { color:var(--muted); font-weight:600; font-size:12px; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
.criterion { border:1px solid #eceef2; border-radius:6px; padding:6px 8px; margin-bottom:6px; }
.criterion .name { font-weight:600; }
.criterion input.comment { flex:1; min-width:200px; }
.score-big { font-size:22px; font-weight:700; }
#events li, #reviewHistory li, #notes li, #followUps li { border-bottom:1px solid #eceef2; padding:4px 0; overflow-wrap:anywhere; }
#events .data, #reviewHistory .data { color:var(--muted); font-size:12px; }
.dispute { background:#fff7f7; border-left:3px solid var(--bad); padding:6px 10px; white-space:pre-wrap; overflow-wrap:anywhere; }
`;

export const qaPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>triage — 质检 QA reviews</title>
<link rel="stylesheet" href="/qa/qa.css">
<script src="/qa/qa-render.js" defer></script>
<script src="/qa/qa.js" defer></script>
</head>
<body>
<header>
  <h1>triage · ${bi('质检', 'QA reviews')}</h1>
  <div class="who hidden" id="who">
    <span id="whoName"></span>
    <span id="whoRole" class="badge"></span>
    <button id="signOut" type="button">${bi('退出', 'Sign out')}</button>
  </div>
</header>
<div id="login" class="hidden">
  <h2>${bi('登录', 'Sign in')}</h2>
  <p>${bi('粘贴您的质检员或主管密钥。它只用来登录本浏览器一段时间，不会被保存。', 'Paste your QA reviewer or supervisor key. It signs this browser in for a short session and is not stored.')}</p>
  <input id="key" type="password" autocomplete="off" placeholder="demo-qa-lin" aria-label="reviewer key">
  <button id="signIn" class="primary" type="button">${bi('登录', 'Sign in')}</button>
  <p class="error" id="loginError"></p>
</div>
<main id="desk" class="hidden">
  <div>
    <section id="queue">
      <h2>${bi('待评审', 'Open reviews')}</h2>
      <div class="row">
        <button id="takeNext" class="primary" type="button">${bi('领取下一个', 'Take next')}</button>
        <button id="refresh" type="button">${bi('刷新', 'Refresh')}</button>
      </div>
      <p id="takeMessage" class="meta" role="status"></p>
      <ul class="plain reviews" id="openList"></ul>
      <h3>${bi('我的评审', 'My reviews')}</h3>
      <ul class="plain reviews" id="mineList"></ul>
    </section>
    <section id="disputesSection" class="hidden">
      <h2>${bi('待裁定的申诉', 'Disputes to settle')}</h2>
      <ul class="plain reviews" id="disputeList"></ul>
    </section>
    <section id="allSection" class="hidden">
      <h2>${bi('全部评审', 'All reviews')}</h2>
      <ul class="plain reviews" id="allList"></ul>
    </section>
  </div>
  <div>
    <p id="pickHint" class="meta">${bi('选择一个评审，或领取下一个。', 'Pick a review, or take the next one.')}</p>
    <p id="reviewError" class="error hidden" role="alert"></p>
    <div id="review" class="hidden">
      <section>
        <h2>${bi('评审', 'Review')} <span id="rId" class="meta"></span></h2>
        <div class="row">
          <span id="rStatus" class="badge status"></span>
          <span id="rReasons"></span>
        </div>
        <dl class="facts">
          <dt>${bi('坐席', 'Agent')}</dt><dd id="rAgent"></dd>
          <dt>${bi('质检员', 'Reviewer')}</dt><dd id="rReviewer"></dd>
          <dt>${bi('评审期限', 'Review due')}</dt><dd id="rDue" class="due"></dd>
          <dt>${bi('质检得分', 'QA score')}</dt><dd><span id="rScore" class="score-big"></span> <span id="rScoreNote" class="meta"></span></dd>
        </dl>
        <div id="assignForm" class="row hidden">
          <label>${bi('指派给', 'Assign to')} <input id="assignReviewer" size="18" maxlength="110" placeholder="qa:lin"></label>
          <button id="assign" type="button">${bi('指派', 'Assign')}</button>
          <span id="assignMessage"></span>
        </div>
      </section>
      <section>
        <h2><span id="tSubject"></span></h2>
        <div class="row meta">
          <span>${bi('渠道', 'Channel')}: <span id="tChannel"></span></span>
          <span>${bi('收到', 'Received')}: <span id="tReceived"></span></span>
        </div>
        <p class="meta">${bi('客户', 'Customer')}: <span id="tCustomer"></span></p>
        <div id="tBody"></div>
      </section>
      <div class="cols">
        <section>
          <h2>${bi('分诊与处理', 'Decision and handling')}</h2>
          <dl class="facts">
            <dt>${bi('状态', 'Status')}</dt><dd id="dStatus"></dd>
            <dt>${bi('类别', 'Category')}</dt><dd id="dCategory"></dd>
            <dt>${bi('严重程度', 'Severity')}</dt><dd id="dSeverity"></dd>
            <dt>${bi('优先级', 'Priority')}</dt><dd id="dPriority"></dd>
            <dt>${bi('队列', 'Queue')}</dt><dd id="dQueue"></dd>
            <dt>${bi('解决', 'Resolution')}</dt><dd id="dResolution"></dd>
            <dt>${bi('转移 / 重开', 'Transfers / reopens')}</dt><dd id="dCounts"></dd>
          </dl>
        </section>
        <section>
          <h2>${bi('满意度调查', 'Survey answer')}</h2>
          <p id="csat"></p>
          <h3>${bi('备注', 'Notes')}</h3>
          <ul class="plain" id="notes"></ul>
          <h3>${bi('跟进', 'Follow-ups')}</h3>
          <ul class="plain" id="followUps"></ul>
        </section>
      </div>
      <section>
        <h2>${bi('自动质检结果', 'Auto-QA results')}</h2>
        <p id="qaSummary" class="meta"></p>
        <table>
          <thead><tr>
            <th>${bi('评分项', 'Criterion')}</th><th>${bi('结果', 'Result')}</th><th class="num">${bi('得分', 'Points')}</th>
            <th>${bi('规则', 'Rule')}</th><th>${bi('原因', 'Reason')}</th>
          </tr></thead>
          <tbody id="autoQa"></tbody>
        </table>
        <p id="qaNotScored" class="meta"></p>
      </section>
      <section id="scorecardSection" class="hidden">
        <h2>${bi('评分表（人工项）', 'Scorecard (manual criteria)')}</h2>
        <div id="scorecard"></div>
        <label class="meta" for="scoreComment">${bi('总评', 'Overall comment')}</label>
        <textarea id="scoreComment" maxlength="5000"></textarea>
        <div class="row">
          <button id="submitScore" class="primary" type="button">${bi('提交评分', 'Submit scores')}</button>
        </div>
        <p id="scoreMessage" role="status"></p>
      </section>
      <section id="manualSection" class="hidden">
        <h2>${bi('人工评分', "Reviewer's scores")}</h2>
        <table>
          <thead><tr><th>${bi('评分项', 'Criterion')}</th><th>${bi('结果', 'Result')}</th><th class="num">${bi('得分', 'Points')}</th><th>${bi('评语', 'Comment')}</th></tr></thead>
          <tbody id="manualScores"></tbody>
        </table>
        <p id="reviewComment"></p>
      </section>
      <section id="disputeSection" class="hidden">
        <h2>${bi('申诉', 'Dispute')}</h2>
        <p class="meta" id="disputeBy"></p>
        <div class="dispute" id="disputeReason"></div>
        <div id="settlement" class="hidden">
          <h3>${bi('裁定', 'Settlement')}</h3>
          <p><span id="settlementDecision" class="badge"></span> <span id="settlementBy" class="meta"></span></p>
          <p id="settlementReason"></p>
        </div>
        <div id="settleForm" class="hidden">
          <h3>${bi('裁定申诉', 'Settle the dispute')}</h3>
          <div class="row">
            <label>${bi('决定', 'Decision')} <select id="settleDecision">
              <option value="upheld">维持 upheld</option>
              <option value="overturned">推翻（更正评分）overturned (corrected scores)</option>
            </select></label>
          </div>
          <div id="settleScores" class="hidden"></div>
          <label class="meta" for="settleReason">${bi('理由', 'Reason')}</label>
          <textarea id="settleReason" maxlength="2000"></textarea>
          <div class="row"><button id="settle" class="primary" type="button">${bi('裁定', 'Settle')}</button></div>
          <p id="settleMessage" role="status"></p>
        </div>
      </section>
      <div class="cols">
        <section>
          <h2>${bi('工单历史', "Ticket's history")}</h2>
          <ol class="plain" id="events"></ol>
        </section>
        <section>
          <h2>${bi('评审记录', "Review's history")}</h2>
          <ol class="plain" id="reviewHistory"></ol>
        </section>
      </div>
    </div>
    <section id="rankingsSection" class="hidden">
      <h2>${bi('坐席排名', 'Agent ranking')} <a id="csvLink" href="/v1/reports?format=csv&amp;view=agents">CSV</a></h2>
      <p class="meta">${bi('综合分 = 质检 30 · 满意度 25 · 时效 25 · 一次解决 15 · 转移 5（缺项按比例）', 'Composite = QA 30 · CSAT 25 · SLA 25 · first-contact resolution 15 · transfers 5 (missing parts scale up)')}</p>
      <table>
        <thead><tr>
          <th class="num">#</th><th>${bi('坐席', 'Agent')}</th><th class="num">${bi('综合', 'Composite')}</th>
          <th class="num">${bi('质检', 'QA')}</th><th class="num">${bi('满意度', 'CSAT')}</th><th class="num">${bi('时效', 'SLA')}</th>
          <th class="num">${bi('一次解决', 'FCR')}</th><th class="num">${bi('转移', 'Transfers')}</th><th class="num">${bi('覆盖', 'Covered')}</th>
        </tr></thead>
        <tbody id="rankings"></tbody>
      </table>
      <p id="rankingsMessage" class="meta"></p>
    </section>
  </div>
</main>
</body>
</html>
`;
