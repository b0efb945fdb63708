import { domHelpersSource } from '../pages/page-kit';

/**
 * The QA page's drawing code, served at /qa/qa-render.js before /qa/qa.js: DOM helpers, the
 * bilingual words for statuses, reasons and ticket events, and the rendering of one review (the
 * complaint, the decision, the history, the auto-QA results, scorecard rows). No network here.
 * Everything goes into the page with `textContent` and DOM nodes, never as markup: the complaint,
 * notes and comments are people's input. Plain ES2017, no build step; it exposes `window.QaRender`.
 */
export const qaRenderScript = String.raw`(function () {
  'use strict';
  var reasonNames = {
    random: ['随机抽检', 'random sample'],
    'sla-breach': ['超时', 'SLA breach'],
    reopened: ['重开', 'reopened'],
    'low-csat': ['低满意度', 'low CSAT'],
    'fatal-auto-qa': ['自动质检致命项', 'fatal auto-QA'],
  };
  var statusNames = {
    open: ['待领取', 'open'],
    assigned: ['评审中', 'assigned'],
    scored: ['已评分', 'scored'],
    disputed: ['申诉中', 'disputed'],
    settled: ['已裁定', 'settled'],
  };
  var ticketStatusNames = {
    queued: ['排队中', 'queued'], claimed: ['已领取', 'claimed'], in_progress: ['处理中', 'in progress'],
    waiting_customer: ['等待客户', 'waiting for customer'], resolved: ['已解决', 'resolved'], closed: ['已关闭', 'closed'],
  };
  var eventNames = {
    received: ['收到投诉', 'complaint received'],
    triaged: ['已分诊', 'triaged'],
    queued: ['进入队列', 'queued'],
    enqueued: ['进入队列', 'queued'],
    claimed: ['已领取', 'claimed'],
    assigned: ['已指派', 'assigned'],
    acknowledged: ['已确认受理', 'acknowledged'],
    paused: ['暂停（等待客户）', 'paused (waiting for customer)'],
    resumed: ['继续处理', 'resumed'],
    transferred: ['已转移', 'transferred'],
    released: ['已释放', 'released'],
    'lease-lapsed': ['租约过期', 'lease lapsed'],
    resolved: ['已解决', 'resolved'],
    reopened: ['已重开', 'reopened'],
    closed: ['已关闭', 'closed'],
    'note-added': ['添加备注', 'note added'],
    'follow-up.promised': ['承诺跟进', 'follow-up promised'],
    'follow-up.reminder': ['跟进提醒', 'follow-up reminder'],
    'follow-up.missed': ['跟进错过', 'follow-up missed'],
    'follow-up.done': ['跟进完成', 'follow-up done'],
    'csat.answered': ['客户已评价', 'survey answered'],
    'qa.auto-scored': ['自动质检完成', 'auto-QA scored'],
    'qa.sampled': ['抽检', 'drawn for review'],
    'qa.review-opened': ['评审已开启', 'review opened'],
    'qa.review-assigned': ['评审已领取', 'review assigned'],
    'qa.reviewed': ['已评分', 'reviewed'],
    'qa.disputed': ['坐席申诉', 'disputed by the agent'],
    'qa.dispute-settled': ['申诉已裁定', 'dispute settled'],
    'priority-raised': ['优先级提升', 'priority raised'],
    'queue-moved': ['队列变更', 'queue moved'],
    'notify-queued': ['已通知', 'notification queued'],
  };

${domHelpersSource}
  function named(table, key) { return table[key] || [key, key]; }
  function orDash(value) { return value == null || value === '' ? '—' : String(value); }
  function isOverdue(review) {
    return (review.status === 'open' || review.status === 'assigned') && new Date(review.dueAt).getTime() < Date.now();
  }
  function badge(pair, className, attribute, value) {
    var node = make('span', null, 'badge ' + className);
    node.appendChild(bi(pair[0], pair[1]));
    if (attribute) node.setAttribute(attribute, value);
    return node;
  }
  function reasonBadge(reason) { return badge(named(reasonNames, reason), 'reason', 'data-reason', reason); }
  function statusBadge(status) { return badge(named(statusNames, status), 'status', 'data-status', status); }
  function resultBadge(result) {
    return badge(result === 'pass' ? ['通过', 'pass'] : result === 'fail' ? ['不通过', 'fail'] : [result, result], result, 'data-result', result);
  }
  /** A criterion's bilingual name from the card (criteria), else its id. */
  function criterionName(criteria, id) {
    var line = (criteria || []).filter(function (c) { return c.id === id; })[0];
    return line ? bi(line.name.zh, line.name.en) : make('span', id);
  }
  /** "key: value · key: value" for an event's data; nested values as short JSON. */
  function dataInWords(data) {
    if (!data) return '';
    return Object.keys(data).map(function (key) {
      var value = data[key];
      var text = value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
      if (text.length > 160) text = text.slice(0, 157) + '…';
      return key + ': ' + text;
    }).join(' · ');
  }

  /** One line of a review list: reasons as badges, the agent, the due time (red once overdue). */
  function reviewItem(review, selectedId, me, onOpen) {
    var item = make('li');
    item.setAttribute('data-review', review._id);
    item.setAttribute('data-status', review.status);
    if (review._id === selectedId) item.classList.add('selected');
    var top = make('div');
    top.appendChild(statusBadge(review.status));
    review.reasons.forEach(function (reason) { top.appendChild(reasonBadge(reason)); });
    item.appendChild(top);
    var meta = make('div', null, 'meta');
    meta.appendChild(document.createTextNode((review.agentId || '—') + ' · ' + review.queue + ' · ' + (review.category || '—') + ' · '));
    var due = make('span', '到期 due ' + when(review.dueAt), 'due');
    if (isOverdue(review)) { due.classList.add('overdue'); item.classList.add('overdue'); due.textContent = '逾期 overdue ' + when(review.dueAt); }
    meta.appendChild(due);
    if (review.reviewer && review.reviewer !== me) meta.appendChild(document.createTextNode(' · ' + review.reviewer));
    if (review.score != null) meta.appendChild(document.createTextNode(' · ' + review.score));
    item.appendChild(meta);
    if (review.dispute) item.appendChild(make('div', review.dispute.reason, 'meta dispute-reason'));
    item.addEventListener('click', function () { onOpen(review._id); });
    return item;
  }

  function renderHeader(review) {
    el('rId').textContent = review._id;
    clear(el('rStatus')).appendChild(bi(named(statusNames, review.status)[0], named(statusNames, review.status)[1]));
    el('rStatus').setAttribute('data-status', review.status);
    var reasons = clear(el('rReasons'));
    review.reasons.forEach(function (reason) { reasons.appendChild(reasonBadge(reason)); });
    el('rAgent').textContent = orDash(review.agentId);
    el('rReviewer').textContent = orDash(review.reviewer);
    var due = el('rDue');
    due.textContent = when(review.dueAt);
    due.classList.toggle('overdue', isOverdue(review));
    if (isOverdue(review)) due.textContent = '逾期 overdue ' + when(review.dueAt);
    el('rScore').textContent = review.score == null ? '—' : String(review.score);
    el('rScore').setAttribute('data-score', review.score == null ? '' : String(review.score));
  }
  function renderComplaint(ticket) {
    el('tSubject').textContent = ticket.subject || '(no subject)';
    el('tBody').textContent = ticket.body;
    el('tChannel').textContent = ticket.channel;
    el('tReceived').textContent = when(ticket.receivedAt);
    var c = ticket.customer || {};
    el('tCustomer').textContent = [c.name, c.id, c.tier, c.email, c.phone].filter(Boolean).join(' · ');
    setLabel(el('dStatus'), named(ticketStatusNames, ticket.status));
    el('dCategory').textContent = orDash(ticket.category);
    el('dSeverity').textContent = orDash(ticket.severity);
    el('dPriority').textContent = ticket.priority ? String(ticket.priority.score) : '—';
    el('dQueue').textContent = ticket.queue;
    var r = ticket.resolution;
    el('dResolution').textContent = r ? r.code + (r.summary ? ' — ' + r.summary : '') + (r.finalAnswer ? ' (最终答复 final answer)' : '') + ' · ' + r.by : '—';
    el('dCounts').textContent = ticket.transferCount + ' / ' + ticket.reopenCount;
  }
  function renderSurvey(csat) {
    var node = clear(el('csat'));
    if (!csat) { node.appendChild(bi('没有评价', 'No answer')); return; }
    node.appendChild(make('span', csat.score + ' / 5', 'score-big'));
    node.setAttribute('data-score', String(csat.score));
    if (csat.comment) node.appendChild(make('div', csat.comment));
    node.appendChild(make('div', when(csat.at), 'meta'));
  }
  function renderNotes(notes, followUps) {
    var list = clear(el('notes'));
    notes.forEach(function (note) {
      var item = make('li');
      item.appendChild(badge(note.visibility === 'customer' ? ['客户可见', 'for the customer'] : ['内部', 'internal'], note.visibility));
      item.appendChild(make('span', ' ' + note.author + ' · ' + when(note.at), 'meta'));
      item.appendChild(make('div', note.text, 'text'));
      list.appendChild(item);
    });
    if (notes.length === 0) list.appendChild(make('li', null, 'meta')).appendChild(bi('没有备注', 'No notes'));
    var fl = clear(el('followUps'));
    followUps.forEach(function (f) {
      var item = make('li');
      item.appendChild(make('span', f.status + ' · 到期 due ' + when(f.dueAt) + ' · ', 'meta'));
      item.appendChild(make('span', f.note || ''));
      fl.appendChild(item);
    });
    if (followUps.length === 0) fl.appendChild(make('li', null, 'meta')).appendChild(bi('没有跟进', 'No follow-ups'));
  }
  /** The ticket's events in order, each in words: when, what, who, and its data. */
  function renderEvents(listId, events) {
    var list = clear(el(listId));
    events.slice().sort(function (a, b) { return new Date(a.at).getTime() - new Date(b.at).getTime(); }).forEach(function (event) {
      var item = make('li');
      item.setAttribute('data-event-type', event.type);
      item.appendChild(make('span', when(event.at) + ' · ', 'meta'));
      var name = named(eventNames, event.type);
      item.appendChild(bi(name[0], name[1])).className = 'what';
      if (event.actor) item.appendChild(make('span', ' · ' + event.actor, 'meta'));
      var data = dataInWords(event.data);
      if (data) item.appendChild(make('div', data, 'data'));
      list.appendChild(item);
    });
  }
  /** The auto-QA result per criterion: pass/fail, points, the rule that decided it and why, fatal marked. */
  function renderAutoQa(qa, criteria) {
    var body = clear(el('autoQa'));
    var summary = clear(el('qaSummary'));
    if (!qa) { summary.appendChild(bi('自动质检尚未评分', 'Auto-QA has not scored this ticket')); el('qaNotScored').textContent = ''; return; }
    summary.appendChild(document.createTextNode(
      '评分表 scorecard ' + qa.scorecard + ' · 自动分 auto score ' + orDash(qa.score) + ' (' + qa.points + ' / ' + qa.maxPoints + ')'));
    if (qa.fatal) summary.appendChild(badge(['致命项', 'fatal'], 'fatal'));
    qa.auto.forEach(function (c) {
      var row = make('tr');
      row.setAttribute('data-criterion', c.criterion);
      row.setAttribute('data-result', c.result);
      var nameCell = make('td', null, 'name');
      nameCell.appendChild(criterionName(criteria, c.criterion));
      if (c.fatal) nameCell.appendChild(badge(['致命', 'fatal'], 'fatal', 'data-fatal', 'true'));
      row.appendChild(nameCell);
      row.appendChild(make('td', null, 'result')).appendChild(resultBadge(c.result));
      row.appendChild(make('td', c.points + ' / ' + c.maxPoints, 'points num'));
      row.appendChild(make('td', c.by, 'rule'));
      row.appendChild(make('td', c.reason, 'reason'));
      body.appendChild(row);
    });
    var rest = [];
    if (qa.notScored.length) rest.push('未评 not scored: ' + qa.notScored.join(', '));
    if (qa.pendingManual.length) rest.push('待人工 manual: ' + qa.pendingManual.join(', '));
    el('qaNotScored').textContent = rest.join(' · ');
  }
  /** The reviewer's (or the settlement's) verdicts, read-only. */
  function renderManualScores(review, criteria) {
    var body = clear(el('manualScores'));
    (review.scores || []).forEach(function (s) {
      var row = make('tr');
      row.setAttribute('data-criterion', s.criterion);
      row.setAttribute('data-result', s.result);
      row.appendChild(make('td')).appendChild(criterionName(criteria, s.criterion));
      row.appendChild(make('td')).appendChild(resultBadge(s.result));
      row.appendChild(make('td', s.points == null ? '—' : s.points, 'num'));
      row.appendChild(make('td', s.comment || ''));
      body.appendChild(row);
    });
    el('reviewComment').textContent = review.comment || '';
  }
  /** Scorecard rows for the manual criteria: pass/fail, points (empty = all or nothing), comment. */
  function scoreRows(container, manual, previous) {
    clear(container);
    manual.forEach(function (c) {
      var before = (previous || []).filter(function (s) { return s.criterion === c.id; })[0];
      var row = make('div', null, 'criterion');
      row.setAttribute('data-criterion', c.id);
      var title = make('div', null, 'name');
      title.appendChild(bi(c.name.zh, c.name.en));
      title.appendChild(make('span', ' (' + c.points + ')', 'meta'));
      if (c.fatal) title.appendChild(badge(['致命', 'fatal'], 'fatal'));
      row.appendChild(title);
      var line = make('div', null, 'row');
      var result = make('select', null, 'result');
      result.setAttribute('aria-label', c.id + ' result');
      [['pass', '通过 pass'], ['fail', '不通过 fail']].forEach(function (o) {
        var option = make('option', o[1]); option.value = o[0]; result.appendChild(option);
      });
      result.value = before ? before.result : 'pass';
      var points = make('input', null, 'points');
      points.type = 'number'; points.min = '0'; points.max = String(c.points); points.step = 'any';
      points.placeholder = '0–' + c.points; points.setAttribute('aria-label', c.id + ' points');
      if (before && before.points != null) points.value = String(before.points);
      var comment = make('input', null, 'comment');
      comment.maxLength = 2000; comment.placeholder = '评语 comment'; comment.setAttribute('aria-label', c.id + ' comment');
      if (before && before.comment) comment.value = before.comment;
      line.appendChild(result); line.appendChild(points); line.appendChild(comment);
      row.appendChild(line);
      container.appendChild(row);
    });
  }
  /** What the scorecard rows in the container say, as the API takes it. */
  function readScores(container) {
    return Array.prototype.map.call(container.querySelectorAll('.criterion'), function (row) {
      var score = { criterion: row.getAttribute('data-criterion'), result: row.querySelector('select.result').value };
      var points = row.querySelector('input.points').value;
      if (points !== '') score.points = Number(points);
      var comment = row.querySelector('input.comment').value.trim();
      if (comment) score.comment = comment;
      return score;
    });
  }

  window.QaRender = {
    el: el, clear: clear, make: make, bi: bi, setLabel: setLabel, when: when, show: show, say: say,
    reviewItem: reviewItem, renderHeader: renderHeader, renderComplaint: renderComplaint, renderSurvey: renderSurvey,
    renderNotes: renderNotes, renderEvents: renderEvents, renderAutoQa: renderAutoQa,
    renderManualScores: renderManualScores, scoreRows: scoreRows, readScores: readScores,
    statusNames: statusNames,
  };
})();
`;
