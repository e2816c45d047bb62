import { crc32c } from '@node-rs/crc32';
import { ProtocolDecodeError } from '../primitives/errors.js';
import { ATTRIBUTES_OFFSET, BATCH_LOG_OVERHEAD, CRC_OFFSET } from './batch-header.js';

/**
 * The v2 batch CRC is a CRC-32C over everything from the attributes field to the end of the batch.
 * baseOffset, batchLength, partitionLeaderEpoch and magic are outside it, which is what lets the
 * broker assign offsets and leader epochs without recomputing it.
 */
export function computeBatchCrc(buffer: Buffer, position = 0): number {
  const end = position + buffer.readInt32BE(position + 8) + BATCH_LOG_OVERHEAD;
  return crc32c(buffer.subarray(position + ATTRIBUTES_OFFSET, end)) >>> 0;
}

/** Recomputes and stores the CRC of the batch at `position` (after the batch has been built). */
export function writeBatchCrc(buffer: Buffer, position = 0): void {
  buffer.writeUInt32BE(computeBatchCrc(buffer, position), position + CRC_OFFSET);
}

/** Throws ERR_CRC_MISMATCH unless the stored CRC matches; the caller has checked the length. */
export function verifyBatchCrc(buffer: Buffer, position = 0): void {
  const stored = buffer.readUInt32BE(position + CRC_OFFSET);
  const actual = computeBatchCrc(buffer, position);
  if (stored !== actual) {
    throw new ProtocolDecodeError(
      'ERR_CRC_MISMATCH',
      `record batch CRC-32C mismatch: stored ${stored.toString(16)}, computed ${actual.toString(16)}`,
    );
  }
}
