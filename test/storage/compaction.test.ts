import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readRecords } from '../../src/protocol/records/records.js';
import { cleanLog } from '../../src/storage/cleaner/log-cleaner.js';
import { PartitionLog } from '../../src/storage/log/partition-log.js';
import type { LogOptions } from '../../src/storage/log-options.js';
import { MemoryFileSystem } from '../../src/storage/memory-file-system.js';
import { buildBatch } from './helpers.js';

const dir = '/data/users-0';
const HOUR = 60 * 60 * 1000;

async function newFs(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/data');
  await fs.syncDirectory('/');
  return fs;
}

async function open(fs: MemoryFileSystem, options: Partial<LogOptions>) {
  return PartitionLog.open({ fs, dir, topicPartition: { topic: 'users', partition: 0 }, options });
}

async function allRecords(log: PartitionLog) {
  const out: Array<{ offset: number; key: string; value: string | null }> = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = await log.read(offset, 1 << 20, { minOneBatch: true });
    if (records.length === 0) break;
    let position = 0;
    while (position < records.length) {
      const size = records.readInt32BE(position + 8) + 12;
      const batch = records.subarray(position, position + size);
      for (const record of readRecords(batch)) {
        out.push({
          offset: record.offset,
          key: record.key!.toString(),
          value: record.value?.toString() ?? null,
        });
      }
      offset = batch.readInt32BE(0) * 2 ** 32 + batch.readUInt32BE(4) + batch.readInt32BE(23) + 1;
      position += size;
    }
  }
  return out;
}

describe('compaction', () => {
  test('keeps the latest record per key, preserves offsets, drops tombstones after delete.retention.ms', async () => {
    const fs = await newFs();
    const options: Partial<LogOptions> = {
      segmentBytes: 400,
      cleanupPolicy: 'compact',
      deleteRetentionMs: HOUR,
    };
    const log = await open(fs, options);
    const t0 = 1_000_000;
    const written: Array<{ key: string; value: string | null }> = [];
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 5; k++) {
        const value = round === 4 && k === 0 ? null : `v${round}-${k}`;
        written.push({ key: `key${k}`, value });
        await log.append(buildBatch([{ key: `key${k}`, value, timestamp: t0 + round * 10 + k }]));
      }
    }
    // key0's tombstone at round 4 is superseded by round 5; delete key1 for good at the end.
    written.push({ key: 'key1', value: null });
    await log.append(buildBatch([{ key: 'key1', value: null, timestamp: t0 + 100 }]));
    // A last record in the active segment, which is never cleaned.
    await log.append(buildBatch([{ key: 'key9', value: 'active'.repeat(60), timestamp: t0 + 200 }]));
    await log.append(buildBatch([{ key: 'key9', value: 'active2'.repeat(60), timestamp: t0 + 201 }]));
    const before = await allRecords(log);
    assert.ok(log.segmentCount > 3);

    const stats = await cleanLog(log, t0 + 1000);
    assert.ok(stats.segmentsCleaned > 0 && stats.recordsRemoved > 0);
    const after = await allRecords(log);
    // Every surviving record is the original one at its original offset.
    for (const record of after)
      assert.deepEqual(
        record,
        before.find((r) => r.offset === record.offset),
      );
    const cleanedPart = after.filter((record) => record.key !== 'key9');
    const keys = cleanedPart.map((record) => record.key);
    assert.equal(new Set(keys).size, keys.length, 'one record per key');
    for (const record of cleanedPart) {
      const last = [...before].reverse().find((r) => r.key === record.key)!;
      assert.equal(record.offset, last.offset, `latest ${record.key} kept`);
    }
    assert.deepEqual(after.find((record) => record.key === 'key1')?.value, null, 'fresh tombstone kept');
    assert.equal(after.filter((record) => record.key === 'key9').length, 2, 'active segment untouched');

    // After delete.retention.ms the tombstone goes too.
    await cleanLog(log, t0 + 2 * HOUR);
    const final = await allRecords(log);
    assert.equal(
      final.find((record) => record.key === 'key1'),
      undefined,
    );
    assert.deepEqual(
      final
        .filter((r) => r.key !== 'key9')
        .map((r) => r.key)
        .sort(),
      ['key0', 'key2', 'key3', 'key4'],
    );

    // The result is durable and reloads the same; appends continue at the same offsets.
    const end = log.logEndOffset;
    const recovered = await open(fs.crash(), options);
    assert.deepEqual(await allRecords(recovered), final);
    assert.equal(recovered.logEndOffset, end);
    assert.equal((await recovered.append(buildBatch([{ key: 'x', value: 'y' }]))).baseOffset, end);
    await recovered.close();
    await log.close();
  });

  test('an interrupted swap is completed at the next start', async () => {
    const fs = await newFs();
    const options: Partial<LogOptions> = { segmentBytes: 300, cleanupPolicy: 'compact' };
    const log = await open(fs, options);
    for (let i = 0; i < 20; i++)
      await log.append(buildBatch([{ key: `k${i % 2}`, value: `v${i}`, timestamp: 1000 + i }]));
    const beforeClean = fs.crash();
    await cleanLog(log, 10_000);
    const cleanedRecords = await allRecords(log);
    const firstBase = log.segmentBaseOffsets[0]!;
    const name = `${String(firstBase).padStart(20, '0')}.log`;
    const cleanedFirst = await fs.readFile(`${dir}/${name}`);
    await log.close();
    // State at a crash between steps 2 and 3 for the first segment: old segment and a .swap.
    await beforeClean.writeFile(`${dir}/${name}.swap`, cleanedFirst);
    await beforeClean.syncDirectory(dir);
    const reopened = await open(beforeClean, options);
    const records = await allRecords(reopened);
    const firstSegmentEnd = reopened.segmentBaseOffsets[1]!;
    assert.deepEqual(
      records.filter((record) => record.offset < firstSegmentEnd),
      cleanedRecords.filter((record) => record.offset < firstSegmentEnd),
    );
    assert.equal((await beforeClean.readdir(dir)).filter((n) => n.includes('.swap')).length, 0);
    await reopened.close();
  });
});
