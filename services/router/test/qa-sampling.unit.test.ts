import type { QaSamplingFile } from '@triage/rules';
import { drawPosition, isoWeek, sampleReasons } from '../src/domain/qa-sampling';
import { buildTicket } from './builders/ticket-builders';

const plan = (percent: number): QaSamplingFile => ({
  random: { percentPerAgentPerWeek: percent },
  targeted: { slaBreach: true, reopened: true, csatAtMost: 2, fatalAutoQa: true },
  reviewDueHours: 72,
  disputeWithinHours: 120,
});
const closedAt = new Date('2026-12-03T10:00:00Z');

describe('QA sampling', () => {
  it('when dates fall around a new year, then the ISO week is the one of their Thursday', () => {
    expect(isoWeek(new Date('2026-12-03T10:00:00Z'))).toBe('2026-W49');
    expect(isoWeek(new Date('2027-01-01T10:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
  });

  it('when 10,000 closes of one agent are drawn at 5 %, then about 5 % are drawn, the same ones every time', () => {
    const ids = Array.from({ length: 10_000 }, (_, index) => `ticket-${index}`);
    const drawn = ids.filter((id) => drawPosition('ann', '2026-W49', id) < 5);
    expect(drawn.length).toBeGreaterThan(430);
    expect(drawn.length).toBeLessThan(570);
    expect(ids.filter((id) => drawPosition('ann', '2026-W49', id) < 5)).toEqual(drawn);
    // Another week draws other tickets.
    expect(ids.filter((id) => drawPosition('ann', '2026-W50', id) < 5)).not.toEqual(drawn);
  });

  it('when a closed ticket was breached, reopened, scored low and failed a fatal criterion, then every reason is given; a clean one has none', () => {
    const clean = buildTicket('closed', { ticket: { agentId: 'ann' } });
    expect(sampleReasons(clean, plan(0), closedAt)).toEqual([]);
    expect(sampleReasons(clean, plan(100), closedAt)).toEqual(['random']);
    const troubled = buildTicket('closed', { ticket: { agentId: 'ann', reopenCount: 1 } });
    troubled.ticket!.sla!.fired = { 'first-response': { breach: closedAt } };
    troubled.csat = { score: 2, at: closedAt, round: 1, via: 'page' };
    troubled.qa = { fatal: true } as NonNullable<typeof troubled.qa>;
    expect(sampleReasons(troubled, plan(0), closedAt)).toEqual([
      'sla-breach',
      'reopened',
      'low-csat',
      'fatal-auto-qa',
    ]);
    expect(
      sampleReasons(
        troubled,
        { ...plan(0), targeted: { slaBreach: false, reopened: false, fatalAutoQa: false } },
        closedAt,
      ),
    ).toEqual([]);
  });
});
