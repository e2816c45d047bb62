/**
 * The 61-byte header of a v2 record batch (magic 2), read in place from a Buffer without copying.
 *
 *   offset  size  field
 *        0     8  baseOffset            rewritten by the broker on append (outside the CRC)
 *        8     4  batchLength           bytes after this field
 *       12     4  partitionLeaderEpoch  rewritten by the broker on append (outside the CRC)
 *       16     1  magic                 2
 *       17     4  crc                   CRC-32C of bytes 21..end
 *       21     2  attributes            bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control, 6 delete horizon
 *       23     4  lastOffsetDelta
 *       27     8  baseTimestamp
 *       35     8  maxTimestamp
 *       43     8  producerId
 *       51     2  producerEpoch
 *       53     4  baseSequence
 *       57     4  recordCount
 *       61        records (compressed as a whole when the codec is not 0)
 */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the part of the header that is not counted by batchLength. */
export const BATCH_LOG_OVERHEAD = 12;

export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

export const CompressionCodec = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type CompressionCodec = (typeof CompressionCodec)[keyof typeof CompressionCodec];

export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** Reads an int64 header field as a JS number (exact within ±2^53, which offsets and times are). */
function readInt64Number(buffer: Buffer, at: number): number {
  return buffer.readInt32BE(at) * 0x1_0000_0000 + buffer.readUInt32BE(at + 4);
}

function writeInt64Number(buffer: Buffer, at: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  buffer.writeInt32BE(high, at);
  buffer.writeUInt32BE(value - high * 0x1_0000_0000, at + 4);
}

/**
 * Field accessors over the batch that starts at `position` of `buffer`. The caller has checked
 * that at least BATCH_HEADER_SIZE bytes are there (see `record-batch.ts` for validation).
 */
export const batchHeader = {
  baseOffset: (buffer: Buffer, position = 0): number =>
    readInt64Number(buffer, position + BASE_OFFSET_OFFSET),
  setBaseOffset: (buffer: Buffer, value: number, position = 0): void =>
    writeInt64Number(buffer, position + BASE_OFFSET_OFFSET, value),
  batchLength: (buffer: Buffer, position = 0): number => buffer.readInt32BE(position + BATCH_LENGTH_OFFSET),
  /** Size of the whole batch on the wire and on disk. */
  totalSize: (buffer: Buffer, position = 0): number =>
    buffer.readInt32BE(position + BATCH_LENGTH_OFFSET) + BATCH_LOG_OVERHEAD,
  partitionLeaderEpoch: (buffer: Buffer, position = 0): number =>
    buffer.readInt32BE(position + PARTITION_LEADER_EPOCH_OFFSET),
  setPartitionLeaderEpoch: (buffer: Buffer, value: number, position = 0): void => {
    buffer.writeInt32BE(value, position + PARTITION_LEADER_EPOCH_OFFSET);
  },
  magic: (buffer: Buffer, position = 0): number => buffer.readInt8(position + MAGIC_OFFSET),
  crc: (buffer: Buffer, position = 0): number => buffer.readUInt32BE(position + CRC_OFFSET),
  attributes: (buffer: Buffer, position = 0): number => buffer.readInt16BE(position + ATTRIBUTES_OFFSET),
  compression: (buffer: Buffer, position = 0): number =>
    buffer.readInt16BE(position + ATTRIBUTES_OFFSET) & COMPRESSION_CODEC_MASK,
  timestampType: (buffer: Buffer, position = 0): TimestampType =>
    (buffer.readInt16BE(position + ATTRIBUTES_OFFSET) & TIMESTAMP_TYPE_MASK) !== 0
      ? TimestampType.LogAppendTime
      : TimestampType.CreateTime,
  isTransactional: (buffer: Buffer, position = 0): boolean =>
    (buffer.readInt16BE(position + ATTRIBUTES_OFFSET) & TRANSACTIONAL_FLAG_MASK) !== 0,
  isControl: (buffer: Buffer, position = 0): boolean =>
    (buffer.readInt16BE(position + ATTRIBUTES_OFFSET) & CONTROL_FLAG_MASK) !== 0,
  lastOffsetDelta: (buffer: Buffer, position = 0): number =>
    buffer.readInt32BE(position + LAST_OFFSET_DELTA_OFFSET),
  /** baseOffset + lastOffsetDelta. */
  lastOffset: (buffer: Buffer, position = 0): number =>
    readInt64Number(buffer, position + BASE_OFFSET_OFFSET) +
    buffer.readInt32BE(position + LAST_OFFSET_DELTA_OFFSET),
  baseTimestamp: (buffer: Buffer, position = 0): number =>
    readInt64Number(buffer, position + BASE_TIMESTAMP_OFFSET),
  maxTimestamp: (buffer: Buffer, position = 0): number =>
    readInt64Number(buffer, position + MAX_TIMESTAMP_OFFSET),
  setMaxTimestamp: (buffer: Buffer, value: number, position = 0): void =>
    writeInt64Number(buffer, position + MAX_TIMESTAMP_OFFSET, value),
  producerId: (buffer: Buffer, position = 0): number =>
    readInt64Number(buffer, position + PRODUCER_ID_OFFSET),
  producerEpoch: (buffer: Buffer, position = 0): number =>
    buffer.readInt16BE(position + PRODUCER_EPOCH_OFFSET),
  baseSequence: (buffer: Buffer, position = 0): number => buffer.readInt32BE(position + BASE_SEQUENCE_OFFSET),
  recordCount: (buffer: Buffer, position = 0): number => buffer.readInt32BE(position + RECORD_COUNT_OFFSET),
};
