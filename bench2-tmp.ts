import { customOperators } from './shared/src/rules/operators';
const op = customOperators.find((o) => o.name === 'matchesRegex') as unknown as { evaluate(a: unknown, b: unknown): boolean };
for (const [p, u] of [['.\\w+ab?.{2}Z', 'aaba'], ['.\\w+ab?.{2}Z', 'a'], ['\\d? +\\d?x?Z', ' '], ['..*?b\\d+Z', 'abab']] as const) {
  const t = u.repeat(Math.ceil(30000 / u.length));
  const times = [];
  for (let k = 0; k < 4; k++) { const s = process.hrtime.bigint(); op.evaluate(t + k, { pattern: p }); times.push((Number(process.hrtime.bigint() - s) / 1e6).toFixed(1)); }
  console.log(p, u, times.join(' '));
}
