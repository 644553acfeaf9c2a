/**
 * zxcvbn scoring in bounded time. zxcvbn 4.4.2 is super-linear (a 20-character string of l33t
 * symbols takes ~200 ms, 64 take ~2.5 s, 256 take over a minute), so a password is cut into
 * segments whose predicted cost is small (strength-cost.ts). A password that fits in one segment,
 * which is every ordinary password of up to 64 code points, gets exactly zxcvbn's answer. The rule
 * for the rest is explained in docs/password-strength.md.
 */
import zxcvbn from 'zxcvbn';
import { SEGMENT_COST_BUDGET, segmentCostOf, segmentEnd } from './strength-cost.js';
import { MIN_COPY_CODE_POINTS, alignCut, copiedLength } from './strength-repeats.js';

export interface StrengthResult {
  score: 0 | 1 | 2 | 3 | 4;
  feedback: { warning: string; suggestions: string[] };
}

/**
 * Work allowed across all segments of one password, in the units of SEGMENT_COST_BUDGET. Four
 * full segments: enough for any 256-code-point password that is not dense with l33t symbols.
 */
export const TOTAL_COST_BUDGET = 4 * SEGMENT_COST_BUDGET;

/**
 * Code points examined at all. The caller rejects passwords over 256; this only keeps an absurd
 * input from costing O(n²) in the copy search. Ignoring the rest can only lower the score.
 */
const MAX_EXAMINED_CODE_POINTS = 1024;

/** zxcvbn's guesses per character of a bruteforce match (scoring.coffee, BRUTEFORCE_CARDINALITY). */
const BRUTEFORCE_LOG10_PER_CHAR = 1;

/** zxcvbn's guesses_to_score thresholds (time_estimates.coffee), as log10 of guesses. */
const DELTA = 5;
const SCORE_THRESHOLDS_LOG10 = [1e3, 1e6, 1e8, 1e10].map((g) => Math.log10(g + DELTA));

function scoreFromGuessesLog10(log10: number): StrengthResult['score'] {
  const below = SCORE_THRESHOLDS_LOG10.findIndex((t) => log10 < t);
  return (below === -1 ? 4 : below) as StrengthResult['score'];
}

function fromZxcvbn(result: zxcvbn.ZXCVBNResult): StrengthResult {
  return {
    score: result.score,
    feedback: { warning: result.feedback.warning ?? '', suggestions: [...result.feedback.suggestions] },
  };
}

/**
 * Scores `password` as zxcvbn would, within a fixed amount of work. The first segment is scored
 * by zxcvbn; what follows adds to its log10 guesses:
 * - a run that copies earlier text (at least MIN_COPY_CODE_POINTS long; the source may overlap,
 *   as in a repeated word) multiplies guesses by (end / start), which is how zxcvbn's repeat
 *   match grows with the repeat count: 256 "a" score as 64 "a" times 4;
 * - any other segment is scored by zxcvbn while TOTAL_COST_BUDGET lasts, and after that counts as
 *   bruteforce, 10 guesses per code point.
 * Segment cuts are moved back to whole periods of a repeat (alignCut). When the total scores 2 or
 * less, the first segment's feedback is reported.
 */
export function scoreLocally(password: string, userInputs: string[]): StrengthResult {
  const codePoints = firstCodePoints(password, MAX_EXAMINED_CODE_POINTS);
  const headEnd = segmentEnd(codePoints, 0);
  if (headEnd >= codePoints.length) return fromZxcvbn(zxcvbn(password, userInputs));

  const firstEnd = alignCut(codePoints, 0, headEnd);
  const first = zxcvbn(codePoints.slice(0, firstEnd).join(''), userInputs);
  let log10 = first.guesses_log10;
  let spent = segmentCostOf(codePoints, 0, firstEnd);
  for (let start = firstEnd; start < codePoints.length; ) {
    const copied = copiedLength(codePoints, start);
    if (copied >= MIN_COPY_CODE_POINTS) {
      log10 += Math.log10((start + copied) / start);
      start += copied;
      continue;
    }
    const end = alignCut(codePoints, start, segmentEnd(codePoints, start));
    const cost = segmentCostOf(codePoints, start, end);
    if (spent + cost <= TOTAL_COST_BUDGET) {
      spent += cost;
      log10 += zxcvbn(codePoints.slice(start, end).join(''), userInputs).guesses_log10;
    } else {
      log10 += (end - start) * BRUTEFORCE_LOG10_PER_CHAR;
    }
    start = end;
  }

  const score = scoreFromGuessesLog10(log10);
  if (score > 2) return { score, feedback: { warning: '', suggestions: [] } };
  return { score, feedback: fromZxcvbn(first).feedback };
}

function firstCodePoints(s: string, limit: number): string[] {
  const out: string[] = [];
  for (const c of s) {
    if (out.length === limit) break;
    out.push(c);
  }
  return out;
}
