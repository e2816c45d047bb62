import { posix } from 'node:path';
import { type CheckpointEntry, OffsetCheckpointFile, topicPartitionKey } from './checkpoint-file.js';
import { type CleanerStats, cleanLog } from './cleaner/log-cleaner.js';
import { StorageError, toStorageError } from './errors.js';
import type { FileSystem } from './fs.js';
import {
  CLEAN_SHUTDOWN_FILE,
  LOG_START_OFFSET_CHECKPOINT_FILE,
  parsePartitionDirName,
  partitionDirName,
  RECOVERY_POINT_CHECKPOINT_FILE,
  type TopicPartition,
} from './log/file-names.js';
import { GroupCommit } from './log/group-commit.js';
import { PartitionLog } from './log/partition-log.js';
import { ReadAheadCache } from './log/read-ahead.js';
import type { LogOptions } from './log-options.js';

/**
 * Owns one log directory (`log.dirs` entry): loads every `<topic>-<partition>/` in it at start,
 * recovering after an unclean stop, creates and deletes partition logs, shares one group-commit
 * flusher between them, and runs the background duties: retention every
 * `log.retention.check.interval.ms`, recovery-point and log-start-offset checkpoints every
 * `log.flush.offset.checkpoint.interval.ms`, time-based flushes for pagecache logs.
 *
 * Files in the directory besides the partitions (Kafka's names):
 *   .kafka_cleanshutdown               present only between a clean close and the next start
 *   recovery-point-offset-checkpoint   per partition, the offset below which data is durable
 *   log-start-offset-checkpoint        per partition, the log start offset (DeleteRecords)
 *
 * Concurrency: public methods may be called concurrently; creating the same partition twice at
 * once yields one log; checkpoint writes are serialised.
 */
export interface LogManagerConfig {
  fs: FileSystem;
  logDir: string;
  /** Settings of a partition's topic (from metadata); defaults apply where absent. */
  optionsFor?: (tp: TopicPartition) => Partial<LogOptions>;
  /** log.retention.check.interval.ms, default 300000 (5 min). */
  retentionCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms (and the log-start one), default 60000. */
  checkpointIntervalMs?: number;
  /** log.cleaner.backoff.ms: pause between compaction passes, default 15000. */
  cleanerBackoffMs?: number;
  /**
   * samsa.recovery.checkpoint.bytes: a log that has grown this much since its last checkpoint is
   * checkpointed at the next check (every `recoveryCheckIntervalMs`); 0 disables. Default 16 MiB.
   */
  recoveryCheckpointBytes?: number;
  /** How often logs are checked against `recoveryCheckpointBytes`, default 200 ms. */
  recoveryCheckIntervalMs?: number;
  /** How often pagecache logs are checked against flush.ms, default 1000. */
  flushCheckIntervalMs?: number;
  /** Start the background timers (default true; tests drive the duties by hand). */
  scheduler?: boolean;
  /** Logs opened at once during startup. Default 8. */
  loadConcurrency?: number;
  time?: () => number;
  /** Failures of background duties. */
  onError?: (error: unknown, tp?: TopicPartition) => void;
}

export interface PartitionUsage extends TopicPartition {
  size: number;
  logStartOffset: number;
  logEndOffset: number;
}

const DELETE_DIR_SUFFIX = '-delete';

export class LogManager {
  readonly logDir: string;
  readonly flusher = new GroupCommit();
  /** Read-ahead chunks of every partition of this directory share one budget. */
  readonly readAhead = new ReadAheadCache();
  /** Whether the last stop was clean (the marker was present at start). */
  cleanShutdownDetected = false;

  private readonly fs: FileSystem;
  private readonly logs = new Map<string, PartitionLog>();
  private readonly creating = new Map<string, Promise<PartitionLog>>();
  private readonly recoveryPoints: OffsetCheckpointFile;
  private readonly logStartOffsets: OffsetCheckpointFile;
  private readonly timers: NodeJS.Timeout[] = [];
  private checkpointing: Promise<void> = Promise.resolve();
  /** Per log, the recovery point whose index entries were last made durable, and the log size then. */
  private readonly prepared = new WeakMap<PartitionLog, { recoveryPoint: number; size: number }>();
  private closed = false;

  private constructor(private readonly config: LogManagerConfig) {
    this.fs = config.fs;
    this.logDir = config.logDir;
    this.recoveryPoints = new OffsetCheckpointFile(
      this.fs,
      posix.join(this.logDir, RECOVERY_POINT_CHECKPOINT_FILE),
    );
    this.logStartOffsets = new OffsetCheckpointFile(
      this.fs,
      posix.join(this.logDir, LOG_START_OFFSET_CHECKPOINT_FILE),
    );
  }

  static async open(config: LogManagerConfig): Promise<LogManager> {
    const manager = new LogManager(config);
    try {
      await manager.load();
    } catch (error) {
      await Promise.all([...manager.logs.values()].map((log) => log.close().catch(() => undefined)));
      throw toStorageError(error, `cannot load log dir ${config.logDir}`);
    }
    if (config.scheduler ?? true) manager.startScheduler();
    return manager;
  }

  private async load(): Promise<void> {
    if (!(await this.fs.exists(this.logDir))) {
      await this.fs.mkdir(this.logDir, { recursive: true });
      await this.fs.syncDirectory(posix.dirname(this.logDir));
    }
    const markerPath = posix.join(this.logDir, CLEAN_SHUTDOWN_FILE);
    this.cleanShutdownDetected = await this.fs.exists(markerPath);
    const recoveryPoints = toMap(await this.recoveryPoints.read());
    const logStartOffsets = toMap(await this.logStartOffsets.read());
    const toLoad: TopicPartition[] = [];
    for (const name of await this.fs.readdir(this.logDir)) {
      const path = posix.join(this.logDir, name);
      if (name.endsWith(DELETE_DIR_SUFFIX)) {
        await this.fs.rmdir(path);
        continue;
      }
      const tp = parsePartitionDirName(name);
      if (tp && (await this.fs.stat(path)).isDirectory) toLoad.push(tp);
    }
    const concurrency = Math.max(1, this.config.loadConcurrency ?? 8);
    let next = 0;
    const worker = async () => {
      while (next < toLoad.length) {
        const tp = toLoad[next++]!;
        const key = topicPartitionKey(tp);
        const log = await this.openLog(tp, {
          cleanShutdown: this.cleanShutdownDetected,
          recoveryPoint: recoveryPoints.get(key) ?? 0,
          logStartOffset: logStartOffsets.get(key),
        });
        this.logs.set(key, log);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, toLoad.length) }, worker));
    // Recovery is done and durable: record it, then forget the clean marker before any append.
    // (Recovery left the indexes consistent; making them durable for every log would cost two
    // fsyncs per partition at start-up, and a later recovery checks the entries it uses anyway.)
    await this.checkpoint('none');
    if (this.cleanShutdownDetected) {
      await this.fs.unlink(markerPath);
      await this.fs.syncDirectory(this.logDir);
    }
  }

  private openLog(
    tp: TopicPartition,
    recovery: { cleanShutdown?: boolean; recoveryPoint?: number; logStartOffset?: number | undefined },
    options?: Partial<LogOptions>,
  ): Promise<PartitionLog> {
    return PartitionLog.open({
      fs: this.fs,
      dir: posix.join(this.logDir, partitionDirName(tp)),
      topicPartition: tp,
      options: { ...this.config.optionsFor?.(tp), ...options },
      flusher: this.flusher,
      readAhead: this.readAhead,
      time: this.config.time,
      ...recovery,
    });
  }

  // --- partitions -------------------------------------------------------------------------------

  getLog(tp: TopicPartition): PartitionLog | undefined {
    return this.logs.get(topicPartitionKey(tp));
  }

  /** The partition's log, created empty if it does not exist yet. */
  async getOrCreateLog(tp: TopicPartition, options?: Partial<LogOptions>): Promise<PartitionLog> {
    this.checkOpen();
    const key = topicPartitionKey(tp);
    const existing = this.logs.get(key);
    if (existing) return existing;
    let pending = this.creating.get(key);
    if (!pending) {
      pending = this.openLog(tp, { cleanShutdown: false, recoveryPoint: 0 }, options).then(
        (log) => {
          this.logs.set(key, log);
          this.creating.delete(key);
          return log;
        },
        (error: unknown) => {
          this.creating.delete(key);
          throw error;
        },
      );
      this.creating.set(key, pending);
    }
    return pending;
  }

  allLogs(): PartitionLog[] {
    return [...this.logs.values()];
  }

  /**
   * Deletes a partition: its directory is renamed `<dir>.<time>-delete` (durably) at once and
   * removed afterwards; a crash in between is finished at the next start.
   */
  async deleteLog(tp: TopicPartition): Promise<void> {
    const key = topicPartitionKey(tp);
    const log = this.logs.get(key);
    if (!log) return;
    this.logs.delete(key);
    await log.close().catch(() => undefined);
    const doomed = `${log.dir}.${this.now()}${DELETE_DIR_SUFFIX}`;
    await this.fs.rename(log.dir, doomed);
    await this.fs.syncDirectory(this.logDir);
    await this.fs.rmdir(doomed);
    await this.checkpoint();
  }

  /** DeleteRecords; the new log start offset is checkpointed before this resolves. */
  async deleteRecords(tp: TopicPartition, offset: number): Promise<number> {
    const log = this.getLog(tp);
    if (!log) throw new StorageError('ERR_LOG_CLOSED', `no log for ${topicPartitionKey(tp)}`);
    const lowWatermark = await log.deleteRecordsBefore(offset);
    await this.checkpoint();
    return lowWatermark;
  }

  /** Sizes for DescribeLogDirs. */
  usage(): { logDir: string; totalBytes: number; partitions: PartitionUsage[] } {
    const partitions = this.allLogs().map((log) => ({
      ...log.topicPartition,
      size: log.size,
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
    }));
    return { logDir: this.logDir, totalBytes: partitions.reduce((sum, p) => sum + p.size, 0), partitions };
  }

  // --- background duties ------------------------------------------------------------------------

  /** One retention pass over every log; returns the segments deleted. */
  async runRetention(now = this.now()): Promise<number> {
    let deleted = 0;
    for (const log of this.allLogs()) {
      try {
        deleted += await log.deleteOldSegments(now);
      } catch (error) {
        this.config.onError?.(error, log.topicPartition);
      }
    }
    if (deleted > 0) await this.checkpoint();
    return deleted;
  }

  /** One compaction pass over every log whose cleanup policy includes compact. */
  async runCleaner(now = this.now()): Promise<CleanerStats> {
    const total: CleanerStats = { segmentsCleaned: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0 };
    for (const log of this.allLogs()) {
      if (!log.options.cleanupPolicy.includes('compact') || log.isOffline) continue;
      try {
        const stats = await cleanLog(log, now);
        total.segmentsCleaned += stats.segmentsCleaned;
        total.recordsRemoved += stats.recordsRemoved;
        total.bytesBefore += stats.bytesBefore;
        total.bytesAfter += stats.bytesAfter;
      } catch (error) {
        this.config.onError?.(error, log.topicPartition);
      }
    }
    return total;
  }

  /**
   * Writes both checkpoint files (serialised). First the logs in `prepare` (default: every log
   * whose recovery point moved since its last preparation; 'none': no log) make the index entries
   * of their active segment durable, so that recovery after a crash scans only past the recovery
   * point (`PartitionLog.prepareRecoveryCheckpoint`). A log not prepared still gets its current
   * recovery point: its recovery starts from an earlier durable index entry, or scans the segment.
   */
  checkpoint(prepare: 'changed' | 'none' | readonly PartitionLog[] = 'changed'): Promise<void> {
    const run = async () => {
      if (prepare === 'none') {
        for (const log of this.allLogs()) {
          this.prepared.set(log, { recoveryPoint: log.recoveryPoint, size: log.size });
        }
      }
      for (const log of prepare === 'changed' ? this.allLogs() : prepare === 'none' ? [] : prepare) {
        if (log.isOffline) continue;
        const last = this.prepared.get(log);
        if (last && last.recoveryPoint === log.recoveryPoint) continue;
        const size = log.size;
        try {
          this.prepared.set(log, { recoveryPoint: await log.prepareRecoveryCheckpoint(), size });
        } catch (error) {
          this.config.onError?.(error, log.topicPartition);
        }
      }
      const logs = this.allLogs().filter((log) => !log.isOffline);
      const entries = (value: (log: PartitionLog) => number): CheckpointEntry[] =>
        logs.map((log) => ({ ...log.topicPartition, offset: value(log) }));
      await this.recoveryPoints.write(entries((log) => log.recoveryPoint));
      await this.logStartOffsets.write(entries((log) => log.logStartOffset));
    };
    const result = this.checkpointing.then(run);
    this.checkpointing = result.catch(() => undefined);
    return result;
  }

  /** Checkpoints the logs that grew by `recoveryCheckpointBytes` since they were last prepared. */
  async checkpointGrownLogs(): Promise<void> {
    const threshold = this.config.recoveryCheckpointBytes ?? 16 * 1024 * 1024;
    if (threshold <= 0) return;
    const grown: PartitionLog[] = [];
    for (const log of this.allLogs()) {
      if (log.isOffline) continue;
      const last = this.prepared.get(log);
      const size = log.size;
      if (last && size < last.size) last.size = size; // retention or compaction shrank it
      if (size - (last?.size ?? 0) >= threshold) grown.push(log);
    }
    if (grown.length > 0) await this.checkpoint(grown);
  }

  private async flushByTime(): Promise<void> {
    const now = this.now();
    for (const log of this.allLogs()) {
      if (log.options.durability !== 'pagecache') continue;
      await log
        .maybeFlushByTime(now)
        .catch((error: unknown) => this.config.onError?.(error, log.topicPartition));
    }
  }

  private startScheduler(): void {
    const every = (ms: number, duty: () => Promise<unknown>) => {
      let running = false;
      const timer = setInterval(() => {
        if (running || this.closed) return;
        running = true;
        duty()
          .catch((error: unknown) => this.config.onError?.(error))
          .finally(() => {
            running = false;
          });
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.config.retentionCheckIntervalMs ?? 300_000, () => this.runRetention());
    every(this.config.checkpointIntervalMs ?? 60_000, () => this.checkpoint());
    every(this.config.cleanerBackoffMs ?? 15_000, () => this.runCleaner());
    every(this.config.flushCheckIntervalMs ?? 1_000, () => this.flushByTime());
    every(this.config.recoveryCheckIntervalMs ?? 200, () => this.checkpointGrownLogs());
  }

  // --- shutdown ---------------------------------------------------------------------------------

  /**
   * Clean shutdown: stops the duties, closes every log (flushed, indexes trimmed), writes the
   * checkpoints and then the clean-shutdown marker, durably. If any log fails to close the
   * marker is not written, so the next start recovers.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.creating.values()]);
    const results = await Promise.allSettled(this.allLogs().map((log) => log.close()));
    const failed = results.find((result) => result.status === 'rejected');
    const anyOffline = this.allLogs().some((log) => log.isOffline);
    await this.checkpoint();
    if (failed) throw toStorageError(failed.reason, `closing ${this.logDir} failed`);
    if (anyOffline) return;
    const marker = await this.fs.open(posix.join(this.logDir, CLEAN_SHUTDOWN_FILE), 'w+');
    try {
      await marker.sync();
    } finally {
      await marker.close();
    }
    await this.fs.syncDirectory(this.logDir);
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('ERR_LOG_CLOSED', `log manager for ${this.logDir} is closed`);
  }

  private now(): number {
    return (this.config.time ?? Date.now)();
  }
}

function toMap(entries: CheckpointEntry[]): Map<string, number> {
  return new Map(entries.map((entry) => [topicPartitionKey(entry), entry.offset]));
}
