import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchHeader } from '../../src/protocol/records/batch-header.js';
import { OffsetOutOfRangeError } from '../../src/storage/errors.js';
import { PartitionLog, type PartitionLogConfig } from '../../src/storage/log/partition-log.js';
import type { LogOptions } from '../../src/storage/log-options.js';
import { MemoryFileSystem } from '../../src/storage/memory-file-system.js';
import { buildBatch, listBatches, simpleBatch } from './helpers.js';

const tp = { topic: 'orders', partition: 0 };

async function openLog(
  fs: MemoryFileSystem,
  options: Partial<LogOptions> = {},
  extra: Partial<PartitionLogConfig> = {},
) {
  return PartitionLog.open({ fs, dir: '/data/orders-0', topicPartition: tp, options, ...extra });
}

async function readAll(
  log: PartitionLog,
  from = log.logStartOffset,
): Promise<Array<{ baseOffset: number; lastOffset: number }>> {
  const batches: Array<{ baseOffset: number; lastOffset: number }> = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const result = await log.read(offset, 1024 * 1024, { minOneBatch: true });
    if (result.records.length === 0) break;
    for (const batch of listBatches(result.records)) {
      assert.ok(batch.crcOk, 'stored batch has a valid CRC');
      batches.push({ baseOffset: batch.baseOffset, lastOffset: batch.lastOffset });
      offset = batch.lastOffset + 1;
    }
  }
  return batches;
}

describe('PartitionLog append and read', () => {
  test('assigns consecutive offsets and reads them back across segment rolls', async () => {
    const fs = new MemoryFileSystem();
    await fs.mkdir('/data');
    const log = await openLog(fs, { segmentBytes: 1000, indexIntervalBytes: 200 });
    const expected: Array<{ baseOffset: number; lastOffset: number }> = [];
    for (let i = 0; i < 60; i++) {
      const count = 1 + (i % 4);
      const result = await log.append(simpleBatch(count, 30));
      assert.equal(result.baseOffset, expected.length ? expected[expected.length - 1]!.lastOffset + 1 : 0);
      assert.equal(result.lastOffset, result.baseOffset + count - 1);
      assert.equal(result.recordCount, count);
      expected.push({ baseOffset: result.baseOffset, lastOffset: result.lastOffset });
    }
    assert.ok(log.segmentCount > 5, `rolled into ${log.segmentCount} segments`);
    assert.equal(log.logEndOffset, expected[expected.length - 1]!.lastOffset + 1);
    assert.deepEqual(await readAll(log), expected);
    // Reading from the middle of a batch starts with the batch that holds the offset.
    const middle = expected[30]!;
    const result = await log.read(
      middle.baseOffset + (middle.lastOffset > middle.baseOffset ? 1 : 0),
      10_000,
    );
    assert.equal(listBatches(result.records)[0]!.baseOffset, middle.baseOffset);
    await log.close();
  });

  test('concurrent appends are grouped yet laid out, rolled and answered as one at a time', async () => {
    const options = { segmentBytes: 1000, indexIntervalBytes: 200, durability: 'fsync' as const };
    const counts = Array.from({ length: 60 }, (_, i) => 1 + (i % 4));
    const sequentialFs = new MemoryFileSystem();
    await sequentialFs.mkdir('/data');
    const sequential = await openLog(sequentialFs, options);
    const one: Array<{ baseOffset: number; lastOffset: number }> = [];
    for (const count of counts) {
      const { baseOffset, lastOffset } = await sequential.append(simpleBatch(count, 30));
      one.push({ baseOffset, lastOffset });
    }
    const fs = new MemoryFileSystem();
    await fs.mkdir('/data');
    const log = await openLog(fs, options);
    const results = await Promise.all(counts.map((count) => log.append(simpleBatch(count, 30))));
    assert.deepEqual(
      results.map(({ baseOffset, lastOffset }) => ({ baseOffset, lastOffset })),
      one,
    );
    assert.deepEqual(log.segmentBaseOffsets, sequential.segmentBaseOffsets);
    assert.deepEqual(await readAll(log), one);
    // A truncation queued between appends is not overtaken by the later ones.
    const before = log.append(simpleBatch(2, 30));
    const truncated = log.truncateTo(one[10]!.baseOffset);
    const after = log.append(simpleBatch(1, 30));
    await Promise.all([before, truncated]);
    assert.equal((await after).baseOffset, one[10]!.baseOffset);
  });

  test('rewrites baseOffset and partitionLeaderEpoch only', async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    const input = buildBatch([{ key: 'k', value: 'v' }]);
    const original = Buffer.from(input);
    await log.append(input, { leaderEpoch: 7 });
    await log.append(buildBatch([{ value: 'x' }]));
    const second = buildBatch([{ key: 'k2', value: 'v2' }]);
    const secondOriginal = Buffer.from(second);
    await log.append(second, { leaderEpoch: 9 });
    const { records } = await log.read(0, 100_000);
    const batches = listBatches(records);
    assert.equal(batches.length, 3);
    const first = records.subarray(0, batches[0]!.size);
    assert.equal(batchHeader.partitionLeaderEpoch(first), 7);
    assert.deepEqual(first.subarray(16), original.subarray(16), 'bytes after the epoch untouched');
    const third = records.subarray(batches[0]!.size + batches[1]!.size);
    assert.equal(batchHeader.baseOffset(third), 2);
    assert.equal(batchHeader.partitionLeaderEpoch(third), 9);
    assert.deepEqual(third.subarray(16), secondOriginal.subarray(16));
    await log.close();
  });

  test('LogAppendTime stamps maxTimestamp and the attribute, with a valid CRC', async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(
      fs,
      { messageTimestampType: 'LogAppendTime' },
      { time: () => 1_800_000_000_000 },
    );
    const result = await log.append(buildBatch([{ value: 'a', timestamp: 5 }]));
    assert.equal(result.logAppendTime, 1_800_000_000_000);
    const { records } = await log.read(0, 10_000);
    assert.equal(batchHeader.maxTimestamp(records), 1_800_000_000_000);
    assert.equal(batchHeader.timestampType(records), 1);
    assert.ok(listBatches(records)[0]!.crcOk);
    await log.close();
  });

  test('reads return whole batches only, within maxBytes, and honour KIP-74 minOneBatch', async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = simpleBatch(2, 100 + i * 50);
      sizes.push(batch.length);
      await log.append(batch);
    }
    for (let maxBytes = 1; maxBytes < 3000; maxBytes += 37) {
      const result = await log.read(0, maxBytes);
      const batches = listBatches(result.records);
      assert.ok(result.records.length <= maxBytes);
      let expectedBytes = 0;
      let count = 0;
      while (count < sizes.length && expectedBytes + sizes[count]! <= maxBytes)
        expectedBytes += sizes[count++]!;
      assert.equal(batches.length, count);
    }
    const tiny = await log.read(0, 10);
    assert.equal(tiny.records.length, 0);
    const one = await log.read(0, 10, { minOneBatch: true });
    assert.equal(listBatches(one.records).length, 1);
    assert.equal(one.records.length, sizes[0]);
    await log.close();
  });

  test('maxOffset bounds the read to batches below it', async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    for (let i = 0; i < 5; i++) await log.append(simpleBatch(3));
    const result = await log.read(0, 100_000, { maxOffset: 9 });
    assert.deepEqual(
      listBatches(result.records).map((batch) => batch.baseOffset),
      [0, 3, 6],
    );
    assert.equal((await log.read(9, 100_000, { maxOffset: 9 })).records.length, 0);
    await log.close();
  });

  test('out-of-range fetch offsets throw OffsetOutOfRangeError; the log end reads empty', async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    await log.append(simpleBatch(2));
    await assert.rejects(log.read(3, 1000), OffsetOutOfRangeError);
    await assert.rejects(log.read(-1, 1000), OffsetOutOfRangeError);
    const atEnd = await log.read(2, 1000);
    assert.equal(atEnd.records.length, 0);
    assert.equal(atEnd.logEndOffset, 2);
    assert.equal(atEnd.highWatermark, 2);
    await log.close();
  });

  test('rejects malformed input without changing the log', async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs, { maxMessageBytes: 500 });
    await log.append(simpleBatch(1));
    await assert.rejects(log.append(Buffer.alloc(30)), { code: 'ERR_CORRUPT_RECORD' });
    await assert.rejects(log.append(simpleBatch(1, 1000)), { code: 'ERR_RECORD_TOO_LARGE' });
    const bad = simpleBatch(1);
    bad.writeInt8(1, 16);
    await assert.rejects(log.append(bad), { code: 'ERR_CORRUPT_RECORD' });
    assert.equal(log.logEndOffset, 1);
    await log.close();
  });

  test('offsetForTimestamp finds the first batch at or after a time; max timestamp lookup', async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs, { segmentBytes: 600, indexIntervalBytes: 100 });
    for (let i = 0; i < 40; i++) await log.append(buildBatch([{ value: `v${i}`, timestamp: 1000 + i * 10 }]));
    assert.ok(log.segmentCount > 2);
    for (let i = 0; i < 40; i++) {
      assert.deepEqual(await log.offsetForTimestamp(1000 + i * 10), { offset: i, timestamp: 1000 + i * 10 });
      assert.equal((await log.offsetForTimestamp(1000 + i * 10 - 5))?.offset, i);
    }
    assert.equal(await log.offsetForTimestamp(5000), undefined);
    assert.equal((await log.offsetForTimestamp(0))?.offset, 0);
    assert.deepEqual(log.maxTimestampAndOffset(), { timestamp: 1390, offset: 39 });
    await log.close();
  });

  test('index lookups stay correct after reopening (clean close)', async () => {
    const fs = new MemoryFileSystem();
    let log = await openLog(fs, { segmentBytes: 2000, indexIntervalBytes: 100 });
    for (let i = 0; i < 100; i++) await log.append(simpleBatch(1 + (i % 3), 20));
    const before = await readAll(log);
    await log.close();
    log = await openLog(fs, { segmentBytes: 2000, indexIntervalBytes: 100 }, { cleanShutdown: true });
    assert.equal(log.recoveryStats.batchesScanned, 0);
    assert.deepEqual(await readAll(log), before);
    for (const { baseOffset, lastOffset } of before) {
      const result = await log.read(lastOffset, 1);
      assert.equal(result.records.length, 0);
      const one = await log.read(lastOffset, 1, { minOneBatch: true });
      assert.equal(listBatches(one.records)[0]!.baseOffset, baseOffset);
    }
    const next = await log.append(simpleBatch(1));
    assert.equal(next.baseOffset, before[before.length - 1]!.lastOffset + 1);
    await log.close();
  });
});
