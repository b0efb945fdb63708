import { checkRegexSafety, customOperators } from './shared/src/rules/operators';
const op = customOperators.find((o) => o.name === 'matchesRegex') as unknown as { evaluate(a: unknown, b: unknown): boolean };
const atoms = ['a', 'b', '.', '\\s', '\\d', '\\w', '[ab]', '[^a]', 'x', ' ', 'ab', '\\b', '^', '$', '[A-Z]'];
const quants = ['', '', '', '*', '+', '?', '{0,3}', '{2}', '{1,}', '*?', '{2,}', '+?'];
function rnd<T>(xs: T[]): T { return xs[Math.floor(Math.random() * xs.length)]!; }
function gen(depth: number): string {
  const n = 1 + Math.floor(Math.random() * 4);
  let s = '';
  for (let i = 0; i < n; i++) {
    let atom: string;
    if (depth > 0 && Math.random() < 0.2) {
      const k = 1 + Math.floor(Math.random() * 3);
      atom = '(?:' + Array.from({ length: k }, () => gen(depth - 1)).join('|') + ')';
    } else atom = rnd(atoms);
    if (atom === '\\b' || atom === '^' || atom === '$') s += atom; else s += atom + rnd(quants);
  }
  return s;
}
const alphabet = ['a', 'b', 'x', ' ', '1', 'A', '\n', 'B'];
let checked = 0, mismatches = 0, skipped = 0;
for (let iter = 0; iter < 40000; iter++) {
  const p = gen(1);
  const flags = rnd(['', 'i', 'm', 's', 'u', 'iu']);
  if (checkRegexSafety(p, flags) !== undefined) { skipped++; continue; }
  const re = new RegExp(p, flags);
  for (let k = 0; k < 20; k++) {
    const len = Math.floor(Math.random() * 14);
    let t = ''; for (let i = 0; i < len; i++) t += rnd(alphabet);
    checked++;
    if (op.evaluate(t, { pattern: p, flags }) !== re.test(t)) { mismatches++; if (mismatches < 10) console.log('MISMATCH', JSON.stringify(p), flags, JSON.stringify(t)); }
  }
}
console.log({ checked, mismatches, skipped });
