import { once } from 'node:events';
import { RulesetHolder } from '../src/domain/ruleset-holder';
import { compileShippedRules, shippedRuleFiles } from './support/shipped-rules';

function loadedHolder(): RulesetHolder {
  const holder = new RulesetHolder();
  const files = shippedRuleFiles();
  holder.apply({ ok: true, ruleset: compileShippedRules(files) }, files);
  return holder;
}

describe('RulesetHolder', () => {
  it('when a broken compile is applied, then the last good ruleset keeps serving and the errors are kept', async () => {
    const holder = loadedHolder();
    const live = holder.get();
    const rejected = once(holder, 'rejected');
    const error = {
      file: 'severity.json',
      path: '/rules/0/operator',
      message: 'unknown operator "containz"',
    };

    expect(holder.apply({ ok: false, errors: [error] })).toBe(false);

    expect(await rejected).toEqual([[error]]);
    expect(holder.get()).toBe(live);
    expect(holder.status()).toMatchObject({
      version: live.version,
      errors: [error],
      rejectedAt: expect.any(Date),
    });
  });

  it('when rules/qa.json is edited, then a reload applies the new QA rules, and a broken one is rejected with the last good rules serving', async () => {
    const holder = loadedHolder();
    const live = holder.get();
    const qa = JSON.parse(holder.files().get('qa.json')!) as {
      rules: Array<{ name: string; event: { params: Record<string, unknown> } }>;
    };
    qa.rules = qa.rules.filter((rule) => rule.name !== 'csat-low');
    const edited = new Map(holder.files()).set('qa.json', JSON.stringify(qa));
    expect(await holder.reload(async () => edited)).toBe(true);
    expect(holder.get().version).not.toBe(live.version);
    expect(holder.get().qa.rules.map((rule) => rule.name)).not.toContain('csat-low');

    const good = holder.get();
    qa.rules[0]!.event.params.criterion = 'made-up';
    const broken = new Map(holder.files()).set('qa.json', JSON.stringify(qa));
    expect(await holder.reload(async () => broken)).toBe(false);
    expect(holder.get()).toBe(good);
    expect(holder.status().errors).toEqual([
      {
        file: 'qa.json',
        path: '/rules/0/event/params/criterion',
        message: 'unknown criterion "made-up" (rules/qa-scorecards.json)',
      },
    ]);
  });

  it('when a good compile follows a broken one, then it goes live, the errors clear and "applied" says it changed', async () => {
    const holder = loadedHolder();
    holder.apply({ ok: false, errors: [{ file: 'sla.json', path: '/', message: 'not valid JSON' }] });
    const candidate = holder.compileCandidate({
      'sla.json': holder.files().get('sla.json')!.replace('24/7', 'round the clock'),
    });
    if (!candidate.ok) throw new Error('candidate should compile');
    const applied = once(holder, 'applied');

    expect(holder.apply(candidate, holder.files())).toBe(true);

    const [ruleset, changed] = await applied;
    expect(changed).toBe(true);
    expect(ruleset).toBe(holder.get());
    expect(holder.status()).toMatchObject({
      version: candidate.ruleset.version,
      errors: [],
      rejectedAt: null,
    });
  });

  it('when a candidate is compiled, then it overlays the live files without touching the live ruleset', () => {
    const holder = loadedHolder();
    const live = holder.get();
    const severity = JSON.parse(holder.files().get('severity.json')!) as { defaults: { severity: string } };
    severity.defaults.severity = 'high';

    const candidate = holder.compileCandidate({ 'severity.json': severity });

    expect(candidate.ok && candidate.ruleset.stages.severity.defaults?.severity).toBe('high');
    expect(candidate.ok && candidate.ruleset.version).not.toBe(live.version);
    expect(holder.get()).toBe(live);
  });

  it('when the rules directory cannot be read, then the reload is rejected with the reason', async () => {
    const holder = loadedHolder();
    const live = holder.get();

    const ok = await holder.reload(() => Promise.reject(new Error('ENOENT: no such directory')));

    expect(ok).toBe(false);
    expect(holder.get()).toBe(live);
    expect(holder.status().errors).toEqual([
      { file: '.', path: '/', message: 'cannot read the rules directory: ENOENT: no such directory' },
    ]);
  });

  it('when nothing was ever loaded, then get() explains why there is no ruleset', () => {
    const holder = new RulesetHolder();
    holder.apply({ ok: false, errors: [{ file: 'route.json', path: '/', message: 'file is missing' }] });
    expect(() => holder.get()).toThrow('No valid ruleset loaded: rules/route.json /: file is missing');
  });
});
