import { NotFoundError } from '@triage/shared/kernel';
import { addNote } from '../src/domain/add-note';
import { buildTicket } from './builders/ticket-builders';
import { fakeDesk, NOW } from './fakes/fake-desk';

describe('add a note', () => {
  it('when an agent writes on a ticket, then the note is kept with its author and time and the history says so', async () => {
    const desk = fakeDesk();
    desk.tickets.put(buildTicket('in_progress'));

    const { note, ticket } = await addNote(
      desk.deps,
      'c-1',
      'agent:ann',
      { text: '已致电客户，答应周五前回电 / called, promised a call back by Friday', visibility: 'customer' },
      'req-9',
    );

    expect(note).toMatchObject({ author: 'agent:ann', at: NOW, visibility: 'customer' });
    expect(ticket.notes).toEqual([note]);
    expect(ticket.events.at(-1)).toMatchObject({
      type: 'note-added',
      actor: 'agent:ann',
      requestId: 'req-9',
      data: { noteId: note.id, visibility: 'customer' },
    });
  });

  it('when the ticket does not exist, then it is refused with not found', async () => {
    const desk = fakeDesk();
    await expect(
      addNote(desk.deps, 'nope', 'agent:ann', { text: 'x', visibility: 'internal' }, undefined),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
