/**
 * A fast yes/no check of the records of an uncompressed v2 batch, for the produce path.
 *
 * `RecordCursor` (records.ts) decodes every field into its own fields and explains what is wrong;
 * on 100-byte records that walk is ~15 % of a broker's produce CPU. Accepted batches are the
 * common case, so this scan only answers "certainly valid" with plain loops over the bytes and
 * leaves every doubt (a malformed record, a rule broken, a varint longer than 4 bytes) to the
 * cursor, which then finds and describes the problem. It accepts nothing the cursor would reject.
 */
import { BATCH_LOG_OVERHEAD, batchHeader, RECORDS_OFFSET } from './batch-header.js';
import { MIN_RECORD_SIZE } from './record-batch.js';

export interface RecordScanRules {
  /** Reject (answer false for) records with a null key. */
  requireKeys: boolean;
  /** Smallest and largest acceptable timestampDelta; -Infinity/Infinity for no limit. */
  minTimestampDelta: number;
  maxTimestampDelta: number;
}

/** Position after the varint read by `zigzagVarint` (shared state: no allocation per call). */
const scan = { next: 0 };
/**
 * What `zigzagVarint` answers for a varint it does not decode: below every bound checked here
 * (lengths and counts >= -1, offset deltas >= 0, timestamp deltas: the minimum is clamped above it).
 * An int32, not NaN, so that the decoder stays on small integers.
 */
const UNDECODED = -0x8000_0000;
/** Largest magnitude of a 4-byte zigzag varint, so a clamp to it changes no decodable answer. */
const MAX_DECODED = 0x800_0000;

/**
 * The zigzag varint at `position` (at most 4 bytes, below `end`), leaving its end in `next`;
 * UNDECODED when it is longer or truncated, which fails every range check below.
 */
function zigzagVarint(buffer: Buffer, position: number, end: number): number {
  let value: number;
  if (position < end) {
    const first = buffer[position]!;
    if (first < 0x80) {
      scan.next = position + 1;
      value = first;
    } else if (position + 1 < end) {
      const second = buffer[position + 1]!;
      if (second < 0x80) {
        scan.next = position + 2;
        value = (first & 0x7f) | (second << 7);
      } else if (position + 2 < end) {
        const third = buffer[position + 2]!;
        if (third < 0x80) {
          scan.next = position + 3;
          value = (first & 0x7f) | ((second & 0x7f) << 7) | (third << 14);
        } else if (position + 3 < end && buffer[position + 3]! < 0x80) {
          scan.next = position + 4;
          value =
            (first & 0x7f) | ((second & 0x7f) << 7) | ((third & 0x7f) << 14) | (buffer[position + 3]! << 21);
        } else return UNDECODED;
      } else return UNDECODED;
    } else return UNDECODED;
  } else return UNDECODED;
  return (value >>> 1) ^ -(value & 1);
}

/**
 * True when the uncompressed batch at the start of `batch` (already structure- and CRC-checked by
 * validateBatch) holds exactly recordCount well-formed records with offset deltas 0, 1, 2, ...,
 * lastOffsetDelta = recordCount - 1, and meets `rules`. False means: walk it with RecordCursor.
 */
export function uncompressedRecordsValid(batch: Buffer, rules: RecordScanRules): boolean {
  const count = batchHeader.recordCount(batch);
  if (count <= 0 || batchHeader.lastOffsetDelta(batch) !== count - 1) return false;
  const sectionEnd = batchHeader.batchLength(batch) + BATCH_LOG_OVERHEAD;
  if (sectionEnd > batch.length || count > (sectionEnd - RECORDS_OFFSET) / MIN_RECORD_SIZE) return false;
  const { requireKeys, maxTimestampDelta } = rules;
  const minTimestampDelta = Math.max(rules.minTimestampDelta, -MAX_DECODED);
  let position = RECORDS_OFFSET;
  for (let index = 0; index < count; index++) {
    const length = zigzagVarint(batch, position, sectionEnd);
    const start = scan.next;
    const end = start + length;
    if (!(length >= MIN_RECORD_SIZE - 1 && end <= sectionEnd)) return false;
    // attributes (one byte, any value), then timestampDelta
    const timestampDelta = zigzagVarint(batch, start + 1, end);
    if (!(timestampDelta >= minTimestampDelta && timestampDelta <= maxTimestampDelta)) return false;
    if (zigzagVarint(batch, scan.next, end) !== index) return false;
    const keyLength = zigzagVarint(batch, scan.next, end);
    if (!(keyLength >= (requireKeys ? 0 : -1) && keyLength <= end - scan.next)) return false;
    let at = scan.next + Math.max(keyLength, 0);
    const valueLength = zigzagVarint(batch, at, end);
    if (!(valueLength >= -1 && valueLength <= end - scan.next)) return false;
    at = scan.next + Math.max(valueLength, 0);
    const headerCount = zigzagVarint(batch, at, end);
    if (!(headerCount >= 0 && headerCount * 2 <= end - scan.next)) return false;
    at = scan.next;
    for (let header = 0; header < headerCount; header++) {
      const headerKeyLength = zigzagVarint(batch, at, end);
      if (!(headerKeyLength >= 0 && headerKeyLength <= end - scan.next)) return false;
      const headerValueLength = zigzagVarint(batch, scan.next + headerKeyLength, end);
      if (!(headerValueLength >= -1 && headerValueLength <= end - scan.next)) return false;
      at = scan.next + Math.max(headerValueLength, 0);
    }
    if (at !== end) return false;
    position = end;
  }
  return position === sectionEnd;
}
