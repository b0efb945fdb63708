import { apiCallSource } from '../pages/page-kit';

/**
 * The QA page's script, served at /qa/qa.js after /qa/qa-render.js (whose `window.QaRender` draws
 * a review). Plain ES2017, no build step, no inline anything (the page's CSP forbids it).
 *
 * What it does: sign in with a qa, supervisor or admin key (POST /v1/session, then the HttpOnly
 * cookie), who am I, the queue (open reviews with their reasons, my reviews, overdue in red),
 * take next, one review by its link (`/qa#review=<id>`) with the ticket, its history and auto-QA
 * results, the scorecard form, and for supervisors: every review, assigning, disputes to settle
 * and the agents' ranking. Every refusal shows the API's problem+json `detail`.
 */
export const qaScript = String.raw`(function () {
  'use strict';
  var R = window.QaRender;
  var el = R.el, clear = R.clear, make = R.make, bi = R.bi, show = R.show, say = R.say;
  var me = null;
  var meLabel = null;
  var reviews = [];
  var selectedId = null;
  var current = null;

  function isSupervisor() { return !!me && (me.role === 'supervisor' || me.role === 'admin'); }

${apiCallSource}

  // ---- sign in, who am I ----
  function signedOut(message) {
    me = null; meLabel = null; reviews = []; selectedId = null; current = null;
    show(el('desk'), false); show(el('who'), false); show(el('login'), true);
    el('loginError').textContent = message || '';
  }
  function signIn() {
    var key = el('key').value.trim();
    if (!key) return;
    el('key').value = '';
    fetch('/v1/session', { method: 'POST', credentials: 'same-origin', headers: { Authorization: 'Bearer ' + key } })
      .then(function (r) {
        if (r.ok) return r.json().then(start);
        el('loginError').textContent = '密钥被拒绝 The key was refused (' + r.status + ').';
      }, function (error) { el('loginError').textContent = 'Sign-in failed: ' + error.message; });
  }
  function signOut() {
    fetch('/v1/session', { method: 'DELETE', credentials: 'same-origin' }).then(function () { signedOut(''); });
  }
  function start(who) {
    if (['qa', 'supervisor', 'admin'].indexOf(who.role) < 0) {
      signedOut('这不是质检员或主管密钥；坐席请用 /agent。 This is not a reviewer key: agents use /agent.');
      return;
    }
    me = who;
    meLabel = who.role + ':' + who.subject;
    show(el('login'), false); show(el('desk'), true); show(el('who'), true);
    el('whoName').textContent = meLabel;
    var role = { qa: ['质检员', 'QA reviewer'], supervisor: ['主管', 'supervisor'], admin: ['管理员', 'admin'] }[who.role];
    R.setLabel(el('whoRole'), role);
    el('whoRole').setAttribute('data-role', who.role);
    show(el('disputesSection'), isSupervisor());
    show(el('allSection'), isSupervisor());
    show(el('rankingsSection'), isSupervisor());
    refreshQueue();
    if (isSupervisor()) loadRankings();
    openFromAddress();
  }

  // ---- the queue ----
  function refreshQueue() {
    if (!me) return Promise.resolve();
    return api('GET', '/v1/qa/reviews?limit=200').then(function (data) {
      reviews = data.reviews;
      renderQueue();
    }, function (error) { say(el('takeMessage'), error.message, true); });
  }
  function fill(listId, list, empty) {
    var node = clear(el(listId));
    list.forEach(function (review) { node.appendChild(R.reviewItem(review, selectedId, meLabel, go)); });
    if (list.length === 0) node.appendChild(make('li', null, 'meta empty')).appendChild(bi(empty[0], empty[1]));
  }
  function renderQueue() {
    var byDue = function (a, b) { return new Date(a.dueAt).getTime() - new Date(b.dueAt).getTime(); };
    fill('openList', reviews.filter(function (r) { return r.status === 'open'; }).sort(byDue), ['没有待评审', 'Nothing open']);
    fill('mineList', reviews.filter(function (r) { return r.reviewer === meLabel; }), ['您还没有评审', 'No reviews of yours yet']);
    if (isSupervisor()) {
      fill('disputeList', reviews.filter(function (r) { return r.status === 'disputed'; }), ['没有待裁定的申诉', 'No dispute to settle']);
      fill('allList', reviews.filter(function (r) { return r.status !== 'open' && r.reviewer !== meLabel; }), ['没有其他评审', 'No other reviews']);
    }
  }
  function takeNext() {
    el('takeNext').disabled = true;
    say(el('takeMessage'), '');
    api('POST', '/v1/qa/reviews/next').then(function (data) {
      if (!data) {
        el('takeMessage').className = 'meta';
        clear(el('takeMessage')).appendChild(bi('没有待评审的工单。', 'No review is open.'));
        return refreshQueue();
      }
      return refreshQueue().then(function () { go(data.review._id); });
    }, function (error) { say(el('takeMessage'), error.message, true); })
      .then(function () { el('takeNext').disabled = false; });
  }

  // ---- one review, by its link ----
  /** Opens a review through the address, so a link to it can be shared (or refused). */
  function go(id) {
    if (location.hash === '#review=' + id) openReview(id);
    else location.hash = 'review=' + id;
  }
  function openFromAddress() {
    var match = /^#review=([0-9a-zA-Z-]+)$/.exec(location.hash);
    if (match && me) openReview(match[1]);
  }
  function openReview(id) {
    selectedId = id;
    document.querySelectorAll('ul.reviews li').forEach(function (li) {
      li.classList.toggle('selected', li.getAttribute('data-review') === id);
    });
    return api('GET', '/v1/qa/reviews/' + encodeURIComponent(id)).then(function (data) {
      if (selectedId !== id) return;
      current = data;
      renderReview();
    }, function (error) {
      if (selectedId !== id) return;
      current = null;
      show(el('review'), false); show(el('pickHint'), false);
      var node = clear(el('reviewError'));
      node.setAttribute('data-status', String(error.status || ''));
      node.appendChild(bi('无法打开此评审：', 'This review cannot be opened:'));
      node.appendChild(document.createTextNode(' ' + error.message));
      show(node, true);
    });
  }
  function renderReview() {
    var data = current;
    var review = data.review;
    var criteria = data.criteria || [];
    show(el('pickHint'), false); show(el('reviewError'), false); show(el('review'), true);
    el('review').setAttribute('data-review', review._id);
    el('review').setAttribute('data-status', review.status);
    R.renderHeader(review);
    R.renderComplaint(data.ticket);
    R.renderSurvey(data.csat);
    R.renderNotes(data.notes || [], data.followUps || []);
    R.renderAutoQa(data.qa, criteria);
    R.renderEvents('events', data.events || []);
    R.renderEvents('reviewHistory', review.history || []);
    var scoring = review.status === 'assigned' && review.reviewer === meLabel;
    show(el('scorecardSection'), scoring);
    if (scoring && el('scorecard').getAttribute('data-review') !== review._id) {
      R.scoreRows(el('scorecard'), data.manualCriteria || [], review.scores);
      el('scorecard').setAttribute('data-review', review._id);
      el('scoreComment').value = '';
      say(el('scoreMessage'), '');
    }
    show(el('manualSection'), !!review.scores);
    R.renderManualScores(review, criteria);
    el('rScoreNote').textContent = review.score == null ? '' : '含人工项 with the reviewer\'s criteria';
    renderDispute(review, data.manualCriteria || []);
    show(el('assignForm'), isSupervisor() && (review.status === 'open' || review.status === 'assigned'));
  }
  function renderDispute(review, manual) {
    show(el('disputeSection'), !!review.dispute);
    if (!review.dispute) return;
    el('disputeBy').textContent = review.dispute.by + ' · ' + R.when(review.dispute.at);
    el('disputeReason').textContent = review.dispute.reason;
    var settlement = review.settlement;
    show(el('settlement'), !!settlement);
    if (settlement) {
      R.setLabel(el('settlementDecision'), settlement.decision === 'upheld' ? ['维持', 'upheld'] : ['推翻', 'overturned']);
      el('settlementDecision').setAttribute('data-decision', settlement.decision);
      el('settlementBy').textContent = settlement.by + ' · ' + R.when(settlement.at);
      el('settlementReason').textContent = settlement.reason;
    }
    var settling = isSupervisor() && review.status === 'disputed';
    show(el('settleForm'), settling);
    if (settling && el('settleScores').getAttribute('data-review') !== review._id) {
      R.scoreRows(el('settleScores'), manual, review.scores);
      el('settleScores').setAttribute('data-review', review._id);
      el('settleReason').value = '';
      el('settleDecision').value = 'upheld';
      show(el('settleScores'), false);
      say(el('settleMessage'), '');
    }
  }

  /** Runs a change on the open review, then shows it and the queue as they now are; a refusal with its detail. */
  function change(messageNode, button, call) {
    say(messageNode, '');
    button.disabled = true;
    return call.then(function () {
      say(messageNode, '✓ 已保存 Saved');
      return Promise.all([openReview(selectedId), refreshQueue(), isSupervisor() ? loadRankings() : null]);
    }, function (error) { say(messageNode, error.message, true); })
      .then(function () { button.disabled = false; });
  }
  function submitScore() {
    var body = { scores: R.readScores(el('scorecard')) };
    var comment = el('scoreComment').value.trim();
    if (comment) body.comment = comment;
    change(el('scoreMessage'), el('submitScore'), api('POST', '/v1/qa/reviews/' + encodeURIComponent(selectedId) + '/score', body));
  }
  function settle() {
    var decision = el('settleDecision').value;
    var body = { decision: decision, reason: el('settleReason').value.trim() };
    if (decision === 'overturned') body.scores = R.readScores(el('settleScores'));
    change(el('settleMessage'), el('settle'), api('POST', '/v1/qa/reviews/' + encodeURIComponent(selectedId) + '/settle', body));
  }
  function assign() {
    var reviewer = el('assignReviewer').value.trim();
    if (reviewer && reviewer.indexOf(':') < 0) reviewer = 'qa:' + reviewer;
    change(el('assignMessage'), el('assign'), api('POST', '/v1/qa/reviews/' + encodeURIComponent(selectedId) + '/assign', { reviewer: reviewer }))
      .then(function () { el('assignReviewer').value = ''; });
  }

  // ---- the agents' ranking (supervisors and admins) ----
  function part(value) { return value == null ? '—' : String(value); }
  function loadRankings() {
    return api('GET', '/v1/reports').then(function (report) {
      var body = clear(el('rankings'));
      report.byAgent.forEach(function (agent) {
        var c = agent.composite || { score: null, parts: {}, weightCovered: 0 };
        var row = make('tr');
        row.setAttribute('data-agent', agent.id);
        row.appendChild(make('td', agent.rank, 'rank num'));
        row.appendChild(make('td', agent.name ? agent.name + ' (' + agent.id + ')' : agent.id, 'agent'));
        row.appendChild(make('td', part(c.score), 'composite num'));
        ['qa', 'csat', 'sla', 'fcr', 'transfers'].forEach(function (name) {
          row.appendChild(make('td', part(c.parts[name]), name + ' num'));
        });
        row.appendChild(make('td', c.weightCovered + '%', 'covered num'));
        body.appendChild(row);
      });
      el('rankingsMessage').textContent = report.byAgent.length ? '' : '没有坐席 No agents yet';
    }, function (error) { say(el('rankingsMessage'), error.message, true); });
  }

  el('signIn').addEventListener('click', signIn);
  el('key').addEventListener('keydown', function (event) { if (event.key === 'Enter') signIn(); });
  el('signOut').addEventListener('click', signOut);
  el('takeNext').addEventListener('click', takeNext);
  el('refresh').addEventListener('click', function () { refreshQueue(); if (isSupervisor()) loadRankings(); });
  el('submitScore').addEventListener('click', submitScore);
  el('settle').addEventListener('click', settle);
  el('assign').addEventListener('click', assign);
  el('settleDecision').addEventListener('change', function () {
    show(el('settleScores'), el('settleDecision').value === 'overturned');
  });
  window.addEventListener('hashchange', openFromAddress);

  fetch('/v1/session', { credentials: 'same-origin' }).then(function (r) {
    if (!r.ok) { signedOut(''); return; }
    return r.json().then(start);
  }).catch(function () { signedOut(''); });
})();
`;
