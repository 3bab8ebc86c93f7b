/**
 * "Did you mean": the closest candidate by edit distance, if it is close enough to be a typo
 * (2 edits, or a third of the word for longer words, at most 3).
 */

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The nearest candidate, or undefined when none is a plausible typo of `input`. */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(2, Math.floor(input.length / 3)));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(input.toLowerCase(), name.toLowerCase());
    // A prefix (`--conc` for `--concurrency`) is as good a guess as a typo.
    const prefix = input.length >= 3 && name.startsWith(input);
    const score = prefix ? 0.5 : distance;
    if (score <= limit && (best === undefined || score < best.distance)) best = { name, distance: score };
  }
  return best?.name;
}

/** ` Did you mean "x"?` or the empty string. */
export function didYouMean(
  input: string,
  candidates: Iterable<string>,
  render = (s: string) => `"${s}"`,
): string {
  const match = closest(input, candidates);
  return match === undefined ? '' : ` Did you mean ${render(match)}?`;
}
