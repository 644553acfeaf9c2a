/**
 * How much work zxcvbn 4.4.2 will do on a string, predicted before calling it, so the scorer can
 * cut a password into segments that each finish quickly. See docs/password-strength.md.
 *
 * zxcvbn's running time is dominated by its l33t matcher: it enumerates "substitution
 * dictionaries" from the l33t characters present, and for each one runs a full dictionary pass
 * over all O(n²) substrings. The number of substitutions depends only on which l33t characters
 * occur, and grows to 736 when all twenty do, so 20 characters can take a quarter of a second.
 * We therefore budget `(1 + substitutions) × n²` rather than length alone.
 */

/** Longest segment handed to zxcvbn in one call, in code points. */
export const MAX_SEGMENT_CODE_POINTS = 64;

/**
 * Largest `(1 + substitutions) × length²` for one zxcvbn call. Measured on this codebase's
 * benchmark (bench/strength.ts) to keep the worst single call well under 50 ms; any password of
 * at most 64 code points using no more than three substitution dictionaries fits.
 */
export const SEGMENT_COST_BUDGET = 16_384;

/**
 * Characters of zxcvbn's l33t table that stand for exactly one letter. Each group is one letter's
 * characters; the enumeration makes one dictionary per character present, so a group contributes
 * a factor equal to how many of its characters occur.
 */
const INDEPENDENT_GROUPS: readonly (readonly string[])[] = [
  ['4', '@'], // a
  ['8'], // b
  ['(', '{', '[', '<'], // c
  ['3'], // e
  ['6', '9'], // g
  ['0'], // o
  ['$', '5'], // s
  ['%'], // x
  ['2'], // z
];

/**
 * The characters that stand for more than one letter (i: 1 ! |, l: 1 | 7, t: + 7). Their
 * combinations do not multiply out, and zxcvbn's de-duplication is not a clean set operation, so
 * the counts below were measured by calling zxcvbn's own `enumerate_l33t_subs` on every subset
 * (bit k set = SHARED[k] present). test/unit/strength.test.ts re-checks them against the library.
 */
const SHARED = ['1', '!', '|', '7', '+'] as const;
const SHARED_COUNTS: readonly number[] = [
  1, 2, 1, 3, 2, 6, 3, 8, 2, 3, 2, 6, 3, 8, 6, 12, 1, 2, 1, 3, 2, 6, 3, 8, 3, 6, 3, 11, 6, 16, 11, 23,
];

const L33T_CHARS = new Set<string>([...INDEPENDENT_GROUPS.flat(), ...SHARED]);

/** How many substitution dictionaries zxcvbn 4.4.2 enumerates for a string with these characters. */
export function l33tSubstitutionCount(chars: ReadonlySet<string>): number {
  let count = 1;
  for (const group of INDEPENDENT_GROUPS) {
    const present = group.filter((c) => chars.has(c)).length;
    if (present > 0) count *= present;
  }
  let mask = 0;
  SHARED.forEach((c, bit) => {
    if (chars.has(c)) mask |= 1 << bit;
  });
  return count * (SHARED_COUNTS[mask] ?? 1);
}

/** The predicted work for one zxcvbn call on `length` code points with `substitutions`. */
export function segmentCost(length: number, substitutions: number): number {
  return (1 + substitutions) * length * length;
}

/** The predicted work for one zxcvbn call on code points [start, end). */
export function segmentCostOf(codePoints: readonly string[], start: number, end: number): number {
  const chars = new Set(codePoints.slice(start, end).filter((c) => L33T_CHARS.has(c)));
  return segmentCost(end - start, l33tSubstitutionCount(chars));
}

/**
 * End (exclusive) of the longest segment starting at `start` that stays within both limits.
 * Always takes at least one code point, so segmentation terminates.
 */
export function segmentEnd(codePoints: readonly string[], start: number): number {
  const present = new Set<string>();
  let substitutions = l33tSubstitutionCount(present);
  let end = start;
  while (end < codePoints.length && end - start < MAX_SEGMENT_CODE_POINTS) {
    const c = codePoints[end] ?? '';
    const isNewL33t = L33T_CHARS.has(c) && !present.has(c);
    const next = isNewL33t ? l33tSubstitutionCount(new Set([...present, c])) : substitutions;
    if (end > start && segmentCost(end + 1 - start, next) > SEGMENT_COST_BUDGET) break;
    if (isNewL33t) present.add(c);
    substitutions = next;
    end += 1;
  }
  return end;
}
