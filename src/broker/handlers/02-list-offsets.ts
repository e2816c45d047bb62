/**
 * ListOffsets (key 2), versions 1-8. Special timestamps: -2 earliest (log start offset), -1 latest
 * (high watermark, or the last stable offset for read_committed), -3 the record with the largest
 * timestamp (v7+), -4 earliest local (v8+; the log start offset, as there is no tiered storage).
 * A timestamp >= 0 finds the first record, below the readable limit, whose timestamp is at least
 * that: the storage index finds its batch, then the batch's records are walked so the answer is
 * record-precise. None found: offset and timestamp -1.
 * Not implemented: v0 (multiple old-style offsets), v9+ (tiered storage), follower requests.
 */
import type { MetadataImage } from '../../metadata/metadata-image.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ListOffsetsRequestListOffsetsPartition } from '../../protocol/generated/list-offsets-request.js';
import type { ListOffsetsResponseListOffsetsPartitionResponse } from '../../protocol/generated/list-offsets-response.js';
import { batchHeader, readRecords } from '../../protocol/records/index.js';
import type { PartitionLog } from '../../storage/log/partition-log.js';
import type { BrokerContext } from '../context.js';
import { lookupPartition, storageErrorCode } from '../partition-lookup.js';
import { defineHandler } from './handler.js';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const READ_COMMITTED = 1;

export const listOffsetsHandler = defineHandler({
  api: Apis.ListOffsets,
  minVersion: 1,
  maxVersion: 8,
  async handle(request, context) {
    const { broker, apiVersion } = context;
    const image = broker.image();
    const readCommitted = apiVersion >= 2 && request.isolationLevel === READ_COMMITTED;
    const topics = await Promise.all(
      request.topics.map(async (topic) => ({
        name: topic.name,
        partitions: await Promise.all(
          topic.partitions.map((partition) =>
            listPartition(broker, image, topic.name, partition, apiVersion, readCommitted),
          ),
        ),
      })),
    );
    return Apis.ListOffsets.response.create({ throttleTimeMs: 0, topics });
  },
});

async function listPartition(
  broker: BrokerContext,
  image: MetadataImage,
  topic: string,
  request: ListOffsetsRequestListOffsetsPartition,
  apiVersion: number,
  readCommitted: boolean,
): Promise<ListOffsetsResponseListOffsetsPartitionResponse> {
  const index = request.partitionIndex;
  const found = lookupPartition(broker, image, topic, index, request.currentLeaderEpoch);
  if (!found.ok) return answer(index, found.errorCode, -1, -1, -1);
  const { log, partition } = found;
  const epoch = partition.leaderEpoch;
  const timestamp = Number(request.timestamp);
  const readable = readCommitted ? log.lastStableOffset : log.highWatermark;
  try {
    switch (timestamp) {
      case EARLIEST:
        return answer(index, ErrorCode.NONE, -1, log.logStartOffset, epoch);
      case EARLIEST_LOCAL:
        if (apiVersion < 8) break;
        return answer(index, ErrorCode.NONE, -1, log.logStartOffset, epoch);
      case LATEST:
        return answer(index, ErrorCode.NONE, -1, readable, epoch);
      case MAX_TIMESTAMP: {
        if (apiVersion < 7) break;
        const max = log.maxTimestampAndOffset();
        if (max === undefined || max.offset >= readable) return answer(index, ErrorCode.NONE, -1, -1, -1);
        return answer(index, ErrorCode.NONE, max.timestamp, max.offset, epoch);
      }
    }
    if (timestamp < 0) return answer(index, ErrorCode.UNSUPPORTED_VERSION, -1, -1, -1);
    const hit = await firstRecordAtOrAfter(log, timestamp, readable);
    if (hit === undefined) return answer(index, ErrorCode.NONE, -1, -1, -1);
    return answer(index, ErrorCode.NONE, hit.timestamp, hit.offset, hit.leaderEpoch);
  } catch (error) {
    const errorCode = storageErrorCode(error) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    broker.logger.warn({ err: error, topic, partition: index }, 'list offsets failed');
    return answer(index, errorCode, -1, -1, -1);
  }
}

interface RecordHit {
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

/**
 * The first record with a timestamp >= `timestamp` below `readable`. The storage index answers
 * with a batch; its records are walked for the exact one (a batch may start before the target).
 */
async function firstRecordAtOrAfter(
  log: PartitionLog,
  timestamp: number,
  readable: number,
): Promise<RecordHit | undefined> {
  const located = await log.offsetForTimestamp(timestamp);
  if (located === undefined || located.offset >= readable) return undefined;
  let offset = located.offset;
  while (offset < readable) {
    const { records } = await log.read(offset, 1, { maxOffset: readable, minOneBatch: true });
    if (records.length === 0) return undefined;
    let position = 0;
    while (position < records.length) {
      const size = batchHeader.totalSize(records, position);
      const batch = records.subarray(position, position + size);
      const leaderEpoch = batchHeader.partitionLeaderEpoch(batch);
      if (batchHeader.maxTimestamp(batch) >= timestamp && !batchHeader.isControl(batch)) {
        for (const record of readRecords(batch, { verifyCrc: false })) {
          if (record.offset < offset || record.offset >= readable) continue;
          if (record.timestamp >= timestamp)
            return { offset: record.offset, timestamp: record.timestamp, leaderEpoch };
        }
      }
      offset = batchHeader.lastOffset(batch) + 1;
      position += size;
    }
  }
  return undefined;
}

function answer(
  partitionIndex: number,
  errorCode: number,
  timestamp: number,
  offset: number,
  leaderEpoch: number,
): ListOffsetsResponseListOffsetsPartitionResponse {
  return {
    partitionIndex,
    errorCode,
    oldStyleOffsets: [],
    timestamp: BigInt(timestamp),
    offset: BigInt(offset),
    leaderEpoch,
  };
}
