import { addNote } from '../src/domain/add-note';
import { crmPayload, tellCrm } from '../src/domain/crm-loop';
import { buildTicket } from './builders/ticket-builders';
import { fakeDesk, NOW } from './fakes/fake-desk';

function deskWithHook(events?: Array<'triaged' | 'assigned' | 'note' | 'resolved' | 'reopened'>) {
  const desk = fakeDesk();
  const hooks = new Map([
    ['generic-crm', { url: 'https://crm.example/hooks/triage', ...(events ? { events } : {}) }],
  ]);
  desk.deps.crmHooks = () => hooks;
  return desk;
}

describe('the loop back to the CRM', () => {
  it('when a complaint of a source with an outgoing webhook changes, then one delivery per change is queued, with a deterministic id', async () => {
    const desk = deskWithHook();
    const ticket = { ...buildTicket('in_progress'), source: 'generic-crm', externalId: 'T-1001' };
    await tellCrm(desk.deps, ticket, { kind: 'assigned' });
    await tellCrm(desk.deps, ticket, { kind: 'assigned' });
    await tellCrm(desk.deps, ticket, { kind: 'resolved' });
    expect([...desk.timers.crm.keys()]).toEqual(['crm-c-1-assigned-ann-0', 'crm-c-1-resolved-0']);
    expect(desk.timers.crm.get('crm-c-1-assigned-ann-0')).toMatchObject({
      source: 'generic-crm',
      url: 'https://crm.example/hooks/triage',
      payload: {
        event: 'ticket.assigned',
        externalId: 'T-1001',
        ticket: { agentId: 'ann', queue: 'billing' },
      },
    });
    // After a reopen, the next resolve is a new change.
    await tellCrm(
      desk.deps,
      { ...ticket, ticket: { ...ticket.ticket!, reopenCount: 1 } },
      { kind: 'resolved' },
    );
    expect(desk.timers.crm.has('crm-c-1-resolved-1')).toBe(true);
  });

  it('when the source has no webhook, or does not want that change, or the note is internal, then nothing is queued', async () => {
    const desk = deskWithHook(['resolved']);
    await tellCrm(desk.deps, buildTicket('in_progress'), { kind: 'resolved' }); // source api: no hook
    const crmTicket = { ...buildTicket('in_progress'), source: 'generic-crm' };
    await tellCrm(desk.deps, crmTicket, { kind: 'assigned' });
    desk.tickets.put(crmTicket);
    await addNote(desk.deps, 'c-1', 'agent:ann', { text: '内部备注', visibility: 'internal' }, undefined);
    expect(desk.timers.crm.size).toBe(0);
  });

  it('when an agent writes a customer-visible note, then the CRM gets its text and author', async () => {
    const desk = deskWithHook();
    desk.tickets.put({ ...buildTicket('in_progress'), source: 'generic-crm' });
    const { note } = await addNote(
      desk.deps,
      'c-1',
      'agent:ann',
      { text: 'We have refunded the duplicate charge.', visibility: 'customer' },
      undefined,
    );
    expect(desk.timers.crm.get(`crm-c-1-note-${note.id}`)?.payload).toMatchObject({
      event: 'ticket.note',
      note: { id: note.id, text: 'We have refunded the duplicate charge.', author: 'agent:ann' },
    });
  });

  it('when resolved with a code, then the payload carries the code, summary and final-answer flag', () => {
    const resolved = buildTicket('resolved', {
      ticket: {
        resolution: {
          code: 'refunded',
          summary: 'Refunded 25 USD',
          finalAnswer: true,
          by: 'agent:ann',
          at: NOW,
        },
      },
    });
    expect(crmPayload(resolved, { kind: 'resolved' }, NOW)).toMatchObject({
      event: 'ticket.resolved',
      at: NOW.toISOString(),
      status: 'resolved',
      resolution: { code: 'refunded', summary: 'Refunded 25 USD', finalAnswer: true },
    });
  });
});
