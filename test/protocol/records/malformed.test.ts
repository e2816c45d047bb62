import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  buildRecordBatch,
  CompressionCodec,
  countAndCheckRecords,
  DecompressionLimitError,
  readRecords,
  splitBatches,
  validateBatch,
  writeBatchCrc,
} from '../../../src/protocol/records/index.js';
import { assertDecodeError, decodesOrRejects } from './helpers.js';

/** An uncompressed batch whose records section is `records` verbatim, with a valid CRC. */
function batchWithRecords(records: Buffer, recordCount: number, lastOffsetDelta = 100): Buffer {
  const batch = Buffer.concat([buildRecordBatch({ records: [], timestamp: 0 }), records]);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(lastOffsetDelta, 23);
  batch.writeInt32BE(recordCount, 57);
  writeBatchCrc(batch);
  return batch;
}

/** Fixes up the CRC so that corruption reaches the record parser. */
function recrc(batch: Buffer): Buffer {
  const copy = Buffer.from(batch);
  writeBatchCrc(copy);
  return copy;
}

const sample = buildRecordBatch({
  baseOffset: 7,
  records: [
    {
      key: Buffer.from('k1'),
      value: Buffer.from('v1'),
      headers: [{ key: 'h', value: Buffer.from('x') }],
      timestamp: 1,
    },
    { key: null, value: Buffer.from('v2'), timestamp: 2 },
    { key: Buffer.from('k3'), value: null, timestamp: 3 },
  ],
});

describe('malformed batch headers', () => {
  test('truncated header and batchLength beyond the buffer are ERR_TRUNCATED', () => {
    for (const length of [0, 1, 12, 60]) {
      assertDecodeError(() => validateBatch(sample.subarray(0, length)), 'ERR_TRUNCATED');
    }
    assertDecodeError(() => validateBatch(sample.subarray(0, sample.length - 1)), 'ERR_TRUNCATED');
    const huge = Buffer.from(sample);
    huge.writeInt32BE(0x7fffffff, 8);
    assertDecodeError(() => validateBatch(huge), 'ERR_TRUNCATED');
  });

  test('batchLength below the header size, bad magic, negative fields: ERR_BAD_RECORD_BATCH', () => {
    for (const length of [-1, 0, 48]) {
      const copy = Buffer.from(sample);
      copy.writeInt32BE(length, 8);
      assertDecodeError(() => validateBatch(copy), 'ERR_BAD_RECORD_BATCH');
      // Corruption, not a partial batch: fetch-style splitting must not hide it.
      assertDecodeError(() => splitBatches(copy, { allowPartial: true }), 'ERR_BAD_RECORD_BATCH');
    }
    for (const magic of [0, 1, 3, -1]) {
      const copy = Buffer.from(sample);
      copy.writeInt8(magic, 16);
      assertDecodeError(() => validateBatch(copy), 'ERR_BAD_RECORD_BATCH');
    }
    const negativeDelta = Buffer.from(sample);
    negativeDelta.writeInt32BE(-1, 23);
    assertDecodeError(() => validateBatch(recrc(negativeDelta)), 'ERR_BAD_RECORD_BATCH');
    const negativeCount = Buffer.from(sample);
    negativeCount.writeInt32BE(-5, 57);
    assertDecodeError(() => validateBatch(recrc(negativeCount)), 'ERR_BAD_RECORD_BATCH');
    const tooManyForDelta = Buffer.from(sample);
    tooManyForDelta.writeInt32BE(1, 23);
    assertDecodeError(() => validateBatch(recrc(tooManyForDelta)), 'ERR_BAD_RECORD_BATCH');
  });

  test('unknown codec ids are ERR_UNSUPPORTED_COMPRESSION', () => {
    const copy = Buffer.from(sample);
    copy.writeInt16BE(6, 21);
    assertDecodeError(() => validateBatch(recrc(copy)), 'ERR_UNSUPPORTED_COMPRESSION');
  });

  test('a stored CRC that does not match is ERR_CRC_MISMATCH', () => {
    const copy = Buffer.from(sample);
    copy.writeUInt32BE((copy.readUInt32BE(17) + 1) >>> 0, 17);
    assertDecodeError(() => validateBatch(copy), 'ERR_CRC_MISMATCH');
    assertDecodeError(() => readRecords(copy), 'ERR_CRC_MISMATCH');
  });
});

describe('malformed records', () => {
  test('record count beyond the data, or short of it', () => {
    const records = sample.subarray(61);
    assertDecodeError(() => [...readRecords(batchWithRecords(records, 4))], 'ERR_BAD_RECORD_BATCH');
    assertDecodeError(() => [...readRecords(batchWithRecords(records, 2))], 'ERR_BAD_RECORD_BATCH');
    assertDecodeError(
      () => [...readRecords(batchWithRecords(records, 1_000_000, 2_000_000))],
      'ERR_BAD_RECORD_BATCH',
    );
    assert.equal([...readRecords(batchWithRecords(records, 3))].length, 3);
  });

  test('negative, huge and inconsistent record lengths', () => {
    const body = Buffer.from([0, 0, 0, 0, 1, 0]); // attributes, ts, offset, null key, null value, 0 headers
    // zigzag: 0x01 = -1, 0x0c = 6, 0x0e = 7 (one more than the body)
    for (const lengthByte of [0x01, 0x03, 0x0e]) {
      const batch = batchWithRecords(Buffer.concat([Buffer.from([lengthByte]), body]), 1);
      assertDecodeError(() => [...readRecords(batch)], 'ERR_BAD_RECORD_BATCH');
    }
    const hugeLength = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f, ...body]);
    assertDecodeError(() => [...readRecords(batchWithRecords(hugeLength, 1))], 'ERR_BAD_RECORD_BATCH');
    // key length larger than the record
    const bigKey = Buffer.from([0x0c, 0, 0, 0, 0x7e, 1, 0]);
    assertDecodeError(() => [...readRecords(batchWithRecords(bigKey, 1))], 'ERR_BAD_RECORD_BATCH');
    // length says 8 but the fields use 6: trailing bytes inside a record
    const slack = Buffer.from([0x10, 0, 0, 0, 1, 1, 0, 9, 9]);
    assertDecodeError(() => [...readRecords(batchWithRecords(slack, 1))], 'ERR_BAD_RECORD_BATCH');
    assert.equal([...readRecords(batchWithRecords(Buffer.concat([Buffer.from([0x0c]), body]), 1))].length, 1);
  });

  test('overlong varints', () => {
    const overlongLength = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 0, 0, 1, 1, 0]);
    assertDecodeError(() => [...readRecords(batchWithRecords(overlongLength, 1))], 'ERR_VARINT_TOO_LONG');
    const overlongTimestamp = Buffer.from([0x1a, 0, ...Array(10).fill(0x80), 0x00, 0, 1, 1, 0]);
    assertDecodeError(() => [...readRecords(batchWithRecords(overlongTimestamp, 1))], 'ERR_VARINT_TOO_LONG');
  });

  test('offset deltas out of order or beyond lastOffsetDelta', () => {
    const record = (delta: number) => Buffer.from([0x0c, 0, 0, delta * 2, 1, 1, 0]);
    const repeated = batchWithRecords(Buffer.concat([record(1), record(1)]), 2);
    assertDecodeError(() => [...readRecords(repeated)], 'ERR_BAD_RECORD_BATCH');
    const beyond = batchWithRecords(record(5), 1, 3);
    assertDecodeError(() => [...readRecords(beyond)], 'ERR_BAD_RECORD_BATCH');
  });

  test('null header key is rejected', () => {
    const nullHeaderKey = Buffer.from([0x10, 0, 0, 0, 1, 1, 2, 1, 1]);
    assertDecodeError(() => [...readRecords(batchWithRecords(nullHeaderKey, 1))], 'ERR_BAD_RECORD_BATCH');
  });

  test('a compressed bomb inside a batch fails cleanly with a limit', () => {
    const batch = buildRecordBatch({
      records: [{ value: Buffer.alloc(4 * 1024 * 1024) }],
      compression: CompressionCodec.Zstd,
    });
    assert.ok(batch.length < 64 * 1024);
    for (const read of [
      () => [...readRecords(batch, { maxOutputBytes: 1024 * 1024 })],
      () => countAndCheckRecords(batch, { maxOutputBytes: 1024 * 1024 }),
    ]) {
      assert.ok(assertDecodeError(read) instanceof DecompressionLimitError);
    }
  });

  for (const codec of [
    CompressionCodec.None,
    CompressionCodec.Gzip,
    CompressionCodec.Snappy,
    CompressionCodec.Lz4,
    CompressionCodec.Zstd,
  ]) {
    test(`codec ${codec}: random byte flips anywhere only ever raise ProtocolDecodeError`, () => {
      const batch = buildRecordBatch({
        baseOffset: 3,
        records: Array.from({ length: 6 }, (_, i) => ({
          key: Buffer.from(`key-${i}`),
          value: Buffer.from(`value-${i}-`.repeat(i)),
          headers: [{ key: 'h', value: Buffer.from([i]) }],
          timestamp: 1000 + i,
        })),
        compression: codec,
      });
      let rejected = 0;
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(batch.length - 1), fc.integer({ min: 1, max: 255 })), {
            minLength: 1,
            maxLength: 4,
          }),
          fc.boolean(),
          (flips, fixCrc) => {
            let copy: Buffer = Buffer.from(batch);
            for (const [at, flip] of flips) copy[at]! ^= flip;
            if (fixCrc && copy.readInt32BE(8) === batch.length - 12) copy = recrc(copy);
            const outcome = decodesOrRejects(() => {
              for (const _ of readRecords(copy, { maxOutputBytes: 1 << 20 })) {
                /* drain */
              }
              countAndCheckRecords(copy, { maxOutputBytes: 1 << 20 });
            });
            if (outcome === 'rejected') rejected++;
          },
        ),
        { numRuns: 400 },
      );
      assert.ok(rejected > 0);
    });
  }

  test('random records sections never escape as anything but ProtocolDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: -2, max: 50 }), (array, count) => {
        decodesOrRejects(() => [...readRecords(batchWithRecords(Buffer.from(array), count, 1000))]);
      }),
      { numRuns: 1000 },
    );
  });
});
