import { crc32c } from '@node-rs/crc32';
import {
  BATCH_HEADER_SIZE,
  batchHeader,
  CRC_OFFSET,
  MAGIC_OFFSET,
} from '../../protocol/records/batch-header.js';
import { releaseBuffer, sharedBufferPool } from '../../util/buffer-pool.js';
import { InvalidRecordError } from '../errors.js';
import type { FileHandle } from '../fs.js';

/**
 * Walking record batches by their headers: in a Buffer handed to `append`, in a `.log` file (to
 * translate offsets to positions), and with full validation during recovery.
 */
export interface BatchLocation {
  /** Position of the batch in the buffer or file. */
  position: number;
  /** Whole batch size (header included). */
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/**
 * Splits an append's input into batches, checking only what storage relies on (the broker has
 * validated CRCs): sizes add up, magic 2, a non-negative lastOffsetDelta.
 */
export function locateBatches(buffer: Buffer, maxBatchBytes: number): BatchLocation[] {
  const batches: BatchLocation[] = [];
  let position = 0;
  while (position < buffer.length) {
    if (buffer.length - position < BATCH_HEADER_SIZE) {
      throw new InvalidRecordError('ERR_CORRUPT_RECORD', `truncated record batch at byte ${position}`);
    }
    const size = batchHeader.totalSize(buffer, position);
    if (size < BATCH_HEADER_SIZE || position + size > buffer.length) {
      throw new InvalidRecordError(
        'ERR_CORRUPT_RECORD',
        `record batch at byte ${position} has bad length ${size}`,
      );
    }
    if (batchHeader.magic(buffer, position) !== 2) {
      throw new InvalidRecordError('ERR_CORRUPT_RECORD', `record batch at byte ${position} is not magic 2`);
    }
    if (batchHeader.lastOffsetDelta(buffer, position) < 0) {
      throw new InvalidRecordError(
        'ERR_CORRUPT_RECORD',
        `record batch at byte ${position} has negative lastOffsetDelta`,
      );
    }
    if (size > maxBatchBytes) {
      throw new InvalidRecordError(
        'ERR_RECORD_TOO_LARGE',
        `record batch of ${size} bytes exceeds ${maxBatchBytes}`,
      );
    }
    batches.push({
      position,
      size,
      baseOffset: batchHeader.baseOffset(buffer, position),
      lastOffset: batchHeader.lastOffset(buffer, position),
      maxTimestamp: batchHeader.maxTimestamp(buffer, position),
    });
    position += size;
  }
  if (batches.length === 0) throw new InvalidRecordError('ERR_CORRUPT_RECORD', 'no record batch to append');
  return batches;
}

/**
 * Full check of a stored batch at `position` of `buffer` (recovery): complete, magic 2, CRC-32C,
 * offsets not going backwards. Returns the batch size, or undefined where the valid log ends.
 */
export function checkStoredBatch(
  buffer: Buffer,
  position: number,
  end: number,
  minBaseOffset: number,
): number | undefined {
  if (end - position < BATCH_HEADER_SIZE) return undefined;
  const size = batchHeader.totalSize(buffer, position);
  if (size < BATCH_HEADER_SIZE || position + size > end) return undefined;
  if (buffer.readInt8(position + MAGIC_OFFSET) !== 2) return undefined;
  if (batchHeader.lastOffsetDelta(buffer, position) < 0) return undefined;
  if (batchHeader.baseOffset(buffer, position) < minBaseOffset) return undefined;
  const crc = crc32c(buffer.subarray(position + CRC_OFFSET + 4, position + size));
  if (crc !== buffer.readUInt32BE(position + CRC_OFFSET)) return undefined;
  return size;
}

/**
 * What a read of whole batches from `position` (a batch start) takes from a segment of `size`
 * bytes: nothing (undefined); exactly the first batch, returned whole above `maxBytes` (KIP-74,
 * `minOneBatch`); or up to `length` bytes, cut at the last whole batch. Shared by the segment's
 * file reads and the read-ahead chunks, so both answer alike.
 */
export function planRead(
  size: number,
  position: number,
  firstBatchSize: number,
  maxPosition: number,
  maxBytes: number,
  minOneBatch: boolean,
): { exact: boolean; length: number } | undefined {
  const limit = Math.min(maxPosition, size) - position;
  if (limit <= 0) return undefined;
  if (firstBatchSize > maxBytes) {
    if (!minOneBatch || firstBatchSize > limit) return undefined;
    return { exact: true, length: firstBatchSize };
  }
  return { exact: false, length: Math.min(limit, maxBytes) };
}

/** Bytes of the whole batches at the start of `buffer[0, length)` (a read cut at a batch end). */
export function wholeBatchesLength(buffer: Buffer, length: number): number {
  let end = 0;
  while (end + BATCH_HEADER_SIZE <= length) {
    const size = batchHeader.totalSize(buffer, end);
    if (size < BATCH_HEADER_SIZE || end + size > length) break;
    end += size;
  }
  return end;
}

/** Rewrites the CRC-32C of the batch at `position` after a change inside the checksummed part. */
export function updateBatchCrc(buffer: Buffer, position: number, size: number): void {
  buffer.writeUInt32BE(
    crc32c(buffer.subarray(position + CRC_OFFSET + 4, position + size)),
    position + CRC_OFFSET,
  );
}

/**
 * Yields the headers of the batches in `[from, to)` of a log file, reading in chunks. Stops at
 * the first incomplete header or a batch running past `to` (a torn tail the reader must not see).
 */
export async function* scanBatchHeaders(
  handle: FileHandle,
  from: number,
  to: number,
  chunkSize = 64 * 1024,
): AsyncGenerator<BatchLocation> {
  // Unzeroed and pooled: only the bytes a read returned are ever looked at, and nothing of the
  // chunk leaves this function.
  let chunk = sharedBufferPool.acquire(Math.max(BATCH_HEADER_SIZE, Math.min(chunkSize, to - from)));
  try {
    let chunkStart = from;
    let chunkLength = 0;
    let position = from;
    while (position + BATCH_HEADER_SIZE <= to) {
      if (position < chunkStart || position + BATCH_HEADER_SIZE > chunkStart + chunkLength) {
        chunkStart = position;
        const want = Math.min(chunk.length, to - position);
        chunkLength = await handle.read(chunk, 0, want, position);
        if (chunkLength < BATCH_HEADER_SIZE) return;
      }
      const at = position - chunkStart;
      const size = batchHeader.totalSize(chunk, at);
      if (size < BATCH_HEADER_SIZE || position + size > to) return;
      yield {
        position,
        size,
        baseOffset: batchHeader.baseOffset(chunk, at),
        lastOffset: batchHeader.lastOffset(chunk, at),
        maxTimestamp: batchHeader.maxTimestamp(chunk, at),
      };
      position += size;
      if (chunk.length < chunkSize && to - position > chunk.length) {
        releaseBuffer(chunk);
        chunk = sharedBufferPool.acquire(chunkSize);
      }
    }
  } finally {
    releaseBuffer(chunk);
  }
}
