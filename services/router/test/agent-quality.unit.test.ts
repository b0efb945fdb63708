import { compositeScore } from '../src/domain/agent-quality';

describe('the agents’ composite quality score', () => {
  const all = { qaScore: 80, csatPct: 90, slaAttainmentPct: 100, fcrPct: 70, transferRatePct: 10 };

  it('when every part is measured, then the weights are 30/25/25/15/5 and the whole weight is covered', () => {
    // (80·30 + 90·25 + 100·25 + 70·15 + 90·5) / 100 = 86.5
    expect(compositeScore({ resolved: 4, ...all })).toEqual({
      score: 86.5,
      parts: { qa: 80, csat: 90, sla: 100, fcr: 70, transfers: 90 },
      weightCovered: 100,
    });
  });

  it('when parts are missing, then the others scale up and the coverage says so', () => {
    const score = compositeScore({ resolved: 2, ...all, qaScore: null, csatPct: null });
    // (100·25 + 70·15 + 90·5) / 45 = 88.89
    expect(score).toMatchObject({ score: 88.89, weightCovered: 45 });
  });

  it('when the agent resolved nothing (tickets open or passed on), then there is no score to rank on', () => {
    expect(compositeScore({ resolved: 0, ...all, fcrPct: null, slaAttainmentPct: null }).score).toBeNull();
    expect(
      compositeScore({
        resolved: 3,
        qaScore: null,
        csatPct: null,
        slaAttainmentPct: null,
        fcrPct: null,
        transferRatePct: null,
      }).score,
    ).toBeNull();
  });
});
