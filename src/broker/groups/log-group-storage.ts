/**
 * GroupStorage on the partition logs of `__consumer_offsets`. Each append is one uncompressed v2
 * record batch on the partition that holds the group, so a group's records keep their order and a
 * commit of several partitions is atomic (one batch). The append resolves when the log's append
 * does: after fsync in the default durability mode, after the write in page-cache mode.
 *
 * `load` reads every partition this broker leads from its log start to the log end seen when the
 * load began, skipping control batches and records without a key. Compaction may have removed
 * records; what is left is still the latest value of each key, which is all a replay needs.
 */

import {
  type CoordinatorRecord,
  type GroupStorage,
  GroupStorageError,
} from '../../coordinator/offsets/group-storage.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { batchHeader, buildRecordBatch, readRecords } from '../../protocol/records/index.js';
import { type OffsetsTopic, OffsetsTopicError } from './offsets-topic.js';

/** How much one read of the load asks for; a larger batch still comes whole (KIP-74). */
const LOAD_READ_BYTES = 1024 * 1024;

export class LogGroupStorage implements GroupStorage {
  constructor(
    private readonly topic: OffsetsTopic,
    private readonly now: () => number = Date.now,
  ) {}

  async append(records: CoordinatorRecord[], groupId: string): Promise<void> {
    if (records.length === 0) return;
    let target: Awaited<ReturnType<OffsetsTopic['logFor']>>;
    try {
      target = await this.topic.logFor(groupId);
    } catch (error) {
      if (error instanceof OffsetsTopicError) throw new GroupStorageError(error.message, error.errorCode);
      throw error;
    }
    const batch = buildRecordBatch({
      records: records.map((record) => ({ key: record.key, value: record.value })),
      timestamp: this.now(),
    });
    try {
      await target.log.append(batch, { leaderEpoch: target.leaderEpoch });
    } catch (error) {
      const errorCode = appendErrorCode(error);
      throw new GroupStorageError(
        `append to ${target.log.topicPartition.topic}-${target.log.topicPartition.partition} failed: ${String(error)}`,
        errorCode,
      );
    }
  }

  async *load(): AsyncIterable<CoordinatorRecord> {
    for (const log of this.topic.ledLogs()) {
      const end = log.logEndOffset;
      let offset = log.logStartOffset;
      while (offset < end) {
        const { records } = await log.read(offset, LOAD_READ_BYTES, { maxOffset: end, minOneBatch: true });
        if (records.length === 0) break;
        let position = 0;
        while (position < records.length) {
          const size = batchHeader.totalSize(records, position);
          const batch = records.subarray(position, position + size);
          position += size;
          const next = batchHeader.lastOffset(batch) + 1;
          if (!batchHeader.isControl(batch)) {
            for (const record of readRecords(batch)) {
              if (record.offset < offset || record.key === null) continue;
              yield {
                key: Buffer.from(record.key),
                value: record.value === null ? null : Buffer.from(record.value),
              };
            }
          }
          offset = Math.max(offset, next);
        }
      }
    }
  }
}

/** The Kafka error code of a failed append; the coordinator maps it to what clients see. */
function appendErrorCode(error: unknown): number {
  switch ((error as { code?: unknown } | undefined)?.code) {
    case 'ERR_STORAGE_IO':
    case 'ERR_STORAGE_FULL':
    case 'ERR_LOG_OFFLINE':
    case 'ERR_LOG_CLOSED':
      return ErrorCode.KAFKA_STORAGE_ERROR;
    case 'ERR_RECORD_TOO_LARGE':
      return ErrorCode.MESSAGE_TOO_LARGE;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
