/** "Did you mean ...?" for misspelt keys and enum values. */

/** Levenshtein distance, with an early exit once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** Normalises spelling differences a beginner makes: case, `-` or space for `_`. */
function norm(s: string): string {
  return s.toLowerCase().replace(/[-\s]/g, '_');
}

/**
 * The closest candidate, if it is close enough to be a plausible typo: at most a third
 * of the word's length in edits (at least 1, at most 3).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = norm(word);
  const budget = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestD = budget + 1;
  for (const c of candidates) {
    const cn = norm(c);
    // `std` for `cluster_std`, `hidden` for `hidden_units`: a prefix/suffix of a word part.
    const d = cn === w ? 0 : editDistance(w, cn, budget);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  if (best === undefined && w.length >= 3) {
    best = candidates.find((c) => norm(c).split('_').some((part) => part === w) || norm(c).startsWith(w));
  }
  return best;
}

/** " Did you mean `x`?" or "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` Did you mean \`${c}\`?`;
}
