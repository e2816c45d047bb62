import { batchHeader, type CompressionCodec } from '../../protocol/records/batch-header.js';
import { buildRecordBatchAsync } from '../../protocol/records/builder.js';
import { type BatchRecord, readRecordsAsync } from '../../protocol/records/records.js';
import { locateBatches } from '../log/batch-scan.js';
import { CLEANED_SUFFIX, SWAP_SUFFIX } from '../log/file-names.js';
import { LogSegment } from '../log/log-segment.js';
import type { PartitionLog } from '../log/partition-log.js';

/**
 * Log compaction (`cleanup.policy` compact or compact,delete) for one partition log.
 *
 * A pass looks at the non-active segments whose newest record is older than
 * `min.compaction.lag.ms`: it maps each key to the offset of its latest record there, then
 * rewrites each segment keeping, per key, only that record; tombstones (null values) are kept
 * until their segment is older than `delete.retention.ms`. Offsets are preserved (consumers see
 * gaps); each rewritten batch keeps its base offset, lastOffsetDelta, producer fields and codec.
 * Control batches are kept as they are.
 *
 * The rewrite runs outside the partition's lock (appends continue); only the swap takes it,
 * following the crash-safe `.cleaned` -> `.swap` -> final protocol of segment-swap.ts. A segment
 * that retention or truncation removed meanwhile is skipped.
 *
 * Concurrency: one pass per log at a time (the LogManager schedules them one after another).
 */
export interface CleanerStats {
  segmentsCleaned: number;
  recordsRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
}

function keyOf(record: BatchRecord): string | undefined {
  return record.key === null ? undefined : record.key.toString('latin1');
}

export async function cleanLog(log: PartitionLog, now: number): Promise<CleanerStats> {
  const stats: CleanerStats = { segmentsCleaned: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0 };
  const all = log.snapshotSegments();
  const cleanable: LogSegment[] = [];
  for (const segment of all.slice(0, -1)) {
    if (segment.largestTimestamp > now - log.options.minCompactionLagMs) break;
    cleanable.push(segment);
  }
  if (cleanable.length === 0) return stats;

  // Pass 1: the latest offset of every key.
  const latest = new Map<string, number>();
  for (const segment of cleanable) {
    await forEachBatch(segment, async (batch) => {
      if (batchHeader.isControl(batch)) return;
      for (const record of await readRecordsAsync(batch, { verifyCrc: false })) {
        const key = keyOf(record);
        if (key !== undefined) latest.set(key, record.offset);
      }
    });
  }

  // Pass 2: rewrite each segment.
  for (const segment of cleanable) {
    const dropTombstones = now - segment.largestTimestamp > log.options.deleteRetentionMs;
    const output: Buffer[] = [];
    let changed = false;
    await forEachBatch(segment, async (batch) => {
      if (batchHeader.isControl(batch)) {
        output.push(Buffer.from(batch));
        return;
      }
      const records = await readRecordsAsync(batch, { verifyCrc: false });
      const kept = records.filter((record) => {
        const key = keyOf(record);
        if (key === undefined) return true;
        if (latest.get(key) !== record.offset) return false;
        return !(record.value === null && dropTombstones);
      });
      if (kept.length === records.length) {
        output.push(Buffer.from(batch));
        return;
      }
      changed = true;
      stats.recordsRemoved += records.length - kept.length;
      if (kept.length === 0) return;
      const baseOffset = batchHeader.baseOffset(batch);
      output.push(
        await buildRecordBatchAsync({
          baseOffset,
          records: kept.map((record) => ({
            key: record.key,
            value: record.value,
            headers: record.headers,
            timestamp: record.timestamp,
            offsetDelta: record.offset - baseOffset,
          })),
          compression: batchHeader.compression(batch) as CompressionCodec,
          timestampType: batchHeader.timestampType(batch),
          maxTimestamp: batchHeader.maxTimestamp(batch),
          lastOffsetDelta: batchHeader.lastOffsetDelta(batch),
          producerId: batchHeader.producerId(batch),
          producerEpoch: batchHeader.producerEpoch(batch),
          baseSequence: batchHeader.baseSequence(batch),
          partitionLeaderEpoch: batchHeader.partitionLeaderEpoch(batch),
          transactional: batchHeader.isTransactional(batch),
        }),
      );
    });
    if (!changed) continue;
    const before = segment.size;
    if (await swapIn(log, segment, Buffer.concat(output), now)) {
      stats.segmentsCleaned++;
      stats.bytesBefore += before;
      stats.bytesAfter += output.reduce((sum, part) => sum + part.length, 0);
    }
  }
  return stats;
}

async function forEachBatch(segment: LogSegment, visit: (batch: Buffer) => Promise<void>): Promise<void> {
  segment.acquire();
  try {
    for await (const location of segment.batches()) {
      await visit(await segment.readRange(location.position, location.size));
    }
  } finally {
    segment.release();
  }
}

/** Writes the cleaned copy and swaps it for `old` crash-safely; false if `old` is gone. */
async function swapIn(log: PartitionLog, old: LogSegment, content: Buffer, now: number): Promise<boolean> {
  const fs = log.fileSystem;
  const cleaned = await LogSegment.create(fs, log.dir, old.baseOffset, log.options, now, CLEANED_SUFFIX);
  try {
    if (content.length > 0) await cleaned.append(content, locateBatches(content, Number.MAX_SAFE_INTEGER));
    await cleaned.becomeInactive();
  } catch (error) {
    await cleaned.markDeleted().catch(() => undefined);
    throw error;
  }
  return log.withLock(async () => {
    if (!log.snapshotSegments().includes(old)) {
      await cleaned.markDeleted();
      return false;
    }
    await cleaned.changeSuffix(SWAP_SUFFIX);
    await fs.syncDirectory(log.dir);
    // From here a crash completes the swap at the next start.
    await old.markDeleted();
    await cleaned.changeSuffix('');
    await fs.syncDirectory(log.dir);
    log.replaceSegments([old], cleaned);
    return true;
  });
}
