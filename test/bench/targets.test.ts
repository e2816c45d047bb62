import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTargets, renderTargets, resultsForTargets, type TargetCheck } from '../../bench/lib/targets.js';

const rows = (entries: Record<string, readonly number[]>, key = 'recordsPerSec') =>
  Object.entries(entries).map(([id, values]) => ({ id, samples: values.map((value) => ({ [key]: value })) }));

/** A results file shaped like bench/run.ts writes it, with a few rows of each kind. */
const run = {
  rows: rows({
    'samsa/produce/100B/fsync/p1/acks1': [90, 110, 100],
    'kafka/produce/100B/p1/acks1': [200, 180, 220],
    'kafka/produce/100B/flush1/p1/acks1': [25],
    'samsa/produce/100B/pagecache/p1/acks1': [300],
    'samsa/produce/1024B/fsync/p6/acks1': [100],
    'samsa/produce/1024B/fsync/p1000/acks1': [75],
    'samsa/produce/100B/fsync/p6/acks1': [100],
    'samsa/produce/100B/fsync/p1000/acks1': [69],
    'samsa/consume/100B/fsync/p6': [null as unknown as number, 10],
    'kafka/consume/100B/p6': [10],
  }),
  latency: rows({ 'samsa/latency/10000': [4, 6, 5], 'kafka/latency/10000': [5] }, 'p99'),
  recovery: [
    { id: 'samsa/recovery/1MB', samples: [{ fetchMs: 300, logMiB: 1 }] },
    { id: 'samsa/recovery/200MB', samples: [{ fetchMs: 400, logMiB: 202 }] },
    { id: 'samsa/recovery/1024MB', samples: [{ fetchMs: 700, logMiB: 1035 }] },
    { id: 'samsa/recovery/1MB/seg128MB', samples: [{ fetchMs: 400, logMiB: 1 }] },
    { id: 'samsa/recovery/1024MB/seg128MB', samples: [{ fetchMs: 500, logMiB: 1035 }] },
  ],
  startup: {
    spawnToConnectMs: { median: 432, min: 400, max: 470, n: 5 },
    // 96 MiB is 100.7 MB: over the 100 MB
    idleRssMiB: { median: 96, min: 95, max: 97, n: 5 },
    inProcessDiskMs: { median: 17.6, min: 9, max: 30, n: 20 },
    inProcessMemoryMs: { median: 2.5, min: 2, max: 5, n: 20 },
  },
};

function find(checks: readonly TargetCheck[], start: string): TargetCheck {
  const found = checks.find((c) => c.target.startsWith(start));
  assert.ok(found, `no target starting with ${start}`);
  return found;
}

describe('bench targets', () => {
  const checks = checkTargets(resultsForTargets(JSON.parse(JSON.stringify(run))));

  it('compares medians of the same run, Samsa over Kafka', () => {
    const produce = find(checks, 'produce, our generator: Samsa fsync');
    assert.equal(produce.measured, 1);
    assert.equal(produce.met, 0);
    assert.equal(produce.status, 'missed');
    assert.deepEqual(produce.figures, ['100 B, 1 partition, acks=1: 0.50× (100 / 200)']);
    const pagecache = find(checks, 'produce, our generator: Samsa pagecache');
    assert.equal(pagecache.status, 'met');
    assert.match(pagecache.figures[0]!, /\*\*1\.50×\*\*/);
    const matched = find(checks, 'produce, matched durability');
    assert.deepEqual(matched.figures, ['100 B, 1 partition, acks=1: **4.00×** (100 / 25.0)']);
  });

  it('shows how much of each produce row reached the disk where the run measured it', () => {
    const withDisk = {
      rows: [
        {
          id: 'samsa/produce/1024B/fsync/p6/acks1',
          samples: [
            { recordsPerSec: 250, diskShare: 1.08 },
            { recordsPerSec: 240, diskShare: 1.1 },
          ],
        },
        { id: 'kafka/produce/1024B/p6/acks1', samples: [{ recordsPerSec: 350, diskShare: 0 }] },
        // a Kafka row of an older run, without the figure: the ratio stays, the disk part goes
        { id: 'samsa/produce/100B/fsync/p6/acks1', samples: [{ recordsPerSec: 200, diskShare: 1.2 }] },
        { id: 'kafka/produce/100B/p6/acks1', samples: [{ recordsPerSec: 100 }] },
      ],
    };
    const produce = find(checkTargets(resultsForTargets(withDisk)), 'produce, our generator: Samsa fsync');
    assert.deepEqual(produce.figures, [
      '100 B, 6 partitions, acks=1: **2.00×** (200 / 100)',
      '1 KiB, 6 partitions, acks=1: 0.70× (245 / 350; written to disk during the row: 109 % / 0 %)',
    ]);
  });

  it('takes lower as better for latency, and skips samples JSON turned into null', () => {
    const p99 = find(checks, 'p99 end-to-end latency');
    assert.equal(p99.status, 'met');
    assert.equal(p99.figures[0], '10 k records/s: **1.00×** (5.0 ms / 5.0 ms)');
    const consume = find(checks, 'consume, C reader');
    assert.equal(consume.status, 'met');
    assert.equal(consume.measured, 1);
  });

  it('checks 1,000 partitions against the same run’s 6 partitions at 70 %', () => {
    const many = find(checks, 'produce with 1000 partitions');
    assert.equal(many.measured, 2);
    assert.equal(many.met, 1);
    assert.equal(many.status, 'missed');
    assert.match(many.figures.join('\n'), /100 B, 1000 \/ 6 partitions: 0\.69×/);
    assert.match(many.figures.join('\n'), /1 KiB, 1000 \/ 6 partitions: \*\*0\.75×\*\*/);
  });

  it('holds start-up, memory and in-process figures to their limits, in MB where the issue says MB', () => {
    assert.equal(find(checks, 'start-up').status, 'met');
    const rss = find(checks, 'idle RSS');
    assert.equal(rss.status, 'missed');
    assert.deepEqual(rss.figures, ['96 MiB']);
    assert.equal(find(checks, 'in-process broker').status, 'met');
  });

  it('judges recovery per segment size by how the time grows with a log four or more times larger', () => {
    const recovery = find(checks, 'recovery after SIGKILL');
    assert.equal(recovery.measured, 2);
    assert.equal(recovery.met, 1);
    assert.match(
      recovery.figures.join('\n'),
      /default segments: 300 → 400 → 700 ms for 1 → 202 → 1035 MiB \(1035 against 202 MiB: 1\.75×\)/,
    );
    assert.match(recovery.figures.join('\n'), /seg128MB: 400 → 500 ms .*: 1\.25×\)/);
  });

  it('says which targets a run did not measure, also for a file without those parts', () => {
    assert.equal(find(checks, 'produce, kafka-producer-perf-test: Samsa fsync').status, 'not measured');
    const empty = checkTargets(resultsForTargets({}));
    assert.ok(empty.every((c) => c.status === 'not measured'));
    const table = renderTargets(empty);
    assert.match(table, /^\| target \| this run/);
    assert.equal(table.split('\n').length, 2 + empty.length);
    assert.throws(() => resultsForTargets(null), /not a results object/);
  });
});
