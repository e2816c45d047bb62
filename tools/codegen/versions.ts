/**
 * Version ranges as the specs write them ("0+", "3-7", "5", "none") and the conditions the
 * emitters print for them. A condition is simplified against the range of versions in which the
 * surrounding code can run, so a field present in every version of its struct needs no branch.
 */

/** The open upper end of "N+"; Kafka versions are int16. */
export const MAX_VERSION = 0x7fff;

export interface VersionRange {
  readonly lowest: number;
  readonly highest: number;
}

export const NO_VERSIONS: VersionRange = { lowest: 1, highest: 0 };

export function parseVersions(text: string | undefined, what: string): VersionRange {
  if (text === undefined || text === 'none') return NO_VERSIONS;
  const trimmed = String(text).trim();
  let match = /^(\d+)\+$/.exec(trimmed);
  if (match) return { lowest: Number(match[1]), highest: MAX_VERSION };
  match = /^(\d+)-(\d+)$/.exec(trimmed);
  if (match) return { lowest: Number(match[1]), highest: Number(match[2]) };
  match = /^(\d+)$/.exec(trimmed);
  if (match) return { lowest: Number(match[1]), highest: Number(match[1]) };
  throw new Error(`${what}: cannot parse version range "${text}"`);
}

export function isEmpty(range: VersionRange): boolean {
  return range.lowest > range.highest;
}

export function intersect(a: VersionRange, b: VersionRange): VersionRange {
  const result = { lowest: Math.max(a.lowest, b.lowest), highest: Math.min(a.highest, b.highest) };
  return isEmpty(result) ? NO_VERSIONS : result;
}

export function contains(outer: VersionRange, inner: VersionRange): boolean {
  return isEmpty(inner) || (outer.lowest <= inner.lowest && inner.highest <= outer.highest);
}

/** A condition to print: always, never, or a boolean expression of `version`. */
export type Condition = true | false | string;

/** The test for `version ∈ range`, given that `version ∈ context` already holds. */
export function condition(range: VersionRange, context: VersionRange): Condition {
  const within = intersect(range, context);
  if (isEmpty(within)) return false;
  if (contains(within, context)) return true;
  const parts: string[] = [];
  if (within.lowest > context.lowest) parts.push(`version >= ${within.lowest}`);
  if (within.highest < context.highest) parts.push(`version <= ${within.highest}`);
  if (parts.length === 2 && within.lowest === within.highest) return `version === ${within.lowest}`;
  return parts.join(' && ');
}

/** The range as a compact JSON pair, `null` when empty (for the test shapes file). */
export function rangeJson(range: VersionRange): [number, number] | null {
  return isEmpty(range) ? null : [range.lowest, range.highest];
}
