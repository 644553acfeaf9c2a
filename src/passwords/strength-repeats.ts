/**
 * Repetition across segment boundaries. zxcvbn only sees repeats inside the string it is given,
 * so when the bounded scorer cuts a long password into segments it must not (a) cut a repeat in
 * the middle of a period, which zxcvbn scores as a repeat plus a costly bruteforce tail, nor
 * (b) score text that merely copies earlier text as if it were new.
 */

/**
 * Shortest run that counts as a copy of earlier text. Shorter coincidences ("th", "12") are left
 * to zxcvbn, which knows better than to call them repeats.
 */
export const MIN_COPY_CODE_POINTS = 4;

/**
 * If the password runs on past `end` repeating a period `d` from inside the segment, moves `end`
 * back to a whole number of periods of that run, so the segment holds complete repetitions and
 * the rest of the run is left to be found as a copy. Among periods, the one whose repetition runs
 * furthest past `end` wins, so a coincidental "aa" does not hide the period of "aabaab".
 */
export function alignCut(codePoints: readonly string[], start: number, end: number): number {
  let best = { reach: MIN_COPY_CODE_POINTS - 1, period: 0 };
  for (let d = 1; 2 * d <= end - start; d++) {
    let reach = 0;
    while (end + reach < codePoints.length && codePoints[end + reach] === codePoints[end + reach - d]) reach++;
    const wholePeriod = reach >= d || end + reach === codePoints.length;
    if (wholePeriod && reach > best.reach) best = { reach, period: d };
  }
  const d = best.period;
  if (d === 0) return end;
  let runStart = end - d;
  while (runStart > start && codePoints[runStart - 1] === codePoints[runStart - 1 + d]) runStart--;
  return runStart + d * Math.floor((end - runStart) / d);
}

/**
 * Length of the longest run starting at `pos` that also starts at some earlier position (the
 * source may overlap the run, as in "abcabcabc"). O(pos × length); scoreLocally examines at most
 * 1,024 code points.
 */
export function copiedLength(codePoints: readonly string[], pos: number): number {
  let best = 0;
  for (let source = 0; source < pos; source++) {
    let n = 0;
    while (pos + n < codePoints.length && codePoints[source + n] === codePoints[pos + n]) n++;
    best = Math.max(best, n);
  }
  return best;
}
