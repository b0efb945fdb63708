/**
 * Character sets for the regex safety checker: sorted ranges of code points (code units
 * without the u flag), the class escapes and case folding.
 */
/** A set of code points (code units without the u flag): sorted, disjoint, inclusive ranges. */
export type CharSet = readonly (readonly [number, number])[];

export const emptySet: CharSet = [];

function normalizeSet(ranges: (readonly [number, number])[]): CharSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [low, high] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  return merged;
}

export function union(a: CharSet, b: CharSet): CharSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return normalizeSet([...a, ...b]);
}

function intersect(a: CharSet, b: CharSet): CharSet {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [aLow, aHigh] = a[i] as readonly [number, number];
    const [bLow, bHigh] = b[j] as readonly [number, number];
    const low = Math.max(aLow, bLow);
    const high = Math.min(aHigh, bHigh);
    if (low <= high) out.push([low, high]);
    if (aHigh < bHigh) i += 1;
    else j += 1;
  }
  return out;
}

export function intersects(a: CharSet, b: CharSet): boolean {
  return intersect(a, b).length > 0;
}

export function complement(set: CharSet, max: number): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [low, high] of set) {
    if (low > next) out.push([next, low - 1]);
    next = high + 1;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

export const digitSet: CharSet = [[0x30, 0x39]];

export const wordSet: CharSet = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];

export const spaceSet: CharSet = normalizeSet([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);

export const lineTerminators: CharSet = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];

/** Non-ASCII blocks without case (verified: no code point in or out of them case-maps into them). */
const caselessBlocks: CharSet = normalizeSet([
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x206f],
  [0x3000, 0x30ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7af],
  [0xd800, 0xdfff],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xfeff, 0xfeff],
  [0xff01, 0xff20],
  [0xff3b, 0xff40],
  [0xff5b, 0xff65],
  [0x20000, 0x2ffff],
]);

const sLike: CharSet = normalizeSet([
  [0x53, 0x53],
  [0x73, 0x73],
  [0x17f, 0x17f],
]);

const kLike: CharSet = normalizeSet([
  [0x4b, 0x4b],
  [0x6b, 0x6b],
  [0x212a, 0x212a],
]);

export interface RegexFlags {
  ignoreCase: boolean;
  unicode: boolean;
  dotAll: boolean;
  /** Largest code point (0x10ffff) or code unit (0xffff). */
  max: number;
}

/**
 * An over-approximation of what a set matches under the i flag. ASCII letters fold exactly
 * (plus U+017F ſ and U+212A K, which fold to s and k with the u flag); any cased non-ASCII
 * character widens the set to everything non-ASCII.
 */
export function foldCase(set: CharSet, flags: RegexFlags): CharSet {
  let out = set;
  const upper = intersect(set, [[0x41, 0x5a]]).map(([low, high]) => [low + 32, high + 32] as const);
  const lower = intersect(set, [[0x61, 0x7a]]).map(([low, high]) => [low - 32, high - 32] as const);
  out = union(out, normalizeSet([...upper, ...lower]));
  if (flags.unicode) {
    if (intersects(out, sLike)) out = union(out, sLike);
    if (intersects(out, kLike)) out = union(out, kLike);
  }
  const casedNonAscii = intersect(intersect(set, [[0x80, flags.max]]), complement(caselessBlocks, flags.max));
  if (casedNonAscii.length > 0) {
    out = union(out, [[0x80, flags.max]]);
    if (flags.unicode) out = union(union(out, sLike), kLike);
  }
  return out;
}
