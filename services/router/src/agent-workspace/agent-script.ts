import { apiCallSource, domHelpersSource } from '../pages/page-kit';

/**
 * The agent workspace's script, served at /agent/agent.js (the page's CSP allows scripts from
 * the router itself only: no inline script, no inline handlers). Plain ES2017 for any browser
 * the call centre runs, no build step. It writes data into the page with `textContent` and DOM
 * nodes only, never as markup: complaint text is customer input.
 *
 * What it does: sign in with an agent key (POST /v1/session, then the HttpOnly cookie), who am
 * I and presence, my tickets with ticking SLA countdowns, claim next, the open ticket with its
 * decision and why (GET /v1/tickets/:id/decision), the customer's history, notes, follow-ups,
 * the lifecycle actions, and heartbeats for every leased ticket while the page is visible.
 * Every refusal shows the API's problem+json `detail`.
 */
export const agentScript = String.raw`(function () {
  'use strict';
  var me = null;
  var agent = null;
  var held = [];
  var selectedId = null;
  var selected = null;
  var heartbeatTimer = null;
  var refreshTimer = null;
  var statusNames = {
    queued: ['排队中', 'queued'],
    claimed: ['已领取', 'claimed'],
    in_progress: ['处理中', 'in progress'],
    waiting_customer: ['等待客户', 'waiting for customer'],
    resolved: ['已解决', 'resolved'],
    closed: ['已关闭', 'closed'],
  };
  var followUpNames = { pending: ['待跟进', 'pending'], kept: ['已完成', 'kept'], missed: ['已错过', 'missed'] };

${domHelpersSource}
  function statusLabel(status) { return statusNames[status] || [status, status]; }

  /** The time left until iso: "2d 3h 4m 9s", "1h 4m 9s", "-2m 3s" once past. */
  function countdown(iso) {
    var ms = new Date(iso).getTime() - Date.now();
    var sign = ms < 0 ? '-' : '';
    ms = Math.abs(ms);
    var d = Math.floor(ms / 86400000), h = Math.floor(ms / 3600000) % 24;
    var m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    return sign + (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + s + 's';
  }
  /** Fills a countdown element: ticking, red once overdue, amber while the clock is paused. */
  function renderCountdown(node, ticket) {
    var sla = ticket.sla;
    node.classList.remove('overdue', 'paused');
    if (!sla || !sla.dueAt) { node.textContent = '—'; return; }
    if (sla.paused || ticket.status === 'waiting_customer') {
      node.textContent = '暂停 paused';
      node.classList.add('paused');
      return;
    }
    var late = new Date(sla.dueAt).getTime() <= Date.now();
    node.textContent = (late ? '逾期 overdue ' : '') + countdown(sla.dueAt);
    if (late) node.classList.add('overdue');
    node.setAttribute('data-due', sla.dueAt);
  }

${apiCallSource}

  // ---- sign in, who am I, presence ----
  function signedOut(message) {
    me = null; held = []; selectedId = null; selected = null;
    stopHeartbeats();
    if (refreshTimer) { clearInterval(refreshTimer); refreshTimer = null; }
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
    if (who.role !== 'agent') {
      signedOut('这不是坐席密钥；主管请用 /dashboard。 This is not an agent key: supervisors use /dashboard.');
      return;
    }
    me = who;
    show(el('login'), false); show(el('desk'), true); show(el('who'), true);
    el('agentName').textContent = who.subject;
    loadAgent();
    loadChoices();
    refreshTickets();
    if (!refreshTimer) refreshTimer = setInterval(function () { if (!document.hidden) refreshTickets(); }, 15000);
  }
  function loadAgent() {
    return api('GET', '/v1/agents/' + encodeURIComponent(me.subject)).then(function (data) {
      agent = data.agent;
      renderPresence();
    }, function (error) { el('agentName').textContent = me.subject + ' (' + error.message + ')'; });
  }
  function renderPresence() {
    el('agentName').textContent = agent.name + ' (' + agent.id + ')';
    setLabel(el('presence'), agent.online ? ['在线', 'online'] : ['离线', 'offline']);
    el('presence').className = 'badge ' + (agent.online ? 'customer' : 'missed');
    setLabel(el('togglePresence'), agent.online ? ['下线', 'Go offline'] : ['上线', 'Go online']);
  }
  function togglePresence() {
    if (!agent) return;
    api('POST', '/v1/agents/' + encodeURIComponent(me.subject) + '/presence', { online: !agent.online }).then(function (data) {
      agent = data.agent;
      renderPresence();
      return refreshTickets();
    }, function (error) { say(el('claimMessage'), error.message, true); });
  }
  /** Resolution codes and queues for the resolve and transfer pickers. */
  function loadChoices() {
    api('GET', '/v1/resolution-codes').then(function (data) {
      var select = clear(el('resolutionCode'));
      data.codes.forEach(function (code) {
        var option = make('option', code.name);
        option.value = code.id;
        if (code.description) option.title = code.description;
        select.appendChild(option);
      });
    }, function (error) { say(el('actionMessage'), error.message, true); });
    api('GET', '/v1/queues').then(function (data) {
      var select = clear(el('transferQueue'));
      data.queues.forEach(function (queue) {
        var option = make('option', queue.name + ' (' + queue.id + ')');
        option.value = queue.id;
        select.appendChild(option);
      });
    }, function (error) { say(el('actionMessage'), error.message, true); });
  }

  // ---- my tickets, claim next ----
  function refreshTickets() {
    if (!me) return Promise.resolve();
    return api('GET', '/v1/agents/' + encodeURIComponent(me.subject) + '/tickets').then(function (data) {
      held = data.tickets;
      renderTickets();
      // A round already planned stays: a lease only grows, so it is early enough.
      if (!heartbeatTimer) scheduleHeartbeats();
    }, function (error) { say(el('claimMessage'), error.message, true); });
  }
  function renderTickets() {
    var list = clear(el('myTickets'));
    held.forEach(function (ticket) {
      var item = make('li');
      item.setAttribute('data-ticket', ticket.id);
      if (ticket.id === selectedId) item.classList.add('selected');
      item.appendChild(make('div', ticket.subject || ticket.body.slice(0, 60), 'subject'));
      var meta = make('div', null, 'meta');
      var status = make('span', null, 'status');
      status.setAttribute('data-status', ticket.status);
      status.appendChild(bi(statusLabel(ticket.status)[0], statusLabel(ticket.status)[1]));
      meta.appendChild(status);
      meta.appendChild(document.createTextNode(' · ' + (ticket.severity || '') + ' · ' + ticket.queue + ' · '));
      meta.appendChild(make('span', '', 'countdown'));
      item.appendChild(meta);
      item.addEventListener('click', function () { openTicket(ticket.id); });
      list.appendChild(item);
    });
    show(el('noTickets'), held.length === 0);
    tick();
  }
  /** Every second: the countdowns of the list and of the open ticket. */
  function tick() {
    held.forEach(function (ticket) {
      var node = document.querySelector('#myTickets li[data-ticket="' + ticket.id + '"] .countdown');
      if (node) renderCountdown(node, ticket);
    });
    if (selected) renderCountdown(el('tCountdown'), selected.ticket);
  }
  function claimNext() {
    el('claimNext').disabled = true;
    say(el('claimMessage'), '');
    api('POST', '/v1/agents/' + encodeURIComponent(me.subject) + '/claim').then(function (data) {
      if (!data) {
        el('claimMessage').className = 'meta';
        clear(el('claimMessage')).appendChild(bi('您的队列里没有等待的工单。', 'Nothing is waiting in your queues.'));
        return refreshTickets();
      }
      clear(el('claimMessage'));
      return refreshTickets().then(function () { return openTicket(data.ticket.id); });
    }, function (error) { say(el('claimMessage'), error.message, true); })
      .then(function () { el('claimNext').disabled = false; });
  }

  // ---- heartbeats: keep the leases of held tickets while the page is open and seen ----
  function stopHeartbeats() {
    if (heartbeatTimer) { clearTimeout(heartbeatTimer); heartbeatTimer = null; }
  }
  /**
   * The next round of heartbeats: a third of the shortest lease left (so two can fail before the
   * lease runs out), at least 1 s and at most a minute. None while the page is hidden.
   */
  function scheduleHeartbeats() {
    stopHeartbeats();
    var leased = held.filter(function (ticket) { return ticket.leaseExpiresAt; });
    if (!me || document.hidden || leased.length === 0) {
      if (leased.length === 0) setLabel(el('heartbeatStatus'), ['没有需要续租的工单', 'No lease to keep']);
      return;
    }
    var shortest = Math.min.apply(null, leased.map(function (t) { return new Date(t.leaseExpiresAt).getTime() - Date.now(); }));
    var delay = Math.max(1000, Math.min(60000, Math.floor(shortest / 3)));
    heartbeatTimer = setTimeout(sendHeartbeats, delay);
  }
  function sendHeartbeats() {
    heartbeatTimer = null;
    var leased = held.filter(function (ticket) { return ticket.leaseExpiresAt; });
    if (leased.length === 0) { scheduleHeartbeats(); return; }
    Promise.all(leased.map(function (ticket) {
      return api('POST', '/v1/tickets/' + ticket.id + '/heartbeat').then(function (data) {
        ticket.leaseExpiresAt = data.ticket.leaseExpiresAt;
        if (selected && selected.ticket.id === ticket.id) selected.ticket.leaseExpiresAt = data.ticket.leaseExpiresAt;
        return true;
      }, function (error) { return error; });
    })).then(function (results) {
      var failed = results.filter(function (r) { return r !== true; });
      var status = el('heartbeatStatus');
      if (failed.length) {
        say(status, 'Heartbeat failed: ' + failed.map(function (e) { return e.message; }).join('; '), true);
        return refreshTickets();
      }
      status.className = 'meta';
      status.textContent = '心跳 Heartbeat ' + new Date().toLocaleTimeString() + ' · ' + results.length + ' 个租约已续 lease(s) renewed';
      status.setAttribute('data-beats', String(Number(status.getAttribute('data-beats') || 0) + 1));
      scheduleHeartbeats();
    });
  }
  // A page nobody looks at keeps no lease: the ticket goes back to its queue when the lease runs out.
  document.addEventListener('visibilitychange', function () {
    var status = el('heartbeatStatus');
    if (document.hidden) {
      stopHeartbeats();
      status.setAttribute('data-paused', 'true');
      setLabel(status, ['页面隐藏，心跳已停', 'Heartbeats stopped while the page is hidden']);
    } else if (me) {
      status.removeAttribute('data-paused');
      refreshTickets();
    }
  });
  window.addEventListener('pagehide', stopHeartbeats);

  // ---- one ticket ----
  function openTicket(id) {
    selectedId = id;
    document.querySelectorAll('#myTickets li').forEach(function (li) {
      li.classList.toggle('selected', li.getAttribute('data-ticket') === id);
    });
    return Promise.all([
      api('GET', '/v1/tickets/' + id),
      api('GET', '/v1/tickets/' + id + '/decision').catch(function (error) { return { error: error }; }),
      api('GET', '/v1/tickets/' + id + '/customer-history').catch(function (error) { return { error: error }; }),
    ]).then(function (all) {
      if (selectedId !== id) return;
      selected = all[0];
      renderTicket(all[0], all[1], all[2]);
    }, function (error) { say(el('actionMessage'), error.message, true); });
  }
  function reloadTicket() {
    return selectedId ? api('GET', '/v1/tickets/' + selectedId).then(function (view) {
      selected = view;
      renderComplaint(view.ticket);
      renderNotes(view.notes || []);
      renderFollowUps(followUpsOf(view));
    }) : Promise.resolve();
  }
  function followUpsOf(view) { return view.followUps || view.ticket.followUps || []; }
  function renderTicket(view, decision, history) {
    show(el('pickHint'), false);
    show(el('ticket'), true);
    el('ticket').setAttribute('data-ticket', view.ticket.id);
    renderComplaint(view.ticket);
    renderDecision(view.ticket, decision);
    renderHistory(history);
    renderNotes(view.notes || []);
    renderFollowUps(followUpsOf(view));
    say(el('actionMessage'), '');
  }
  function renderComplaint(ticket) {
    el('tSubject').textContent = ticket.subject || '(no subject)';
    el('tBody').textContent = ticket.body;
    setLabel(el('tStatus'), statusLabel(ticket.status));
    el('tStatus').setAttribute('data-status', ticket.status);
    el('tChannel').textContent = ticket.channel;
    el('tReceived').textContent = when(ticket.receivedAt);
    var c = ticket.customer || {};
    el('tCustomer').textContent = [c.name, c.id, c.tier, c.email, c.phone].filter(Boolean).join(' · ');
    renderCountdown(el('tCountdown'), ticket);
    var holds = ticket.agentId === (me && me.subject);
    el('ack').disabled = !holds || ticket.status !== 'claimed';
    el('pause').disabled = !holds || ticket.status !== 'in_progress';
    el('resume').disabled = !holds || ticket.status !== 'waiting_customer';
    el('transfer').disabled = !holds || ['claimed', 'in_progress'].indexOf(ticket.status) < 0;
    el('resolve').disabled = !holds || ['claimed', 'in_progress', 'waiting_customer'].indexOf(ticket.status) < 0;
  }
  function renderDecision(ticket, data) {
    el('dCategory').textContent = ticket.category || '—';
    el('dSeverity').textContent = ticket.severity || '—';
    var priority = ticket.priority;
    el('dPriority').textContent = priority
      ? priority.score + ' (' + Object.keys(priority.components).map(function (k) { return k + ' ' + priority.components[k]; }).join(', ') + ')'
      : '—';
    el('dQueue').textContent = ticket.queue;
    // The decision's skills (the ticket view lists only those beyond the queue's).
    var skills = data.decision ? data.decision.skills : ticket.skills;
    el('dSkills').textContent = (skills || []).join(', ') || '—';
    el('dFirstResponse').textContent = when(ticket.firstResponseDueAt);
    el('dResolution').textContent = when(ticket.resolutionDueAt);
    el('dTags').textContent = (ticket.tags || []).concat(ticket.flags || []).join(', ') || '—';
    var list = clear(el('reasons'));
    if (data.error) { list.appendChild(make('li', data.error.message, 'error')); return; }
    data.reasons.forEach(function (reason) {
      var item = make('li', reason.sentence);
      item.setAttribute('data-rule', reason.stage + '/' + reason.rule);
      list.appendChild(item);
    });
    if (data.reasons.length === 0) list.appendChild(make('li', '没有规则触发 No rule fired', 'meta'));
  }
  function renderHistory(data) {
    var list = clear(el('history'));
    if (data.error) { list.appendChild(make('li', data.error.message, 'error')); return; }
    var earlier = data.complaints.filter(function (c) { return !c.thisTicket; });
    var outcomes = {};
    data.outcomes.forEach(function (o) { outcomes[o.complaintId] = o; });
    if (earlier.length === 0) { list.appendChild(make('li', null, 'meta')).appendChild(bi('没有更早的投诉', 'No earlier complaints')); }
    earlier.forEach(function (c) {
      var item = make('li');
      item.setAttribute('data-complaint', c.id);
      item.appendChild(make('span', when(c.at) + ' · ' + c.id.slice(0, 8) + ' · '));
      var outcome = outcomes[c.id];
      item.appendChild(outcome
        ? make('span', outcome.category + ' → ' + outcome.code + (outcome.finalAnswer ? ' (最终答复 final answer)' : ''), 'outcome')
        : make('span', '未解决 not resolved', 'outcome meta'));
      list.appendChild(item);
    });
  }
  function renderNotes(notes) {
    var list = clear(el('notes'));
    notes.forEach(function (note) {
      var item = make('li');
      item.setAttribute('data-visibility', note.visibility);
      var badge = make('span', null, 'badge ' + note.visibility);
      badge.appendChild(note.visibility === 'customer' ? bi('客户可见', 'for the customer') : bi('内部', 'internal'));
      item.appendChild(badge);
      item.appendChild(make('span', ' ' + note.author + ' · ' + when(note.at), 'meta'));
      item.appendChild(make('div', note.text, 'text'));
      list.appendChild(item);
    });
    if (notes.length === 0) list.appendChild(make('li', null, 'meta')).appendChild(bi('还没有备注', 'No notes yet'));
  }
  function renderFollowUps(followUps) {
    var list = clear(el('followUps'));
    followUps.forEach(function (f) {
      var item = make('li');
      item.setAttribute('data-follow-up', f.id);
      item.setAttribute('data-status', f.status);
      var name = followUpNames[f.status] || [f.status, f.status];
      var badge = make('span', null, 'badge ' + f.status);
      badge.appendChild(bi(name[0], name[1]));
      item.appendChild(badge);
      var due = ' 到期 due ' + when(f.dueAt);
      if (f.status === 'pending') due += ' (' + countdown(f.dueAt) + ')';
      if (f.remindedAt) due += ' · 已提醒 reminded ' + when(f.remindedAt);
      if (f.missedAt) due += ' · 错过 missed ' + when(f.missedAt);
      if (f.doneAt) due += ' · 完成 done ' + when(f.doneAt) + (f.doneBy ? ' ' + f.doneBy : '');
      item.appendChild(make('span', due, 'meta'));
      item.appendChild(make('div', f.note || '', 'text'));
      if (f.createdBy) item.appendChild(make('div', f.createdBy + ' · ' + when(f.createdAt), 'meta'));
      if (f.doneNote) item.appendChild(make('div', f.doneNote, 'text'));
      if (f.status === 'pending') {
        var done = make('button');
        done.type = 'button';
        done.className = 'done';
        done.appendChild(bi('完成', 'Done'));
        done.addEventListener('click', function () {
          run(el('followUpMessage'), api('POST', '/v1/tickets/' + selectedId + '/follow-ups/' + encodeURIComponent(f.id) + '/done', {}));
        });
        item.appendChild(done);
      }
      list.appendChild(item);
    });
    if (followUps.length === 0) list.appendChild(make('li', null, 'meta')).appendChild(bi('没有跟进', 'No follow-ups'));
  }

  /** Runs a change, then shows the ticket and my tickets as they now are; a refusal is shown with its detail. */
  function run(messageNode, call, done) {
    say(messageNode, '');
    return call.then(function () {
      if (done) done();
      say(messageNode, '✓ 已保存 Saved');
      return Promise.all([reloadTicket(), refreshTickets()]);
    }, function (error) { say(messageNode, error.message, true); });
  }
  function reasonBody() {
    var reason = el('actionReason').value.trim();
    return reason ? { reason: reason } : {};
  }
  function act(name, extra) {
    var body = reasonBody();
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    run(el('actionMessage'), api('POST', '/v1/tickets/' + selectedId + '/' + name, body), function () { el('actionReason').value = ''; });
  }
  function addNote() {
    var text = el('noteText').value.trim();
    if (!text) { say(el('noteMessage'), '请写点内容 Write something first.', true); return; }
    run(el('noteMessage'), api('POST', '/v1/tickets/' + selectedId + '/notes', { text: text, visibility: el('noteVisibility').value }), function () { el('noteText').value = ''; });
  }
  function addFollowUp() {
    var body = { note: el('followUpNote').value.trim() };
    var minutes = el('followUpMinutes').value;
    var due = el('followUpDue').value;
    if (minutes) body.inBusinessMinutes = Number(minutes);
    else if (due) body.dueAt = new Date(due).toISOString();
    else { say(el('followUpMessage'), '请选择到期时间 Pick a due time or a number of business minutes.', true); return; }
    run(el('followUpMessage'), api('POST', '/v1/tickets/' + selectedId + '/follow-ups', body), function () {
      el('followUpNote').value = ''; el('followUpMinutes').value = ''; el('followUpDue').value = '';
    });
  }

  el('signIn').addEventListener('click', signIn);
  el('key').addEventListener('keydown', function (event) { if (event.key === 'Enter') signIn(); });
  el('signOut').addEventListener('click', signOut);
  el('togglePresence').addEventListener('click', togglePresence);
  el('claimNext').addEventListener('click', claimNext);
  el('ack').addEventListener('click', function () { act('ack'); });
  el('pause').addEventListener('click', function () { act('pause'); });
  el('resume').addEventListener('click', function () { act('resume'); });
  el('transfer').addEventListener('click', function () { act('transfer', { queue: el('transferQueue').value }); });
  el('resolve').addEventListener('click', function () {
    var extra = { resolutionCode: el('resolutionCode').value, finalAnswer: el('finalAnswer').checked };
    var summary = el('resolveSummary').value.trim();
    if (summary) extra.summary = summary;
    act('resolve', extra);
  });
  el('addNote').addEventListener('click', addNote);
  el('addFollowUp').addEventListener('click', addFollowUp);
  setInterval(tick, 1000);

  fetch('/v1/session', { credentials: 'same-origin' }).then(function (r) {
    if (!r.ok) { signedOut(''); return; }
    return r.json().then(start);
  }).catch(function () { signedOut(''); });
})();
`;
