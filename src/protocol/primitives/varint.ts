/**
 * Kafka's variable-length integers (protobuf style, 7 bits per byte, low groups first).
 * `varint` and `varlong` are zigzag-encoded signed 32- and 64-bit integers; the unsigned varint
 * carries compact lengths and tags. Decoding lives in `Reader`; this module sizes and encodes.
 */

export const MAX_VARINT_BYTES = 5;
export const MAX_VARLONG_BYTES = 10;

export function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

export function unzigzag32(value: number): number {
  return (value >>> 1) ^ -(value & 1);
}

export function zigzag64(value: bigint): bigint {
  return BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
}

export function unzigzag64(value: bigint): bigint {
  return BigInt.asIntN(64, (value >> 1n) ^ -(value & 1n));
}

/** Encoded size of an unsigned 32-bit value. */
export function sizeOfUnsignedVarint(value: number): number {
  let v = value >>> 0;
  let bytes = 1;
  while (v >= 0x80) {
    v >>>= 7;
    bytes++;
  }
  return bytes;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(zigzag32(value));
}

export function sizeOfVarlong(value: bigint): number {
  let v = zigzag64(value);
  let bytes = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    bytes++;
  }
  return bytes;
}

/** Size of a zigzag varlong for a value held as a JS number (safe-integer range). */
export function sizeOfVarlongNumber(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return sizeOfVarint(value);
  return sizeOfVarlong(BigInt(value));
}

/** Writes an unsigned varint at `offset`; returns the offset after it. */
export function writeUnsignedVarintAt(buffer: Buffer, offset: number, value: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    buffer[offset++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buffer[offset++] = v;
  return offset;
}

/** Writes an unsigned 64-bit varint (already zigzagged when signed); returns the offset after it. */
export function writeUnsignedVarlongAt(buffer: Buffer, offset: number, value: bigint): number {
  let v = value;
  while (v >= 0x80n) {
    buffer[offset++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buffer[offset++] = Number(v);
  return offset;
}

export function writeVarlongNumberAt(buffer: Buffer, offset: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000)
    return writeUnsignedVarintAt(buffer, offset, zigzag32(value));
  return writeUnsignedVarlongAt(buffer, offset, zigzag64(BigInt(value)));
}
