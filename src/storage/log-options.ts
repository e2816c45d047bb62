/**
 * Per-partition log settings, as a plain typed object. The broker/topic config schema (elsewhere)
 * maps Kafka's names onto these fields; storage only needs the resolved values. Defaults are
 * Kafka's (in brackets the topic-level config name).
 */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type Durability = 'fsync' | 'pagecache';
export type FsyncMethod = 'dsync' | 'fdatasync';
export type MessageTimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogOptions {
  /** [segment.bytes] roll the active segment when it would grow past this. 1 GiB. */
  segmentBytes: number;
  /** [segment.ms] roll when the active segment's first batch is older than this. 7 days. */
  segmentMs: number;
  /** [segment.index.bytes] preallocated size of each index file; a full index rolls. 10 MiB. */
  segmentIndexBytes: number;
  /** [index.interval.bytes] bytes of log between two offset-index entries. 4096. */
  indexIntervalBytes: number;
  /** [retention.ms] delete segments whose newest timestamp is older than this; -1 = forever. 7 days. */
  retentionMs: number;
  /** [retention.bytes] delete oldest segments while the partition is larger; -1 = no limit. */
  retentionBytes: number;
  /** [cleanup.policy] 'delete' (retention), 'compact' (keep latest per key) or both. */
  cleanupPolicy: CleanupPolicy;
  /** [delete.retention.ms] how long compaction keeps tombstones. 1 day. */
  deleteRetentionMs: number;
  /** [min.compaction.lag.ms] records younger than this are never compacted. 0. */
  minCompactionLagMs: number;
  /** [max.compaction.lag.ms] compact at the latest after this. Long.MAX. */
  maxCompactionLagMs: number;
  /** [min.cleanable.dirty.ratio] compact when this share of the log is uncleaned. 0.5. */
  minCleanableDirtyRatio: number;
  /** [flush.messages] pagecache mode: fsync after this many unflushed messages. Long.MAX. */
  flushMessages: number;
  /** [flush.ms] pagecache mode: fsync when the oldest unflushed write is older than this. Long.MAX. */
  flushMs: number;
  /**
   * Samsa: 'fsync' (default) acknowledges an append only once it is fsynced (group commit);
   * 'pagecache' is Kafka's behaviour: acknowledge after the write, flush by flush.messages/ms.
   */
  durability: Durability;
  /**
   * Samsa, fsync durability only: 'dsync' (default) writes the active segment with O_DSYNC, so
   * one system call writes and syncs; 'fdatasync' writes, then fsyncs in a group commit.
   */
  fsyncMethod: FsyncMethod;
  /** [max.message.bytes] largest record batch accepted. 1048588. */
  maxMessageBytes: number;
  /** [message.timestamp.type] LogAppendTime makes the broker stamp each batch. CreateTime. */
  messageTimestampType: MessageTimestampType;
  /** [file.delete.delay.ms] how long a deleted segment's files linger for in-flight reads. 60 s. */
  fileDeleteDelayMs: number;
}

const LONG_MAX = Number.MAX_SAFE_INTEGER;

export const DEFAULT_LOG_OPTIONS: Readonly<LogOptions> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCompactionLagMs: 0,
  maxCompactionLagMs: LONG_MAX,
  minCleanableDirtyRatio: 0.5,
  flushMessages: LONG_MAX,
  flushMs: LONG_MAX,
  durability: 'fsync',
  fsyncMethod: 'dsync',
  maxMessageBytes: 1024 * 1024 + 12,
  messageTimestampType: 'CreateTime',
  fileDeleteDelayMs: 60_000,
});

export function resolveLogOptions(overrides: Partial<LogOptions> = {}): LogOptions {
  return { ...DEFAULT_LOG_OPTIONS, ...overrides };
}
