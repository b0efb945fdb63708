import type { FactSources } from '@triage/rules';
import { memoizedFactSources, simulatedFactSources } from '../src/domain/fact-sources';
import { loadWorkerConfig } from '../src/config';

describe('fact sources', () => {
  it('when a history is simulated, then the facts answer from it (ids for earlier complaints, blocklist, open count)', async () => {
    const sources = simulatedFactSources({ repeatCount: 2, openComplaints: 1, blocklisted: true });
    expect(await sources.recentComplaintIds('c', 30, 'x')).toEqual([
      'earlier-complaint-1',
      'earlier-complaint-2',
    ]);
    expect(await sources.openComplaints('c', 'x')).toBe(1);
    expect(await sources.isBlocklisted('c', new Date())).toBe(true);
    expect(await simulatedFactSources().isBlocklisted('c', new Date())).toBe(false);
  });

  it('when two evaluations ask the same question, then the underlying source is asked once', async () => {
    let calls = 0;
    const counting: FactSources = {
      recentComplaintIds: async () => {
        calls += 1;
        return ['a'];
      },
      openComplaints: async () => {
        calls += 1;
        return 0;
      },
      isBlocklisted: async () => {
        calls += 1;
        return false;
      },
    };
    const memo = memoizedFactSources(counting);
    const at = new Date();
    for (let i = 0; i < 2; i += 1) {
      await memo.recentComplaintIds('c', 30, 'x');
      await memo.openComplaints('c', 'x');
      await memo.isBlocklisted('c', at);
    }
    expect(calls).toBe(3);
  });
});

describe('worker config', () => {
  const base = { MONGO_URL: 'mongodb://localhost/t', REDIS_URL: 'redis://localhost' };

  it('when RULES_WATCH is not set, then rules/ is watched; RULES_WATCH=false turns it off', () => {
    expect(loadWorkerConfig(base).RULES_WATCH).toBe(true);
    expect(loadWorkerConfig({ ...base, RULES_WATCH: 'false' }).RULES_WATCH).toBe(false);
    expect(() => loadWorkerConfig({ ...base, RULES_WATCH: 'nope' })).toThrow(
      /RULES_WATCH: must be true or false/,
    );
  });
});
