import { BATCH_HEADER_SIZE, batchHeader } from '../../protocol/records/batch-header.js';
import { releaseBuffer, sharedBufferPool } from '../../util/buffer-pool.js';
import { FileRegion } from '../../util/file-region.js';
import type { FileHandle, FileSystem } from '../fs.js';
import {
  type BatchLocation,
  checkStoredBatch,
  planRead,
  scanBatchHeaders,
  wholeBatchesLength,
} from './batch-scan.js';
import { DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, segmentPath, TIME_INDEX_SUFFIX } from './file-names.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

/**
 * One segment of a partition log: `<baseOffset>.log` plus its `.index` and `.timeindex`.
 *
 * Byte format of `.log`: v2 record batches back to back, exactly as produced except for
 * baseOffset and partitionLeaderEpoch (and, for LogAppendTime topics, maxTimestamp, the
 * timestamp-type attribute and the CRC). Offsets strictly increase; gaps are allowed (compaction).
 *
 * Concurrency contract: one writer at a time (the partition's append lock) calls `append`,
 * `truncateTo`, `recover`, `becomeInactive`; readers may call `read`/`translateOffset` at any
 * time and see only batches whose write has completed (`size` moves after the write). A reader
 * holds the segment with `acquire`/`release` so that a deleted segment's file stays open until
 * the last reader is done.
 */
export interface SegmentSettings {
  segmentIndexBytes: number;
  indexIntervalBytes: number;
  /** Open the log file with synchronous data writes (O_DSYNC): each append is durable on return. */
  syncWrites?: boolean;
}

export interface RecoveryResult {
  batches: number;
  truncatedBytes: number;
}

export class LogSegment {
  /** Bytes of whole batches in the file (reads never go past it). */
  size: number;
  /** The offset after the last batch (the base offset when empty). */
  nextOffset: number;
  /** Largest batch maxTimestamp in the segment, -1 when empty/unknown. */
  maxTimestamp = -1;
  /** lastOffset of the batch carrying `maxTimestamp`. */
  offsetOfMaxTimestamp: number;
  /** maxTimestamp of the first batch: segment.ms counts from it (Kafka), else from creation. */
  firstBatchTimestamp: number | undefined;
  readonly createdMs: number;
  /**
   * Moves whenever bytes below `size` may change (truncation, recovery): bytes read under one
   * generation stand for the file only while it lasts (read-ahead).
   */
  generation = 0;

  /** Added to every file name while the segment is in transit (`.cleaned`, `.swap`), else ''. */
  private suffix = '';
  private bytesSinceLastIndexEntry = 0;
  private indexesLoaded = false;
  private readers = 0;
  private deleted = false;
  private closed = false;

  private constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    readonly baseOffset: number,
    private readonly log: FileHandle,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    private readonly settings: SegmentSettings,
    size: number,
    createdMs: number,
  ) {
    this.size = size;
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestamp = baseOffset;
    this.createdMs = createdMs;
  }

  static async create(
    fs: FileSystem,
    dir: string,
    baseOffset: number,
    settings: SegmentSettings,
    now: number,
    suffix = '',
  ): Promise<LogSegment> {
    const log = await fs.open(segmentPath(dir, baseOffset, LOG_SUFFIX + suffix), 'w+', {
      syncWrites: settings.syncWrites ?? false,
    });
    const segment = new LogSegment(
      fs,
      dir,
      baseOffset,
      log,
      ...LogSegment.indexes(fs, dir, baseOffset, settings, suffix),
      settings,
      0,
      now,
    );
    segment.suffix = suffix;
    try {
      await segment.offsetIndex.create();
      await segment.timeIndex.create();
    } catch (error) {
      await log.close().catch(() => undefined);
      throw error;
    }
    segment.indexesLoaded = true;
    return segment;
  }

  /**
   * Opens an existing segment without reading its batches. The caller then either trusts it
   * (`sanityCheck`), loads its tail (`loadTail`, for the active segment) or scans it (`recover`).
   */
  static async open(
    fs: FileSystem,
    dir: string,
    baseOffset: number,
    settings: SegmentSettings,
  ): Promise<LogSegment> {
    const path = segmentPath(dir, baseOffset, LOG_SUFFIX);
    const log = await fs.open(path, 'r+', { syncWrites: settings.syncWrites ?? false });
    const [size, stat] = await Promise.all([log.size(), fs.stat(path)]);
    return new LogSegment(
      fs,
      dir,
      baseOffset,
      log,
      ...LogSegment.indexes(fs, dir, baseOffset, settings),
      settings,
      size,
      stat.mtimeMs,
    );
  }

  private static indexes(
    fs: FileSystem,
    dir: string,
    baseOffset: number,
    settings: SegmentSettings,
    suffix = '',
  ): [OffsetIndex, TimeIndex] {
    const size = settings.segmentIndexBytes;
    return [
      new OffsetIndex(fs, segmentPath(dir, baseOffset, INDEX_SUFFIX + suffix), baseOffset, size),
      new TimeIndex(fs, segmentPath(dir, baseOffset, TIME_INDEX_SUFFIX + suffix), baseOffset, size),
    ];
  }

  get path(): string {
    return segmentPath(this.dir, this.baseOffset, LOG_SUFFIX + this.suffix);
  }

  /** Renames the three files to carry `suffix` instead of the current one (the cleaner's swap). */
  async changeSuffix(suffix: string): Promise<void> {
    await this.fs.rename(this.path, segmentPath(this.dir, this.baseOffset, LOG_SUFFIX + suffix));
    await this.offsetIndex.rename(segmentPath(this.dir, this.baseOffset, INDEX_SUFFIX + suffix));
    await this.timeIndex.rename(segmentPath(this.dir, this.baseOffset, TIME_INDEX_SUFFIX + suffix));
    this.suffix = suffix;
  }

  /** The largest timestamp (retention); falls back to the file time when no batch carries one. */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.createdMs;
  }

  isIndexFull(): boolean {
    return this.offsetIndex.isFull() || this.timeIndex.isFull();
  }

  // --- loading and recovery -------------------------------------------------------------------

  /**
   * For a segment below the recovery point: loads its (trimmed) indexes and checks them against
   * the log. Returns false if they are unusable, and the caller rebuilds them with `recover`.
   * The index content is what reads need; the check is cheap compared with a scan.
   */
  async sanityCheck(nextSegmentBase: number | undefined): Promise<boolean> {
    const offsetsOk = await this.offsetIndex.load(true);
    const timesOk = offsetsOk && (await this.timeIndex.load(true));
    if (!offsetsOk || !timesOk) return false;
    if (this.offsetIndex.lastPosition >= Math.max(1, this.size)) return false;
    const lastTime = this.timeIndex.lastEntry;
    if (nextSegmentBase !== undefined) {
      if ((this.offsetIndex.lastKey ?? this.baseOffset) >= nextSegmentBase) return false;
      if (lastTime && lastTime.offset >= nextSegmentBase) return false;
      this.nextOffset = nextSegmentBase;
    }
    if (lastTime) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
    }
    this.indexesLoaded = true;
    return true;
  }

  /**
   * For the active segment after a clean shutdown: trusts the indexes and reads only the batches
   * after the last index entry, to learn the next offset and the indexing state.
   */
  async loadTail(): Promise<boolean> {
    if (!(await this.sanityCheck(undefined))) return false;
    const from = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER).position;
    let end = from;
    let seenFrom = false;
    for await (const batch of scanBatchHeaders(this.log, from, this.size)) {
      if (batch.position === from) seenFrom = true;
      this.nextOffset = batch.lastOffset + 1;
      this.trackTimestamp(batch);
      end = batch.position + batch.size;
    }
    if (this.size > 0 && (!seenFrom || end !== this.size)) return false;
    this.bytesSinceLastIndexEntry = end - from;
    await this.loadFirstBatchTimestamp();
    return true;
  }

  /**
   * Validates every batch (length, magic, CRC-32C, increasing offsets), truncates the file at
   * the first invalid or torn one and rebuilds both indexes. Used for segments at or above the
   * recovery point after an unclean shutdown, and for segments whose indexes failed the check.
   */
  async recover(): Promise<RecoveryResult> {
    return this.changingBytes(() => this.recoverBatches());
  }

  /**
   * Runs `work`, which may change bytes below `size`, with the generation moved before and after
   * it, so that nothing read before or during it is taken for the file's content afterwards.
   */
  private async changingBytes<T>(work: () => Promise<T>): Promise<T> {
    this.generation++;
    try {
      return await work();
    } finally {
      this.generation++;
    }
  }

  private async recoverBatches(): Promise<RecoveryResult> {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = this.baseOffset;
    this.nextOffset = this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    this.firstBatchTimestamp = undefined;
    return this.scanAndTruncate(0);
  }

  /**
   * As `recover` for the segment holding the recovery point, but scanning only from the last
   * offset-index entry below it: the bytes before it were fsynced before the recovery point was
   * checkpointed, and so were the index entries up to it (`writeIndexes`, `syncIndexes`). The entry is checked
   * against the batch it points to (complete, CRC-32C, same last offset); if anything does not
   * fit, the whole segment is scanned. This keeps recovery after a crash proportional to what
   * was written since the last checkpoint, not to the segment's size.
   */
  async recoverFrom(recoveryPoint: number): Promise<RecoveryResult> {
    return this.changingBytes(() => this.recoverFromIndexEntry(recoveryPoint));
  }

  private async recoverFromIndexEntry(recoveryPoint: number): Promise<RecoveryResult> {
    const offsetsOk = await this.offsetIndex.load(false);
    const timesOk = offsetsOk && (await this.timeIndex.load(false));
    const entry = timesOk ? this.offsetIndex.lookup(recoveryPoint - 1) : undefined;
    if (!entry || entry.position === 0 || entry.offset >= recoveryPoint) return this.recover();
    const fileSize = await this.log.size();
    const header = Buffer.alloc(BATCH_HEADER_SIZE);
    if (entry.position + BATCH_HEADER_SIZE > fileSize) return this.recover();
    await this.log.read(header, 0, BATCH_HEADER_SIZE, entry.position);
    const size = batchHeader.totalSize(header, 0);
    if (size < BATCH_HEADER_SIZE || entry.position + size > fileSize) return this.recover();
    const batch = Buffer.alloc(size);
    await this.log.read(batch, 0, size, entry.position);
    if (checkStoredBatch(batch, 0, size, this.baseOffset) !== size) return this.recover();
    if (batchHeader.lastOffset(batch, 0) !== entry.offset) return this.recover();
    // Keep the index state as it was right after this batch was indexed (see `indexBatch`).
    this.offsetIndex.truncateTo(entry.offset + 1);
    this.timeIndex.truncateTo(entry.offset + 1);
    const lastTime = this.timeIndex.lastEntry;
    this.maxTimestamp = lastTime ? lastTime.timestamp : -1;
    this.offsetOfMaxTimestamp = lastTime ? lastTime.offset : this.baseOffset;
    this.nextOffset = entry.offset + 1;
    this.bytesSinceLastIndexEntry = size;
    this.size = entry.position + size;
    await this.loadFirstBatchTimestamp();
    return this.scanAndTruncate(entry.position + size);
  }

  /** Validates and indexes the batches from `from` to the end of the file, cutting a bad tail. */
  private async scanAndTruncate(from: number): Promise<RecoveryResult> {
    const fileSize = await this.log.size();
    let chunk = Buffer.alloc(Math.min(Math.max(fileSize - from, BATCH_HEADER_SIZE), 1024 * 1024));
    let position = from;
    let batches = 0;
    scan: while (position < fileSize) {
      const got = await this.log.read(chunk, 0, Math.min(chunk.length, fileSize - position), position);
      let at = 0;
      while (at < got) {
        const size = checkStoredBatch(chunk, at, got, this.nextOffset);
        if (size === undefined) {
          // Either the batch is bigger than what is in the chunk (read again from it), or invalid.
          if (at > 0 && got - at < chunk.length) break;
          if (got - at >= BATCH_HEADER_SIZE) {
            const total = batchHeader.totalSize(chunk, at);
            if (at === 0 && total > chunk.length && position + total <= fileSize) {
              chunk = Buffer.alloc(total);
              continue scan;
            }
          }
          break scan;
        }
        const batch: BatchLocation = {
          position: position + at,
          size,
          baseOffset: batchHeader.baseOffset(chunk, at),
          lastOffset: batchHeader.lastOffset(chunk, at),
          maxTimestamp: batchHeader.maxTimestamp(chunk, at),
        };
        this.indexBatch(batch);
        this.nextOffset = batch.lastOffset + 1;
        batches++;
        at += size;
      }
      if (at === 0) break;
      position += at;
    }
    const truncatedBytes = fileSize - position;
    if (truncatedBytes > 0) await this.log.truncate(position);
    this.size = position;
    this.indexesLoaded = true;
    return { batches, truncatedBytes };
  }

  /**
   * Writes the index entries not yet in the files (to the page cache), so that `syncIndexes` can
   * make them durable and a later `recoverFrom` trust those below a recovery point checkpointed
   * after that. Under the append lock (single writer of the indexes).
   */
  async writeIndexes(): Promise<void> {
    if (!this.indexesLoaded || this.closed) return;
    await this.offsetIndex.persist();
    await this.timeIndex.persist();
  }

  /** Fsyncs both index files (what `writeIndexes` wrote); needs no lock. */
  async syncIndexes(): Promise<void> {
    if (this.closed || this.deleted) return;
    await this.offsetIndex.syncFile();
    await this.timeIndex.syncFile();
  }

  private async loadFirstBatchTimestamp(): Promise<void> {
    if (this.size < BATCH_HEADER_SIZE) return;
    const header = Buffer.alloc(BATCH_HEADER_SIZE);
    await this.log.read(header, 0, BATCH_HEADER_SIZE, 0);
    this.firstBatchTimestamp = batchHeader.maxTimestamp(header, 0);
  }

  /** Lazily loads the indexes of a trusted segment that has not been checked yet. */
  private async ensureIndexes(): Promise<void> {
    if (this.indexesLoaded) return;
    if (!(await this.sanityCheck(undefined))) await this.recover();
  }

  // --- writing ----------------------------------------------------------------------------------

  /**
   * Appends batches (offsets already assigned) in one write. On failure the file is cut back to
   * its previous size and the error rethrown; if that cut fails too, the error says so via
   * `truncateFailed` and the caller must take the log offline.
   */
  append(buffer: Buffer, batches: BatchLocation[]): Promise<void> {
    return this.appendMany([buffer], [batches]);
  }

  /**
   * As `append` for several buffers written back to back with one writev; `batchLists[i]` holds
   * the batches of `buffers[i]`, positioned within it. All or nothing.
   */
  async appendMany(buffers: Buffer[], batchLists: BatchLocation[][]): Promise<void> {
    await this.ensureIndexes();
    const start = this.size;
    try {
      if (buffers.length === 1) await this.log.write(buffers[0]!, start);
      else await this.log.writev(buffers, start);
    } catch (error) {
      try {
        await this.log.truncate(start);
        // With O_DSYNC a short write's prefix was synced before the write failed: make the cut
        // durable too, or whole batches of the failed appends could come back after a crash.
        if (this.syncsWrites) await this.log.sync();
      } catch {
        (error as { truncateFailed?: boolean }).truncateFailed = true;
      }
      throw error;
    }
    let position = start;
    for (let i = 0; i < buffers.length; i++) {
      for (const batch of batchLists[i]!) {
        this.indexBatch({ ...batch, position: position + batch.position });
      }
      position += buffers[i]!.length;
    }
    const lastBatches = batchLists[batchLists.length - 1]!;
    this.nextOffset = lastBatches[lastBatches.length - 1]!.lastOffset + 1;
    this.size = position;
  }

  private indexBatch(batch: BatchLocation): void {
    if (this.firstBatchTimestamp === undefined) this.firstBatchTimestamp = batch.maxTimestamp;
    this.trackTimestamp(batch);
    if (this.bytesSinceLastIndexEntry > this.settings.indexIntervalBytes) {
      this.offsetIndex.append(batch.lastOffset, batch.position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += batch.size;
  }

  private trackTimestamp(batch: BatchLocation): void {
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp;
      this.offsetOfMaxTimestamp = batch.lastOffset;
    }
  }

  /** Whether an append is durable once it returns (the file was opened with `syncWrites`). */
  get syncsWrites(): boolean {
    return this.settings.syncWrites ?? false;
  }

  /** Makes the log file's data durable. A closed segment was synced when it was closed. */
  async sync(): Promise<void> {
    if (this.closed) return;
    await this.log.sync();
  }

  /**
   * The segment stops being active (roll): record the final time-index entry, write and trim
   * both indexes, and fsync everything, so that the segment is trusted as-is after a crash.
   */
  async becomeInactive(): Promise<void> {
    await this.ensureIndexes();
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    await this.log.sync();
    await this.offsetIndex.trim();
    await this.timeIndex.trim();
  }

  /** The segment becomes active again (after a truncation or reopening): room for new entries. */
  async becomeActive(): Promise<void> {
    await this.ensureIndexes();
    await this.offsetIndex.trim({ preallocate: true, sync: false });
    await this.timeIndex.trim({ preallocate: true, sync: false });
  }

  /**
   * Removes batches at or after `offset` (the batch holding it goes entirely). Returns the bytes
   * removed.
   */
  async truncateTo(offset: number): Promise<number> {
    return this.changingBytes(() => this.truncateBatches(offset));
  }

  private async truncateBatches(offset: number): Promise<number> {
    await this.ensureIndexes();
    const location = await this.translateOffset(offset);
    if (!location) return 0;
    const removed = this.size - location.position;
    await this.log.truncate(location.position);
    this.size = location.position;
    this.offsetIndex.truncateTo(location.baseOffset);
    this.timeIndex.truncateTo(location.baseOffset);
    // Rescan the short tail after the last index entry to restore the bookkeeping.
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = this.baseOffset;
    const lastTime = this.timeIndex.lastEntry;
    if (lastTime) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
    }
    const from = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER).position;
    for await (const batch of scanBatchHeaders(this.log, from, this.size)) {
      this.nextOffset = batch.lastOffset + 1;
      this.trackTimestamp(batch);
    }
    this.bytesSinceLastIndexEntry = this.size - from;
    if (this.size === 0) this.firstBatchTimestamp = undefined;
    return removed;
  }

  // --- reading ----------------------------------------------------------------------------------

  /** Set once the segment is deleted (its files renamed, then unlinked after the last reader). */
  get isDeleted(): boolean {
    return this.deleted;
  }

  acquire(): void {
    this.readers++;
  }

  release(): void {
    this.readers--;
    if (this.readers === 0 && this.deleted) void this.unlinkFiles();
  }

  /**
   * The first batch whose last offset is >= `offset`, searched from the index, or undefined;
   * with `endPosition`, only among the batches that end by it.
   */
  async translateOffset(
    offset: number,
    startPosition = 0,
    endPosition = Number.MAX_SAFE_INTEGER,
  ): Promise<BatchLocation | undefined> {
    await this.ensureIndexes();
    const from = Math.max(startPosition, this.offsetIndex.lookup(offset).position);
    for await (const batch of scanBatchHeaders(this.log, from, Math.min(this.size, endPosition))) {
      if (batch.lastOffset >= offset) return batch;
    }
    return undefined;
  }

  /**
   * Reads whole batches from `position` (a batch start) up to `maxPosition`, at most `maxBytes`
   * of them; with `minOneBatch` the first batch is returned even when larger (KIP-74). The result
   * is a pooled buffer owned by the caller (see util/buffer-pool), or an empty one.
   */
  async read(
    position: number,
    firstBatchSize: number,
    maxPosition: number,
    maxBytes: number,
    minOneBatch: boolean,
  ): Promise<Buffer> {
    const plan = planRead(this.size, position, firstBatchSize, maxPosition, maxBytes, minOneBatch);
    if (plan === undefined) return Buffer.alloc(0);
    if (plan.exact) return this.readExactly(position, plan.length);
    const want = plan.length;
    const buffer = sharedBufferPool.acquire(want);
    let got: number;
    try {
      got = await this.log.read(buffer, 0, want, position);
    } catch (error) {
      releaseBuffer(buffer);
      throw error;
    }
    const end = wholeBatchesLength(buffer, got);
    if (end > 0) return buffer.subarray(0, end);
    releaseBuffer(buffer);
    return Buffer.alloc(0);
  }

  /**
   * Whole batches from `position` as a range of the file with a descriptor of its own, when they
   * are at least `minBytes` and the file system gives descriptors; otherwise undefined. The same
   * batches `read` returns, except that a cut by `maxBytes` may come earlier: at the last offset
   * index entry within the limit (a batch start), which costs no read of the file, and only
   * without such an entry at the end of the last whole batch found by reading headers.
   * `boundary`: `maxPosition` is a batch start or the segment's end, not an arbitrary limit.
   */
  async region(
    position: number,
    firstBatchSize: number,
    maxPosition: number,
    boundary: boolean,
    maxBytes: number,
    minOneBatch: boolean,
    minBytes: number,
  ): Promise<FileRegion | undefined> {
    const plan = planRead(this.size, position, firstBatchSize, maxPosition, maxBytes, minOneBatch);
    if (plan === undefined || plan.length < minBytes || this.log.duplicateFd === undefined) return undefined;
    let length = plan.length;
    const end = position + plan.length;
    const atBound = end === this.size || (boundary && end === maxPosition);
    if (!plan.exact && !atBound) {
      await this.ensureIndexes();
      const indexed = this.offsetIndex.floorPosition(end);
      length = (indexed > position ? indexed : await this.wholeBatchesEnd(position, end)) - position;
    }
    if (length < minBytes || length <= 0) return undefined;
    const fd = this.log.duplicateFd();
    return fd === undefined ? undefined : new FileRegion(fd, position, length);
  }

  /** The end of the last whole batch in [position, limit), `position` being a batch start. */
  private async wholeBatchesEnd(position: number, limit: number): Promise<number> {
    let end = position;
    for await (const batch of scanBatchHeaders(this.log, position, limit)) end = batch.position + batch.size;
    return end;
  }

  private async readExactly(position: number, length: number): Promise<Buffer> {
    const buffer = await this.readRange(position, length);
    if (buffer.length === length) return buffer;
    releaseBuffer(buffer);
    return Buffer.alloc(0);
  }

  /**
   * Reads raw bytes (read-ahead, compaction, tests) into a pooled buffer: the caller owns it and
   * may release it (util/buffer-pool) once done.
   */
  async readRange(position: number, length: number): Promise<Buffer> {
    const buffer = sharedBufferPool.acquire(Math.max(0, Math.min(length, this.size - position)));
    try {
      const got = await this.log.read(buffer, 0, buffer.length, position);
      return buffer.subarray(0, got);
    } catch (error) {
      releaseBuffer(buffer);
      throw error;
    }
  }

  /**
   * The first batch with maxTimestamp >= `timestamp` and lastOffset >= `startOffset`, searched
   * from the time index.
   */
  async findBatchByTimestamp(timestamp: number, startOffset: number): Promise<BatchLocation | undefined> {
    await this.ensureIndexes();
    const entry = this.timeIndex.lookup(timestamp - 1);
    const fromOffset = Math.max(startOffset, entry?.offset ?? this.baseOffset);
    const from = this.offsetIndex.lookup(fromOffset).position;
    for await (const batch of scanBatchHeaders(this.log, from, this.size)) {
      if (batch.lastOffset >= startOffset && batch.maxTimestamp >= timestamp) return batch;
    }
    return undefined;
  }

  /** All batch headers from `position` on (compaction, max-timestamp lookups). */
  batches(from = 0, to = this.size): AsyncGenerator<BatchLocation> {
    return scanBatchHeaders(this.log, from, to);
  }

  // --- lifecycle --------------------------------------------------------------------------------

  /** Persists and trims the indexes (a clean close), syncs and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.indexesLoaded && !this.deleted) await this.becomeInactive();
    this.closed = true;
    await this.log.close();
  }

  /** Closes without writing anything (the log is offline or being deleted). */
  async closeQuietly(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.log.close().catch(() => undefined);
  }

  /**
   * Deletes the segment: its files are renamed `.deleted` at once (recovery removes leftovers)
   * and unlinked when the last reader releases it.
   */
  async markDeleted(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    const deletedPath = (suffix: string) => segmentPath(this.dir, this.baseOffset, suffix + DELETED_SUFFIX);
    await this.fs.rename(this.path, deletedPath(LOG_SUFFIX));
    for (const index of [this.offsetIndex, this.timeIndex]) {
      const suffix = index === this.offsetIndex ? INDEX_SUFFIX : TIME_INDEX_SUFFIX;
      try {
        await index.rename(deletedPath(suffix));
      } catch (error) {
        if ((error as { code?: string }).code !== 'ENOENT') throw error;
      }
    }
    if (this.readers === 0) await this.unlinkFiles();
  }

  private async unlinkFiles(): Promise<void> {
    await this.closeQuietly();
    const path = segmentPath(this.dir, this.baseOffset, LOG_SUFFIX + DELETED_SUFFIX);
    await this.fs.unlink(path).catch(() => undefined);
    await this.offsetIndex.delete().catch(() => undefined);
    await this.timeIndex.delete().catch(() => undefined);
  }
}
