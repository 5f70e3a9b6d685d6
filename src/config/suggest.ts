// "Did you mean ...?" for misspelt keys and enum values.

/** Edit distance (insertions, deletions, substitutions), with one row of memory. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidate closest to what was written, if it is close enough to be a typo: a different case, a shortened
 * name (cpuTarget -> cpuTargetPercent), or at most one edit per three characters (descripton -> description).
 */
export function closestMatch(written: string, candidates: readonly string[]): string | undefined {
  const lower = written.toLowerCase();
  const sameCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const extended =
    lower.length >= 4 && candidates.find((candidate) => candidate.toLowerCase().startsWith(lower));
  if (extended) return extended;
  const limit = Math.max(1, Math.floor(written.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(lower, candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
