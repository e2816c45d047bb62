/**
 * A set of partitions by topic id: what a member is assigned, what it must give back, what the
 * assignor wants it to have. Topic ids are the metadata store's (Kafka's base64url Uuid form);
 * the wire handlers convert them. Values are treated as immutable once built.
 */
export type Assignment = ReadonlyMap<string, ReadonlySet<number>>;

export const EMPTY_ASSIGNMENT: Assignment = new Map();

/** Builds an assignment, leaving out topics without partitions. */
export function assignmentOf(entries: Iterable<readonly [string, Iterable<number>]>): Assignment {
  const result = new Map<string, Set<number>>();
  for (const [topicId, partitions] of entries) {
    for (const partition of partitions) addPartition(result, topicId, partition);
  }
  return result;
}

export function addPartition(target: Map<string, Set<number>>, topicId: string, partition: number): void {
  let partitions = target.get(topicId);
  if (!partitions) target.set(topicId, (partitions = new Set()));
  partitions.add(partition);
}

export function hasPartition(assignment: Assignment, topicId: string, partition: number): boolean {
  return assignment.get(topicId)?.has(partition) ?? false;
}

export function* partitionsOf(assignment: Assignment): IterableIterator<[string, number]> {
  for (const [topicId, partitions] of assignment) {
    for (const partition of partitions) yield [topicId, partition];
  }
}

export function assignmentSize(assignment: Assignment): number {
  let size = 0;
  for (const partitions of assignment.values()) size += partitions.size;
  return size;
}

export function assignmentEquals(a: Assignment, b: Assignment): boolean {
  if (assignmentSize(a) !== assignmentSize(b)) return false;
  for (const [topicId, partition] of partitionsOf(a)) if (!hasPartition(b, topicId, partition)) return false;
  return true;
}

/** Partitions of `a` that are also in `b`. */
export function intersect(a: Assignment, b: Assignment): Assignment {
  return assignmentOf(
    [...a].map(([topicId, partitions]) => [
      topicId,
      [...partitions].filter((p) => hasPartition(b, topicId, p)),
    ]),
  );
}

/** Partitions of `a` that are not in `b`. */
export function subtract(a: Assignment, b: Assignment): Assignment {
  return assignmentOf(
    [...a].map(([topicId, partitions]) => [
      topicId,
      [...partitions].filter((p) => !hasPartition(b, topicId, p)),
    ]),
  );
}

export function union(a: Assignment, b: Assignment): Assignment {
  return assignmentOf([...a, ...b]);
}

/** Whether any partition of `a` is in `b`. */
export function overlaps(a: Assignment, b: Assignment): boolean {
  for (const [topicId, partition] of partitionsOf(a)) if (hasPartition(b, topicId, partition)) return true;
  return false;
}

/** Sorted topic ids with sorted partitions, as the responses list them. */
export function toTopicPartitions(assignment: Assignment): { topicId: string; partitions: number[] }[] {
  return [...assignment]
    .filter(([, partitions]) => partitions.size > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topicId, partitions]) => ({ topicId, partitions: [...partitions].sort((x, y) => x - y) }));
}
