// kafkajs 2.2.4's own record-batch encoder and decoder (None and GZIP, the codecs it ships) as an
// independent implementation to check our reader and builder against.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import {
  batchHeader,
  buildRecordBatch,
  CompressionCodec,
  readRecords,
  validateBatch,
} from '../../../src/protocol/records/index.js';

const require = createRequire(import.meta.url);
type Encoder = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(options: Record<string, unknown>): Promise<Encoder>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (
  options: Record<string, unknown>,
) => Encoder;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: unknown,
) => Promise<{
  firstOffset: string;
  records: {
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer>;
  }[];
}>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const Long = require('kafkajs/src/utils/long.js') as { fromNumber(value: number): unknown };

describe('kafkajs record batches', () => {
  for (const [name, codec] of [
    ['none', CompressionCodec.None],
    ['gzip', CompressionCodec.Gzip],
  ] as const) {
    test(`${name}: a kafkajs-encoded batch reads back with our reader`, async () => {
      const firstTimestamp = 1_700_000_000_000;
      const encoded = await RecordBatch({
        compression: codec,
        firstOffset: Long.fromNumber(1234),
        firstTimestamp,
        maxTimestamp: firstTimestamp + 20,
        lastOffsetDelta: 2,
        records: [0, 1, 2].map((i) =>
          Record({
            offsetDelta: i,
            timestampDelta: i * 10,
            key: i === 1 ? null : Buffer.from(`key-${i}`),
            value: Buffer.from(`value-${i}`),
            headers: { trace: Buffer.from(`t${i}`) },
          }),
        ),
      });
      const batch = encoded.buffer;
      assert.equal(validateBatch(batch), batch.length, 'kafkajs computes the same CRC-32C');
      assert.equal(batchHeader.compression(batch), codec);
      const records = [...readRecords(batch)];
      assert.deepEqual(
        records.map((record) => [
          record.offset,
          record.timestamp,
          record.key?.toString() ?? null,
          record.value?.toString(),
          record.headers.map((header) => `${header.key}=${header.value?.toString()}`),
        ]),
        [
          [1234, firstTimestamp, 'key-0', 'value-0', ['trace=t0']],
          [1235, firstTimestamp + 10, null, 'value-1', ['trace=t1']],
          [1236, firstTimestamp + 20, 'key-2', 'value-2', ['trace=t2']],
        ],
      );
    });

    test(`${name}: our batch decodes with kafkajs' decoder`, async () => {
      const batch = buildRecordBatch({
        baseOffset: 99,
        compression: codec,
        records: [
          {
            key: Buffer.from('a'),
            value: Buffer.from('1'),
            headers: [{ key: 'h', value: Buffer.from('x') }],
            timestamp: 5,
          },
          { key: null, value: Buffer.from('2'), timestamp: 9 },
        ],
      });
      const decoded = await decodeBatch(new Decoder(batch));
      assert.equal(decoded.firstOffset, '99');
      assert.deepEqual(
        decoded.records.map((record) => [
          record.offset,
          record.timestamp,
          record.key?.toString() ?? null,
          record.value?.toString(),
          Object.keys(record.headers),
        ]),
        [
          ['99', '5', 'a', '1', ['h']],
          ['100', '9', null, '2', []],
        ],
      );
    });
  }
});
