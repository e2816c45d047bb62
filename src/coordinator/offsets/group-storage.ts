/** One record of the __consumer_offsets topic: a versioned key and a value, null to delete. */
export interface CoordinatorRecord {
  key: Buffer;
  value: Buffer | null;
}

/**
 * Where the group coordinator keeps its state: the __consumer_offsets partition of the groups it
 * coordinates. `append` resolves once the records are durable (and replicated, in a cluster); it
 * rejects with an error carrying a Kafka `errorCode` (NOT_LEADER_OR_FOLLOWER, MESSAGE_TOO_LARGE,
 * ...) when they are not. `load` replays everything appended so far, in append order, so the last
 * record for a key wins and a null value deletes.
 */
export interface GroupStorage {
  append(records: CoordinatorRecord[], groupId: string): Promise<void>;
  load(): AsyncIterable<CoordinatorRecord>;
}

export class GroupStorageError extends Error {
  constructor(
    message: string,
    readonly errorCode: number,
  ) {
    super(message);
    this.name = 'GroupStorageError';
  }
}

/** An in-memory log for tests and the embedded in-memory broker; `failNext` injects errors. */
export class InMemoryGroupStorage implements GroupStorage {
  readonly records: CoordinatorRecord[] = [];
  private failures: number[] = [];

  /** The next append fails with this Kafka error code. */
  failNext(errorCode: number): void {
    this.failures.push(errorCode);
  }

  async append(records: CoordinatorRecord[], groupId: string): Promise<void> {
    await Promise.resolve();
    const failure = this.failures.shift();
    if (failure !== undefined) throw new GroupStorageError(`append for group ${groupId} failed`, failure);
    for (const record of records) {
      this.records.push({ key: Buffer.from(record.key), value: record.value && Buffer.from(record.value) });
    }
  }

  async *load(): AsyncIterable<CoordinatorRecord> {
    for (const record of this.records) yield record;
  }
}
