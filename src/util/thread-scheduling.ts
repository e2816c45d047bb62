import { readdirSync, readFileSync } from 'node:fs';
import { loadLibc } from './libc.js';

/**
 * Linux scheduling of the broker's helper threads (`samsa.threads.sched.batch`). Every thread of
 * the process but the main one (libuv's pool, which runs the synced log writes, and V8's helpers)
 * can be put under SCHED_BATCH: the kernel then does not let such a thread, woken because the
 * event loop handed it a write, preempt the event loop on the CPU it wakes on. With a synced
 * write per partition handed over about a thousand times a second, the main thread was otherwise
 * switched out involuntarily 1,000-2,300 times a second on six partitions; a write then also
 * waits for a free CPU, which costs one partition, with a single write in flight, more than it
 * gives (docs/design.md, Decisions). Reached through koffi (util/libc.ts).
 *
 * Only the threads that exist when it is called are changed; the `samsa start` command calls it
 * once the broker listens, after libuv's pool has started. Threads the main thread starts later
 * keep the normal policy.
 */

export const SCHED_BATCH = 3;

type SetScheduler = (tid: number, policy: number, param: { sched_priority: number }) => unknown;

let setScheduler: SetScheduler | null | undefined;

function loadSetScheduler(): SetScheduler | null {
  const native = loadLibc();
  if (native === null) return null;
  try {
    native.koffi.struct('samsa_sched_param', { sched_priority: 'int' });
    return native.libc.func('int sched_setscheduler(int pid, int policy, const samsa_sched_param *param)');
  } catch {
    return null;
  }
}

/** Helper threads of this process, by Linux thread id (the main thread's id is the process id). */
export function helperThreadIds(): number[] {
  return readdirSync('/proc/self/task')
    .map(Number)
    .filter((tid) => Number.isInteger(tid) && tid !== process.pid);
}

/**
 * Puts every thread of this process but the main one under SCHED_BATCH. Returns how many threads
 * were changed, or undefined where that is not possible (not Linux, or koffi did not load).
 */
export function batchHelperThreads(): number | undefined {
  if (setScheduler === undefined) setScheduler = loadSetScheduler();
  if (setScheduler === null) return undefined;
  let changed = 0;
  for (const tid of helperThreadIds()) {
    // A thread may end between listing and the call; the call then fails and it is skipped.
    if (setScheduler(tid, SCHED_BATCH, { sched_priority: 0 }) === 0) changed++;
  }
  return changed;
}

/**
 * The scheduling policy of thread `tid` of process `pid` (this one by default), read from
 * /proc (Linux), or undefined when there is no such thread.
 */
export function threadPolicy(tid: number, pid: number | 'self' = 'self'): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 41 (policy), counted from field 3, which follows the parenthesised command name.
  const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
  return Number.isInteger(policy) ? policy : undefined;
}
