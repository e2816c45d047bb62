/** A committed offset as kept in memory and in OffsetCommitValue records. */
export interface CommittedOffset {
  offset: number;
  /** -1 when the committer did not know it. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Only for commits that asked for their own retention (OffsetCommit v2-v4); null otherwise. */
  expireTimestamp: number | null;
}

export interface OffsetEntry {
  topic: string;
  partition: number;
  value: CommittedOffset;
}

function pendingKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * The committed offsets of one group, plus a count of commits being written for each partition:
 * a fetch that requires stable offsets must not read past a write in flight, and expiry must not
 * remove an offset that is being replaced.
 */
export class GroupOffsets {
  private readonly byTopic = new Map<string, Map<number, CommittedOffset>>();
  private readonly inFlight = new Map<string, number>();

  get size(): number {
    let count = 0;
    for (const partitions of this.byTopic.values()) count += partitions.size;
    return count;
  }

  get(topic: string, partition: number): CommittedOffset | undefined {
    return this.byTopic.get(topic)?.get(partition);
  }

  set(topic: string, partition: number, value: CommittedOffset): void {
    let partitions = this.byTopic.get(topic);
    if (!partitions) this.byTopic.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  }

  delete(topic: string, partition: number): boolean {
    const partitions = this.byTopic.get(topic);
    if (!partitions?.delete(partition)) return false;
    if (partitions.size === 0) this.byTopic.delete(topic);
    return true;
  }

  *entries(): IterableIterator<OffsetEntry> {
    for (const [topic, partitions] of this.byTopic) {
      for (const [partition, value] of partitions) yield { topic, partition, value };
    }
  }

  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  clear(): void {
    this.byTopic.clear();
  }

  beginCommit(topic: string, partition: number): void {
    const key = pendingKey(topic, partition);
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  endCommit(topic: string, partition: number): void {
    const key = pendingKey(topic, partition);
    const count = (this.inFlight.get(key) ?? 0) - 1;
    if (count > 0) this.inFlight.set(key, count);
    else this.inFlight.delete(key);
  }

  hasPendingCommit(topic: string, partition: number): boolean {
    return this.inFlight.has(pendingKey(topic, partition));
  }

  get hasPendingCommits(): boolean {
    return this.inFlight.size > 0;
  }
}
