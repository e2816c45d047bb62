import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  assignBatchOffsets,
  type BatchRecord,
  batchHeader,
  buildRecordBatch,
  buildRecordBatchAsync,
  buildTransactionMarkerBatch,
  CompressionCodec,
  ControlRecordType,
  computeBatchCrc,
  countAndCheckRecords,
  decodeControlRecordKey,
  isControlBatch,
  type RecordInput,
  readEndTransactionMarker,
  readRecords,
  readRecordsAsync,
  splitBatches,
  TimestampType,
  validateBatch,
} from '../../../src/protocol/records/index.js';
import { assertDecodeError } from './helpers.js';

const bytes = fc.option(
  fc.uint8Array({ maxLength: 64 }).map((array) => Buffer.from(array)),
  { nil: null },
);
const recordArbitrary = fc.record({
  key: bytes,
  value: bytes,
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 12 }), value: bytes }), { maxLength: 3 }),
  timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
});

function expectSame(read: BatchRecord[], written: RecordInput[], baseOffset: number): void {
  assert.equal(read.length, written.length);
  read.forEach((record, index) => {
    const input = written[index]!;
    assert.equal(record.offset, baseOffset + index);
    assert.equal(record.offsetDelta, index);
    assert.equal(record.timestamp, input.timestamp);
    assert.deepEqual(record.key, input.key ?? null);
    assert.deepEqual(record.value, input.value ?? null);
    assert.deepEqual(
      record.headers,
      (input.headers ?? []).map((header) => ({ ...header })),
    );
  });
}

const allCodecs = [
  CompressionCodec.None,
  CompressionCodec.Gzip,
  CompressionCodec.Snappy,
  CompressionCodec.Lz4,
  CompressionCodec.Zstd,
];

describe('build and read', () => {
  for (const codec of allCodecs) {
    test(`codec ${codec}: records survive build -> read (sync and async)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(recordArbitrary, { maxLength: 20 }),
          fc.integer({ min: 0, max: 2 ** 40 }),
          async (records, baseOffset) => {
            const batch = buildRecordBatch({ baseOffset, records, compression: codec });
            assert.equal(validateBatch(batch), batch.length);
            assert.equal(batchHeader.compression(batch), codec);
            assert.equal(batchHeader.recordCount(batch), records.length);
            expectSame([...readRecords(batch)], records, baseOffset);
            const built = await buildRecordBatchAsync({ baseOffset, records, compression: codec });
            expectSame(await readRecordsAsync(built), records, baseOffset);
            if (records.length > 0) {
              assert.equal(batchHeader.maxTimestamp(batch), Math.max(...records.map((r) => r.timestamp)));
              assert.equal(batchHeader.baseTimestamp(batch), records[0]!.timestamp);
              assert.equal(batchHeader.lastOffsetDelta(batch), records.length - 1);
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  test('header fields: producer, sequence, epoch, flags, LogAppendTime', () => {
    const batch = buildRecordBatch({
      baseOffset: 5,
      records: [{ value: Buffer.from('a'), timestamp: 10 }],
      producerId: 2 ** 40 + 3,
      producerEpoch: 7,
      baseSequence: 99,
      partitionLeaderEpoch: 4,
      transactional: true,
      timestampType: TimestampType.LogAppendTime,
      maxTimestamp: 12345,
    });
    assert.equal(batchHeader.producerId(batch), 2 ** 40 + 3);
    assert.equal(batchHeader.producerEpoch(batch), 7);
    assert.equal(batchHeader.baseSequence(batch), 99);
    assert.equal(batchHeader.partitionLeaderEpoch(batch), 4);
    assert.equal(batchHeader.isTransactional(batch), true);
    assert.equal(batchHeader.isControl(batch), false);
    const [record] = [...readRecords(batch)];
    assert.equal(record!.timestamp, 12345, 'LogAppendTime applies maxTimestamp to every record');
  });

  test('defaults: no producer, no leader epoch; empty batch', () => {
    const batch = buildRecordBatch({ records: [] });
    assert.equal(batchHeader.producerId(batch), -1);
    assert.equal(batchHeader.producerEpoch(batch), -1);
    assert.equal(batchHeader.baseSequence(batch), -1);
    assert.equal(batchHeader.partitionLeaderEpoch(batch), -1);
    assert.equal(batchHeader.baseTimestamp(batch), -1);
    assert.equal(batch.length, 61);
    assert.equal([...readRecords(batch)].length, 0);
  });

  test('gaps in offset deltas (as after compaction) are read; lastOffsetDelta can be kept', () => {
    const batch = buildRecordBatch({
      baseOffset: 100,
      records: [
        { key: Buffer.from('a'), value: null, offsetDelta: 0, timestamp: 1 },
        { key: Buffer.from('b'), value: Buffer.from('2'), offsetDelta: 5, timestamp: 3 },
      ],
      lastOffsetDelta: 9,
    });
    assert.equal(batchHeader.lastOffset(batch), 109);
    assert.deepEqual(
      [...readRecords(batch)].map((record) => record.offset),
      [100, 105],
    );
    const check = countAndCheckRecords(batch, { requireKeys: true });
    assert.deepEqual(check, {
      recordCount: 2,
      nullKeyCount: 0,
      nullValueCount: 1,
      maxTimestamp: 3,
      uncompressedSize: check.uncompressedSize,
    });
    assertDecodeError(
      () => countAndCheckRecords(batch, { requireSequentialOffsets: true }),
      'ERR_BAD_RECORD_BATCH',
    );
  });

  test('countAndCheckRecords: requireKeys rejects a keyless record, in compressed batches too', () => {
    for (const compression of allCodecs) {
      const batch = buildRecordBatch({
        records: [
          { key: Buffer.from('k'), value: Buffer.from('v') },
          { key: null, value: Buffer.from('v') },
        ],
        compression,
      });
      assert.equal(countAndCheckRecords(batch).nullKeyCount, 1);
      assert.equal(countAndCheckRecords(batch, { requireSequentialOffsets: true }).recordCount, 2);
      assertDecodeError(() => countAndCheckRecords(batch, { requireKeys: true }), 'ERR_BAD_RECORD_BATCH');
    }
  });
});

describe('offsets, CRC and splitting', () => {
  test('baseOffset and leader epoch rewrites keep the CRC valid', () => {
    const batch = buildRecordBatch({ records: [{ value: Buffer.from('x') }] });
    const crc = batchHeader.crc(batch);
    assignBatchOffsets(batch, 2 ** 45, 17);
    assert.equal(batchHeader.baseOffset(batch), 2 ** 45);
    assert.equal(batchHeader.partitionLeaderEpoch(batch), 17);
    assert.equal(computeBatchCrc(batch), crc);
    validateBatch(batch);
    assert.equal([...readRecords(batch)][0]!.offset, 2 ** 45);
  });

  test('any change inside the CRC range is detected', () => {
    const batch = buildRecordBatch({
      records: [{ key: Buffer.from('key'), value: Buffer.from('value'), timestamp: 1 }],
      compression: CompressionCodec.Gzip,
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 21, max: batch.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, flip) => {
          const copy = Buffer.from(batch);
          copy[at]! ^= flip;
          assertDecodeError(() => validateBatch(copy), 'ERR_CRC_MISMATCH');
        },
      ),
    );
    const copy = Buffer.from(batch);
    copy[batch.length - 1]! ^= 1;
    // Without CRC checking the damage is still caught, by the decompressor.
    assertDecodeError(() => [...readRecords(copy, { verifyCrc: false })]);
  });

  test('splitBatches: whole blobs, and a partial tail for fetch but not for produce', () => {
    const a = buildRecordBatch({ baseOffset: 0, records: [{ value: Buffer.from('a') }] });
    const b = buildRecordBatch({ baseOffset: 1, records: [{ value: Buffer.from('bb') }], compression: 2 });
    const whole = Buffer.concat([a, b]);
    const split = splitBatches(whole);
    assert.equal(split.partialBytes, 0);
    assert.deepEqual(
      split.batches.map((span) => [span.position, span.batch.length]),
      [
        [0, a.length],
        [a.length, b.length],
      ],
    );
    assert.deepEqual(splitBatches(Buffer.alloc(0)), { batches: [], partialBytes: 0 });
    for (const cut of [1, 11, 12, 40, b.length - 1]) {
      const truncated = whole.subarray(0, a.length + cut);
      assertDecodeError(() => splitBatches(truncated), 'ERR_TRUNCATED');
      const partial = splitBatches(truncated, { allowPartial: true });
      assert.equal(partial.batches.length, 1);
      assert.equal(partial.partialBytes, cut);
    }
  });
});

describe('control batches', () => {
  test('transaction markers build and read back', () => {
    for (const commit of [true, false]) {
      const batch = buildTransactionMarkerBatch({
        baseOffset: 42,
        producerId: 1000,
        producerEpoch: 3,
        coordinatorEpoch: 77,
        commit,
        timestamp: 5,
      });
      validateBatch(batch);
      assert.equal(isControlBatch(batch), true);
      assert.equal(batchHeader.isTransactional(batch), true);
      assert.equal(batchHeader.producerId(batch), 1000);
      assert.deepEqual(readEndTransactionMarker(batch), { commit, version: 0, coordinatorEpoch: 77 });
      const [record] = [...readRecords(batch)];
      assert.deepEqual(decodeControlRecordKey(record!.key), {
        version: 0,
        type: commit ? ControlRecordType.Commit : ControlRecordType.Abort,
      });
    }
  });

  test('malformed control records are rejected', () => {
    assertDecodeError(() => decodeControlRecordKey(null), 'ERR_BAD_RECORD_BATCH');
    assertDecodeError(() => decodeControlRecordKey(Buffer.from([0, 0, 1])), 'ERR_BAD_RECORD_BATCH');
    const data = buildRecordBatch({ records: [{ value: Buffer.from('x') }] });
    assertDecodeError(() => readEndTransactionMarker(data), 'ERR_BAD_RECORD_BATCH');
    const shortValue = buildRecordBatch({
      records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0]) }],
      control: true,
    });
    assertDecodeError(() => readEndTransactionMarker(shortValue), 'ERR_BAD_RECORD_BATCH');
  });
});
