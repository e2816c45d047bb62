import type { FileRegion, FramePiece } from '../../util/file-region.js';
import { ProtocolEncodeError } from './errors.js';
import type { TaggedField } from './reader.js';
import { writeUnsignedVarintAt, writeUnsignedVarlongAt, zigzag32, zigzag64 } from './varint.js';

/** Byte fields at least this large are referenced, not copied, in the output. */
const ZERO_COPY_THRESHOLD = 4096;
const INITIAL_CAPACITY = 512;

/**
 * Record data of a response: bytes, or a range of a file the connection sends without reading it
 * (util/file-region). Only `pieces()` can carry a file range out of the writer.
 */
export type ResponseRecords = Buffer | FileRegion;

/**
 * An append-only encoder. Small values go into a growing scratch buffer; large byte fields (record
 * batches in Fetch responses) are kept as references, so `chunks()` yields a list of Buffers that
 * a socket can write with one `writev` and no copy of the record data.
 */
export class Writer {
  private buffer: Buffer;
  private position = 0;
  /** Completed pieces of output, in order; the scratch buffer follows them. */
  private readonly done: FramePiece[] = [];
  private doneLength = 0;
  private regions = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.doneLength + this.position;
  }

  private ensure(extra: number): void {
    if (this.position + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.position + extra) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.position);
    this.buffer = grown;
  }

  int8(value: number): this {
    this.ensure(1);
    this.buffer.writeInt8(value, this.position);
    this.position += 1;
    return this;
  }

  uint8(value: number): this {
    this.ensure(1);
    this.buffer[this.position++] = value & 0xff;
    return this;
  }

  bool(value: boolean): this {
    return this.uint8(value ? 1 : 0);
  }

  int16(value: number): this {
    this.ensure(2);
    this.buffer.writeInt16BE(value, this.position);
    this.position += 2;
    return this;
  }

  uint16(value: number): this {
    this.ensure(2);
    this.buffer.writeUInt16BE(value, this.position);
    this.position += 2;
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.buffer.writeInt32BE(value, this.position);
    this.position += 4;
    return this;
  }

  uint32(value: number): this {
    this.ensure(4);
    this.buffer.writeUInt32BE(value, this.position);
    this.position += 4;
    return this;
  }

  int64(value: bigint): this {
    this.ensure(8);
    this.buffer.writeBigInt64BE(value, this.position);
    this.position += 8;
    return this;
  }

  /** An int64 from a JS number (exact within ±2^53). */
  int64Number(value: number): this {
    this.ensure(8);
    const high = Math.floor(value / 0x1_0000_0000);
    const low = value - high * 0x1_0000_0000;
    this.buffer.writeInt32BE(high, this.position);
    this.buffer.writeUInt32BE(low, this.position + 4);
    this.position += 8;
    return this;
  }

  float64(value: number): this {
    this.ensure(8);
    this.buffer.writeDoubleBE(value, this.position);
    this.position += 8;
    return this;
  }

  uuid(value: string): this {
    const hex = value.replace(/-/g, '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ProtocolEncodeError(`invalid uuid ${value}`);
    this.ensure(16);
    this.buffer.write(hex, this.position, 16, 'hex');
    this.position += 16;
    return this;
  }

  unsignedVarint(value: number): this {
    this.ensure(5);
    this.position = writeUnsignedVarintAt(this.buffer, this.position, value);
    return this;
  }

  varint(value: number): this {
    return this.unsignedVarint(zigzag32(value));
  }

  varlong(value: bigint): this {
    this.ensure(10);
    this.position = writeUnsignedVarlongAt(this.buffer, this.position, zigzag64(value));
    return this;
  }

  private utf8(value: string, byteLength: number): void {
    this.ensure(byteLength);
    this.buffer.write(value, this.position, byteLength, 'utf8');
    this.position += byteLength;
  }

  string(value: string): this {
    const byteLength = Buffer.byteLength(value, 'utf8');
    if (byteLength > 0x7fff)
      throw new ProtocolEncodeError(`string of ${byteLength} bytes exceeds int16 length`);
    this.int16(byteLength);
    this.utf8(value, byteLength);
    return this;
  }

  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    return this.string(value);
  }

  compactString(value: string): this {
    const byteLength = Buffer.byteLength(value, 'utf8');
    this.unsignedVarint(byteLength + 1);
    this.utf8(value, byteLength);
    return this;
  }

  compactNullableString(value: string | null): this {
    if (value === null) return this.unsignedVarint(0);
    return this.compactString(value);
  }

  /** Appends raw bytes; large ones are referenced rather than copied. */
  raw(value: Buffer): this {
    if (value.length >= ZERO_COPY_THRESHOLD) {
      this.flushScratch();
      this.done.push(value);
      this.doneLength += value.length;
      return this;
    }
    this.ensure(value.length);
    value.copy(this.buffer, this.position);
    this.position += value.length;
    return this;
  }

  bytes(value: Buffer): this {
    this.int32(value.length);
    return this.raw(value);
  }

  nullableBytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    return this.bytes(value);
  }

  compactBytes(value: Buffer): this {
    this.unsignedVarint(value.length + 1);
    return this.raw(value);
  }

  compactNullableBytes(value: Buffer | null): this {
    if (value === null) return this.unsignedVarint(0);
    return this.compactBytes(value);
  }

  records(value: ResponseRecords): this {
    if (Buffer.isBuffer(value)) return this.bytes(value);
    this.int32(value.length);
    return this.region(value);
  }

  nullableRecords(value: ResponseRecords | null): this {
    if (value === null) return this.int32(-1);
    return this.records(value);
  }

  compactRecords(value: ResponseRecords): this {
    if (Buffer.isBuffer(value)) return this.compactBytes(value);
    this.unsignedVarint(value.length + 1);
    return this.region(value);
  }

  compactNullableRecords(value: ResponseRecords | null): this {
    if (value === null) return this.unsignedVarint(0);
    return this.compactRecords(value);
  }

  private region(value: FileRegion): this {
    this.flushScratch();
    this.done.push(value);
    this.doneLength += value.length;
    this.regions++;
    return this;
  }

  /** Writes an array count: int32, or compact (count + 1); null is -1 or 0. */
  arrayLength(count: number | null, compact: boolean): this {
    if (compact) return this.unsignedVarint(count === null ? 0 : count + 1);
    return this.int32(count === null ? -1 : count);
  }

  array<T>(items: readonly T[], compact: boolean, writeElement: (writer: Writer, item: T) => void): this {
    this.arrayLength(items.length, compact);
    for (const item of items) writeElement(this, item);
    return this;
  }

  nullableArray<T>(
    items: readonly T[] | null,
    compact: boolean,
    writeElement: (writer: Writer, item: T) => void,
  ): this {
    if (items === null) return this.arrayLength(null, compact);
    return this.array(items, compact, writeElement);
  }

  /** Writes a tagged-field section; fields must be sorted by tag. */
  taggedFields(fields: readonly TaggedField[]): this {
    this.unsignedVarint(fields.length);
    for (const field of fields) {
      this.unsignedVarint(field.tag);
      this.unsignedVarint(field.data.length);
      this.raw(field.data);
    }
    return this;
  }

  private flushScratch(): void {
    if (this.position === 0) return;
    const piece = this.buffer.subarray(0, this.position);
    this.done.push(piece);
    this.doneLength += piece.length;
    // The written part now belongs to the output; keep writing into the unused tail.
    this.buffer = this.buffer.subarray(this.position);
    this.position = 0;
  }

  /** The output as a list of Buffers (no copy of referenced byte fields). */
  chunks(): Buffer[] {
    if (this.regions > 0) throw new ProtocolEncodeError('the output holds file regions: take its pieces()');
    this.flushScratch();
    return this.done.slice() as Buffer[];
  }

  /** The output as pieces for a socket: Buffers and file regions, in order. */
  pieces(): FramePiece[] {
    this.flushScratch();
    return this.done.slice();
  }

  /** The output as one contiguous Buffer. */
  toBuffer(): Buffer {
    const pieces = this.chunks();
    if (pieces.length === 1) return pieces[0]!;
    return Buffer.concat(pieces, this.doneLength);
  }
}
