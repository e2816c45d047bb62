import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  batchHeader,
  buildRecordBatch,
  openRecordCursor,
  type RecordScanRules,
  uncompressedRecordsValid,
  writeBatchCrc,
} from '../../../src/protocol/records/index.js';

const NO_RULES: RecordScanRules = {
  requireKeys: false,
  minTimestampDelta: Number.NEGATIVE_INFINITY,
  maxTimestampDelta: Number.POSITIVE_INFINITY,
};

/** The record-by-record verdict the scan must never be more lenient than. */
function walkAccepts(batch: Buffer, rules: RecordScanRules): boolean {
  try {
    const cursor = openRecordCursor(batch, { verifyCrc: false });
    while (cursor.next()) {
      const index = cursor.index - 1;
      if (cursor.offsetDelta !== index) return false;
      if (rules.requireKeys && cursor.keyLength < 0) return false;
      if (
        cursor.timestampDelta < rules.minTimestampDelta ||
        cursor.timestampDelta > rules.maxTimestampDelta
      ) {
        return false;
      }
    }
    return (
      cursor.index === batchHeader.recordCount(batch) &&
      batchHeader.lastOffsetDelta(batch) === cursor.index - 1
    );
  } catch {
    return false;
  }
}

const recordArbitrary = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
  value: fc.option(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(new Uint8Array(20_000))), {
    nil: null,
  }),
  headers: fc.array(
    fc.record({
      key: fc.string({ maxLength: 10 }),
      value: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
    }),
    { maxLength: 3 },
  ),
  timestampOffset: fc.integer({ min: 0, max: 100_000 }),
});

const batchArbitrary = fc.array(recordArbitrary, { minLength: 1, maxLength: 8 }).map((records) =>
  buildRecordBatch({
    timestamp: 1_700_000_000_000,
    records: records.map((record) => ({
      key: record.key === null ? null : Buffer.from(record.key),
      value: record.value === null ? null : Buffer.from(record.value),
      headers: record.headers.map((header) => ({
        key: header.key,
        value: header.value === null ? null : Buffer.from(header.value),
      })),
      timestamp: 1_700_000_000_000 + record.timestampOffset,
    })),
  }),
);

describe('uncompressedRecordsValid', () => {
  test('accepts well-formed batches of every shape the builder makes', () => {
    fc.assert(
      fc.property(batchArbitrary, (batch) => {
        assert.equal(walkAccepts(batch, NO_RULES), true);
        assert.equal(uncompressedRecordsValid(batch, NO_RULES), true);
      }),
    );
  });

  test('never accepts a corrupted batch the record walk rejects', () => {
    fc.assert(
      fc.property(
        batchArbitrary,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        (original, at, byte, keysRequired) => {
          const batch = Buffer.from(original);
          // Corrupt the records section or the count fields, then fix the CRC as a producer would.
          const positions = [23, 24, 25, 26, 57, 58, 59, 60];
          const position = at % 5 === 0 ? positions[at % positions.length]! : 61 + (at % (batch.length - 61));
          batch[position] = byte;
          writeBatchCrc(batch);
          const rules = { ...NO_RULES, requireKeys: keysRequired };
          if (uncompressedRecordsValid(batch, rules)) assert.equal(walkAccepts(batch, rules), true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('answers false for a null key when keys are required, and for timestamps out of range', () => {
    const batch = buildRecordBatch({
      timestamp: 1000,
      records: [
        { key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1000 },
        { key: null, value: Buffer.from('v'), timestamp: 1500 },
      ],
    });
    assert.equal(uncompressedRecordsValid(batch, NO_RULES), true);
    assert.equal(uncompressedRecordsValid(batch, { ...NO_RULES, requireKeys: true }), false);
    assert.equal(uncompressedRecordsValid(batch, { ...NO_RULES, maxTimestampDelta: 499 }), false);
    assert.equal(uncompressedRecordsValid(batch, { ...NO_RULES, maxTimestampDelta: 500 }), true);
    assert.equal(uncompressedRecordsValid(batch, { ...NO_RULES, minTimestampDelta: 1 }), false);
  });

  test('answers false for offset deltas that skip, and for a wrong record count', () => {
    const gapped = buildRecordBatch({
      timestamp: 0,
      records: [{ value: Buffer.from('a') }, { value: Buffer.from('b'), offsetDelta: 2 }],
    });
    assert.equal(uncompressedRecordsValid(gapped, NO_RULES), false);
    const miscounted = buildRecordBatch({ timestamp: 0, records: [{ value: Buffer.from('a') }] });
    miscounted.writeInt32BE(2, 57);
    miscounted.writeInt32BE(1, 23);
    writeBatchCrc(miscounted);
    assert.equal(uncompressedRecordsValid(miscounted, NO_RULES), false);
  });
});
