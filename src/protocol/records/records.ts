/**
 * Reading the records inside a v2 batch. Each record is
 *
 *   length varint (bytes that follow) | attributes int8 | timestampDelta varlong | offsetDelta varint
 *   keyLength varint (-1 null) | key | valueLength varint (-1 null) | value
 *   headerCount varint | headers: keyLength varint, key utf8, valueLength varint (-1 null), value
 *
 * `RecordCursor` walks them without allocating per record; `readRecords` builds objects on top.
 * Every length is checked against the record's own length and every record against the section,
 * so malformed input ends in a ProtocolDecodeError, never a RangeError or a large allocation.
 */
import { ProtocolDecodeError } from '../primitives/errors.js';
import { Reader } from '../primitives/reader.js';
import { BATCH_LOG_OVERHEAD, batchHeader, RECORDS_OFFSET, TimestampType } from './batch-header.js';
import { type DecompressOptions, decompress, decompressSync } from './compression/index.js';
import { MIN_RECORD_SIZE, validateBatch } from './record-batch.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface BatchRecord {
  offset: number;
  timestamp: number;
  /** Views of the batch (or of its decompressed records): copy them to keep them past the batch. */
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  attributes: number;
  offsetDelta: number;
  timestampDelta: number;
  /** Encoded size of the record, its length varint included. */
  sizeInBytes: number;
}

export interface ReadRecordsOptions extends DecompressOptions {
  /** Check the batch CRC-32C first (default true). */
  verifyCrc?: boolean;
}

function bad(message: string): never {
  throw new ProtocolDecodeError('ERR_BAD_RECORD_BATCH', message);
}

/**
 * A forward-only cursor over the records section of one batch. After `next()` returns true the
 * public fields describe the current record; key/value/header positions index `section`.
 */
export class RecordCursor {
  readonly section: Buffer;
  private readonly reader: Reader;
  /** Re-aimed at each record in turn (no allocation per record). */
  private readonly record: Reader;
  private readonly recordCount: number;
  private readonly lastOffsetDelta: number;
  /** How many records have been read. */
  index = 0;
  start = 0;
  sizeInBytes = 0;
  attributes = 0;
  timestampDelta = 0;
  offsetDelta = -1;
  keyStart = 0;
  /** -1 for a null key. */
  keyLength = -1;
  valueStart = 0;
  valueLength = -1;
  headerCount = 0;
  headersStart = 0;

  constructor(section: Buffer, recordCount: number, lastOffsetDelta: number) {
    this.section = section;
    this.reader = new Reader(section);
    this.record = new Reader(section);
    this.recordCount = recordCount;
    this.lastOffsetDelta = lastOffsetDelta;
    if (recordCount > section.length / MIN_RECORD_SIZE) {
      bad(`recordCount ${recordCount} cannot fit in ${section.length} bytes of records`);
    }
  }

  /** Moves to the next record; returns false after the last one, having checked the section ends. */
  next(): boolean {
    const reader = this.reader;
    if (this.index === this.recordCount) {
      if (reader.remaining() !== 0)
        bad(`${reader.remaining()} bytes after the last of ${this.recordCount} records`);
      return false;
    }
    if (reader.remaining() === 0) bad(`records end after ${this.index} of ${this.recordCount} records`);
    this.start = reader.offset;
    const length = reader.varint();
    if (length < MIN_RECORD_SIZE - 1) bad(`record length ${length} at byte ${this.start}`);
    if (length > reader.remaining()) {
      bad(`record length ${length} exceeds the ${reader.remaining()} bytes left (record ${this.index})`);
    }
    const end = reader.offset + length;
    const record = this.record;
    record.offset = reader.offset;
    record.end = end;
    this.attributes = record.int8();
    this.timestampDelta = record.varlongNumber();
    const offsetDelta = record.varint();
    if (offsetDelta <= this.offsetDelta || offsetDelta > this.lastOffsetDelta) {
      bad(`offsetDelta ${offsetDelta} after ${this.offsetDelta}, lastOffsetDelta ${this.lastOffsetDelta}`);
    }
    this.offsetDelta = offsetDelta;
    this.keyLength = this.bytesLength(record, 'key');
    this.keyStart = record.offset;
    if (this.keyLength > 0) record.offset += this.keyLength;
    this.valueLength = this.bytesLength(record, 'value');
    this.valueStart = record.offset;
    if (this.valueLength > 0) record.offset += this.valueLength;
    const headerCount = record.varint();
    if (headerCount < 0 || headerCount * 2 > record.remaining()) bad(`header count ${headerCount}`);
    this.headerCount = headerCount;
    this.headersStart = record.offset;
    for (let i = 0; i < headerCount; i++) {
      const keyLength = this.bytesLength(record, 'header key');
      if (keyLength < 0) bad('null header key');
      record.offset += keyLength;
      const valueLength = this.bytesLength(record, 'header value');
      if (valueLength > 0) record.offset += valueLength;
    }
    if (record.offset !== end) bad(`record ${this.index} has ${end - record.offset} bytes beyond its fields`);
    reader.offset = end;
    this.sizeInBytes = end - this.start;
    this.index++;
    return true;
  }

  private bytesLength(record: Reader, what: string): number {
    const length = record.varint();
    if (length < -1 || length > record.remaining()) bad(`${what} length ${length} in record ${this.index}`);
    return length;
  }

  key(): Buffer | null {
    return this.keyLength < 0 ? null : this.section.subarray(this.keyStart, this.keyStart + this.keyLength);
  }

  value(): Buffer | null {
    return this.valueLength < 0
      ? null
      : this.section.subarray(this.valueStart, this.valueStart + this.valueLength);
  }

  /** Decodes the current record's headers (already bounds-checked by next()). */
  headers(): RecordHeader[] {
    const reader = new Reader(this.section, this.headersStart);
    const headers = new Array<RecordHeader>(this.headerCount);
    for (let i = 0; i < this.headerCount; i++) {
      const keyLength = reader.varint();
      const key = this.section.toString('utf8', reader.offset, reader.offset + keyLength);
      reader.offset += keyLength;
      const valueLength = reader.varint();
      const value = valueLength < 0 ? null : reader.rawBytes(valueLength);
      headers[i] = { key, value };
    }
    return headers;
  }
}

/** The records section of a batch, decompressed if needed. The batch must have been validated. */
export function recordsSectionSync(batch: Buffer, options?: DecompressOptions): Buffer {
  const end = batchHeader.batchLength(batch) + BATCH_LOG_OVERHEAD;
  return decompressSync(batchHeader.compression(batch), batch.subarray(RECORDS_OFFSET, end), options);
}

export function recordsSection(batch: Buffer, options?: DecompressOptions): Promise<Buffer> {
  const end = batchHeader.batchLength(batch) + BATCH_LOG_OVERHEAD;
  return decompress(batchHeader.compression(batch), batch.subarray(RECORDS_OFFSET, end), options);
}

/** Validates `batch` (starting at byte 0) and opens a cursor on its decompressed records. */
export function openRecordCursor(batch: Buffer, options?: ReadRecordsOptions): RecordCursor {
  validateBatch(batch, 0, options);
  return cursorOver(batch, recordsSectionSync(batch, options));
}

export async function openRecordCursorAsync(
  batch: Buffer,
  options?: ReadRecordsOptions,
): Promise<RecordCursor> {
  validateBatch(batch, 0, options);
  return cursorOver(batch, await recordsSection(batch, options));
}

function cursorOver(batch: Buffer, section: Buffer): RecordCursor {
  return new RecordCursor(section, batchHeader.recordCount(batch), batchHeader.lastOffsetDelta(batch));
}

function* materialize(batch: Buffer, cursor: RecordCursor): Generator<BatchRecord, void> {
  const baseOffset = batchHeader.baseOffset(batch);
  const baseTimestamp = batchHeader.baseTimestamp(batch);
  // With LogAppendTime the broker's time in maxTimestamp applies to every record.
  const appendTime =
    batchHeader.timestampType(batch) === TimestampType.LogAppendTime ? batchHeader.maxTimestamp(batch) : null;
  while (cursor.next()) {
    yield {
      offset: baseOffset + cursor.offsetDelta,
      timestamp: appendTime ?? baseTimestamp + cursor.timestampDelta,
      key: cursor.key(),
      value: cursor.value(),
      headers: cursor.headers(),
      attributes: cursor.attributes,
      offsetDelta: cursor.offsetDelta,
      timestampDelta: cursor.timestampDelta,
      sizeInBytes: cursor.sizeInBytes,
    };
  }
}

/**
 * Validates the batch, decompresses its records (synchronously) and yields them. Structural
 * errors in the records surface during iteration, the count check after the last record.
 */
export function readRecords(batch: Buffer, options?: ReadRecordsOptions): Generator<BatchRecord, void> {
  return materialize(batch, openRecordCursor(batch, options));
}

/** As readRecords, with asynchronous decompression; returns all records, fully checked. */
export async function readRecordsAsync(batch: Buffer, options?: ReadRecordsOptions): Promise<BatchRecord[]> {
  return [...materialize(batch, await openRecordCursorAsync(batch, options))];
}

export interface RecordCheckOptions extends ReadRecordsOptions {
  /** Fail unless every record has a non-null key (compacted topics). */
  requireKeys?: boolean;
  /** Fail unless offset deltas are 0, 1, 2, ... and lastOffsetDelta is the last (as produced). */
  requireSequentialOffsets?: boolean;
}

export interface RecordCheckResult {
  recordCount: number;
  /** Records with a null key. */
  nullKeyCount: number;
  /** Records with a null value (tombstones). */
  nullValueCount: number;
  /** Largest baseTimestamp + timestampDelta seen (-1 for an empty batch). */
  maxTimestamp: number;
  /** Size of the records section after decompression. */
  uncompressedSize: number;
}

function checkWith(batch: Buffer, cursor: RecordCursor, options?: RecordCheckOptions): RecordCheckResult {
  const baseTimestamp = batchHeader.baseTimestamp(batch);
  let nullKeyCount = 0;
  let nullValueCount = 0;
  let maxTimestamp = -1;
  while (cursor.next()) {
    if (cursor.keyLength < 0) {
      if (options?.requireKeys === true) bad(`record at offsetDelta ${cursor.offsetDelta} has no key`);
      nullKeyCount++;
    }
    if (cursor.valueLength < 0) nullValueCount++;
    if (options?.requireSequentialOffsets === true && cursor.offsetDelta !== cursor.index - 1) {
      bad(`offsetDelta ${cursor.offsetDelta} where ${cursor.index - 1} was expected`);
    }
    maxTimestamp = Math.max(maxTimestamp, baseTimestamp + cursor.timestampDelta);
  }
  if (
    options?.requireSequentialOffsets === true &&
    cursor.index > 0 &&
    batchHeader.lastOffsetDelta(batch) !== cursor.index - 1
  ) {
    bad(`lastOffsetDelta ${batchHeader.lastOffsetDelta(batch)} with ${cursor.index} records`);
  }
  return {
    recordCount: cursor.index,
    nullKeyCount,
    nullValueCount,
    maxTimestamp,
    uncompressedSize: cursor.section.length,
  };
}

/**
 * Walks every record without building objects: checks structure and count, and the optional
 * produce-time rules. For the broker's validation of incoming batches.
 */
export function countAndCheckRecords(batch: Buffer, options?: RecordCheckOptions): RecordCheckResult {
  return checkWith(batch, openRecordCursor(batch, options), options);
}

export async function countAndCheckRecordsAsync(
  batch: Buffer,
  options?: RecordCheckOptions,
): Promise<RecordCheckResult> {
  return checkWith(batch, await openRecordCursorAsync(batch, options), options);
}
