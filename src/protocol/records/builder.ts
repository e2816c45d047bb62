/**
 * Building v2 record batches: for tests, internal topics (__consumer_offsets, transaction
 * markers) and compaction rewrites. Records are encoded into one exactly sized buffer, compressed
 * as a whole when a codec is set, and the header's CRC-32C is computed last.
 */
import { ProtocolEncodeError } from '../primitives/errors.js';
import {
  sizeOfVarint,
  sizeOfVarlongNumber,
  writeUnsignedVarintAt,
  writeVarlongNumberAt,
  zigzag32,
} from '../primitives/varint.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  BATCH_LOG_OVERHEAD,
  batchHeader,
  CONTROL_FLAG_MASK,
  CompressionCodec,
  LAST_OFFSET_DELTA_OFFSET,
  MAGIC_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TimestampType,
  TRANSACTIONAL_FLAG_MASK,
} from './batch-header.js';
import { type CompressOptions, compress, compressSync } from './compression/index.js';
import { writeBatchCrc } from './crc32c.js';
import type { RecordHeader } from './records.js';

export interface RecordInput {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: readonly RecordHeader[];
  /** Milliseconds; defaults to the batch's time (the `timestamp` option, else now). */
  timestamp?: number;
  /** Defaults to the record's index; must increase through the batch. */
  offsetDelta?: number;
}

export interface BuildBatchOptions {
  baseOffset?: number;
  records: readonly RecordInput[];
  compression?: CompressionCodec;
  timestampType?: TimestampType;
  /** Timestamp for records that carry none (default Date.now()). */
  timestamp?: number;
  /** Overrides the computed maxTimestamp (with LogAppendTime: the broker's append time). */
  maxTimestamp?: number;
  /** Overrides the computed lastOffsetDelta (compaction keeps it although it removes records). */
  lastOffsetDelta?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  transactional?: boolean;
  control?: boolean;
  /** Codec-specific settings (snappy layout). */
  compressOptions?: CompressOptions;
}

interface Plan {
  timestamps: number[];
  offsetDeltas: number[];
  baseTimestamp: number;
  maxTimestamp: number;
  lastOffsetDelta: number;
  sizes: number[];
  total: number;
}

function headerBytes(header: RecordHeader): number {
  const keyLength = Buffer.byteLength(header.key, 'utf8');
  const valueSize =
    header.value === null ? sizeOfVarint(-1) : sizeOfVarint(header.value.length) + header.value.length;
  return sizeOfVarint(keyLength) + keyLength + valueSize;
}

function bytesSize(value: Buffer | null | undefined): number {
  return value == null ? 1 : sizeOfVarint(value.length) + value.length;
}

function plan(options: BuildBatchOptions): Plan {
  const now = options.timestamp ?? Date.now();
  const records = options.records;
  const timestamps = records.map((record) => record.timestamp ?? now);
  const offsetDeltas = records.map((record, index) => record.offsetDelta ?? index);
  for (let i = 0; i < offsetDeltas.length; i++) {
    const delta = offsetDeltas[i]!;
    if (
      !Number.isInteger(delta) ||
      delta < 0 ||
      delta > 0x7fffffff ||
      (i > 0 && delta <= offsetDeltas[i - 1]!)
    ) {
      throw new ProtocolEncodeError(`offsetDelta ${delta} at record ${i} is not increasing`);
    }
  }
  // No records: the no-timestamp marker, as Kafka writes for batches emptied by compaction.
  const baseTimestamp = timestamps.length > 0 ? timestamps[0]! : -1;
  const maxTimestamp = options.maxTimestamp ?? (timestamps.length > 0 ? Math.max(...timestamps) : -1);
  const lastOffsetDelta = options.lastOffsetDelta ?? (offsetDeltas.length > 0 ? offsetDeltas.at(-1)! : 0);
  if (offsetDeltas.length > 0 && lastOffsetDelta < offsetDeltas.at(-1)!) {
    throw new ProtocolEncodeError(`lastOffsetDelta ${lastOffsetDelta} below the last record's offsetDelta`);
  }
  const sizes: number[] = [];
  let total = 0;
  records.forEach((record, index) => {
    let body =
      1 +
      sizeOfVarlongNumber(timestamps[index]! - baseTimestamp) +
      sizeOfVarint(offsetDeltas[index]!) +
      bytesSize(record.key) +
      bytesSize(record.value);
    const headers = record.headers ?? [];
    body += sizeOfVarint(headers.length);
    for (const header of headers) body += headerBytes(header);
    sizes.push(body);
    total += sizeOfVarint(body) + body;
  });
  return { timestamps, offsetDeltas, baseTimestamp, maxTimestamp, lastOffsetDelta, sizes, total };
}

function writeBytes(buffer: Buffer, at: number, value: Buffer | null | undefined): number {
  if (value == null) return writeUnsignedVarintAt(buffer, at, zigzag32(-1));
  at = writeUnsignedVarintAt(buffer, at, zigzag32(value.length));
  return at + value.copy(buffer, at);
}

function encodeRecords(options: BuildBatchOptions, layout: Plan): Buffer {
  const buffer = Buffer.allocUnsafe(layout.total);
  let at = 0;
  options.records.forEach((record, index) => {
    at = writeUnsignedVarintAt(buffer, at, zigzag32(layout.sizes[index]!));
    buffer[at++] = 0;
    at = writeVarlongNumberAt(buffer, at, layout.timestamps[index]! - layout.baseTimestamp);
    at = writeUnsignedVarintAt(buffer, at, zigzag32(layout.offsetDeltas[index]!));
    at = writeBytes(buffer, at, record.key);
    at = writeBytes(buffer, at, record.value);
    const headers = record.headers ?? [];
    at = writeUnsignedVarintAt(buffer, at, zigzag32(headers.length));
    for (const header of headers) {
      const keyLength = Buffer.byteLength(header.key, 'utf8');
      at = writeUnsignedVarintAt(buffer, at, zigzag32(keyLength));
      at += buffer.write(header.key, at, keyLength, 'utf8');
      at = writeBytes(buffer, at, header.value);
    }
  });
  if (at !== layout.total)
    throw new ProtocolEncodeError(`record encoding wrote ${at} of ${layout.total} bytes`);
  return buffer;
}

function assemble(options: BuildBatchOptions, layout: Plan, payload: Buffer): Buffer {
  const codec = options.compression ?? CompressionCodec.None;
  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  let attributes = codec;
  if ((options.timestampType ?? TimestampType.CreateTime) === TimestampType.LogAppendTime) {
    attributes |= TIMESTAMP_TYPE_MASK;
  }
  if (options.transactional === true) attributes |= TRANSACTIONAL_FLAG_MASK;
  if (options.control === true) attributes |= CONTROL_FLAG_MASK;
  batchHeader.setBaseOffset(batch, options.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - BATCH_LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  batchHeader.setPartitionLeaderEpoch(batch, options.partitionLeaderEpoch ?? -1);
  batch.writeInt8(2, MAGIC_OFFSET);
  batch.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  batch.writeInt32BE(layout.lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET);
  const int64At = (value: number, at: number) => {
    const high = Math.floor(value / 0x1_0000_0000);
    batch.writeInt32BE(high, at);
    batch.writeUInt32BE(value - high * 0x1_0000_0000, at + 4);
  };
  int64At(layout.baseTimestamp, BASE_TIMESTAMP_OFFSET);
  batchHeader.setMaxTimestamp(batch, layout.maxTimestamp);
  int64At(options.producerId ?? -1, PRODUCER_ID_OFFSET);
  batch.writeInt16BE(options.producerEpoch ?? -1, PRODUCER_EPOCH_OFFSET);
  batch.writeInt32BE(options.baseSequence ?? -1, BASE_SEQUENCE_OFFSET);
  batch.writeInt32BE(options.records.length, RECORD_COUNT_OFFSET);
  payload.copy(batch, BATCH_HEADER_SIZE);
  writeBatchCrc(batch);
  return batch;
}

/** Builds one v2 batch, compressing synchronously. */
export function buildRecordBatch(options: BuildBatchOptions): Buffer {
  const layout = plan(options);
  const records = encodeRecords(options, layout);
  return assemble(
    options,
    layout,
    compressSync(options.compression ?? CompressionCodec.None, records, options.compressOptions),
  );
}

/** Builds one v2 batch, compressing off the main thread where the codec allows. */
export async function buildRecordBatchAsync(options: BuildBatchOptions): Promise<Buffer> {
  const layout = plan(options);
  const records = encodeRecords(options, layout);
  return assemble(
    options,
    layout,
    await compress(options.compression ?? CompressionCodec.None, records, options.compressOptions),
  );
}
