import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { compileRuleset, formatRuleError } from '@triage/rules';

const RULES = path.resolve(__dirname, '..', '..', '..', 'rules');

function shippedFiles(): Map<string, string> {
  return new Map(
    readdirSync(RULES)
      .filter((name) => name.endsWith('.json'))
      .map((name) => [name, readFileSync(path.join(RULES, name), 'utf8')]),
  );
}

function withQueues(queues: unknown): Map<string, string> {
  const files = shippedFiles();
  const shipped = JSON.parse(files.get('queues.json') ?? '{}') as Record<string, unknown>;
  files.set('queues.json', JSON.stringify({ ...shipped, queues }));
  return files;
}

const shippedQueues = () =>
  (JSON.parse(shippedFiles().get('queues.json') ?? '{}') as { queues: Array<Record<string, unknown>> })
    .queues;

describe('queues.json: modes and escalation ladders', () => {
  it('when the shipped rules are compiled, then every queue has a mode and a ladder, and fraud is a push queue', () => {
    const result = compileRuleset(shippedFiles());
    if (!result.ok) throw new Error(result.errors.map(formatRuleError).join('\n'));
    const queues = result.ruleset.queues.queues;
    expect(queues.find((queue) => queue.id === 'fraud')?.mode).toBe('push');
    expect(queues.find((queue) => queue.id === 'supervisors')).toBeDefined();
    for (const queue of queues) expect(queue.escalation.warningShare).toBeGreaterThan(0);
  });

  it('when a queue leaves out mode and escalation, then it is a pull queue warning at 75 %', () => {
    const queues = shippedQueues().map(({ mode: _mode, escalation: _escalation, ...queue }) => queue);
    const result = compileRuleset(withQueues(queues));
    expect(result.ok && result.ruleset.queues.queues[0]).toMatchObject({
      mode: 'pull',
      escalation: { warningShare: 0.75, steps: [] },
    });
  });

  it('when a ladder is wrong, then each error names queues.json and the JSON path of the mistake', () => {
    const queues = shippedQueues();
    queues[0] = {
      ...queues[0],
      mode: 'round-robin',
      escalation: {
        warningShare: 1.5,
        steps: [
          { after: 'breach', actions: [{ type: 'raise-priority', by: -3 }] },
          { after: 'breach', actions: [{ type: 'notify', url: 'ftp://example.test/x' }] },
          { after: 0, actions: [] },
        ],
      },
    };
    const result = compileRuleset(withQueues(queues));
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.every((error) => error.file === 'queues.json')).toBe(true);
    expect(errors.map((error) => error.path).sort()).toEqual(
      [
        '/queues/0/mode',
        '/queues/0/escalation/warningShare',
        '/queues/0/escalation/steps/0/actions/0/by',
        '/queues/0/escalation/steps/1/actions/0/url',
        '/queues/0/escalation/steps/1/after',
        '/queues/0/escalation/steps/2/after',
        '/queues/0/escalation/steps/2/actions',
      ].sort(),
    );
  });

  it('when a move-queue step names an unknown queue or its own queue, then the cross-check points at the "to"', () => {
    const queues = shippedQueues();
    const ladder = (to: string) => ({
      warningShare: 0.75,
      steps: [{ after: 30, actions: [{ type: 'move-queue', to }] }],
    });
    queues[0] = { ...queues[0], escalation: ladder('nowhere') };
    queues[1] = { ...queues[1], escalation: ladder(String(queues[1]?.id)) };
    const result = compileRuleset(withQueues(queues));
    expect(result.ok ? [] : result.errors.map(formatRuleError)).toEqual([
      'rules/queues.json /queues/0/escalation/steps/0/actions/0/to: unknown queue "nowhere"',
      'rules/queues.json /queues/1/escalation/steps/0/actions/0/to: a queue cannot escalate to itself',
    ]);
  });

  it('when two steps fire at the same moment or two queues share an id, then both are reported', () => {
    const queues = shippedQueues();
    queues[0] = {
      ...queues[0],
      escalation: {
        steps: [
          { after: 30, actions: [{ type: 'raise-priority', by: 1 }] },
          { after: 30, actions: [{ type: 'raise-priority', by: 2 }] },
        ],
      },
    };
    queues.push({ ...queues[1] });
    const result = compileRuleset(withQueues(queues));
    expect(result.ok ? [] : result.errors.map((error) => error.path)).toEqual(
      expect.arrayContaining(['/queues/0/escalation/steps/1/after', `/queues/${queues.length - 1}/id`]),
    );
  });
});
