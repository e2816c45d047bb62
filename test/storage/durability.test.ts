import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { StorageError } from '../../src/storage/errors.js';
import { PartitionLog } from '../../src/storage/log/partition-log.js';
import type { Durability, FsyncMethod, LogOptions } from '../../src/storage/log-options.js';
import { MemoryFileSystem } from '../../src/storage/memory-file-system.js';
import { buildBatch, listBatches, simpleBatch } from './helpers.js';

const dir = '/data/events-0';
const topicPartition = { topic: 'events', partition: 0 };

async function freshFs(
  options: ConstructorParameters<typeof MemoryFileSystem>[0] = {},
): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem(options);
  await fs.mkdir('/data');
  await fs.syncDirectory('/');
  return fs;
}

function open(fs: MemoryFileSystem, options: Partial<LogOptions> = {}, recoveryPoint = 0) {
  return PartitionLog.open({ fs, dir, topicPartition, options, recoveryPoint });
}

async function readAllBytes(log: PartitionLog): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = await log.read(offset, 1 << 20, { minOneBatch: true });
    if (records.length === 0) break;
    parts.push(records);
    const batches = listBatches(records);
    offset = batches[batches.length - 1]!.lastOffset + 1;
  }
  return Buffer.concat(parts);
}

describe('group commit', () => {
  test('concurrent appends share fsyncs, and none resolves before its data is durable', async () => {
    const fs = await freshFs({ syncDelayMs: 3 });
    const log = await open(fs, { fsyncMethod: 'fdatasync' });
    const syncsBefore = fs.stats.fileSyncs;
    const batchSize = simpleBatch(1, 50).length;
    const appends = Array.from({ length: 200 }, async () => {
      const result = await log.append(simpleBatch(1, 50));
      const durable = fs.durableContent(`${dir}/00000000000000000000.log`)!;
      assert.ok(durable.length >= (result.lastOffset + 1) * batchSize, `offset ${result.lastOffset} durable`);
      return result;
    });
    const results = await Promise.all(appends);
    const syncs = fs.stats.fileSyncs - syncsBefore;
    assert.deepEqual(
      results.map((result) => result.baseOffset),
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.ok(syncs <= 5, `200 concurrent appends took ${syncs} fsyncs`);
    assert.equal(log.highWatermark, 200);
    assert.equal(log.recoveryPoint, 200);
    await log.close();
  });

  test('appends to several partitions share one flusher round', async () => {
    const fs = await freshFs({ syncDelayMs: 3 });
    const { GroupCommit } = await import('../../src/storage/log/group-commit.js');
    const flusher = new GroupCommit();
    const logs = await Promise.all(
      [0, 1, 2, 3].map((partition) =>
        PartitionLog.open({
          fs,
          dir: `/data/t-${partition}`,
          topicPartition: { topic: 't', partition },
          flusher,
          options: { fsyncMethod: 'fdatasync' },
        }),
      ),
    );
    await Promise.all(logs.flatMap((log) => Array.from({ length: 25 }, () => log.append(simpleBatch(1)))));
    assert.ok(flusher.stats.rounds <= 3, `${flusher.stats.rounds} rounds for 100 appends on 4 partitions`);
    assert.ok(flusher.stats.flushes <= 12);
    for (const log of logs) await log.close();
  });

  test('dsync: concurrent appends share synced writes, none resolves before its data is durable, no fsync', async () => {
    const fs = await freshFs({ syncDelayMs: 3 });
    const log = await open(fs);
    const before = { ...fs.stats };
    const batchSize = simpleBatch(1, 50).length;
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const result = await log.append(simpleBatch(1, 50));
        const durable = fs.durableContent(`${dir}/00000000000000000000.log`)!;
        assert.ok(durable.length >= (result.lastOffset + 1) * batchSize, `append ${i} durable`);
        return result;
      }),
    );
    assert.deepEqual(
      results.map((result) => result.baseOffset),
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.equal(fs.stats.fileSyncs, before.fileSyncs, 'no fdatasync on the append path');
    const syncedWrites = fs.stats.syncedWrites - before.syncedWrites;
    assert.ok(
      syncedWrites >= 1 && syncedWrites <= 5,
      `200 concurrent appends took ${syncedWrites} synced writes`,
    );
    assert.equal(log.recoveryPoint, 200);
    // Appends one at a time: each is its own synced write, durable when it resolves.
    for (let i = 0; i < 5; i++) {
      const { lastOffset } = await log.append(simpleBatch(1, 50));
      assert.equal(
        fs.durableContent(`${dir}/00000000000000000000.log`)!.length,
        (lastOffset + 1) * batchSize,
      );
    }
    assert.equal(fs.stats.syncedWrites - before.syncedWrites, syncedWrites + 5);
    await log.close();
    const reopened = await open(fs.crash());
    assert.equal(reopened.logEndOffset, 205);
    await reopened.close();
  });

  test('pagecache mode acknowledges after the write and flushes by flush.messages', async () => {
    const fs = await freshFs();
    const log = await open(fs, { durability: 'pagecache', flushMessages: 10 });
    const syncsBefore = fs.stats.fileSyncs;
    for (let i = 0; i < 9; i++) await log.append(simpleBatch(1));
    assert.equal(fs.stats.fileSyncs, syncsBefore);
    assert.equal(log.recoveryPoint, 0);
    await log.append(simpleBatch(1));
    assert.equal(fs.stats.fileSyncs, syncsBefore + 1);
    assert.equal(log.recoveryPoint, 10);
    await log.close();
  });

  test('the segment roll fsyncs the directory', async () => {
    const fs = await freshFs();
    const log = await open(fs, { segmentBytes: 300 });
    const before = fs.stats.directorySyncs;
    for (let i = 0; i < 10; i++) await log.append(simpleBatch(1, 100));
    assert.ok(log.segmentCount >= 4);
    assert.ok(fs.stats.directorySyncs - before >= log.segmentCount - 1);
    // Everything acknowledged survives a power loss, segment files included.
    const recovered = await open(fs.crash());
    assert.equal(recovered.logEndOffset, 10);
    await recovered.close();
    await log.close();
  });
});

describe('I/O failures', () => {
  test('ENOSPC fails the append with StorageError and leaves earlier data intact', async () => {
    const fs = await freshFs();
    const log = await open(fs, { segmentIndexBytes: 1024 });
    for (let i = 0; i < 5; i++) await log.append(simpleBatch(2, 100));
    const before = await readAllBytes(log);
    fs.capacity = fs.usedBytes() + 150;
    await log.append(simpleBatch(1, 20));
    const afterSmall = await readAllBytes(log);
    const error = await log.append(simpleBatch(2, 100)).catch((caught: unknown) => caught);
    assert.ok(error instanceof StorageError);
    assert.equal(error.code, 'ERR_STORAGE_FULL');
    assert.equal(error.systemCode, 'ENOSPC');
    assert.equal(log.logEndOffset, 11);
    assert.deepEqual(await readAllBytes(log), afterSmall);
    assert.deepEqual(afterSmall.subarray(0, before.length), before);
    // The partial write was cut back: the file holds whole batches only.
    assert.equal((await fs.stat(`${dir}/00000000000000000000.log`)).size, afterSmall.length);
    fs.capacity = undefined;
    const next = await log.append(simpleBatch(1));
    assert.equal(next.baseOffset, 11);
    await log.close();
  });

  test('a torn write (EIO after a prefix) is rolled back; the next append reuses the offsets', async () => {
    const fs = await freshFs();
    const log = await open(fs, { fsyncMethod: 'fdatasync' });
    await log.append(simpleBatch(3));
    fs.failWrite(1, { keepBytes: 40 });
    await assert.rejects(log.append(simpleBatch(2)), (error: unknown) => {
      return error instanceof StorageError && error.code === 'ERR_STORAGE_IO';
    });
    assert.equal(log.logEndOffset, 3);
    const result = await log.append(simpleBatch(2));
    assert.equal(result.baseOffset, 3);
    assert.deepEqual(
      listBatches(await readAllBytes(log)).map((batch) => batch.baseOffset),
      [0, 3],
    );
    await log.close();
  });

  for (const fsyncMethod of ['fdatasync', 'dsync'] as const) {
    test(`${fsyncMethod}: a failed sync rejects the waiting appends and takes the log offline`, async () => {
      const fs = await freshFs();
      const log = await open(fs, { fsyncMethod });
      await log.append(simpleBatch(1));
      fs.failSync(1);
      await assert.rejects(log.append(simpleBatch(1)), { name: 'StorageError' });
      await assert.rejects(log.append(simpleBatch(1)), { code: 'ERR_LOG_OFFLINE' });
      await assert.rejects(log.read(0, 100), { code: 'ERR_LOG_OFFLINE' });
      await log.close();
      const reopened = await open(fs.crash());
      assert.ok(reopened.logEndOffset >= 1);
      await reopened.close();
    });
  }

  test('dsync: a full disk mid-writev leaves no batch of the failed appends behind after a crash', async () => {
    const fs = await freshFs();
    const log = await open(fs);
    for (let i = 0; i < 3; i++) await log.append(simpleBatch(1, 100));
    // Two appends queued together go out in one writev; the disk fills inside the second batch,
    // so the synced prefix holds all of the first one.
    fs.capacity = fs.usedBytes() + simpleBatch(1, 100).length + 50;
    const results = await Promise.allSettled([
      log.append(simpleBatch(1, 100)),
      log.append(simpleBatch(1, 100)),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected'],
    );
    assert.equal(log.logEndOffset, 3);
    const recovered = await open(fs.crash());
    assert.equal(recovered.logEndOffset, 3, 'the failed appends did not come back');
    await recovered.close();
    fs.capacity = undefined;
    assert.equal((await log.append(simpleBatch(1))).baseOffset, 3, 'ENOSPC left the log online');
    await log.close();
  });

  test('dsync: an EIO from a write takes the log offline (it may be the sync that failed); acknowledged data survives', async () => {
    const fs = await freshFs();
    const log = await open(fs);
    await log.append(simpleBatch(3));
    fs.failWrite(1, { keepBytes: 40 });
    await assert.rejects(log.append(simpleBatch(2)), { code: 'ERR_STORAGE_IO' });
    await assert.rejects(log.append(simpleBatch(1)), { code: 'ERR_LOG_OFFLINE' });
    await log.close();
    const reopened = await open(fs.crash());
    assert.equal(reopened.logEndOffset, 3);
    await reopened.close();
  });
});

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

describe('MemoryFileSystem durability model', () => {
  test('an O_DSYNC write makes its own range durable, not the unsynced bytes before it (a hole)', async () => {
    const fs = await freshFs();
    const path = '/data/file';
    const plain = await fs.open(path, 'w+');
    await fs.syncDirectory('/data');
    await plain.write(Buffer.from('unsynced-'), 0);
    const synced = await fs.open(path, 'r+', { syncWrites: true });
    await synced.write(Buffer.from('synced'), 9);
    assert.deepEqual(fs.durableContent(path), Buffer.concat([Buffer.alloc(9), Buffer.from('synced')]));
    assert.deepEqual(await fs.crash().readFile(path), fs.durableContent(path));
    await plain.sync();
    assert.equal(fs.durableContent(path)!.toString(), 'unsynced-synced');
    // Overwriting inside the durable range keeps the rest of it.
    await synced.write(Buffer.from('UN'), 0);
    assert.equal(fs.durableContent(path)!.toString(), 'UNsynced-synced');
    await plain.close();
    await synced.close();
  });

  test('failSync hits the syncs started after it, not one already running', async () => {
    const fs = await freshFs({ syncDelayMs: 2 });
    const handle = await fs.open('/data/file', 'w+', { syncWrites: true });
    // A is already syncing when the fault is set: it is B's sync that fails, though A ends first.
    const a = handle.write(Buffer.from('a'), 0);
    fs.failSync(1);
    const b = handle.write(Buffer.from('b'), 1);
    const results = await Promise.allSettled([a, b]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected'],
    );
    await handle.close();
  });
});

describe('crash recovery', () => {
  test('property: after random torn writes and a power loss the log is a valid prefix holding every acknowledged batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ records: fc.integer({ min: 1, max: 4 }), size: fc.integer({ min: 1, max: 300 }) }),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.constantFrom<[Durability, FsyncMethod]>(
          ['fsync', 'dsync'],
          ['fsync', 'fdatasync'],
          ['pagecache', 'dsync'],
        ),
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        // Appends started one per tick, so they join the groups open as they arrive (smaller,
        // more numerous writes) instead of all going into one.
        fc.boolean(),
        async (
          specs,
          faultAt,
          keepBytes,
          crashAfter,
          crashTicks,
          concurrency,
          tailFraction,
          [durability, fsyncMethod],
          checkpointEvery,
          stagger,
        ) => {
          const fs = await freshFs({ syncDelayMs: 1 });
          const options = {
            segmentBytes: 1500,
            indexIntervalBytes: 200,
            segmentIndexBytes: 240,
            durability,
            fsyncMethod,
          };
          const log = await open(fs, options);
          fs.failWrite(faultAt, { keepBytes });
          // Batches whose append resolved, by base offset (the input buffer now holds the stored bytes).
          const acknowledged = new Map<number, Buffer>();
          let crashed: MemoryFileSystem | undefined;
          let durableAtCrash = 0;
          const crash = () => {
            durableAtCrash = log.recoveryPoint;
            crashed = fs.crash({ tornTail: true, random: () => tailFraction });
          };
          let started = 0;
          // What the log manager would have checkpointed: recovery then starts inside a segment.
          let checkpointed = 0;
          for (let i = 0; i < specs.length && !crashed; i += concurrency) {
            if (
              checkpointEvery !== undefined &&
              (i / concurrency) % checkpointEvery === checkpointEvery - 1
            ) {
              checkpointed = await log.prepareRecoveryCheckpoint().catch(() => checkpointed);
            }
            const group: Promise<void>[] = [];
            for (const { records, size } of specs.slice(i, i + concurrency)) {
              const batch = buildBatch(
                Array.from({ length: records }, (_, r) => ({
                  key: `k${started}-${r}`,
                  value: Buffer.alloc(size, started % 250),
                })),
              );
              started++;
              group.push(
                log.append(batch).then(
                  (result) => {
                    if (!crashed) acknowledged.set(result.baseOffset, batch);
                  },
                  () => undefined,
                ),
              );
              if (stagger) await nextTick();
            }
            if (started >= crashAfter) {
              for (let tick = 0; tick < crashTicks; tick++)
                await new Promise((resolve) => setImmediate(resolve));
              crash();
            }
            await Promise.all(group);
          }
          if (!crashed) crash();
          await log.close().catch(() => undefined);
          const recovered = await open(crashed!, options, checkpointed);
          const bytes = await readAllBytes(recovered);
          const batches = listBatches(bytes);
          let expectedOffset = 0;
          for (const batch of batches) {
            assert.ok(batch.crcOk);
            assert.equal(batch.baseOffset, expectedOffset);
            expectedOffset = batch.lastOffset + 1;
          }
          assert.equal(recovered.logEndOffset, expectedOffset);
          assert.ok(expectedOffset >= durableAtCrash, 'nothing below the recovery point was lost');
          // Recovery cut the files back to their valid batches.
          let fileBytes = 0;
          for (const name of await crashed!.readdir(dir)) {
            if (name.endsWith('.log')) fileBytes += (await crashed!.stat(`${dir}/${name}`)).size;
          }
          assert.equal(fileBytes, bytes.length);
          let position = 0;
          const stored = new Map<number, Buffer>();
          for (const batch of batches) {
            stored.set(batch.baseOffset, bytes.subarray(position, position + batch.size));
            position += batch.size;
          }
          for (const [base, batch] of acknowledged) {
            const lastOffset = base + batch.readInt32BE(23);
            if (durability === 'pagecache' && lastOffset >= durableAtCrash) {
              // Acknowledged but never fsynced: may be lost, but if present it must be intact.
              if (stored.has(base)) assert.deepEqual(stored.get(base), batch);
              continue;
            }
            assert.deepEqual(stored.get(base), batch, `acknowledged batch at ${base} survived`);
          }
          // The recovered log accepts appends where it ends.
          const next = await recovered.append(simpleBatch(1));
          assert.equal(next.baseOffset, expectedOffset);
          await recovered.close();
        },
      ),
      { numRuns: 200 },
    );
  });

  test('recovery skips the scan after a clean shutdown and scans only from the recovery point otherwise', async () => {
    const fs = await freshFs();
    const options = { segmentBytes: 2000, indexIntervalBytes: 300 };
    const log = await open(fs, options);
    for (let i = 0; i < 200; i++) await log.append(simpleBatch(1, 50));
    const segments = log.segmentBaseOffsets;
    assert.ok(segments.length >= 6);
    await log.close();

    const clean = await PartitionLog.open({ fs, dir, topicPartition, options, cleanShutdown: true });
    assert.equal(clean.recoveryStats.batchesScanned, 0);
    assert.equal(clean.logEndOffset, 200);
    await clean.close();

    const recoveryPoint = segments[segments.length - 2]! + 1;
    const unclean = await open(fs, options, recoveryPoint);
    assert.equal(unclean.recoveryStats.segmentsScanned, 2);
    assert.equal(unclean.recoveryStats.batchesScanned, 200 - segments[segments.length - 2]!);
    assert.equal(unclean.logEndOffset, 200);
    assert.equal(listBatches(await readAllBytes(unclean)).length, 200);
    await unclean.close();

    const full = await open(fs, options, 0);
    assert.equal(full.recoveryStats.batchesScanned, 200);
    await full.close();
  });

  test('a checkpointed recovery point inside the active segment limits the scan to what follows it', async () => {
    const fs = await freshFs();
    const options = { indexIntervalBytes: 300 };
    const log = await open(fs, options);
    // Batch 90 carries the largest timestamp: recovery must restore it from the trusted part.
    for (let i = 0; i < 100; i++) await log.append(simpleBatch(1, 50, i === 90 ? 5_000 : 1_000 + i));
    const recoveryPoint = await log.prepareRecoveryCheckpoint();
    assert.equal(recoveryPoint, 100);
    for (let i = 100; i < 130; i++) await log.append(simpleBatch(1, 50, 1_000 + i));
    const crashed = fs.crash();
    await log.close();

    const recovered = await open(crashed, options, recoveryPoint);
    assert.equal(recovered.segmentBaseOffsets.length, 1);
    // From the last index entry below 100 (every ~5 batches): at most 5 + 30 batches, not 130.
    assert.ok(recovered.recoveryStats.batchesScanned <= 36, `${recovered.recoveryStats.batchesScanned}`);
    assert.ok(recovered.recoveryStats.batchesScanned >= 30);
    assert.equal(recovered.logEndOffset, 130);
    const batches = listBatches(await readAllBytes(recovered));
    assert.deepEqual(
      batches.map((batch) => batch.baseOffset),
      Array.from({ length: 130 }, (_, i) => i),
    );
    // The rebuilt indexes serve offset and timestamp lookups across the trusted and scanned parts.
    for (const offset of [0, 37, 99, 100, 129]) {
      const { records } = await recovered.read(offset, 1, { minOneBatch: true });
      assert.equal(listBatches(records)[0]!.baseOffset, offset);
    }
    assert.equal((await recovered.offsetForTimestamp(1_050))?.offset, 50);
    assert.equal((await recovered.offsetForTimestamp(5_000))?.offset, 90);
    assert.deepEqual(recovered.maxTimestampAndOffset(), { timestamp: 5_000, offset: 90 });
    await recovered.close();
  });

  test('a recovery point whose index entry does not match the log falls back to a full scan', async () => {
    const fs = await freshFs();
    const options = { indexIntervalBytes: 300 };
    const log = await open(fs, options);
    for (let i = 0; i < 60; i++) await log.append(simpleBatch(1, 50));
    const recoveryPoint = await log.prepareRecoveryCheckpoint();
    await log.close();
    // Point every index entry one batch further than it should (a stale or garbled index).
    const indexPath = `${dir}/00000000000000000000.index`;
    const index = await fs.readFile(indexPath);
    for (let at = 0; at + 8 <= index.length; at += 8) {
      if (index.readInt32BE(at + 4) > 0) index.writeInt32BE(index.readInt32BE(at + 4) + 7, at + 4);
    }
    const handle = await fs.open(indexPath, 'r+');
    await handle.write(index, 0);
    await handle.sync();
    await handle.close();

    const recovered = await open(fs, options, recoveryPoint);
    assert.equal(recovered.recoveryStats.batchesScanned, 60);
    assert.equal(recovered.logEndOffset, 60);
    assert.equal(listBatches(await readAllBytes(recovered)).length, 60);
    await recovered.close();
  });

  test('a corrupt batch in the middle truncates the log there', async () => {
    const fs = await freshFs();
    const options = { segmentBytes: 1000 };
    const log = await open(fs, options);
    for (let i = 0; i < 30; i++) await log.append(simpleBatch(1, 50));
    const segments = log.segmentBaseOffsets;
    await log.close();
    // Flip a byte inside the second segment's third batch.
    const path = `${dir}/${String(segments[1]).padStart(20, '0')}.log`;
    const content = await fs.readFile(path);
    const batchSize = simpleBatch(1, 50).length;
    content[batchSize * 2 + 70] ^= 0xff;
    await fs.writeFile(path, content);
    const recovered = await open(fs, options, 0);
    assert.equal(recovered.logEndOffset, segments[1]! + 2);
    assert.equal(recovered.segmentCount, 2);
    assert.ok(recovered.recoveryStats.bytesTruncated > 0);
    await recovered.close();
  });
});
