/**
 * Checks the records of one partition of a Produce request before they are appended: the one
 * place where the broker decides whether a producer's batches are acceptable.
 *
 * Per batch: the structure and CRC-32C (protocol/records validateBatch), magic 2, the size limit
 * (max.message.bytes), no control batches from clients, then every record is walked (compressed
 * batches are decompressed for this, off the event loop for the async codecs): offset deltas must
 * be 0, 1, 2, ... with lastOffsetDelta the last one and recordCount the number of records; keys
 * must be present on compacted topics; with CreateTime, each timestamp must lie within
 * message.timestamp.before/after.max.ms of the broker clock. The batch bytes are not changed.
 */
import { ErrorCode } from '../protocol/generated/error-codes.js';
import { ProtocolDecodeError } from '../protocol/primitives/errors.js';
import {
  batchHeader,
  CompressionCodec,
  openRecordCursor,
  openRecordCursorAsync,
  type RecordCursor,
  uncompressedRecordsValid,
  validateBatch,
} from '../protocol/records/index.js';
import type { CleanupPolicy, MessageTimestampType } from '../storage/log-options.js';

export interface ValidationRules {
  maxMessageBytes: number;
  cleanupPolicy: CleanupPolicy;
  messageTimestampType: MessageTimestampType;
  /** How far in the past a CreateTime timestamp may be (ms); Number.MAX_SAFE_INTEGER for no limit. */
  timestampBeforeMaxMs: number;
  /** How far in the future a CreateTime timestamp may be (ms). */
  timestampAfterMaxMs: number;
}

export interface RecordError {
  /** Index of the offending record within its batch. */
  batchIndex: number;
  message: string;
}

export type ValidationResult =
  | { ok: true; batchCount: number; recordCount: number }
  | { ok: false; errorCode: number; errorMessage: string; recordErrors: RecordError[] };

function failure(
  errorCode: number,
  errorMessage: string,
  recordErrors: RecordError[] = [],
): ValidationResult {
  return { ok: false, errorCode, errorMessage, recordErrors };
}

/** Validates every batch of `records` against `rules` at broker time `now`. */
export async function validateRecords(
  records: Buffer,
  rules: ValidationRules,
  now: number,
): Promise<ValidationResult> {
  if (records.length === 0) return failure(ErrorCode.CORRUPT_MESSAGE, 'no record batch in the request');
  let position = 0;
  let batchCount = 0;
  let recordCount = 0;
  while (position < records.length) {
    let size: number;
    try {
      size = validateBatch(records, position);
    } catch (error) {
      return failure(ErrorCode.CORRUPT_MESSAGE, describe(error, position));
    }
    if (size > rules.maxMessageBytes) {
      return failure(
        ErrorCode.MESSAGE_TOO_LARGE,
        `record batch of ${size} bytes exceeds max.message.bytes ${rules.maxMessageBytes}`,
      );
    }
    const batch = records.subarray(position, position + size);
    const checked = await checkBatch(batch, rules, now);
    if (!checked.ok) return checked;
    recordCount += checked.recordCount;
    batchCount++;
    position += size;
  }
  return { ok: true, batchCount, recordCount };
}

function describe(error: unknown, position: number): string {
  const message = error instanceof Error ? error.message : String(error);
  return `corrupt record batch at byte ${position}: ${message}`;
}

async function checkBatch(batch: Buffer, rules: ValidationRules, now: number): Promise<ValidationResult> {
  if (batchHeader.isControl(batch)) {
    return failure(ErrorCode.INVALID_RECORD, 'clients may not write control batches');
  }
  const declared = batchHeader.recordCount(batch);
  if (declared === 0) return failure(ErrorCode.INVALID_RECORD, 'record batch holds no records');
  const requireKeys = rules.cleanupPolicy.includes('compact');
  const checkTimestamps =
    rules.messageTimestampType === 'CreateTime' &&
    (rules.timestampBeforeMaxMs < Number.MAX_SAFE_INTEGER ||
      rules.timestampAfterMaxMs < Number.MAX_SAFE_INTEGER);
  const baseTimestamp = batchHeader.baseTimestamp(batch);
  const uncompressed = batchHeader.compression(batch) === CompressionCodec.None;
  // The common case, a valid uncompressed batch, is recognised by a plain scan; anything it
  // doubts is walked record by record below, which finds and describes the problem.
  if (
    uncompressed &&
    uncompressedRecordsValid(batch, {
      requireKeys,
      minTimestampDelta: checkTimestamps ? now - rules.timestampBeforeMaxMs - baseTimestamp : -Infinity,
      maxTimestampDelta: checkTimestamps ? now + rules.timestampAfterMaxMs - baseTimestamp : Infinity,
    })
  ) {
    return { ok: true, batchCount: 1, recordCount: declared };
  }
  let cursor: RecordCursor;
  try {
    // The batch was validated above (CRC included), so the cursor skips that work.
    cursor = uncompressed
      ? openRecordCursor(batch, { verifyCrc: false })
      : await openRecordCursorAsync(batch, { verifyCrc: false });
  } catch (error) {
    return failure(ErrorCode.CORRUPT_MESSAGE, describe(error, 0));
  }
  const recordErrors: RecordError[] = [];
  let timestampError: RecordError | undefined;
  try {
    while (cursor.next()) {
      const index = cursor.index - 1;
      if (cursor.offsetDelta !== index) {
        return failure(
          ErrorCode.INVALID_RECORD,
          `record ${index} has offset delta ${cursor.offsetDelta}; deltas must run 0, 1, 2, ...`,
          [{ batchIndex: index, message: 'offset delta out of sequence' }],
        );
      }
      if (requireKeys && cursor.keyLength < 0) {
        recordErrors.push({ batchIndex: index, message: 'compacted topic accepts only keyed records' });
      }
      if (checkTimestamps && timestampError === undefined) {
        const timestamp = baseTimestamp + cursor.timestampDelta;
        if (now - timestamp > rules.timestampBeforeMaxMs || timestamp - now > rules.timestampAfterMaxMs) {
          timestampError = {
            batchIndex: index,
            message: `timestamp ${timestamp} is outside the allowed range of broker time ${now}`,
          };
        }
      }
    }
  } catch (error) {
    if (error instanceof ProtocolDecodeError) return failure(ErrorCode.CORRUPT_MESSAGE, describe(error, 0));
    throw error;
  }
  if (cursor.index !== declared || batchHeader.lastOffsetDelta(batch) !== cursor.index - 1) {
    return failure(
      ErrorCode.INVALID_RECORD,
      `record batch declares ${declared} records and lastOffsetDelta ${batchHeader.lastOffsetDelta(batch)}, holds ${cursor.index}`,
    );
  }
  if (recordErrors.length > 0) {
    return failure(ErrorCode.INVALID_RECORD, 'compacted topic accepts only keyed records', recordErrors);
  }
  if (timestampError !== undefined) {
    return failure(ErrorCode.INVALID_TIMESTAMP, timestampError.message, [timestampError]);
  }
  return { ok: true, batchCount: 1, recordCount: cursor.index };
}
