/**
 * Time for the coordinators. Every deadline (session timeouts, rebalance timeouts, the initial
 * rebalance delay, offset expiry) goes through a `Scheduler`, so tests drive time with a
 * `ManualClock` instead of sleeping, and `close()` can prove it left no timer behind.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(timer) };
  },
};

interface ManualTimer {
  id: number;
  dueAt: number;
  callback: () => void;
}

/**
 * A scheduler whose time moves only when `advance` is called. Due timers fire in deadline order
 * (ties in creation order), each at its own instant, with pending promise continuations run
 * between them so async work started by one timer settles before the next one fires.
 */
export class ManualClock implements Scheduler {
  private current: number;
  private nextId = 0;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueAt: this.current + Math.max(0, delayMs), callback });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way (including those due now). */
  async advance(ms = 0): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers.values()) {
        if (timer.dueAt > target) continue;
        if (!next || timer.dueAt < next.dueAt || (timer.dueAt === next.dueAt && timer.id < next.id))
          next = timer;
      }
      if (!next) break;
      this.timers.delete(next.id);
      this.current = Math.max(this.current, next.dueAt);
      next.callback();
      await settle();
    }
    this.current = target;
    await settle();
  }
}

/** Lets queued promise continuations (and the ones they queue) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Named timers owned by one component: setting a name again replaces its timer, and `clear()`
 * cancels everything, which is how the coordinators guarantee no leaked timers after close.
 */
export class TimerSet {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(private readonly scheduler: Scheduler) {}

  set(name: string, delayMs: number, callback: () => void): void {
    this.cancel(name);
    const handle = this.scheduler.setTimeout(() => {
      if (this.timers.get(name) !== handle) return;
      this.timers.delete(name);
      callback();
    }, delayMs);
    this.timers.set(name, handle);
  }

  cancel(name: string): void {
    const handle = this.timers.get(name);
    if (!handle) return;
    handle.cancel();
    this.timers.delete(name);
  }

  has(name: string): boolean {
    return this.timers.has(name);
  }

  get size(): number {
    return this.timers.size;
  }

  clear(): void {
    for (const handle of this.timers.values()) handle.cancel();
    this.timers.clear();
  }
}
