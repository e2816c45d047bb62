import { posix } from 'node:path';
import {
  ATTRIBUTES_OFFSET,
  batchHeader,
  RECORD_COUNT_OFFSET,
  TIMESTAMP_TYPE_MASK,
} from '../../protocol/records/batch-header.js';
import type { FileRegion } from '../../util/file-region.js';
import { OffsetOutOfRangeError, StorageError, toStorageError } from '../errors.js';
import type { FileSystem } from '../fs.js';
import { type LogOptions, resolveLogOptions } from '../log-options.js';
import { type BatchLocation, locateBatches, updateBatchCrc } from './batch-scan.js';
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  parseSegmentFileName,
  SWAP_SUFFIX,
  TIME_INDEX_SUFFIX,
  TMP_SUFFIX,
  type TopicPartition,
} from './file-names.js';
import { type Flushable, GroupCommit } from './group-commit.js';
import { LogSegment, type SegmentSettings } from './log-segment.js';
import { Mutex } from './mutex.js';
import { LogReadAhead, ReadAheadCache } from './read-ahead.js';
import { completeInterruptedSwaps } from './segment-swap.js';

/**
 * The log of one partition: an ordered list of segments in `<topic>-<partition>/`, the last of
 * which (the active segment) takes appends.
 *
 * Offsets: `logStartOffset` <= every readable offset < `logEndOffset` (LEO). `highWatermark`
 * (HW) is the limit consumers may read to; on a single broker it follows acknowledged appends
 * (set `manageHighWatermark: false` to let replication set it). `recoveryPoint` is the offset below
 * which all data is known durable; recovery after an unclean stop scans from its segment on.
 *
 * Concurrency contract: appends, truncation, retention and closing are serialised by one mutex
 * per partition; the durability wait of an append (group commit) happens outside it, so the next
 * append writes while the previous one's fsync runs. Reads take no lock: they see the segment
 * list and sizes of the moment they start, and never a batch whose write is incomplete. After an
 * I/O failure that cannot be undone (a failed fsync, a failed cut-back) the log goes offline and
 * every operation fails with ERR_LOG_OFFLINE until it is reopened (recovery).
 */
export interface PartitionLogConfig {
  fs: FileSystem;
  /** The partition directory. */
  dir: string;
  topicPartition: TopicPartition;
  options?: Partial<LogOptions>;
  /** Shared group-commit flusher; a private one is made if absent. */
  flusher?: GroupCommit;
  /** Clock in ms; Date.now by default. */
  time?: () => number;
  /** From recovery-point-offset-checkpoint; 0 (scan everything) if unknown. */
  recoveryPoint?: number;
  /** From log-start-offset-checkpoint. */
  logStartOffset?: number;
  /** True when the log dir had `.kafka_cleanshutdown`: no segment is scanned. */
  cleanShutdown?: boolean;
  /** Advance the high watermark to acknowledged appends (single broker). Default true. */
  manageHighWatermark?: boolean;
  /** Read-ahead budget shared with other logs; a private one with the defaults if absent. */
  readAhead?: ReadAheadCache;
}

export interface AppendOptions {
  /** Written into each batch's partitionLeaderEpoch. Default 0. */
  leaderEpoch?: number;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The broker time stamped on the batches for LogAppendTime topics, else -1. */
  logAppendTime: number;
  logStartOffset: number;
  recordCount: number;
}

export interface ReadOptions {
  /** Exclusive upper bound: only batches whose last offset is below it (e.g. the high watermark). */
  maxOffset?: number;
  /** KIP-74: return the first batch whole even if it is larger than maxBytes. */
  minOneBatch?: boolean;
  /** Bytes to read ahead for the next sequential read (the partition's fetch limit); default maxBytes. */
  readAheadBytes?: number;
  /**
   * Answer reads of at least this many bytes with a file region (`ReadResult.region`) instead of
   * reading the bytes, where the file system gives descriptors (util/file-region). Unset: never.
   */
  regionMinBytes?: number;
}

export interface ReadResult {
  /** Whole record batches, possibly none (empty when `region` holds them). */
  records: Buffer;
  /** The batches as a range of the segment file, owned by the caller (see ReadOptions.regionMinBytes). */
  region?: FileRegion;
  /** Base offset of the first batch returned, or undefined when none. */
  firstOffset: number | undefined;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  logEndOffset: number;
}

export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
}

export interface RecoveryStats {
  segmentsScanned: number;
  batchesScanned: number;
  bytesTruncated: number;
}

const INT32_MAX = 0x7fff_ffff;
/** Most appends written by one writev (IOV_MAX is 1024; more would only delay the first). */
const MAX_GROUP_APPENDS = 256;

interface QueuedAppend {
  records: Buffer;
  batches: BatchLocation[];
  leaderEpoch: number;
  /** Offsets the append's batches span (lastOffset - baseOffset of the whole buffer, + 1). */
  offsetSpan: number;
  /** Largest batch maxTimestamp as received. */
  maxTimestamp: number;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export class PartitionLog implements Flushable {
  readonly topicPartition: TopicPartition;
  readonly dir: string;
  /** Current settings; replace with `updateOptions` (AlterConfigs). */
  options: LogOptions;
  readonly recoveryStats: RecoveryStats = { segmentsScanned: 0, batchesScanned: 0, bytesTruncated: 0 };

  /** Immutable snapshot; replaced, never mutated, so that readers can iterate it safely. */
  private segments: readonly LogSegment[] = [];
  private nextOffset = 0;
  private startOffset = 0;
  private hw = 0;
  private flushedOffset = 0;
  private lastFlushMs: number;
  private offline: StorageError | undefined;
  private closed = false;
  private readonly mutex = new Mutex();
  /** Appends waiting for their turn under the mutex; later appends join it until it starts. */
  private openGroup: QueuedAppend[] | undefined;
  private readonly fs: FileSystem;
  private readonly flusher: GroupCommit;
  private readonly time: () => number;
  private readonly manageHighWatermark: boolean;
  private readonly readAhead: LogReadAhead;

  private constructor(config: PartitionLogConfig) {
    this.fs = config.fs;
    this.dir = config.dir;
    this.topicPartition = config.topicPartition;
    this.options = resolveLogOptions(config.options);
    this.flusher = config.flusher ?? new GroupCommit();
    this.time = config.time ?? Date.now;
    this.manageHighWatermark = config.manageHighWatermark ?? true;
    this.readAhead = new LogReadAhead(config.readAhead ?? new ReadAheadCache());
    this.lastFlushMs = this.time();
  }

  /** Opens (creating if needed) and recovers the log in `config.dir`. */
  static async open(config: PartitionLogConfig): Promise<PartitionLog> {
    const log = new PartitionLog(config);
    try {
      await log.load(config);
    } catch (error) {
      for (const segment of log.segments) await segment.closeQuietly();
      throw toStorageError(error, `cannot load log ${log.dir}`);
    }
    return log;
  }

  /** Applies changed topic settings; they take effect from the next append/retention check. */
  updateOptions(overrides: Partial<LogOptions>): void {
    this.options = resolveLogOptions({ ...this.options, ...overrides });
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.nextOffset;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** Set by replication (clamped to [logStartOffset, logEndOffset]). */
  set highWatermark(offset: number) {
    this.hw = Math.min(Math.max(offset, this.startOffset), this.nextOffset);
  }

  /** Placeholder until transactions: equal to the high watermark. */
  get lastStableOffset(): number {
    return this.hw;
  }

  /** Offsets below it are durable (fsynced); checkpointed as the recovery point. */
  get recoveryPoint(): number {
    return this.flushedOffset;
  }

  get isOffline(): boolean {
    return this.offline !== undefined;
  }

  /** Bytes of all segments (DescribeLogDirs, retention.bytes). */
  get size(): number {
    return this.segments.reduce((sum, segment) => sum + segment.size, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first (tests, tools). */
  get segmentBaseOffsets(): number[] {
    return this.segments.map((segment) => segment.baseOffset);
  }

  private get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  // --- loading ----------------------------------------------------------------------------------

  private async load(config: PartitionLogConfig): Promise<void> {
    if (!(await this.fs.exists(this.dir))) {
      await this.fs.mkdir(this.dir, { recursive: true });
      // The new directory's entry must survive a crash too.
      await this.fs.syncDirectory(posix.dirname(this.dir));
    }
    await completeInterruptedSwaps(this.fs, this.dir);
    const names = await this.fs.readdir(this.dir);
    const logBases = new Set<number>();
    const indexFiles: Array<{ name: string; baseOffset: number }> = [];
    for (const name of names) {
      const parsed = parseSegmentFileName(name);
      if (!parsed) {
        if (name.endsWith(TMP_SUFFIX)) await this.fs.unlink(`${this.dir}/${name}`);
        continue;
      }
      const { baseOffset, suffix } = parsed;
      if (
        suffix.endsWith(DELETED_SUFFIX) ||
        suffix.endsWith(CLEANED_SUFFIX) ||
        suffix.endsWith(SWAP_SUFFIX)
      ) {
        await this.fs.unlink(`${this.dir}/${name}`);
      } else if (suffix === LOG_SUFFIX) {
        logBases.add(baseOffset);
      } else if (suffix === INDEX_SUFFIX || suffix === TIME_INDEX_SUFFIX) {
        indexFiles.push({ name, baseOffset });
      }
    }
    for (const index of indexFiles) {
      if (!logBases.has(index.baseOffset)) await this.fs.unlink(`${this.dir}/${index.name}`);
    }
    const bases = [...logBases].sort((a, b) => a - b);
    const settings = this.segmentSettings();
    const now = this.time();
    if (bases.length === 0) {
      const base = Math.max(config.logStartOffset ?? 0, 0);
      this.segments = [await LogSegment.create(this.fs, this.dir, base, settings, now)];
      await this.fs.syncDirectory(this.dir);
    } else {
      const segments: LogSegment[] = [];
      for (const base of bases) segments.push(await LogSegment.open(this.fs, this.dir, base, settings));
      this.segments = segments;
      await this.recoverSegments(config);
    }
    const active = this.activeSegment;
    await active.becomeActive();
    this.nextOffset = active.nextOffset;
    const firstBase = this.segments[0]!.baseOffset;
    this.startOffset = Math.min(Math.max(config.logStartOffset ?? firstBase, firstBase), this.nextOffset);
    this.flushedOffset = this.nextOffset;
    this.hw = this.nextOffset;
  }

  /**
   * Segments below the recovery point are trusted after an index sanity check; the rest (all of
   * them after a clean shutdown: none) are scanned batch by batch, truncating at the first bad
   * one. Startup cost follows the unflushed tail, not the log size.
   */
  private async recoverSegments(config: PartitionLogConfig): Promise<void> {
    const segments = [...this.segments];
    const recoveryPoint = config.recoveryPoint ?? 0;
    let scanFrom = segments.length;
    if (!config.cleanShutdown) {
      scanFrom = 0;
      for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= recoveryPoint) scanFrom = i;
    }
    const scanned: LogSegment[] = [];
    let keep = segments.length;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const next = segments[i + 1];
      const isLast = i === segments.length - 1;
      let trusted = false;
      if (i < scanFrom) {
        trusted = isLast ? await segment.loadTail() : await segment.sanityCheck(next?.baseOffset);
      }
      if (trusted) continue;
      const result =
        i === scanFrom && !config.cleanShutdown && recoveryPoint > segment.baseOffset
          ? await segment.recoverFrom(recoveryPoint)
          : await segment.recover();
      scanned.push(segment);
      this.recoveryStats.segmentsScanned++;
      this.recoveryStats.batchesScanned += result.batches;
      this.recoveryStats.bytesTruncated += result.truncatedBytes;
      if (result.truncatedBytes > 0 && !isLast) {
        // Everything after a corrupt batch is unreachable: drop the later segments.
        keep = i + 1;
        break;
      }
    }
    for (const segment of segments.slice(keep)) {
      this.recoveryStats.bytesTruncated += segment.size;
      await segment.markDeleted();
    }
    this.segments = segments.slice(0, keep);
    // Make what recovery decided durable before anything new is acknowledged on top of it.
    for (const segment of scanned) {
      if (segment !== this.segments[this.segments.length - 1] && this.segments.includes(segment)) {
        await segment.becomeInactive();
      } else {
        await segment.sync();
      }
    }
    if (keep < segments.length) await this.fs.syncDirectory(this.dir);
  }

  /** What new and reopened segments are created with; fsync durability writes with O_DSYNC by default. */
  private segmentSettings(): SegmentSettings {
    const { segmentIndexBytes, indexIntervalBytes, durability, fsyncMethod } = this.options;
    return {
      segmentIndexBytes,
      indexIntervalBytes,
      syncWrites: durability === 'fsync' && fsyncMethod === 'dsync',
    };
  }

  // --- appending ----------------------------------------------------------------------------------

  /**
   * Appends one or more v2 batches, already CRC-validated by the caller. The buffer is taken over:
   * its baseOffset and partitionLeaderEpoch fields are rewritten in place (plus maxTimestamp,
   * the timestamp type and the CRC for LogAppendTime topics). Resolves once the data is durable
   * (`durability: 'fsync'`) or written (`'pagecache'`). On failure nothing of it remains.
   */
  async append(records: Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    this.checkUsable();
    const batches = locateBatches(records, this.options.maxMessageBytes);
    const result = await new Promise<AppendResult>((resolve, reject) => {
      let offsetSpan = 0;
      let maxTimestamp = -1;
      for (const batch of batches) {
        offsetSpan += batch.lastOffset - batch.baseOffset + 1;
        if (batch.maxTimestamp > maxTimestamp) maxTimestamp = batch.maxTimestamp;
      }
      const queued: QueuedAppend = {
        records,
        batches,
        leaderEpoch: options.leaderEpoch ?? 0,
        offsetSpan,
        maxTimestamp,
        resolve,
        reject,
      };
      let group = this.openGroup;
      if (group === undefined || group.length >= MAX_GROUP_APPENDS) {
        const created: QueuedAppend[] = [];
        group = created;
        this.openGroup = created;
        void this.mutex.run(() => this.appendGroup(created));
      }
      group.push(queued);
    });
    if (this.options.durability === 'fsync') {
      // An O_DSYNC segment made the write durable already (writeRun moved flushedOffset past it).
      if (this.flushedOffset <= result.lastOffset) await this.flusher.request(this);
    } else if (this.nextOffset - this.flushedOffset >= this.options.flushMessages) {
      await this.flusher.request(this);
    }
    if (this.manageHighWatermark && result.lastOffset + 1 > this.hw) {
      this.hw = Math.min(result.lastOffset + 1, this.nextOffset);
    }
    result.logStartOffset = this.startOffset;
    return result;
  }

  /**
   * Group append (caller holds the mutex): the appends that queued while the previous write ran
   * are written in request order with one writev per run, a run being the appends that fit in
   * the active segment without a roll between them. Each append gets the result (or the error)
   * it would have got alone: rolls are decided per append, exactly as one at a time, and a failed
   * write fails only the appends of its run, after which the next run starts from the log end.
   */
  private async appendGroup(group: QueuedAppend[]): Promise<void> {
    if (this.openGroup === group) this.openGroup = undefined;
    let index = 0;
    while (index < group.length) index = await this.appendRun(group, index);
  }

  /** Writes the run starting at `group[index]`; returns the index after it. */
  private async appendRun(group: QueuedAppend[], index: number): Promise<number> {
    const first = group[index]!;
    const now = this.time();
    // LogAppendTime topics: every batch will carry `now`, and rolls are decided on that.
    const timestampOf =
      this.options.messageTimestampType === 'LogAppendTime'
        ? () => now
        : (item: QueuedAppend, batch?: BatchLocation) => (batch ?? item).maxTimestamp;
    let next = this.nextOffset;
    try {
      this.checkUsable();
      await this.maybeRoll(first.records.length, next, next + first.offsetSpan - 1, now, timestampOf(first));
    } catch (error) {
      first.reject(error);
      return index + 1;
    }
    const active = this.activeSegment;
    let end = index + 1;
    let size = active.size + first.records.length;
    let pendingBatches = first.batches.length;
    const firstTimestamp =
      active.size === 0 ? timestampOf(first, first.batches[0]!) : active.firstBatchTimestamp;
    next += first.offsetSpan;
    while (end < group.length) {
      const item = group[end]!;
      const lastOffset = next + item.offsetSpan - 1;
      pendingBatches += item.batches.length;
      const maxTimestamp = timestampOf(item);
      if (this.wouldRoll(active, size, item, lastOffset, maxTimestamp, now, firstTimestamp, pendingBatches)) {
        break;
      }
      size += item.records.length;
      next = lastOffset + 1;
      end++;
    }
    const run = group.slice(index, end);
    let results: AppendResult[];
    try {
      results = await this.writeRun(run, now);
    } catch (error) {
      for (const item of run) item.reject(error);
      return end;
    }
    for (let i = 0; i < run.length; i++) run[i]!.resolve(results[i]!);
    return end;
  }

  /** maybeRoll's decision for `item` written after `size` bytes of the active segment. */
  private wouldRoll(
    active: LogSegment,
    size: number,
    item: QueuedAppend,
    lastOffset: number,
    maxTimestamp: number,
    now: number,
    firstTimestamp: number | undefined,
    pendingBatches: number,
  ): boolean {
    if (size + item.records.length > this.options.segmentBytes) return true;
    const age =
      firstTimestamp !== undefined && firstTimestamp >= 0
        ? maxTimestamp - firstTimestamp
        : now - active.createdMs;
    if (age > this.options.segmentMs) return true;
    if (lastOffset - active.baseOffset > INT32_MAX) return true;
    // Each batch adds at most one entry per index: near the limit, write first and decide then.
    return (
      active.offsetIndex.entries + pendingBatches >= active.offsetIndex.maxEntries ||
      active.timeIndex.entries + pendingBatches >= active.timeIndex.maxEntries
    );
  }

  /** Stamps offsets (and LogAppendTime) on the run's batches and writes them in one writev. */
  private async writeRun(run: QueuedAppend[], now: number): Promise<AppendResult[]> {
    const logAppendTime = this.options.messageTimestampType === 'LogAppendTime';
    const results: AppendResult[] = [];
    const buffers: Buffer[] = [];
    const batchLists: BatchLocation[][] = [];
    let next = this.nextOffset;
    for (const { records, batches, leaderEpoch } of run) {
      const baseOffset = next;
      let recordCount = 0;
      for (const batch of batches) {
        const delta = batch.lastOffset - batch.baseOffset;
        batchHeader.setBaseOffset(records, next, batch.position);
        batchHeader.setPartitionLeaderEpoch(records, leaderEpoch, batch.position);
        if (logAppendTime) {
          const attributes = records.readInt16BE(batch.position + ATTRIBUTES_OFFSET);
          records.writeInt16BE(attributes | TIMESTAMP_TYPE_MASK, batch.position + ATTRIBUTES_OFFSET);
          batchHeader.setMaxTimestamp(records, now, batch.position);
          updateBatchCrc(records, batch.position, batch.size);
          batch.maxTimestamp = now;
        }
        batch.baseOffset = next;
        batch.lastOffset = next + delta;
        next = batch.lastOffset + 1;
        recordCount += records.readInt32BE(batch.position + RECORD_COUNT_OFFSET);
      }
      buffers.push(records);
      batchLists.push(batches);
      results.push({
        baseOffset,
        lastOffset: next - 1,
        logAppendTime: logAppendTime ? now : -1,
        logStartOffset: this.startOffset,
        recordCount,
      });
    }
    const segment = this.activeSegment;
    const position = segment.size;
    try {
      await segment.appendMany(buffers, batchLists);
    } catch (error) {
      const storageError = toStorageError(error, `append to ${this.dir} failed`);
      const truncateFailed = (error as { truncateFailed?: boolean }).truncateFailed === true;
      // An O_DSYNC write's error may be its sync's: as after a failed fsync, the file's cached
      // pages can no longer be trusted. A full disk is the exception: nothing was synced wrongly.
      const syncMayHaveFailed = segment.syncsWrites && storageError.code !== 'ERR_STORAGE_FULL';
      if (truncateFailed || syncMayHaveFailed) this.goOffline(storageError);
      throw storageError;
    }
    this.nextOffset = next;
    if (segment.syncsWrites && this.flushedOffset === results[0]!.baseOffset) this.flushedOffset = next;
    this.readAhead.offerAppended(segment, position, buffers, results[0]!.baseOffset);
    return results;
  }

  private async maybeRoll(
    bytes: number,
    baseOffset: number,
    lastOffset: number,
    now: number,
    maxTimestamp: number,
  ): Promise<void> {
    const active = this.activeSegment;
    if (active.size === 0) return;
    const full = active.size + bytes > this.options.segmentBytes;
    // As Kafka: the age is measured in record time when the segment's first batch has a timestamp.
    const first = active.firstBatchTimestamp;
    const age = first !== undefined && first >= 0 ? maxTimestamp - first : now - active.createdMs;
    const old = age > this.options.segmentMs;
    const offsetOverflow = lastOffset - active.baseOffset > INT32_MAX;
    if (full || old || offsetOverflow || active.isIndexFull()) await this.roll(baseOffset);
  }

  /**
   * Closes the active segment for writing (indexes trimmed, everything fsynced) and starts a new
   * one at `baseOffset`, fsyncing the directory so that the new files survive a crash.
   */
  private async roll(baseOffset: number): Promise<void> {
    const previous = this.activeSegment;
    try {
      await previous.becomeInactive();
      const segment = await LogSegment.create(
        this.fs,
        this.dir,
        baseOffset,
        this.segmentSettings(),
        this.time(),
      );
      this.segments = [...this.segments, segment];
      await this.fs.syncDirectory(this.dir);
    } catch (error) {
      const storageError = toStorageError(error, `roll of ${this.dir} failed`);
      this.goOffline(storageError);
      throw storageError;
    }
    this.flushedOffset = Math.max(this.flushedOffset, baseOffset);
  }

  // --- durability -------------------------------------------------------------------------------

  /** Fsyncs the active segment (previous ones were fsynced when rolled). Called by the flusher. */
  async flush(): Promise<void> {
    if (this.closed) return;
    const upTo = this.nextOffset;
    const segment = this.activeSegment;
    try {
      await segment.sync();
    } catch (error) {
      const storageError = toStorageError(error, `fsync of ${this.dir} failed`);
      // After a failed fsync the page cache may have dropped the data: the file is untrustworthy.
      this.goOffline(storageError);
      throw storageError;
    }
    this.flushedOffset = Math.max(this.flushedOffset, upTo);
    this.lastFlushMs = this.time();
  }

  /** Pagecache mode: flushes if the oldest unflushed write is older than flush.ms. */
  async maybeFlushByTime(now = this.time()): Promise<void> {
    if (this.closed || this.offline) return;
    if (this.nextOffset > this.flushedOffset && now - this.lastFlushMs >= this.options.flushMs) {
      await this.flusher.request(this);
    }
  }

  // --- reading ----------------------------------------------------------------------------------

  /**
   * Reads whole batches starting with the one holding `fetchOffset`, from one segment, up to
   * `maxBytes` (see ReadOptions for maxOffset and minOneBatch). Throws OffsetOutOfRangeError
   * when fetchOffset is below the log start or above the log end.
   */
  async read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): Promise<ReadResult> {
    this.checkUsable();
    const segments = this.segments;
    const logEnd = this.nextOffset;
    const result: ReadResult = {
      records: Buffer.alloc(0),
      firstOffset: undefined,
      highWatermark: this.hw,
      lastStableOffset: this.lastStableOffset,
      logStartOffset: this.startOffset,
      logEndOffset: logEnd,
    };
    if (fetchOffset < this.startOffset || fetchOffset > logEnd) {
      throw new OffsetOutOfRangeError(fetchOffset, this.startOffset, logEnd);
    }
    const maxOffset = Math.min(options.maxOffset ?? logEnd, logEnd);
    if (fetchOffset >= maxOffset) return result;
    const stream = await this.readAhead.find(fetchOffset);
    for (let i = this.floorSegment(segments, fetchOffset); i < segments.length; i++) {
      const segment = segments[i]!;
      const source = this.readAhead.source(stream, segment);
      segment.acquire();
      try {
        const location = await source.translateOffset(fetchOffset);
        if (!location) continue;
        if (location.lastOffset >= maxOffset) return result;
        let maxPosition = segment.size;
        /** Whether maxPosition is a batch start or the segment's end (not a byte window). */
        let boundary = true;
        const nextBase = segments[i + 1]?.baseOffset;
        // Only when batches at or above maxOffset may lie within the read is the limit searched
        // for, and only within the bytes the read can return: a consumer far behind must not
        // cost a walk over every batch header to the end of the segment on each fetch.
        const limited = nextBase === undefined ? maxOffset < segment.nextOffset : maxOffset < nextBase;
        if (limited) {
          const window = location.position + Math.max(maxBytes, location.size);
          const limit = await source.translateOffset(maxOffset, location.position, window);
          if (limit) maxPosition = limit.position;
          else {
            maxPosition = Math.min(maxPosition, window);
            boundary = maxPosition === segment.size;
          }
        }
        if (options.regionMinBytes !== undefined) {
          const region = await segment.region(
            location.position,
            location.size,
            maxPosition,
            boundary,
            maxBytes,
            options.minOneBatch ?? false,
            options.regionMinBytes,
          );
          if (region !== undefined) {
            // The kernel reads these bytes: nothing to read ahead into memory for the next fetch.
            result.region = region;
            result.firstOffset = location.baseOffset;
            return result;
          }
        }
        const records = await source.read(
          location.position,
          location.size,
          maxPosition,
          maxBytes,
          options.minOneBatch ?? false,
        );
        result.records = records;
        result.firstOffset = records.length > 0 ? location.baseOffset : undefined;
        this.readAhead.advance(
          stream,
          segments,
          i,
          location.position,
          records,
          maxOffset,
          options.readAheadBytes ?? maxBytes,
        );
        return result;
      } catch (error) {
        throw toStorageError(error, `read from ${this.dir} failed`);
      } finally {
        segment.release();
      }
    }
    return result;
  }

  /**
   * The first batch at or after logStartOffset whose timestamp is >= `timestamp`, as its offset
   * and timestamp (ListOffsets). Batch granularity: the batch's base offset (exact when its
   * records are in timestamp order, as producers write them).
   */
  async offsetForTimestamp(timestamp: number): Promise<TimestampAndOffset | undefined> {
    this.checkUsable();
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestamp && segment !== this.activeSegment) continue;
      segment.acquire();
      try {
        const batch = await segment.findBatchByTimestamp(timestamp, this.startOffset);
        if (batch)
          return { timestamp: batch.maxTimestamp, offset: Math.max(batch.baseOffset, this.startOffset) };
      } finally {
        segment.release();
      }
    }
    return undefined;
  }

  /** ListOffsets MAX_TIMESTAMP (-3): the newest largest timestamp and the batch carrying it. */
  maxTimestampAndOffset(): TimestampAndOffset | undefined {
    let best: TimestampAndOffset | undefined;
    for (const segment of this.segments) {
      if (segment.maxTimestamp >= 0 && (!best || segment.maxTimestamp > best.timestamp)) {
        best = { timestamp: segment.maxTimestamp, offset: segment.offsetOfMaxTimestamp };
      }
    }
    return best;
  }

  private floorSegment(segments: readonly LogSegment[], offset: number): number {
    let low = 0;
    let high = segments.length - 1;
    let found = 0;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (segments[middle]!.baseOffset <= offset) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  // --- deleting -------------------------------------------------------------------------------

  /**
   * DeleteRecords: moves logStartOffset to `offset` (at most the high watermark) and deletes the
   * segments entirely below it. Returns the new log start offset.
   */
  deleteRecordsBefore(offset: number): Promise<number> {
    return this.exclusive(async () => {
      this.checkUsable();
      if (offset > this.hw || offset < 0) throw new OffsetOutOfRangeError(offset, this.startOffset, this.hw);
      if (offset > this.startOffset) this.startOffset = offset;
      await this.deleteSegmentsWhile((_segment, next) =>
        next ? next.baseOffset <= this.startOffset : this.startOffset >= this.nextOffset,
      );
      return this.startOffset;
    });
  }

  /**
   * Retention: deletes the oldest segments that break retention.ms (by their largest timestamp)
   * or retention.bytes, when the cleanup policy includes delete, and those below logStartOffset.
   * Returns the number of segments deleted.
   */
  deleteOldSegments(now = this.time()): Promise<number> {
    return this.exclusive(async () => {
      if (this.closed || this.offline) return 0;
      let deleted = await this.deleteSegmentsWhile((_segment, next) =>
        next ? next.baseOffset <= this.startOffset : this.startOffset >= this.nextOffset,
      );
      if (!this.options.cleanupPolicy.includes('delete')) return deleted;
      const { retentionMs, retentionBytes } = this.options;
      if (retentionMs >= 0) {
        deleted += await this.deleteSegmentsWhile((segment) => now - segment.largestTimestamp > retentionMs);
      }
      if (retentionBytes >= 0) {
        let excess = this.size - retentionBytes;
        deleted += await this.deleteSegmentsWhile((segment) => {
          if (excess - segment.size < 0) return false;
          excess -= segment.size;
          return true;
        });
      }
      return deleted;
    });
  }

  /**
   * Deletes segments from the oldest while `predicate` holds, never past the high watermark. The
   * active segment may go only if it holds data: a fresh empty segment replaces it first.
   * Caller holds the mutex.
   */
  private async deleteSegmentsWhile(
    predicate: (segment: LogSegment, next: LogSegment | undefined) => boolean,
  ): Promise<number> {
    const doomed: LogSegment[] = [];
    const segments = this.segments;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const next = segments[i + 1];
      const upperBound = next ? next.baseOffset : this.nextOffset;
      if (upperBound > this.hw) break;
      if (!next && segment.size === 0) break;
      if (!predicate(segment, next)) break;
      doomed.push(segment);
    }
    if (doomed.length === 0) return 0;
    try {
      if (doomed.length === segments.length) await this.roll(this.nextOffset);
      this.segments = this.segments.slice(doomed.length);
      this.startOffset = Math.max(this.startOffset, this.segments[0]!.baseOffset);
      for (const segment of doomed) await segment.markDeleted();
    } catch (error) {
      const storageError = toStorageError(error, `deleting segments of ${this.dir} failed`);
      this.goOffline(storageError);
      throw storageError;
    }
    return doomed.length;
  }

  /**
   * Removes everything at or after `offset` (replication: a follower diverged). The batch holding
   * `offset` is removed entirely.
   */
  truncateTo(offset: number): Promise<void> {
    return this.exclusive(async () => {
      this.checkUsable();
      if (offset >= this.nextOffset) return;
      try {
        if (offset <= this.segments[0]!.baseOffset) {
          await this.truncateFullyAndStartAt(offset);
          return;
        }
        const keep = this.floorSegment(this.segments, offset);
        const doomed = this.segments.slice(keep + 1);
        this.segments = this.segments.slice(0, keep + 1);
        for (const segment of doomed) await segment.markDeleted();
        const active = this.activeSegment;
        await active.truncateTo(offset);
        await active.becomeActive();
        await active.sync();
        await this.fs.syncDirectory(this.dir);
        this.nextOffset = Math.max(active.nextOffset, active.baseOffset);
      } catch (error) {
        const storageError = toStorageError(error, `truncation of ${this.dir} failed`);
        this.goOffline(storageError);
        throw storageError;
      }
      this.flushedOffset = Math.min(this.flushedOffset, this.nextOffset);
      this.hw = Math.min(this.hw, this.nextOffset);
      this.startOffset = Math.min(this.startOffset, this.nextOffset);
    });
  }

  /** Deletes every segment and starts empty at `offset` (caller holds the mutex). */
  private async truncateFullyAndStartAt(offset: number): Promise<void> {
    const doomed = this.segments;
    // The old segments go first: the new one may reuse the first one's base offset (file names).
    for (const old of doomed) await old.markDeleted();
    const segment = await LogSegment.create(this.fs, this.dir, offset, this.segmentSettings(), this.time());
    this.segments = [segment];
    await this.fs.syncDirectory(this.dir);
    this.nextOffset = offset;
    this.startOffset = offset;
    this.flushedOffset = offset;
    this.hw = offset;
  }

  // --- lifecycle ------------------------------------------------------------------------------

  /** Flushes and closes every segment (indexes trimmed), after pending appends. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      this.readAhead.clear();
      await this.flusher.idle();
      if (this.offline) {
        this.closed = true;
        for (const segment of this.segments) await segment.closeQuietly();
        return;
      }
      try {
        for (const segment of this.segments) await segment.close();
      } catch (error) {
        for (const segment of this.segments) await segment.closeQuietly();
        throw toStorageError(error, `closing ${this.dir} failed`);
      } finally {
        this.closed = true;
      }
      this.flushedOffset = this.nextOffset;
    });
  }

  /** Closes without flushing and removes the partition directory. */
  delete(): Promise<void> {
    return this.exclusive(async () => {
      this.closed = true;
      this.readAhead.clear();
      for (const segment of this.segments) await segment.closeQuietly();
      this.segments = [];
      await this.fs.rmdir(this.dir);
    });
  }

  /** The port the log's files live on (the cleaner writes beside them). */
  get fileSystem(): FileSystem {
    return this.fs;
  }

  /** Every segment, for the cleaner (holds no lock: treat as a snapshot). */
  snapshotSegments(): readonly LogSegment[] {
    return this.segments;
  }

  /**
   * The recovery point to checkpoint, made usable first: the active segment's index entries are
   * written under the append lock (a page-cache write) and then fsynced outside it, so appends do
   * not wait for that fsync; recovery after a crash then scans that segment only from the last
   * entry below the returned offset (`LogSegment.recoverFrom`).
   */
  async prepareRecoveryCheckpoint(): Promise<number> {
    const written = await this.exclusive(async () => {
      const recoveryPoint = this.flushedOffset;
      if (this.closed || this.offline) return { recoveryPoint, segment: undefined };
      const segment = this.activeSegment;
      await segment.writeIndexes();
      segment.acquire();
      return { recoveryPoint, segment };
    });
    const { recoveryPoint, segment } = written;
    if (!segment) return recoveryPoint;
    try {
      await segment.syncIndexes();
    } catch (error) {
      // A segment deleted or closed meanwhile needs no durable index; anything else is reported
      // (the checkpoint stays safe: recovery checks the index entry it starts from).
      if (!segment.isDeleted && !this.closed)
        throw toStorageError(error, `index fsync of ${this.dir} failed`);
    } finally {
      segment.release();
    }
    return recoveryPoint;
  }

  /** Runs `section` under the append lock (the cleaner's swap). */
  withLock<T>(section: () => Promise<T>): Promise<T> {
    return this.exclusive(section);
  }

  /**
   * Runs `section` under the mutex, after everything queued so far. Appends that arrive later go
   * into a new group behind it, so no append overtakes a truncation, retention or close.
   */
  private exclusive<T>(section: () => Promise<T>): Promise<T> {
    this.openGroup = undefined;
    return this.mutex.run(section);
  }

  /** Replaces `oldSegments` (contiguous) by `replacement` in the list (cleaner, under the lock). */
  replaceSegments(oldSegments: readonly LogSegment[], replacement: LogSegment): void {
    const first = this.segments.indexOf(oldSegments[0]!);
    this.segments = [
      ...this.segments.slice(0, first),
      replacement,
      ...this.segments.slice(first + oldSegments.length),
    ];
  }

  private goOffline(error: StorageError): void {
    if (this.offline) return;
    this.offline = new StorageError('ERR_LOG_OFFLINE', `log ${this.dir} is offline: ${error.message}`, {
      cause: error,
    });
  }

  private checkUsable(): void {
    if (this.offline) throw this.offline;
    if (this.closed) throw new StorageError('ERR_LOG_CLOSED', `log ${this.dir} is closed`);
  }
}
