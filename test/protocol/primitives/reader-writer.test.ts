import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ProtocolDecodeError } from '../../../src/protocol/primitives/errors.js';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import {
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  sizeOfVarlongNumber,
} from '../../../src/protocol/primitives/varint.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

describe('Writer and Reader round trips', () => {
  test('fixed-width integers, floats and booleans', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -128, max: 127 }),
        fc.integer({ min: -32768, max: 32767 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        int64,
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.double({ noNaN: true }),
        fc.boolean(),
        (i8, i16, i32, i64, u16, u32, f64, flag) => {
          const writer = new Writer(1);
          writer.int8(i8).int16(i16).int32(i32).int64(i64).uint16(u16).uint32(u32).float64(f64).bool(flag);
          const reader = new Reader(writer.toBuffer());
          assert.equal(reader.int8(), i8);
          assert.equal(reader.int16(), i16);
          assert.equal(reader.int32(), i32);
          assert.equal(reader.int64(), i64);
          assert.equal(reader.uint16(), u16);
          assert.equal(reader.uint32(), u32);
          assert.ok(Object.is(reader.float64(), f64));
          assert.equal(reader.bool(), flag);
          assert.equal(reader.remaining(), 0);
        },
      ),
    );
  });

  test('int64 as number is exact within the safe range', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (value) => {
        const buffer = new Writer().int64Number(value).toBuffer();
        assert.equal(new Reader(buffer).int64(), BigInt(value));
        assert.equal(new Reader(buffer).int64Number(), value);
      }),
    );
  });

  test('varints and varlongs, with their sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        int64,
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (i32, i64, u32) => {
          const writer = new Writer();
          writer.varint(i32).varlong(i64).unsignedVarint(u32);
          const buffer = writer.toBuffer();
          assert.equal(buffer.length, sizeOfVarint(i32) + sizeOfVarlong(i64) + sizeOfUnsignedVarint(u32));
          const reader = new Reader(buffer);
          assert.equal(reader.varint(), i32);
          assert.equal(reader.varlong(), i64);
          assert.equal(reader.unsignedVarint(), u32);
          assert.equal(reader.remaining(), 0);
        },
      ),
    );
  });

  test('varlongNumber agrees with varlong for safe integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (value) => {
        const buffer = new Writer().varlong(BigInt(value)).toBuffer();
        assert.equal(buffer.length, sizeOfVarlongNumber(value));
        assert.equal(new Reader(buffer).varlongNumber(), value);
      }),
    );
  });

  test('strings and bytes in every encoding, including null and unicode', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 50 }),
        fc.option(fc.string({ maxLength: 50 })),
        fc.uint8Array({ maxLength: 100 }),
        fc.option(fc.uint8Array({ maxLength: 100 })),
        (text, maybeText, bytes, maybeBytes) => {
          const data = Buffer.from(bytes);
          const maybeData = maybeBytes === null ? null : Buffer.from(maybeBytes);
          const writer = new Writer(4);
          writer.string(text).nullableString(maybeText).compactString(text).compactNullableString(maybeText);
          writer.bytes(data).nullableBytes(maybeData).compactBytes(data).compactNullableBytes(maybeData);
          const reader = new Reader(writer.toBuffer());
          assert.equal(reader.string(), text);
          assert.equal(reader.nullableString(), maybeText);
          assert.equal(reader.compactString(), text);
          assert.equal(reader.compactNullableString(), maybeText);
          assert.deepEqual(reader.bytes(), data);
          assert.deepEqual(reader.nullableBytes(), maybeData);
          assert.deepEqual(reader.compactBytes(), data);
          assert.deepEqual(reader.compactNullableBytes(), maybeData);
          assert.equal(reader.remaining(), 0);
        },
      ),
    );
  });

  test('uuids keep their canonical form', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        const buffer = new Writer().uuid(uuid).toBuffer();
        assert.equal(buffer.length, 16);
        assert.equal(new Reader(buffer).uuid(), uuid.toLowerCase());
      }),
    );
  });

  test('arrays, nullable arrays and tagged fields', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1000, max: 1000 })),
        fc.option(fc.array(fc.string({ maxLength: 5 }))),
        fc.boolean(),
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 })).map((tags) => tags.sort((a, b) => a - b)),
        (numbers, strings, compact, tags) => {
          const writer = new Writer();
          writer.array(numbers, compact, (w, n) => w.int32(n));
          writer.nullableArray(strings, compact, (w, s) => w.compactString(s));
          writer.taggedFields(tags.map((tag) => ({ tag, data: Buffer.from([tag & 0xff, 7]) })));
          const reader = new Reader(writer.toBuffer());
          assert.deepEqual(
            reader.array(compact, (r) => r.int32()),
            numbers,
          );
          assert.deepEqual(
            reader.nullableArray(compact, (r) => r.compactString()),
            strings,
          );
          assert.deepEqual(
            reader.taggedFields(),
            tags.map((tag) => ({ tag, data: Buffer.from([tag & 0xff, 7]) })),
          );
          assert.equal(reader.remaining(), 0);
        },
      ),
    );
  });

  test('large byte fields are referenced, not copied, in chunks()', () => {
    const payload = Buffer.alloc(10_000, 1);
    const writer = new Writer();
    writer.int32(5).bytes(payload).int16(2);
    const chunks = writer.chunks();
    assert.ok(chunks.includes(payload), 'the payload Buffer itself is one of the chunks');
    assert.equal(writer.length, 4 + 4 + 10_000 + 2);
    const reader = new Reader(writer.toBuffer());
    assert.equal(reader.int32(), 5);
    assert.deepEqual(reader.bytes(), payload);
    assert.equal(reader.int16(), 2);
  });
});

function decodeError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ProtocolDecodeError, `expected ProtocolDecodeError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected a ProtocolDecodeError');
}

describe('Reader on malformed input', () => {
  test('truncated fixed-width values', () => {
    assert.equal(
      decodeError(() => new Reader(Buffer.alloc(3)).int32()),
      'ERR_TRUNCATED',
    );
    assert.equal(
      decodeError(() => new Reader(Buffer.alloc(7)).int64()),
      'ERR_TRUNCATED',
    );
    assert.equal(
      decodeError(() => new Reader(Buffer.alloc(15)).uuid()),
      'ERR_TRUNCATED',
    );
    assert.equal(
      decodeError(() => new Reader(Buffer.alloc(0)).int8()),
      'ERR_TRUNCATED',
    );
  });

  test('a reader bounded by end does not read past it', () => {
    const reader = new Reader(Buffer.alloc(16), 4, 8);
    reader.int32();
    assert.equal(
      decodeError(() => reader.int8()),
      'ERR_TRUNCATED',
    );
  });

  test('huge lengths are rejected before any allocation', () => {
    const hugeString = Buffer.from([0x7f, 0xff, 0x41]);
    assert.equal(
      decodeError(() => new Reader(hugeString).string()),
      'ERR_LENGTH_EXCEEDS_INPUT',
    );
    const hugeBytes = Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2]);
    assert.equal(
      decodeError(() => new Reader(hugeBytes).bytes()),
      'ERR_LENGTH_EXCEEDS_INPUT',
    );
    const hugeArray = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    assert.equal(
      decodeError(() => new Reader(hugeArray).array(false, (r) => r.int8())),
      'ERR_LENGTH_EXCEEDS_INPUT',
    );
    const hugeCompactArray = new Writer().unsignedVarint(2 ** 32 - 1).toBuffer();
    assert.equal(
      decodeError(() => new Reader(hugeCompactArray).array(true, (r) => r.int8())),
      'ERR_LENGTH_EXCEEDS_INPUT',
    );
    const hugeTaggedCount = new Writer().unsignedVarint(1_000_000).toBuffer();
    assert.equal(
      decodeError(() => new Reader(hugeTaggedCount).taggedFields()),
      'ERR_LENGTH_EXCEEDS_INPUT',
    );
  });

  test('negative lengths other than the null marker are rejected', () => {
    assert.equal(
      decodeError(() => new Reader(Buffer.from([0xff, 0xfe])).nullableString()),
      'ERR_NEGATIVE_LENGTH',
    );
    assert.equal(
      decodeError(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xf0])).nullableBytes()),
      'ERR_NEGATIVE_LENGTH',
    );
    assert.equal(
      decodeError(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xfe])).array(false, (r) => r.int8())),
      'ERR_NEGATIVE_LENGTH',
    );
  });

  test('null where the field is not nullable', () => {
    assert.equal(
      decodeError(() => new Reader(Buffer.from([0xff, 0xff])).string()),
      'ERR_NULL_NOT_ALLOWED',
    );
    assert.equal(
      decodeError(() => new Reader(Buffer.from([0])).compactBytes()),
      'ERR_NULL_NOT_ALLOWED',
    );
  });

  test('1- and 2-byte varints at the end of the input and at a moved end', () => {
    for (const value of [0, 1, 63, 64, 127, 128, 8191, 8192, 16383, 16384, -1, -64, -65, -8193]) {
      const encoded = new Writer().varint(value).toBuffer();
      assert.equal(new Reader(encoded).varint(), value);
      assert.equal(new Reader(encoded).varlongNumber(), value);
      const padded = Buffer.concat([encoded, Buffer.from([0x01])]);
      const bounded = new Reader(padded);
      bounded.end = encoded.length - 1;
      if (encoded.length > 1)
        assert.equal(
          decodeError(() => bounded.varint()),
          'ERR_TRUNCATED',
        );
    }
    assert.equal(
      decodeError(() => new Reader(Buffer.from([0x80])).unsignedVarint()),
      'ERR_TRUNCATED',
    );
  });

  test('overlong and truncated varints', () => {
    const overlong = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    assert.equal(
      decodeError(() => new Reader(overlong).unsignedVarint()),
      'ERR_VARINT_TOO_LONG',
    );
    const overlongLong = Buffer.alloc(11, 0x80);
    assert.equal(
      decodeError(() => new Reader(overlongLong).varlong()),
      'ERR_VARINT_TOO_LONG',
    );
    assert.equal(
      decodeError(() => new Reader(overlongLong).varlongNumber()),
      'ERR_VARINT_TOO_LONG',
    );
    assert.equal(
      decodeError(() => new Reader(Buffer.from([0x80, 0x80])).varint()),
      'ERR_TRUNCATED',
    );
  });

  test('random bytes only ever fail with ProtocolDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, compact) => {
        const reader = new Reader(Buffer.from(bytes));
        try {
          reader.array(compact, (r) => ({
            name: compact ? r.compactNullableString() : r.nullableString(),
            data: compact ? r.compactNullableBytes() : r.nullableBytes(),
            value: r.varlong(),
            tags: r.taggedFields(),
          }));
        } catch (error) {
          assert.ok(error instanceof ProtocolDecodeError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
