import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  batchHelperThreads,
  helperThreadIds,
  SCHED_BATCH,
  threadPolicy,
} from '../../src/util/thread-scheduling.js';
import { startBrokerProcess } from '../helpers/broker-process.js';

const SCHED_OTHER = 0;

/** Scheduling policy of each thread of another process, by thread id. */
function policiesOf(pid: number): Map<number, number> {
  const policies = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    const policy = threadPolicy(tid, pid);
    if (policy !== undefined) policies.set(tid, policy); // undefined: the thread ended meanwhile
  }
  return policies;
}

// Linux only, as the feature: elsewhere batchHelperThreads returns undefined and changes nothing.
describe('helper threads under SCHED_BATCH', { skip: process.platform !== 'linux' }, () => {
  it('batchHelperThreads batches every helper thread and leaves the main one', () => {
    const before = helperThreadIds();
    assert.ok(before.length > 0, 'a Node process has helper threads');
    assert.equal(threadPolicy(process.pid), SCHED_OTHER);
    const changed = batchHelperThreads();
    assert.ok(changed !== undefined && changed > 0, `changed ${changed}`);
    // A thread that ended in between has no policy any more; every one still there is batched.
    const alive = before.filter((tid) => threadPolicy(tid) !== undefined);
    assert.deepEqual(
      alive.filter((tid) => threadPolicy(tid) === SCHED_BATCH),
      alive,
    );
    assert.equal(threadPolicy(process.pid), SCHED_OTHER);
  });

  it('threadPolicy is undefined for a thread that does not exist', () => {
    assert.equal(threadPolicy(2 ** 30), undefined);
  });

  it('samsa start batches its helper threads with samsa.threads.sched.batch=true, not by default', async () => {
    const on = await startBrokerProcess({ args: ['--set', 'samsa.threads.sched.batch=true'] });
    try {
      const pid = on.process.pid!;
      const policies = policiesOf(pid);
      assert.equal(policies.get(pid), SCHED_OTHER, 'the event loop keeps the normal policy');
      const batched = [...policies].filter(([tid, policy]) => tid !== pid && policy === SCHED_BATCH);
      assert.ok(batched.length >= 4, `${batched.length} helper threads batched: ${[...policies]}`);
    } finally {
      await on.stop();
    }
    const off = await startBrokerProcess();
    try {
      const policies = policiesOf(off.process.pid!);
      assert.deepEqual([...new Set(policies.values())], [SCHED_OTHER]);
    } finally {
      await off.stop();
    }
  });
});
