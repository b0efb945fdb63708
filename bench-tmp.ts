import { checkRegexSafety, customOperators } from './shared/src/rules/operators';
const op = customOperators.find((o) => o.name === 'matchesRegex') as unknown as { evaluate(a: unknown, b: unknown): boolean };
const pats = ['refund.*lawyer', '\\d+x', '[\\w.+-]+@[\\w-]+\\.[\\w.]+', '\\b(refund|chargeback)s?\\b', '(?:\\+?86)?1[3-9]\\d{9}', 'order\\s*#?\\d+', '\\bcase\\s+no\\.?\\s*\\d+', '.*(lawyer|attorney)', '\\w+ (sue|court)', 'a.*b', '.\\w+ab?.{2}Z', '\\w{2}[^a]{1,}[^a]{2}Z'];
const units = ['a', 'refund', '1', 'a ', 'aa@', 'case no 1', 'ab', 'xa'];
for (const p of pats) {
  const problem = checkRegexSafety(p);
  if (problem) { console.log(p, 'REJECTED', problem); continue; }
  let worst = 0, wu = '';
  for (const u of units) {
    const t = u.repeat(Math.ceil(30000 / u.length));
    const s = process.hrtime.bigint();
    op.evaluate(t, { pattern: p });
    const ms = Number(process.hrtime.bigint() - s) / 1e6;
    if (ms > worst) { worst = ms; wu = u; }
  }
  console.log(p.padEnd(32), worst.toFixed(1) + 'ms', JSON.stringify(wu));
}
