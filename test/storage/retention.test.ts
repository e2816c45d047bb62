import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OffsetOutOfRangeError } from '../../src/storage/errors.js';
import { PartitionLog } from '../../src/storage/log/partition-log.js';
import type { LogOptions } from '../../src/storage/log-options.js';
import { MemoryFileSystem } from '../../src/storage/memory-file-system.js';
import { buildBatch, listBatches, simpleBatch } from './helpers.js';

const dir = '/data/logs-0';
const DAY = 24 * 60 * 60 * 1000;

async function open(fs: MemoryFileSystem, options: Partial<LogOptions>, now: () => number = Date.now) {
  return PartitionLog.open({ fs, dir, topicPartition: { topic: 'logs', partition: 0 }, options, time: now });
}

async function logFiles(fs: MemoryFileSystem): Promise<string[]> {
  return (await fs.readdir(dir)).filter((name) => name.endsWith('.log'));
}

describe('retention', () => {
  test('by time: deletes whole old segments by their largest timestamp, never the active one with newer data', async () => {
    const fs = new MemoryFileSystem();
    let now = 10 * DAY;
    const log = await open(fs, { segmentBytes: 500, retentionMs: DAY }, () => now);
    // Ten batches per "day" for five days.
    for (let day = 0; day < 5; day++) {
      for (let i = 0; i < 10; i++)
        await log.append(buildBatch([{ value: 'x'.repeat(60), timestamp: (5 + day) * DAY + i }]));
    }
    const segmentsBefore = log.segmentCount;
    assert.ok(segmentsBefore > 10);
    now = 9 * DAY + DAY / 2; // data of days 5..8 is older than one day; day 9 is not.
    const deleted = await log.deleteOldSegments();
    assert.ok(deleted > 0);
    assert.equal(log.segmentCount, segmentsBefore - deleted);
    assert.equal((await logFiles(fs)).length, log.segmentCount);
    // Everything left is readable from the new log start, and no record of the last day was lost.
    assert.ok(log.logStartOffset > 30 && log.logStartOffset <= 40, `log start ${log.logStartOffset}`);
    const { records } = await log.read(log.logStartOffset, 1 << 20);
    assert.equal(listBatches(records)[0]!.baseOffset, log.logStartOffset);
    await assert.rejects(log.read(0, 100), OffsetOutOfRangeError);
    // When everything has expired the active segment is replaced by an empty one, offsets go on.
    now = 20 * DAY;
    await log.deleteOldSegments();
    assert.equal(log.segmentCount, 1);
    assert.equal(log.logStartOffset, 50);
    assert.equal(log.logEndOffset, 50);
    assert.equal((await log.append(simpleBatch(1))).baseOffset, 50);
    await log.close();
  });

  test('by size: keeps the partition under retention.bytes, deleting oldest segments first', async () => {
    const fs = new MemoryFileSystem();
    const log = await open(fs, { segmentBytes: 1000, retentionBytes: 2500, retentionMs: -1 });
    for (let i = 0; i < 60; i++) await log.append(simpleBatch(1, 100));
    const before = log.size;
    assert.ok(before > 5000);
    const deleted = await log.deleteOldSegments();
    assert.ok(deleted > 0);
    assert.ok(log.size <= 2500 + 1000, `size ${log.size}`);
    assert.ok(log.size > 2500 - 1000);
    assert.equal(log.logStartOffset, log.segmentBaseOffsets[0]);
    assert.equal(log.logEndOffset, 60);
    await log.close();
  });

  test('compact-only topics are not subject to time or size retention', async () => {
    const fs = new MemoryFileSystem();
    const log = await open(fs, {
      segmentBytes: 500,
      retentionBytes: 100,
      retentionMs: 1,
      cleanupPolicy: 'compact',
    });
    for (let i = 0; i < 20; i++) await log.append(simpleBatch(1, 100));
    assert.equal(await log.deleteOldSegments(), 0);
    await log.close();
  });

  test('deleteRecordsBefore moves the log start offset and deletes segments wholly below it', async () => {
    const fs = new MemoryFileSystem();
    const log = await open(fs, { segmentBytes: 600 });
    for (let i = 0; i < 30; i++) await log.append(simpleBatch(2, 40));
    const bases = log.segmentBaseOffsets;
    const target = bases[3]! + 1;
    assert.equal(await log.deleteRecordsBefore(target), target);
    assert.equal(log.logStartOffset, target);
    assert.equal(log.segmentBaseOffsets[0], bases[3]);
    await assert.rejects(log.read(target - 1, 100), OffsetOutOfRangeError);
    const { records } = await log.read(target, 1 << 20);
    assert.ok(listBatches(records)[0]!.lastOffset >= target);
    await assert.rejects(log.deleteRecordsBefore(61), OffsetOutOfRangeError);
    // Up to the high watermark: everything goes, the log stays writable at the same offsets.
    await log.deleteRecordsBefore(60);
    assert.equal(log.segmentCount, 1);
    assert.equal(log.logStartOffset, 60);
    assert.equal((await log.append(simpleBatch(1))).baseOffset, 60);
    await log.close();
  });

  test('a reader holding a deleted segment finishes its read', async () => {
    const fs = new MemoryFileSystem();
    const log = await open(fs, { segmentBytes: 600 });
    for (let i = 0; i < 30; i++) await log.append(simpleBatch(2, 40));
    const reading = log.read(0, 1 << 20);
    await log.deleteRecordsBefore(40);
    const { records } = await reading;
    assert.equal(listBatches(records)[0]!.baseOffset, 0);
    assert.ok((await fs.readdir(dir)).every((name) => !name.startsWith('00000000000000000000')));
    await log.close();
  });

  test('truncateTo removes the tail (replication) and appends continue from there', async () => {
    const fs = new MemoryFileSystem();
    const log = await open(fs, { segmentBytes: 600 });
    for (let i = 0; i < 30; i++) await log.append(simpleBatch(2, 40));
    await log.truncateTo(25 * 2);
    assert.equal(log.logEndOffset, 50);
    assert.equal(log.highWatermark, 50);
    const result = await log.append(simpleBatch(1));
    assert.equal(result.baseOffset, 50);
    const all: number[] = [];
    let offset = 0;
    while (offset < log.logEndOffset) {
      const { records } = await log.read(offset, 1 << 20);
      const batches = listBatches(records);
      all.push(...batches.map((batch) => batch.baseOffset));
      offset = batches[batches.length - 1]!.lastOffset + 1;
    }
    assert.deepEqual(all, [...Array.from({ length: 25 }, (_, i) => i * 2), 50]);
    await log.truncateTo(0);
    assert.equal(log.logEndOffset, 0);
    assert.equal(log.segmentCount, 1);
    await log.close();
  });
});
