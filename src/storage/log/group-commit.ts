/**
 * Group commit: many appends share one fsync.
 *
 * A caller that has finished its write calls `request(target)`. If no flush is running, one
 * starts at once; otherwise the request joins the next round, which starts as soon as the running
 * one ends and flushes every target that was requested meanwhile, once each. So one fsync covers
 * every append that arrived while the previous fsync ran, across all partitions sharing the
 * flusher (the LogManager shares one per log directory). A request resolves only after a flush of
 * its target that *started after the request*, hence after its data is durable.
 *
 * Concurrency: all state changes happen on the event loop; targets are flushed in parallel
 * within a round; a failed flush rejects the requests of that target in that round only.
 */
export interface Flushable {
  flush(): Promise<void>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  /** Rounds run and target flushes performed, for tests and metrics. */
  readonly stats = { rounds: 0, flushes: 0, requests: 0 };
  private pending = new Map<Flushable, Waiter[]>();
  private running: Promise<void> | undefined;

  request(target: Flushable): Promise<void> {
    this.stats.requests++;
    return new Promise<void>((resolve, reject) => {
      let waiters = this.pending.get(target);
      if (!waiters) {
        waiters = [];
        this.pending.set(target, waiters);
      }
      waiters.push({ resolve, reject });
      if (!this.running) this.running = this.loop();
    });
  }

  /** Resolves when no flush is running or pending. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const round = this.pending;
        this.pending = new Map();
        this.stats.rounds++;
        await Promise.all(
          [...round].map(async ([target, waiters]) => {
            this.stats.flushes++;
            try {
              await target.flush();
            } catch (error) {
              for (const waiter of waiters) waiter.reject(error);
              return;
            }
            for (const waiter of waiters) waiter.resolve();
          }),
        );
      }
    } finally {
      this.running = undefined;
    }
  }
}
