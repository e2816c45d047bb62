/**
 * Structural checks on v2 record batches and splitting of a records blob (the `records` field of
 * Produce and Fetch) into batches, without looking at the records themselves.
 */
import { ProtocolDecodeError } from '../primitives/errors.js';
import {
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  BATCH_LOG_OVERHEAD,
  batchHeader,
  MAGIC_OFFSET,
} from './batch-header.js';
import { isKnownCompressionCodec } from './compression/index.js';
import { verifyBatchCrc } from './crc32c.js';

/** batchLength of a batch with no records: the header minus baseOffset and batchLength. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD;
/** The smallest encoded record: length, attributes, three zero varints, null key/value, 0 headers. */
export const MIN_RECORD_SIZE = 7;
export const CURRENT_MAGIC = 2;

export interface ValidateOptions {
  /** Check the CRC-32C (default true). */
  verifyCrc?: boolean;
}

function bad(message: string): never {
  throw new ProtocolDecodeError('ERR_BAD_RECORD_BATCH', message);
}

/**
 * Checks the batch starting at `position`: complete header, sane batchLength that fits the
 * buffer, magic 2, known codec, CRC-32C, non-negative lastOffsetDelta and recordCount that fit
 * the batch. Returns the batch's total size (batchLength + 12). Bytes after the batch are ignored.
 */
export function validateBatch(buffer: Buffer, position = 0, options?: ValidateOptions): number {
  const available = buffer.length - position;
  if (position < 0 || available < BATCH_HEADER_SIZE) {
    throw new ProtocolDecodeError(
      'ERR_TRUNCATED',
      `record batch header needs ${BATCH_HEADER_SIZE} bytes, ${Math.max(0, available)} available`,
    );
  }
  const batchLength = buffer.readInt32BE(position + BATCH_LENGTH_OFFSET);
  if (batchLength < MIN_BATCH_LENGTH) bad(`batchLength ${batchLength} below the minimum ${MIN_BATCH_LENGTH}`);
  const magic = buffer.readInt8(position + MAGIC_OFFSET);
  if (magic !== CURRENT_MAGIC) bad(`unsupported record batch magic ${magic}`);
  const totalSize = batchLength + BATCH_LOG_OVERHEAD;
  if (totalSize > available) {
    throw new ProtocolDecodeError(
      'ERR_TRUNCATED',
      `record batch of ${totalSize} bytes, only ${available} available`,
    );
  }
  if (options?.verifyCrc !== false) verifyBatchCrc(buffer, position);
  const codec = batchHeader.compression(buffer, position);
  if (!isKnownCompressionCodec(codec)) {
    throw new ProtocolDecodeError('ERR_UNSUPPORTED_COMPRESSION', `unknown compression codec ${codec}`);
  }
  const lastOffsetDelta = batchHeader.lastOffsetDelta(buffer, position);
  if (lastOffsetDelta < 0) bad(`negative lastOffsetDelta ${lastOffsetDelta}`);
  const recordCount = batchHeader.recordCount(buffer, position);
  if (recordCount < 0) bad(`negative recordCount ${recordCount}`);
  // Offset deltas are distinct and within 0..lastOffsetDelta, so there cannot be more records.
  if (recordCount > 0 && recordCount - 1 > lastOffsetDelta) {
    bad(`recordCount ${recordCount} exceeds lastOffsetDelta ${lastOffsetDelta} + 1`);
  }
  if (codec === 0 && recordCount > (batchLength - MIN_BATCH_LENGTH) / MIN_RECORD_SIZE) {
    bad(`recordCount ${recordCount} cannot fit in ${batchLength - MIN_BATCH_LENGTH} bytes`);
  }
  return totalSize;
}

export interface BatchSpan {
  /** The batch, a view of the input. */
  batch: Buffer;
  /** Where it starts in the input. */
  position: number;
}

export interface SplitOptions extends ValidateOptions {
  /**
   * Fetch responses may end in a batch cut off at the size limit, which clients skip; Produce
   * requests may not. When true, an incomplete trailing batch is reported in `partialBytes`
   * instead of raising ERR_TRUNCATED (default false).
   */
  allowPartial?: boolean;
}

export interface SplitResult {
  batches: BatchSpan[];
  /** Bytes of an incomplete batch at the end (0 when the input ends on a batch boundary). */
  partialBytes: number;
}

/** Whether the bytes from `position` are the start of a batch that is not all there. */
function isIncomplete(records: Buffer, position: number): boolean {
  const available = records.length - position;
  if (available < BATCH_LOG_OVERHEAD) return true;
  const totalSize = records.readInt32BE(position + BATCH_LENGTH_OFFSET) + BATCH_LOG_OVERHEAD;
  // A length too small to be a batch is corruption, not truncation: validation reports it.
  return totalSize >= BATCH_HEADER_SIZE && totalSize > available;
}

/** Yields every batch of a records blob, validated, as views of the input. */
export function* iterateBatches(records: Buffer, options?: SplitOptions): Generator<BatchSpan, number> {
  let position = 0;
  while (position < records.length) {
    if (options?.allowPartial === true && isIncomplete(records, position)) {
      return records.length - position;
    }
    const size = validateBatch(records, position, options);
    yield { batch: records.subarray(position, position + size), position };
    position += size;
  }
  return 0;
}

/** All batches of a records blob; see SplitOptions for an incomplete trailing batch. */
export function splitBatches(records: Buffer, options?: SplitOptions): SplitResult {
  const batches: BatchSpan[] = [];
  const iterator = iterateBatches(records, options);
  for (;;) {
    const step = iterator.next();
    if (step.done === true) return { batches, partialBytes: step.value };
    batches.push(step.value);
  }
}

/** Rewrites baseOffset and (optionally) partitionLeaderEpoch; both are outside the CRC. */
export function assignBatchOffsets(
  batch: Buffer,
  baseOffset: number,
  partitionLeaderEpoch?: number,
  position = 0,
): void {
  batchHeader.setBaseOffset(batch, baseOffset, position);
  if (partitionLeaderEpoch !== undefined)
    batchHeader.setPartitionLeaderEpoch(batch, partitionLeaderEpoch, position);
}
