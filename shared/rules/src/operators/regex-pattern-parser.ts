/**
 * A recursive-descent parser for the regular-expression subset `matchesRegex` accepts;
 * anything outside it is an {@link UnsafePattern}.
 */
import {
  type CharSet,
  complement,
  digitSet,
  emptySet,
  foldCase,
  lineTerminators,
  type RegexFlags,
  spaceSet,
  union,
  wordSet,
} from './regex-char-sets';

const maxRepeatCount = 1000;

export class UnsafePattern extends Error {}

export type RegexNode =
  | { kind: 'char'; set: CharSet; source?: string }
  | { kind: 'assertion' }
  | { kind: 'group'; alternatives: RegexNode[][]; at: number }
  | { kind: 'repeat'; node: RegexNode; min: number; max: number; at: number; atomSource: string };

/** A recursive-descent parser for the accepted syntax; anything else is an UnsafePattern. */
export class PatternParser {
  private readonly chars: string[];
  private pos = 0;

  constructor(
    pattern: string,
    private readonly flags: RegexFlags,
  ) {
    this.chars = flags.unicode ? Array.from(pattern) : pattern.split('');
  }

  parse(): RegexNode {
    const alternatives = this.alternation();
    if (this.pos < this.chars.length) this.fail('unmatched ")"');
    return { kind: 'group', alternatives, at: 0 };
  }

  private fail(message: string, at = this.pos): never {
    throw new UnsafePattern(`${message} at position ${at}`);
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  private codeOf(char: string): number {
    return (this.flags.unicode ? char.codePointAt(0) : char.charCodeAt(0)) ?? 0;
  }

  private charNode(set: CharSet): RegexNode {
    return { kind: 'char', set: this.flags.ignoreCase ? foldCase(set, this.flags) : set };
  }

  private alternation(): RegexNode[][] {
    const alternatives = [this.sequence()];
    while (this.peek() === '|') {
      this.pos += 1;
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): RegexNode[] {
    const items: RegexNode[] = [];
    for (let char = this.peek(); char !== undefined && char !== '|' && char !== ')'; char = this.peek()) {
      const at = this.pos;
      const atom = this.atom();
      const atomSource = this.chars.slice(at, this.pos).join('');
      const quantifier = this.quantifier();
      if (quantifier === undefined) {
        items.push(atom.kind === 'char' ? { ...atom, source: atomSource } : atom);
        continue;
      }
      if (atom.kind === 'assertion') this.fail('a quantifier cannot repeat an anchor or \\b', at);
      items.push({ kind: 'repeat', node: atom, min: quantifier.min, max: quantifier.max, at, atomSource });
    }
    return items;
  }

  private atom(): RegexNode {
    const at = this.pos;
    const char = this.peek();
    switch (char) {
      case '(':
        return this.group();
      case '[':
        return this.charNode(this.characterClass());
      case '.':
        this.pos += 1;
        return this.charNode(
          this.flags.dotAll ? [[0, this.flags.max]] : complement(lineTerminators, this.flags.max),
        );
      case '^':
      case '$':
        this.pos += 1;
        return { kind: 'assertion' };
      case '\\':
        return this.atomEscape();
      case '*':
      case '+':
      case '?':
        return this.fail(`nothing to repeat before "${char}"`, at);
      case '{':
      case '}':
      case ']':
        return this.fail(`a literal "${char}" must be escaped as "\\${char}"`, at);
      default: {
        this.pos += 1;
        const code = this.codeOf(char ?? '');
        return this.charNode([[code, code]]);
      }
    }
  }

  private group(): RegexNode {
    const at = this.pos;
    this.pos += 1;
    if (this.peek() === '?') {
      const kind = this.peek(1);
      if (kind === ':') {
        this.pos += 2;
      } else if (kind === '=' || kind === '!') {
        this.fail('lookahead is not supported', at);
      } else if (kind === '<' && (this.peek(2) === '=' || this.peek(2) === '!')) {
        this.fail('lookbehind is not supported', at);
      } else if (kind === '<') {
        this.pos += 2;
        let name = '';
        for (let char = this.peek(); char !== '>'; char = this.peek()) {
          if (char === undefined) this.fail('unterminated group name', at);
          name += char;
          this.pos += 1;
        }
        if (!/^[A-Za-z_$][\w$]*$/.test(name)) this.fail(`invalid group name "${name}"`, at);
        this.pos += 1;
      } else {
        this.fail(`unsupported group "(?${kind ?? ''}"`, at);
      }
    }
    const alternatives = this.alternation();
    if (this.peek() !== ')') this.fail('missing ")"', at);
    this.pos += 1;
    return { kind: 'group', alternatives, at };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const at = this.pos;
    let bounds: { min: number; max: number } | undefined;
    switch (this.peek()) {
      case '*':
        bounds = { min: 0, max: Infinity };
        break;
      case '+':
        bounds = { min: 1, max: Infinity };
        break;
      case '?':
        bounds = { min: 0, max: 1 };
        break;
      case '{': {
        const rest = this.chars.slice(this.pos, this.pos + 16).join('');
        const match = /^\{(\d+)(,(\d*))?\}/.exec(rest);
        if (!match) return this.fail('a literal "{" must be escaped as "\\{"', at);
        const min = Number(match[1]);
        const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
        if (max < min) this.fail('quantifier range out of order', at);
        if (min > maxRepeatCount || (max !== Infinity && max > maxRepeatCount)) {
          this.fail(`repeat counts above ${maxRepeatCount} are not supported`, at);
        }
        bounds = { min, max };
        this.pos += match[0].length - 1;
        break;
      }
      default:
        return undefined;
    }
    this.pos += 1;
    if (this.peek() === '?') this.pos += 1; // lazy: same cost model as greedy
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?' || next === '{')
      this.fail('nothing to repeat', this.pos);
    return bounds;
  }

  private atomEscape(): RegexNode {
    const at = this.pos;
    const letter = this.peek(1);
    if (letter === 'b' || letter === 'B') {
      this.pos += 2;
      return { kind: 'assertion' };
    }
    if (letter !== undefined && /[1-9]/.test(letter)) this.fail('backreferences are not supported', at);
    if (letter === 'k') this.fail('backreferences are not supported', at);
    return this.charNode(this.escapeSet(false).set);
  }

  /** Parses an escape at `\`; inside a class `\b` is a backspace. */
  private escapeSet(inClass: boolean): { set: CharSet; single?: number } {
    const at = this.pos;
    const letter = this.peek(1);
    if (letter === undefined) this.fail('trailing backslash', at);
    this.pos += 2;
    const single = (code: number) => ({ set: [[code, code]] as CharSet, single: code });
    switch (letter) {
      case 'd':
        return { set: digitSet };
      case 'D':
        return { set: complement(digitSet, this.flags.max) };
      case 'w':
        return { set: wordSet };
      case 'W':
        return { set: complement(wordSet, this.flags.max) };
      case 's':
        return { set: spaceSet };
      case 'S':
        return { set: complement(spaceSet, this.flags.max) };
      case 'p':
      case 'P': {
        if (!this.flags.unicode) this.fail(`\\${letter} needs the u flag`, at);
        if (this.peek() !== '{') this.fail(`\\${letter} needs a {property}`, at);
        while (this.peek() !== '}') {
          if (this.peek() === undefined) this.fail('unterminated property escape', at);
          this.pos += 1;
        }
        this.pos += 1;
        // Property sets are not modelled: treat them as "anything" (conservative).
        return { set: [[0, this.flags.max]] };
      }
      case 't':
        return single(0x09);
      case 'n':
        return single(0x0a);
      case 'v':
        return single(0x0b);
      case 'f':
        return single(0x0c);
      case 'r':
        return single(0x0d);
      case 'b':
        if (inClass) return single(0x08);
        return this.fail('unexpected \\b', at);
      case '0':
        if (/[0-9]/.test(this.peek() ?? '')) this.fail('octal escapes are not supported', at);
        return single(0);
      case 'c': {
        const control = this.peek() ?? '';
        if (!/^[A-Za-z]$/.test(control)) this.fail('\\c needs a letter', at);
        this.pos += 1;
        return single(control.charCodeAt(0) % 32);
      }
      case 'x': {
        const hex = this.chars.slice(this.pos, this.pos + 2).join('');
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail('\\x needs two hex digits', at);
        this.pos += 2;
        return single(parseInt(hex, 16));
      }
      case 'u':
        return single(this.unicodeEscape(at));
      default:
        if (/[A-Za-z0-9_]/.test(letter)) {
          this.fail(`unsupported escape "\\${letter}" (JavaScript would read it as a plain "${letter}")`, at);
        }
        return single(this.codeOf(letter));
    }
  }

  private unicodeEscape(at: number): number {
    if (this.flags.unicode && this.peek() === '{') {
      const close = this.chars.indexOf('}', this.pos);
      const hex = close === -1 ? '' : this.chars.slice(this.pos + 1, close).join('');
      const code = /^[0-9A-Fa-f]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
      if (!(code <= 0x10ffff)) this.fail('invalid \\u{…} escape', at);
      this.pos = close + 1;
      return code;
    }
    const read = (): number => {
      const hex = this.chars.slice(this.pos, this.pos + 4).join('');
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('\\u needs four hex digits', at);
      this.pos += 4;
      return parseInt(hex, 16);
    };
    const code = read();
    // With the u flag an escaped surrogate pair is one code point.
    if (
      this.flags.unicode &&
      code >= 0xd800 &&
      code <= 0xdbff &&
      this.peek() === '\\' &&
      this.peek(1) === 'u'
    ) {
      const save = this.pos;
      this.pos += 2;
      const low = /^[0-9A-Fa-f]{4}$/.test(this.chars.slice(this.pos, this.pos + 4).join('')) ? read() : -1;
      if (low >= 0xdc00 && low <= 0xdfff) return (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
      this.pos = save;
    }
    return code;
  }

  private characterClass(): CharSet {
    const at = this.pos;
    this.pos += 1;
    const negated = this.peek() === '^';
    if (negated) this.pos += 1;
    let set: CharSet = emptySet;
    while (this.peek() !== ']') {
      if (this.peek() === undefined) this.fail('unterminated character class', at);
      const start = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos += 1;
        const end = this.classAtom();
        if (start.single === undefined || end.single === undefined) {
          this.fail('a range in a character class needs single characters at both ends', at);
        }
        if (start.single > end.single) this.fail('character class range out of order', at);
        set = union(set, [[start.single, end.single]]);
      } else {
        set = union(set, start.set);
      }
    }
    this.pos += 1;
    return negated ? complement(set, this.flags.max) : set;
  }

  private classAtom(): { set: CharSet; single?: number } {
    const char = this.peek() ?? '';
    if (char === '\\') {
      const letter = this.peek(1);
      if (letter === 'B' || letter === 'k' || (letter !== undefined && /[1-9]/.test(letter))) {
        this.fail(`unsupported escape "\\${letter}" in a character class`, this.pos);
      }
      return this.escapeSet(true);
    }
    this.pos += 1;
    const code = this.codeOf(char);
    return { set: [[code, code]], single: code };
  }
}
