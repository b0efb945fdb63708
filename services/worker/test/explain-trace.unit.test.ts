import { evaluateComplaint, type RuleTrace } from '@triage/rules';
import { explainTrace, traceExcerptLength } from '../src/domain/explain-trace';
import { compileShippedRules } from './support/shipped-rules';

const ruleset = compileShippedRules();
const receivedAt = new Date('2026-03-04T15:00:00Z');

async function rawTraceOf(body: string): Promise<RuleTrace[]> {
  const { trace } = await evaluateComplaint(
    ruleset,
    { id: 'c-1', source: 'api', channel: 'web', body, customer: { id: 'cust-1' }, receivedAt },
    undefined,
    receivedAt,
  );
  return trace;
}

async function traceOf(body: string): Promise<RuleTrace[]> {
  return explainTrace(await rawTraceOf(body));
}

function leavesOf(rule: RuleTrace | undefined): Array<Record<string, unknown>> {
  const leaves: Array<Record<string, unknown>> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.fact === 'string') leaves.push(record);
      else Object.values(record).forEach(walk);
    }
  };
  walk(rule?.conditions);
  return leaves;
}

describe('explainTrace', () => {
  it('when a keyword condition fires, then the trace names the keywords that matched', async () => {
    const trace = await traceOf('我已经打了12315，也会找媒体曝光。');
    const regulator = trace.find((rule) => rule.rule === 'regulator-threat');
    expect(regulator?.fired).toBe(true);
    expect(leavesOf(regulator)[0]).toMatchObject({
      fact: 'text',
      operator: 'containsAny',
      // The text fact is NFKC-normalised: the full-width comma becomes ",".
      factResult: '我已经打了12315，也会找媒体曝光。'.normalize('NFKC'),
      matched: ['12315'],
      result: true,
    });
  });

  it('when the text is long, then each condition keeps an excerpt and the length, not the whole text', async () => {
    const body = `I will file a lawsuit. ${'The fee was wrong again. '.repeat(100)}`;
    const raw = await rawTraceOf(body);
    const trace = explainTrace(raw);
    const leaf = leavesOf(trace.find((rule) => rule.rule === 'legal-threat'))[0];
    expect(leaf?.factLength).toBe(body.length);
    expect(String(leaf?.factResult)).toHaveLength(traceExcerptLength + 1);
    expect(leaf?.matched).toEqual(['lawsuit']);
    expect(JSON.stringify(raw)).toContain(body);
    expect(JSON.stringify(trace)).not.toContain(body);
  });

  it('when json-rules-engine repeats the value as valueResult, then it is dropped; everything else is kept', async () => {
    const trace = await traceOf('hello');
    const low = trace.find((rule) => rule.rule === 'general-enquiry-is-low');
    expect(low?.fired).toBe(true);
    for (const leaf of leavesOf(low)) {
      expect(leaf).not.toHaveProperty('valueResult');
      expect(leaf).toHaveProperty('result');
    }
    expect(leavesOf(trace.find((rule) => rule.rule === 'repeat-complainant'))[0]).toMatchObject({
      fact: 'repeatCount',
      params: { days: 30 },
      factResult: 0,
      result: false,
    });
  });
});
