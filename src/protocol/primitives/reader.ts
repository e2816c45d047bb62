import { ProtocolDecodeError } from './errors.js';
import { MAX_VARINT_BYTES, MAX_VARLONG_BYTES, unzigzag32, unzigzag64 } from './varint.js';

/** A tagged field as it arrived: decoded by the message that knows its tag, kept raw otherwise. */
export interface TaggedField {
  tag: number;
  data: Buffer;
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * A bounds-checked cursor over a Buffer. Every length and count is checked against the bytes that
 * remain before anything is allocated, so hostile input fails with a `ProtocolDecodeError` instead
 * of an allocation of gigabytes or a RangeError from deep inside Node.
 *
 * Byte fields are returned as views (`subarray`) of the input, not copies: callers that keep them
 * beyond the life of the input buffer must copy.
 */
export class Reader {
  readonly buffer: Buffer;
  offset: number;
  /** Exclusive bound; movable so that one Reader can be re-aimed at successive regions. */
  end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.offset;
  }

  /** Fails unless `count` more bytes are available. */
  need(count: number): void {
    if (count > this.end - this.offset) {
      throw new ProtocolDecodeError(
        'ERR_TRUNCATED',
        `need ${count} bytes at offset ${this.offset}, ${this.end - this.offset} remain`,
      );
    }
  }

  skip(count: number): void {
    this.need(count);
    this.offset += count;
  }

  int8(): number {
    this.need(1);
    return this.buffer.readInt8(this.offset++);
  }

  uint8(): number {
    this.need(1);
    return this.buffer[this.offset++]!;
  }

  bool(): boolean {
    return this.uint8() !== 0;
  }

  int16(): number {
    this.need(2);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  uint16(): number {
    this.need(2);
    const value = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  int64(): bigint {
    this.need(8);
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** An int64 read as a JS number; exact for values within ±2^53. */
  int64Number(): number {
    this.need(8);
    const high = this.buffer.readInt32BE(this.offset);
    const low = this.buffer.readUInt32BE(this.offset + 4);
    this.offset += 8;
    return high * 0x1_0000_0000 + low;
  }

  float64(): number {
    this.need(8);
    const value = this.buffer.readDoubleBE(this.offset);
    this.offset += 8;
    return value;
  }

  uuid(): string {
    this.need(16);
    const hex = this.buffer.toString('hex', this.offset, this.offset + 16);
    this.offset += 16;
    if (hex === '00000000000000000000000000000000') return ZERO_UUID;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  unsignedVarint(): number {
    // Fast path: 1- and 2-byte varints (lengths and deltas below 16384) are the common case.
    const buffer = this.buffer;
    const offset = this.offset;
    if (offset + 1 < this.end) {
      const first = buffer[offset]!;
      if (first < 0x80) {
        this.offset = offset + 1;
        return first;
      }
      const second = buffer[offset + 1]!;
      if (second < 0x80) {
        this.offset = offset + 2;
        return (first & 0x7f) | (second << 7);
      }
    } else if (offset < this.end && buffer[offset]! < 0x80) {
      this.offset = offset + 1;
      return buffer[offset]!;
    }
    return this.unsignedVarintSlow();
  }

  private unsignedVarintSlow(): number {
    let value = 0;
    let shift = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.offset >= this.end) {
        throw new ProtocolDecodeError('ERR_TRUNCATED', `varint truncated at offset ${this.offset}`);
      }
      const byte = this.buffer[this.offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value >>> 0;
      shift += 7;
    }
    throw new ProtocolDecodeError('ERR_VARINT_TOO_LONG', `varint longer than ${MAX_VARINT_BYTES} bytes`);
  }

  varint(): number {
    return unzigzag32(this.unsignedVarint());
  }

  unsignedVarlong(): bigint {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < MAX_VARLONG_BYTES; i++) {
      if (this.offset >= this.end) {
        throw new ProtocolDecodeError('ERR_TRUNCATED', `varlong truncated at offset ${this.offset}`);
      }
      const byte = this.buffer[this.offset++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, value);
      shift += 7n;
    }
    throw new ProtocolDecodeError('ERR_VARINT_TOO_LONG', `varlong longer than ${MAX_VARLONG_BYTES} bytes`);
  }

  varlong(): bigint {
    return unzigzag64(this.unsignedVarlong());
  }

  /**
   * A zigzag varlong as a JS number. Record timestamps and offsets deltas fit comfortably; the
   * fast path covers values up to 2^48 without BigInt.
   */
  varlongNumber(): number {
    const first = this.offset < this.end ? this.buffer[this.offset]! : 0x80;
    if (first < 0x80) {
      this.offset++;
      return (first >>> 1) ^ -(first & 1);
    }
    const start = this.offset;
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 7; i++) {
      if (this.offset >= this.end) {
        throw new ProtocolDecodeError('ERR_TRUNCATED', `varlong truncated at offset ${this.offset}`);
      }
      const byte = this.buffer[this.offset++]!;
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
      }
      multiplier *= 128;
    }
    this.offset = start;
    return Number(this.varlong());
  }

  /** A length-prefixed count (int32 or compact), checked against the bytes remaining. */
  private checkedLength(length: number, what: string): number {
    if (length < 0) {
      throw new ProtocolDecodeError('ERR_NEGATIVE_LENGTH', `${what} length ${length} is negative`);
    }
    if (length > this.end - this.offset) {
      throw new ProtocolDecodeError(
        'ERR_LENGTH_EXCEEDS_INPUT',
        `${what} length ${length} exceeds the ${this.end - this.offset} bytes remaining`,
      );
    }
    return length;
  }

  private utf8(length: number): string {
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  private view(length: number): Buffer {
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  string(): string {
    const length = this.int16();
    if (length === -1) throw new ProtocolDecodeError('ERR_NULL_NOT_ALLOWED', 'null in a non-nullable string');
    return this.utf8(this.checkedLength(length, 'string'));
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    return this.utf8(this.checkedLength(length, 'string'));
  }

  compactString(): string {
    const length = this.unsignedVarint() - 1;
    if (length === -1) throw new ProtocolDecodeError('ERR_NULL_NOT_ALLOWED', 'null in a non-nullable string');
    return this.utf8(this.checkedLength(length, 'compact string'));
  }

  compactNullableString(): string | null {
    const length = this.unsignedVarint() - 1;
    if (length === -1) return null;
    return this.utf8(this.checkedLength(length, 'compact string'));
  }

  bytes(): Buffer {
    const length = this.int32();
    if (length === -1) throw new ProtocolDecodeError('ERR_NULL_NOT_ALLOWED', 'null in non-nullable bytes');
    return this.view(this.checkedLength(length, 'bytes'));
  }

  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === -1) return null;
    return this.view(this.checkedLength(length, 'bytes'));
  }

  compactBytes(): Buffer {
    const length = this.unsignedVarint() - 1;
    if (length === -1) throw new ProtocolDecodeError('ERR_NULL_NOT_ALLOWED', 'null in non-nullable bytes');
    return this.view(this.checkedLength(length, 'compact bytes'));
  }

  compactNullableBytes(): Buffer | null {
    const length = this.unsignedVarint() - 1;
    if (length === -1) return null;
    return this.view(this.checkedLength(length, 'compact bytes'));
  }

  /** Raw bytes of a known length (record keys and values inside a batch). */
  rawBytes(length: number): Buffer {
    return this.view(this.checkedLength(length, 'raw bytes'));
  }

  /**
   * An array count: int32 (-1 is null) or compact (0 is null). A count can never exceed the bytes
   * that remain, since each element takes at least one byte; checking that first bounds memory.
   * Returns -1 for null.
   */
  arrayLength(compact: boolean): number {
    const count = compact ? this.unsignedVarint() - 1 : this.int32();
    if (count === -1) return -1;
    return this.checkedLength(count, 'array');
  }

  array<T>(compact: boolean, readElement: (reader: Reader) => T): T[] {
    const count = this.arrayLength(compact);
    if (count === -1) throw new ProtocolDecodeError('ERR_NULL_NOT_ALLOWED', 'null in a non-nullable array');
    const items = new Array<T>(count);
    for (let i = 0; i < count; i++) items[i] = readElement(this);
    return items;
  }

  nullableArray<T>(compact: boolean, readElement: (reader: Reader) => T): T[] | null {
    const count = this.arrayLength(compact);
    if (count === -1) return null;
    const items = new Array<T>(count);
    for (let i = 0; i < count; i++) items[i] = readElement(this);
    return items;
  }

  /** The tagged-field section of a flexible structure, every field kept raw. */
  taggedFields(): TaggedField[] {
    const count = this.unsignedVarint();
    this.checkedLength(count, 'tagged fields');
    const fields: TaggedField[] = [];
    for (let i = 0; i < count; i++) {
      const tag = this.unsignedVarint();
      const size = this.unsignedVarint();
      fields.push({ tag, data: this.view(this.checkedLength(size, 'tagged field')) });
    }
    return fields;
  }

  /** Fails when the input has bytes beyond what was decoded. */
  expectEnd(what: string): void {
    if (this.offset !== this.end) {
      throw new ProtocolDecodeError(
        'ERR_TRAILING_BYTES',
        `${this.end - this.offset} trailing bytes after ${what}`,
      );
    }
  }
}
