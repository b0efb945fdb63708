import fc from 'fast-check';
import type { EscalationLadder } from '@triage/rules';
import {
  enterResolutionPhase,
  isBreached,
  pauseClock,
  pendingTimers,
  phaseDeadline,
  resumeClock,
  startSla,
  stepKey,
  warningTime,
} from '../src/domain/sla-clock';

const t0 = new Date('2026-03-02T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const ladder: EscalationLadder = {
  warningShare: 0.75,
  steps: [
    { after: 'breach', actions: [{ type: 'raise-priority', by: 10 }] },
    { after: 30, actions: [{ type: 'move-queue', to: 'supervisors' }] },
  ],
};

describe('sla clock', () => {
  it('when a step is a number of minutes, then its key is whole minutes, seconds or milliseconds without dots', () => {
    expect([stepKey('warning'), stepKey('breach'), stepKey(30), stepKey(0.05), stepKey(0.0125)]).toEqual([
      'warning',
      'breach',
      'breach+30m',
      'breach+3s',
      'breach+750ms',
    ]);
  });

  it('when a clock starts, then the warning is at the share of the time to the deadline and the ladder follows the breach', () => {
    const sla = startSla(t0, at(4 * 3600_000), at(24 * 3600_000));
    expect(warningTime(sla, ladder)).toEqual(at(3 * 3600_000));
    expect(
      pendingTimers(sla, ladder).map((timer) => [timer.key, timer.dueAt.getTime() - t0.getTime()]),
    ).toEqual([
      ['warning', 3 * 3600_000],
      ['breach', 4 * 3600_000],
      ['breach+30m', 4.5 * 3600_000],
    ]);
  });

  it('when steps fired, then they are not pending any more; after the first response the resolution deadline governs', () => {
    const sla = { ...startSla(t0, at(1000), at(10_000)), fired: { 'first-response': { warning: at(750) } } };
    expect(pendingTimers(sla, ladder).map((timer) => timer.key)).toEqual(['breach', 'breach+30m']);
    const resolution = enterResolutionPhase(sla);
    expect(resolution.generation).toBe(sla.generation + 1);
    expect(phaseDeadline(resolution)).toEqual(at(10_000));
    expect(pendingTimers(resolution, ladder).map((timer) => timer.key)).toEqual([
      'warning',
      'breach',
      'breach+30m',
    ]);
  });

  it('when the clock is paused, then nothing is pending, nothing is breached, and resuming moves every timer by the pause', () => {
    const sla = enterResolutionPhase(startSla(t0, at(1000), at(10_000)));
    const paused = pauseClock(sla, at(2000), 'waiting_customer');
    expect(pendingTimers(paused, ladder)).toEqual([]);
    expect(isBreached(paused, at(50_000))).toBe(false);
    const resumed = resumeClock(paused, at(5000));
    expect(resumed).toMatchObject({ pausedMs: 3000, pausedAt: null, generation: sla.generation + 2 });
    expect(resumed.pauses).toEqual([{ from: at(2000), to: at(5000), reason: 'waiting_customer' }]);
    expect(pendingTimers(resumed, ladder).map((timer) => timer.dueAt.getTime() - t0.getTime())).toEqual(
      pendingTimers(sla, ladder).map((timer) => timer.dueAt.getTime() - t0.getTime() + 3000),
    );
  });

  it('when any sequence of pauses and resumes happens, then the deadline moves by exactly the recorded paused time', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(10_000), fc.nat(10_000)), { maxLength: 20 }), (spans) => {
        let sla = enterResolutionPhase(startSla(t0, at(1000), at(100_000)));
        let clock = t0.getTime();
        for (const [running, waiting] of spans) {
          clock += running;
          sla = pauseClock(sla, new Date(clock), 'waiting_customer');
          clock += waiting;
          sla = resumeClock(sla, new Date(clock));
        }
        const recorded = (sla.pauses ?? []).reduce(
          (sum, pause) => sum + pause.to.getTime() - pause.from.getTime(),
          0,
        );
        expect(sla.pausedMs).toBe(recorded);
        expect(recorded).toBe(spans.reduce((sum, [, waiting]) => sum + waiting, 0));
        expect(phaseDeadline(sla).getTime()).toBe(at(100_000).getTime() + recorded);
        expect(sla.generation).toBe(2 + 2 * spans.length);
      }),
    );
  });
});
