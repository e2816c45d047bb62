import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { cleanLog } from '../../src/storage/cleaner/log-cleaner.js';
import { OffsetOutOfRangeError } from '../../src/storage/errors.js';
import type { FileHandle, FileSystem, OpenMode, OpenOptions } from '../../src/storage/fs.js';
import type { LogSegment } from '../../src/storage/log/log-segment.js';
import { PartitionLog } from '../../src/storage/log/partition-log.js';
import { ReadAheadCache } from '../../src/storage/log/read-ahead.js';
import type { LogOptions } from '../../src/storage/log-options.js';
import { MemoryFileSystem } from '../../src/storage/memory-file-system.js';
import { buildBatch, listBatches, simpleBatch } from './helpers.js';

/**
 * Read-ahead must be invisible: every read returns exactly the bytes a log without read-ahead
 * returns for the same operations. Each test drives two logs with the same appends, truncations
 * and deletions (byte-identical files), one with read-ahead and one without, and compares.
 */
const tp = { topic: 'events', partition: 0 };
/** Fetch sizes of the random test's three consumers. */
const FETCH_SIZES = [700, 1500, 3000];
const NOW = 1_700_000_000_000;

/** A MemoryFileSystem that can hold back the completion of the next `.log` read until released. */
class GatedFileSystem implements FileSystem {
  readonly inner = new MemoryFileSystem();
  private holdNext = false;
  private releaseHeld: (() => void) | undefined;
  /** Set while a read is held. */
  holding = false;
  /** Reads of `.log` files so far. */
  logReads = 0;

  /** The next `.log` read waits until `release()`. */
  holdNextRead(): void {
    this.holdNext = true;
  }

  release(): void {
    this.holdNext = false;
    this.releaseHeld?.();
    this.releaseHeld = undefined;
  }

  async open(path: string, mode: OpenMode, options?: OpenOptions): Promise<FileHandle> {
    const handle = await this.inner.open(path, mode, options);
    if (!path.endsWith('.log')) return handle;
    return {
      read: async (buffer, offset, length, position) => {
        this.logReads++;
        if (!this.holdNext) return handle.read(buffer, offset, length, position);
        // The bytes are read now; the caller learns of it only once released.
        this.holdNext = false;
        const got = await handle.read(buffer, offset, length, position);
        this.holding = true;
        await new Promise<void>((resolve) => {
          this.releaseHeld = resolve;
        });
        this.holding = false;
        return got;
      },
      write: (buffer, position) => handle.write(buffer, position),
      writev: (buffers, position) => handle.writev(buffers, position),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      size: () => handle.size(),
      close: () => handle.close(),
    };
  }

  readFile = (path: string) => this.inner.readFile(path);
  writeFile = (path: string, data: Buffer) => this.inner.writeFile(path, data);
  mkdir = (path: string, options?: { recursive?: boolean }) => this.inner.mkdir(path, options);
  readdir = (path: string) => this.inner.readdir(path);
  stat = (path: string) => this.inner.stat(path);
  exists = (path: string) => this.inner.exists(path);
  rename = (from: string, to: string) => this.inner.rename(from, to);
  unlink = (path: string) => this.inner.unlink(path);
  rmdir = (path: string) => this.inner.rmdir(path);
  syncDirectory = (path: string) => this.inner.syncDirectory(path);
}

interface Pair {
  withReadAhead: PartitionLog;
  without: PartitionLog;
  cache: ReadAheadCache;
  fs: GatedFileSystem;
}

async function openPair(options: Partial<LogOptions>, cache = new ReadAheadCache()): Promise<Pair> {
  const fs = new GatedFileSystem();
  const time = () => NOW;
  const withReadAhead = await PartitionLog.open({
    fs,
    dir: '/a/events-0',
    topicPartition: tp,
    options,
    readAhead: cache,
    time,
  });
  const without = await PartitionLog.open({
    fs: new MemoryFileSystem(),
    dir: '/b/events-0',
    topicPartition: tp,
    options,
    readAhead: new ReadAheadCache({ maxBytes: 0 }),
    time,
  });
  return { withReadAhead, without, cache, fs };
}

async function both<T>(pair: Pair, operation: (log: PartitionLog) => Promise<T>): Promise<[T, T]> {
  return [await operation(pair.withReadAhead), await operation(pair.without)];
}

/** Reads `offset` from both logs and checks that the answers are the same; returns it. */
async function readSame(
  pair: Pair,
  offset: number,
  maxBytes: number,
  options: { maxOffset?: number; minOneBatch?: boolean; readAheadBytes?: number } = {},
): Promise<{ records: Buffer; next: number | undefined; error?: string }> {
  const outcome = async (log: PartitionLog) => {
    try {
      const result = await log.read(offset, maxBytes, options);
      const batches = listBatches(result.records);
      return {
        records: Buffer.from(result.records),
        next: batches.length > 0 ? batches[batches.length - 1]!.lastOffset + 1 : undefined,
        highWatermark: result.highWatermark,
        logStartOffset: result.logStartOffset,
      };
    } catch (error) {
      if (error instanceof OffsetOutOfRangeError)
        return { records: Buffer.alloc(0), next: undefined, error: 'OOR' };
      throw error;
    }
  };
  const [a, b] = await both(pair, outcome);
  assert.deepEqual(a, b, `read at ${offset} (maxBytes ${maxBytes}) differs with read-ahead`);
  return a;
}

async function appendBoth(pair: Pair, batch: () => Buffer): Promise<void> {
  await pair.withReadAhead.append(batch());
  await pair.without.append(batch());
}

async function closePair(pair: Pair): Promise<void> {
  await pair.withReadAhead.close();
  await pair.without.close();
}

describe('read-ahead', () => {
  test('a sequential consumer is served from read-ahead with the bytes of fresh reads', async () => {
    const pair = await openPair({ segmentBytes: 4000, indexIntervalBytes: 300 });
    for (let i = 0; i < 80; i++) await appendBoth(pair, () => simpleBatch(1 + (i % 3), 40 + (i % 7) * 10));
    let offset = 0;
    let reads = 0;
    while (offset < pair.without.logEndOffset) {
      const { next } = await readSame(pair, offset, 500);
      assert.ok(next !== undefined);
      offset = next;
      reads++;
    }
    assert.ok(pair.withReadAhead.segmentCount > 3, 'the reads crossed segments');
    assert.ok(
      pair.cache.stats.served >= reads / 2,
      `${pair.cache.stats.served} of ${reads} reads served ahead`,
    );
    await closePair(pair);
    assert.equal(pair.cache.usedBytes, 0, 'closing the log drops its chunks');
  });

  test('a caught-up consumer reads the next append from memory, not the file', async () => {
    const pair = await openPair({ indexIntervalBytes: 100 });
    await appendBoth(pair, () => simpleBatch(2, 50));
    let offset = (await readSame(pair, 0, 1000)).next!;
    for (let i = 0; i < 5; i++) {
      await appendBoth(pair, () => simpleBatch(1 + i, 60));
      const reads = pair.fs.logReads;
      const { next, records } = await readSame(pair, offset, 1000);
      assert.equal(listBatches(records).length, 1);
      assert.equal(pair.fs.logReads, reads, `read ${i} went to the file`);
      offset = next!;
    }
    assert.equal(pair.cache.stats.adopted, 5);
    // Two appends before the fetch: the read spans more than the adopted bytes, so it goes to
    // the file, and still returns both.
    await appendBoth(pair, () => simpleBatch(1, 60));
    await appendBoth(pair, () => simpleBatch(1, 60));
    const reads = pair.fs.logReads;
    const { records } = await readSame(pair, offset, 1000);
    assert.equal(listBatches(records).length, 2);
    assert.ok(pair.fs.logReads > reads);
    // Appends queued together (one writev) are kept as one copy of their bytes.
    offset = (await readSame(pair, offset, 1000)).next ?? offset;
    const adoptedBefore = pair.cache.stats.adopted;
    await both(pair, (log) =>
      Promise.all([
        log.append(simpleBatch(2, 70)),
        log.append(simpleBatch(1, 90)),
        log.append(simpleBatch(3, 40)),
      ]),
    );
    assert.equal(pair.cache.stats.adopted, adoptedBefore + 1);
    const readsBefore = pair.fs.logReads;
    const joined = await readSame(pair, offset, 1000);
    assert.equal(listBatches(joined.records).length, 3);
    assert.equal(pair.fs.logReads, readsBefore, 'the three appends were read from memory');
    offset = joined.next!;
    // An append with no consumer waiting at its offset is not kept.
    const adopted = pair.cache.stats.adopted;
    await appendBoth(pair, () => simpleBatch(1, 60));
    await appendBoth(pair, () => simpleBatch(1, 60));
    assert.equal(pair.cache.stats.adopted, adopted + 1, 'only the append at the stream offset');
    await closePair(pair);
    assert.equal(pair.cache.usedBytes, 0);
  });

  test('a truncation and different appends after the chunk was read are never served stale', async () => {
    const pair = await openPair({ indexIntervalBytes: 100 });
    for (let i = 0; i < 30; i++) await appendBoth(pair, () => simpleBatch(2, 50));
    let offset = 0;
    for (let i = 0; i < 3; i++) offset = (await readSame(pair, offset, 400)).next!;
    const servedBefore = pair.cache.stats.served;
    assert.ok(pair.cache.chunkCount > 0, 'a chunk is held ahead of the consumer');
    // Replace what lies ahead of the consumer by batches of another content.
    await both(pair, (log) => log.truncateTo(offset));
    for (let i = 0; i < 10; i++) await appendBoth(pair, () => simpleBatch(3, 77));
    const { records } = await readSame(pair, offset, 400);
    assert.ok(records.length > 0);
    assert.equal(listBatches(records)[0]!.lastOffset - listBatches(records)[0]!.baseOffset, 2);
    assert.equal(pair.cache.stats.served, servedBefore, 'the stale chunk was not used');
    await closePair(pair);
  });

  test('a truncation while the read-ahead is in flight discards what it read', async () => {
    const pair = await openPair({ indexIntervalBytes: 100 });
    for (let i = 0; i < 30; i++) await appendBoth(pair, () => simpleBatch(2, 50));
    let offset = 0;
    for (let i = 0; i < 2; i++) offset = (await readSame(pair, offset, 400)).next!;
    // This read is served from the chunk read ahead by the previous one, and starts the next
    // read-ahead, whose file read completes only after the file has changed.
    pair.fs.holdNextRead();
    let done = false;
    const third = pair.withReadAhead.read(offset, 400).then((result) => {
      done = true;
      return result;
    });
    try {
      await waitFor(() => done && pair.fs.holding);
      const reference = await pair.without.read(offset, 400);
      assert.deepEqual(Buffer.from((await third).records), Buffer.from(reference.records));
      offset = lastNext(reference);
      // What the held read-ahead has read is replaced before it completes.
      await both(pair, (log) => log.truncateTo(offset));
      for (let i = 0; i < 10; i++) await appendBoth(pair, () => simpleBatch(4, 33));
    } finally {
      pair.fs.release();
    }
    const { records } = await readSame(pair, offset, 400);
    const first = listBatches(records)[0]!;
    assert.equal(first.baseOffset, offset);
    assert.equal(first.lastOffset - first.baseOffset, 3, 'the new batches, not the truncated ones');
    await closePair(pair);
  });

  test('DeleteRecords and retention: reads below the new log start fail, later ones match', async () => {
    const pair = await openPair({
      segmentBytes: 1500,
      indexIntervalBytes: 100,
      retentionBytes: 3000,
      retentionMs: -1,
    });
    for (let i = 0; i < 60; i++) await appendBoth(pair, () => simpleBatch(2, 40));
    let offset = 0;
    for (let i = 0; i < 4; i++) offset = (await readSame(pair, offset, 300)).next!;
    assert.ok(pair.cache.chunkCount > 0);
    // The log start moves past the consumer: the read is refused exactly as without read-ahead.
    await both(pair, (log) => log.deleteRecordsBefore(offset + 3));
    const refused = await readSame(pair, offset, 300);
    assert.equal(refused.error, 'OOR');
    // Retention deletes whole segments under a consumer that goes on from the new start.
    await both(pair, (log) => log.deleteOldSegments(NOW));
    offset = pair.without.logStartOffset;
    while (offset < pair.without.logEndOffset) offset = (await readSame(pair, offset, 300)).next!;
    await closePair(pair);
  });

  test('a compacted segment swapped in under the consumer is read, not the chunk of the old one', async () => {
    const options: Partial<LogOptions> = {
      segmentBytes: 2000,
      indexIntervalBytes: 100,
      cleanupPolicy: 'compact',
    };
    const pair = await openPair(options);
    for (let round = 0; round < 12; round++) {
      for (let key = 0; key < 4; key++) {
        await appendBoth(pair, () =>
          buildBatch([{ key: `k${key}`, value: `v${round}-${'x'.repeat(40)}`, timestamp: NOW }]),
        );
      }
    }
    let offset = 0;
    for (let i = 0; i < 3; i++) offset = (await readSame(pair, offset, 300)).next!;
    assert.ok(pair.cache.chunkCount > 0);
    const [a, b] = await both(pair, (log) => cleanLog(log, NOW));
    assert.deepEqual(a, b);
    assert.ok(a.segmentsCleaned > 0, 'compaction replaced segments');
    while (offset < pair.without.logEndOffset) {
      const { next } = await readSame(pair, offset, 300);
      if (next === undefined) break;
      offset = next;
    }
    await closePair(pair);
  });

  test('the high watermark limits a read served from a chunk as it limits a fresh one', async () => {
    const pair = await openPair({ indexIntervalBytes: 100 });
    for (let i = 0; i < 40; i++) await appendBoth(pair, () => simpleBatch(2, 50));
    let offset = 0;
    for (let i = 0; i < 3; i++) offset = (await readSame(pair, offset, 400, { maxOffset: 60 })).next!;
    for (const maxOffset of [offset, offset + 1, offset + 2, offset + 5, 60]) {
      // Same stream offset each time: the first read consumes the chunk; the reference is fresh.
      await readSame(pair, offset, 400, { maxOffset });
    }
    // KIP-74: a first batch above maxBytes comes whole with minOneBatch, from the chunk too.
    await readSame(pair, offset, 10, { minOneBatch: true });
    await readSame(pair, offset, 10);
    await closePair(pair);
  });

  test('memory stays within the budget, streams per log are bounded, idle chunks are dropped', async () => {
    let now = NOW;
    const cache = new ReadAheadCache({ maxBytes: 2000, maxStreamsPerLog: 2, idleMs: 1000, time: () => now });
    const pair = await openPair({ indexIntervalBytes: 100 }, cache);
    for (let i = 0; i < 60; i++) await appendBoth(pair, () => simpleBatch(2, 50));
    // Three interleaved consumers: at most two streams are remembered, all reads stay exact.
    const offsets = [0, 20, 40];
    for (let round = 0; round < 6; round++) {
      for (let c = 0; c < offsets.length; c++) {
        offsets[c] = (await readSame(pair, offsets[c]!, 700)).next ?? offsets[c]!;
        assert.ok(cache.usedBytes <= 2000, `${cache.usedBytes} bytes held`);
      }
    }
    assert.ok(cache.chunkCount <= 2);
    now += 5000;
    // Another log's read-ahead drops the idle chunks.
    const other = await PartitionLog.open({
      fs: new MemoryFileSystem(),
      dir: '/c/events-0',
      topicPartition: tp,
      options: { indexIntervalBytes: 100 },
      readAhead: cache,
      time: () => now,
    });
    for (let i = 0; i < 20; i++) await other.append(simpleBatch(2, 50));
    let offset = 0;
    for (let i = 0; i < 2; i++)
      offset = listBatches((await other.read(offset, 300)).records).at(-1)!.lastOffset + 1;
    assert.equal(cache.chunkCount, 1, 'only the new chunk is held');
    await other.close();
    await closePair(pair);
  });

  test('chunk reads in flight are capped over every log of the cache; the rest wait their turn', async () => {
    const cache = new ReadAheadCache({ maxConcurrentReads: 2 });
    let inFlight = 0;
    let peak = 0;
    const held: Array<() => void> = [];
    // Only what load() uses of a segment: its generation and a read that completes when released.
    const segment = {
      generation: 0,
      readRange: async (position: number, length: number) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((resolve) => held.push(resolve));
        inFlight--;
        return Buffer.alloc(length, position / 100);
      },
    } as unknown as LogSegment;
    const chunks = [0, 1, 2, 3, 4].map((i) => cache.load(segment, i * 100, 100, i - 1)!);
    await waitFor(() => held.length === 2);
    assert.equal(inFlight, 2, 'two reads started, three wait');
    while (held.length > 0) {
      held.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => held.length === 0 && inFlight === 0);
    await Promise.all(chunks.map((chunk) => chunk.ready));
    assert.equal(peak, 2);
    assert.deepEqual(
      chunks.map((chunk) => chunk.buffer?.[0]),
      [0, 1, 2, 3, 4],
      'every chunk got its own bytes',
    );
  });

  test('random appends, reads, truncations, deletions and rolls: read-ahead never changes a read', async () => {
    const operation = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('append' as const),
          count: fc.integer({ min: 1, max: 6 }),
          size: fc.integer({ min: 10, max: 300 }),
        }),
      },
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('read' as const),
          consumer: fc.integer({ min: 0, max: 2 }),
          /** Mostly the consumer's own fetch size, sometimes another. */
          maxBytes: fc.oneof(
            { weight: 4, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }) },
          ),
          hw: fc.integer({ min: 0, max: 3 }),
          minOneBatch: fc.oneof(
            { weight: 4, arbitrary: fc.constant(true) },
            { weight: 1, arbitrary: fc.constant(false) },
          ),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('truncate' as const),
          back: fc.integer({ min: 0, max: 20 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('deleteRecords' as const),
          ahead: fc.integer({ min: 0, max: 10 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('seek' as const),
          consumer: fc.integer({ min: 0, max: 2 }),
          to: fc.nat(),
        }),
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 60 }), async (operations) => {
        const pair = await openPair({ segmentBytes: 4000, indexIntervalBytes: 150, durability: 'pagecache' });
        const consumers = [0, 0, 0];
        let content = 0;
        try {
          for (let i = 0; i < 80; i++)
            await appendBoth(pair, () => simpleBatch(1 + (i % 4), 50 + ((i * 37) % 200)));
          for (const op of operations) {
            const log = pair.without;
            if (op.kind === 'append') {
              const fill = content++;
              await appendBoth(pair, () => simpleBatch(op.count, op.size, NOW + fill));
            } else if (op.kind === 'read') {
              const offset = Math.max(consumers[op.consumer]!, log.logStartOffset);
              if (offset > log.logEndOffset) {
                consumers[op.consumer] = log.logStartOffset;
                continue;
              }
              const maxOffset = Math.max(offset, log.highWatermark - op.hw);
              const fetchSize = FETCH_SIZES[op.consumer]!;
              const { next } = await readSame(pair, offset, op.maxBytes ?? fetchSize, {
                maxOffset,
                minOneBatch: op.minOneBatch,
                readAheadBytes: fetchSize,
              });
              if (next !== undefined) consumers[op.consumer] = next;
            } else if (op.kind === 'truncate') {
              const to = Math.max(log.logStartOffset, log.logEndOffset - op.back);
              await both(pair, (each) => each.truncateTo(to));
            } else if (op.kind === 'deleteRecords') {
              const to = Math.min(log.highWatermark, log.logStartOffset + op.ahead);
              await both(pair, (each) => each.deleteRecordsBefore(to));
            } else {
              const span = log.logEndOffset - log.logStartOffset + 1;
              consumers[op.consumer] = log.logStartOffset + (op.to % span);
            }
          }
        } finally {
          await closePair(pair);
        }
      }),
      { numRuns: 20 },
    );
  });
});

function lastNext(result: { records: Buffer }): number {
  return listBatches(result.records).at(-1)!.lastOffset + 1;
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'condition reached');
}
