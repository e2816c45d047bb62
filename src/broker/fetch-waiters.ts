/**
 * Long-poll support for Fetch: a fetch that found less than min_bytes parks here until an append
 * lands in one of its partitions (or its max_wait_ms passes, which the fetch handles itself).
 *
 * One registry per broker, kept beside it in a WeakMap so that the broker context stays small.
 * Produce calls `notify` after each successful append; a waiter is woken at most once and
 * removes itself from every partition it watched.
 */
export type Wake = () => void;

export class FetchWaiters {
  private readonly byPartition = new Map<string, Set<Wake>>();

  /** Calls `wake` once, at the next append to any of `partitions`; returns a cancel function. */
  watch(partitions: Iterable<string>, wake: Wake): () => void {
    const keys = [...new Set(partitions)];
    let done = false;
    const cancel = (): void => {
      if (done) return;
      done = true;
      for (const key of keys) {
        const set = this.byPartition.get(key);
        if (!set) continue;
        set.delete(once);
        if (set.size === 0) this.byPartition.delete(key);
      }
    };
    const once: Wake = () => {
      if (done) return;
      cancel();
      wake();
    };
    for (const key of keys) {
      let set = this.byPartition.get(key);
      if (!set) {
        set = new Set();
        this.byPartition.set(key, set);
      }
      set.add(once);
    }
    return cancel;
  }

  /** Wakes every fetch waiting on `topic`/`partition`. */
  notify(topic: string, partition: number): void {
    const set = this.byPartition.get(partitionKey(topic, partition));
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  /** Number of partitions with waiting fetches (tests). */
  get watchedPartitions(): number {
    return this.byPartition.size;
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

const registries = new WeakMap<object, FetchWaiters>();

/** The waiter registry of `broker` (created on first use). */
export function fetchWaitersOf(broker: object): FetchWaiters {
  let registry = registries.get(broker);
  if (!registry) {
    registry = new FetchWaiters();
    registries.set(broker, registry);
  }
  return registry;
}
