import { crc32c } from '@node-rs/crc32';
import { BATCH_HEADER_SIZE, batchHeader } from '../../src/protocol/records/batch-header.js';

/** Test-only builder of valid uncompressed v2 record batches (CRC-32C included). */
export interface TestRecord {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  timestamp?: number;
}

function zigzagVarint(value: number): number[] {
  let n = BigInt(value);
  n = n >= 0n ? n << 1n : (-n << 1n) - 1n;
  const bytes: number[] = [];
  while (n >= 0x80n) {
    bytes.push(Number((n & 0x7fn) | 0x80n));
    n >>= 7n;
  }
  bytes.push(Number(n));
  return bytes;
}

function bytesOf(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

export function buildBatch(
  records: TestRecord[],
  options: { baseTimestamp?: number; producerId?: number; attributes?: number } = {},
): Buffer {
  const baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp ?? 1_700_000_000_000;
  const bodies: Buffer[] = [];
  let maxTimestamp = -1;
  records.forEach((record, index) => {
    const timestamp = record.timestamp ?? baseTimestamp;
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    const key = bytesOf(record.key);
    const value = bytesOf(record.value === undefined ? `value-${index}` : record.value);
    const parts: number[] = [0, ...zigzagVarint(timestamp - baseTimestamp), ...zigzagVarint(index)];
    const chunks: Buffer[] = [];
    chunks.push(Buffer.from(parts));
    chunks.push(Buffer.from(zigzagVarint(key ? key.length : -1)));
    if (key) chunks.push(key);
    chunks.push(Buffer.from(zigzagVarint(value ? value.length : -1)));
    if (value) chunks.push(value);
    chunks.push(Buffer.from(zigzagVarint(0)));
    const body = Buffer.concat(chunks);
    bodies.push(Buffer.concat([Buffer.from(zigzagVarint(body.length)), body]));
  });
  const recordsBytes = Buffer.concat(bodies);
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + recordsBytes.length);
  batchHeader.setBaseOffset(batch, 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(-1, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(options.attributes ?? 0, 21);
  batch.writeInt32BE(records.length - 1, 23);
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(maxTimestamp), 35);
  batch.writeBigInt64BE(BigInt(options.producerId ?? -1), 43);
  batch.writeInt16BE(-1, 51);
  batch.writeInt32BE(-1, 53);
  batch.writeInt32BE(records.length, 57);
  recordsBytes.copy(batch, BATCH_HEADER_SIZE);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

/** A batch of `count` records with values of `valueSize` bytes, all at `timestamp`. */
export function simpleBatch(count = 1, valueSize = 10, timestamp = 1_700_000_000_000): Buffer {
  const records: TestRecord[] = [];
  for (let i = 0; i < count; i++) records.push({ value: Buffer.alloc(valueSize, 97 + (i % 26)), timestamp });
  return buildBatch(records);
}

/** Splits a buffer of batches into [baseOffset, lastOffset, size] triples, checking CRCs. */
export function listBatches(
  buffer: Buffer,
): Array<{ baseOffset: number; lastOffset: number; size: number; crcOk: boolean }> {
  const result = [];
  let position = 0;
  while (position < buffer.length) {
    const size = batchHeader.totalSize(buffer, position);
    const crcOk =
      crc32c(buffer.subarray(position + 21, position + size)) === batchHeader.crc(buffer, position);
    result.push({
      baseOffset: batchHeader.baseOffset(buffer, position),
      lastOffset: batchHeader.lastOffset(buffer, position),
      size,
      crcOk,
    });
    position += size;
  }
  if (position !== buffer.length) throw new Error('partial batch in buffer');
  return result;
}
