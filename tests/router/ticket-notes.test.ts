import request from 'supertest';
import type { RunningRouter } from '../../services/router/src/service';
import { adminKey, agentKey, routerEnv, seedTickets, startTestRouter } from './support/router-harness';

describe('notes on a ticket', () => {
  let router: RunningRouter;
  // Lia works general; Kai only billing, so general tickets are not his to read.
  const agents = ['lia', 'kai'];

  beforeAll(async () => {
    router = await startTestRouter(routerEnv('notes', agents));
    await router.agents.upsert({ _id: 'lia', name: 'Lia', skills: ['general'], capacity: 5, online: true });
    await router.agents.upsert({ _id: 'kai', name: 'Kai', skills: ['billing'], capacity: 5, online: true });
  });

  afterAll(async () => {
    await router?.stop();
  });

  const as = (who: string) => ({
    Authorization: `Bearer ${who === 'admin' ? adminKey : agentKey(who)}`,
  });
  const postNote = (id: string, who: string, body: unknown) =>
    request(router.url)
      .post(`/v1/tickets/${id}/notes`)
      .set(as(who))
      .send(body as object);

  it('when the agent working a ticket writes notes, then they are kept in order with author and time, in the ticket and its history', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general', score: 500 }]);
    await request(router.url).post('/v1/agents/lia/claim').set(as('lia')).expect(200);

    const first = await postNote(id!, 'lia', { text: '客户要求退还年费，已核实扣款记录' }).expect(201);
    expect(first.headers.location).toBe(`/v1/tickets/${id}`);
    expect(first.body.note).toMatchObject({
      text: '客户要求退还年费，已核实扣款记录',
      visibility: 'internal',
      author: 'agent:lia',
      at: expect.any(String),
    });
    const second = await postNote(id!, 'lia', {
      text: 'We will refund the annual fee within 5 business days.',
      visibility: 'customer',
    }).expect(201);

    const view = await request(router.url).get(`/v1/tickets/${id}`).set(as('lia')).expect(200);
    expect(view.body.notes.map((note: { id: string }) => note.id)).toEqual([
      first.body.note.id,
      second.body.note.id,
    ]);
    expect(view.body.notes[1]).toMatchObject({ visibility: 'customer', author: 'agent:lia' });
    const noteEvents = view.body.events.filter((event: { type: string }) => event.type === 'note-added');
    expect(noteEvents).toEqual([
      expect.objectContaining({
        actor: 'agent:lia',
        data: { noteId: first.body.note.id, visibility: 'internal' },
      }),
      expect.objectContaining({
        actor: 'agent:lia',
        data: { noteId: second.body.note.id, visibility: 'customer' },
      }),
    ]);
  });

  it('when an agent who may not read the ticket tries to write on it, then 404 problem+json and nothing is written', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general' }]);
    const refused = await postNote(id!, 'kai', { text: 'sneaky' }).expect(404);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await router.tickets.findById(id!))?.notes ?? []).toEqual([]);
    // A supervisor or admin may write on any ticket.
    await postNote(id!, 'admin', { text: 'Checked by the team lead' }).expect(201);
  });

  it('when the note is empty, too long, of an unknown visibility or carries extra fields, then 400 names the field', async () => {
    const [id] = await seedTickets(router, [{ queue: 'general' }]);
    const cases: Array<[unknown, string]> = [
      [{ text: '   ' }, 'text'],
      [{ text: 'x'.repeat(5001) }, 'text'],
      [{ text: 'ok', visibility: 'public' }, 'visibility'],
      [{ text: 'ok', author: 'agent:someone-else' }, ''],
    ];
    for (const [body, field] of cases) {
      const bad = await postNote(id!, 'admin', body).expect(400);
      expect(bad.body.errors.map((error: { path: string }) => error.path).join(' ')).toContain(field);
    }
    await postNote('00000000-0000-4000-8000-000000000000', 'admin', { text: 'x' }).expect(404);
    expect((await router.tickets.findById(id!))?.notes ?? []).toEqual([]);
  });
});
