import assert from 'node:assert/strict';
import { readSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { PartitionLog } from '../../src/storage/log/partition-log.js';
import { MemoryFileSystem } from '../../src/storage/memory-file-system.js';
import { NodeFileSystem } from '../../src/storage/node-file-system.js';
import type { FileRegion } from '../../src/util/file-region.js';
import { nativeFiles } from '../../src/util/sendfile.js';
import { listBatches, simpleBatch } from './helpers.js';

const tp = { topic: 'orders', partition: 0 };

function regionBytes(region: FileRegion): Buffer {
  const bytes = Buffer.alloc(region.length);
  let got = 0;
  while (got < region.length) {
    const n = readSync(region.fd, bytes, got, region.length - got, region.position + got);
    if (n === 0) break;
    got += n;
  }
  return bytes.subarray(0, got);
}

async function withDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-region-read-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A log on the real disk under `dir`, holding `batches` appended one after the other. */
async function diskLog(dir: string, batches: readonly Buffer[], options = {}): Promise<PartitionLog> {
  const log = await PartitionLog.open({
    fs: new NodeFileSystem(),
    dir: join(dir, 'orders-0'),
    topicPartition: tp,
    options,
  });
  for (const batch of batches) await log.append(batch);
  return log;
}

/**
 * A read answered with a file region covers the bytes a read into memory returns: the same whole
 * batches from the same start, whatever the batch sizes, the index interval, the byte limit and
 * the offset limit; a cut by the byte limit may come at the last index entry before it.
 */
describe('reads as file regions', { skip: nativeFiles() === undefined ? 'needs Linux' : false }, () => {
  test('cover the batches of a read into memory, from the same start', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ count: fc.integer({ min: 1, max: 20 }), size: fc.integer({ min: 1, max: 3000 }) }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.constantFrom(300, 1000, 4096),
        fc.array(
          fc.record({
            at: fc.double({ min: 0, max: 1, noNaN: true }),
            maxBytes: fc.integer({ min: 0, max: 150_000 }),
            limit: fc.double({ min: 0, max: 1, noNaN: true }),
            minOneBatch: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (batches, indexIntervalBytes, reads) =>
          withDir(async (dir) => {
            const log = await diskLog(
              dir,
              batches.map(({ count, size }) => simpleBatch(count, size)),
              { segmentBytes: 200_000, indexIntervalBytes },
            );
            try {
              const end = log.logEndOffset;
              for (const read of reads) {
                const fetchOffset = Math.floor(read.at * end);
                const maxOffset = fetchOffset + Math.ceil(read.limit * (end - fetchOffset));
                const options = { maxOffset, minOneBatch: read.minOneBatch };
                const copied = await log.read(fetchOffset, read.maxBytes, options);
                const sent = await log.read(fetchOffset, read.maxBytes, { ...options, regionMinBytes: 0 });
                if (copied.records.length === 0) {
                  assert.equal(sent.region, undefined);
                  assert.equal(sent.records.length, 0);
                  continue;
                }
                assert.ok(sent.region, 'a non-empty read becomes a region');
                assert.equal(sent.records.length, 0);
                assert.equal(sent.firstOffset, copied.firstOffset);
                // The same batches, or fewer when cut by maxBytes at an index entry: a prefix of
                // the copy that ends where one of its batches ends, short by less than an index
                // interval and a batch.
                const ends: number[] = [];
                for (const batch of listBatches(copied.records)) ends.push((ends.at(-1) ?? 0) + batch.size);
                const largest = Math.max(...listBatches(copied.records).map((batch) => batch.size));
                assert.ok(ends.includes(sent.region.length), 'ends at a batch end');
                assert.ok(copied.records.length - sent.region.length <= indexIntervalBytes + largest);
                assert.ok(regionBytes(sent.region).equals(copied.records.subarray(0, sent.region.length)));
                sent.region.release();
              }
            } finally {
              await log.close();
            }
          }),
      ),
      { numRuns: 40 },
    );
  });

  test('smaller reads than regionMinBytes, and logs in memory, are read into memory', async () => {
    await withDir(async (dir) => {
      const log = await diskLog(
        dir,
        Array.from({ length: 10 }, () => simpleBatch(10, 100)),
      );
      const small = await log.read(0, 1 << 20, { regionMinBytes: 1 << 20 });
      assert.equal(small.region, undefined);
      assert.ok(small.records.length > 0);
      const large = await log.read(0, 1 << 20, { regionMinBytes: 1024 });
      assert.ok(large.region);
      assert.equal(large.region.length, small.records.length, 'up to the log end: every batch');
      large.region.release();
      await log.close();
    });
    const memory = await PartitionLog.open({
      fs: new MemoryFileSystem(),
      dir: '/d/orders-0',
      topicPartition: tp,
    });
    await memory.append(simpleBatch(10, 100));
    const result = await memory.read(0, 1 << 20, { regionMinBytes: 0 });
    assert.equal(result.region, undefined);
    assert.ok(result.records.length > 0);
    await memory.close();
  });

  test('a region outlives its log: closed and deleted, its bytes still read', async () => {
    await withDir(async (dir) => {
      const log = await diskLog(
        dir,
        Array.from({ length: 20 }, () => simpleBatch(5, 500)),
      );
      const copied = await log.read(0, 1 << 20);
      const { region } = await log.read(0, 1 << 20, { regionMinBytes: 0 });
      assert.ok(region);
      await log.close();
      await rm(join(dir, 'orders-0'), { recursive: true });
      assert.ok(regionBytes(region).equals(copied.records));
      region.release();
      assert.equal(region.isReleased, true);
      assert.throws(() => readSync(region.fd, Buffer.alloc(1), 0, 1, 0), /EBADF/, 'its descriptor is closed');
    });
  });
});
