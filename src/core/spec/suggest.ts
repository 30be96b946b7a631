/** "Did you mean ...?" for misspelt keys and enum values. */

/**
 * Edit distance where swapping two neighbouring letters counts as one edit
 * (optimal string alignment: `nosie` is one edit from `noise`, as a person sees it),
 * with an early exit once it exceeds `max`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
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
  const alias = Object.hasOwn(ALIASES, w) ? ALIASES[w] : undefined;
  if (alias !== undefined && candidates.includes(alias)) return alias;
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

/**
 * Names a notebook user may write for a spec key: scikit-learn's, PyTorch's and the
 * notebook's own words (normalised: lower case, `_` for `-` and spaces), mapped to the
 * spec's key. Only used when the candidate list holds the target.
 */
export const ALIASES: Readonly<Record<string, string>> = {
  random_state: 'seed',
  random_seed: 'seed',
  manual_seed: 'seed',
  learning_rate: 'lr',
  n_epochs: 'epochs',
  num_epochs: 'epochs',
  epoch: 'epochs',
  optim: 'optimizer',
  optimiser: 'optimizer',
  n_classes: 'centers',
  num_classes: 'centers',
  n_centers: 'centers',
  centres: 'centers',
  num_features: 'n_features',
  features: 'n_features',
  num_samples: 'n_samples',
  samples: 'n_samples',
  std: 'cluster_std',
  centre_box: 'center_box',
  test_split: 'test_size',
  test_ratio: 'test_size',
  test_fraction: 'test_size',
  hidden_layers: 'hidden_units',
  hidden_sizes: 'hidden_units',
  hidden_size: 'hidden_units',
  layers: 'hidden_units',
  activation_function: 'activation',
  batch: 'batch_size',
  batchsize: 'batch_size',
  backend: 'device',
  file: 'path',
  csv: 'path',
  dataset: 'data',
  train: 'training',
};

/** " Did you mean `x`?" or "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` Did you mean \`${c}\`?`;
}
