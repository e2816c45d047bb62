import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/broker.js';
import { Apis } from '../../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import type { ProduceResponse } from '../../../src/protocol/generated/produce-response.js';
import {
  buildRecordBatch,
  CompressionCodec,
  CRC_OFFSET,
  readRecords,
  splitBatches,
} from '../../../src/protocol/records/index.js';
import { MemoryFileSystem } from '../../../src/storage/memory-file-system.js';
import { recordBytes } from '../../../src/util/file-region.js';
import { WireClient } from './produce-fetch.helpers.js';

function batch(count = 3, options: { key?: Buffer | null; timestamp?: number; value?: Buffer } = {}): Buffer {
  return buildRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({
      key: options.key === undefined ? Buffer.from(`key-${i}`) : options.key,
      value: options.value ?? Buffer.from(`value-${i}`),
      headers: [{ key: 'h', value: Buffer.from('v') }],
      ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    })),
    compression: CompressionCodec.None,
  });
}

function produceRequest(topic: string, records: Buffer | null, acks = -1, partition = 0) {
  return Apis.Produce.request.create({
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
}

function only(response: ProduceResponse) {
  return response.responses[0]!.partitionResponses[0]!;
}

describe('Produce: bad input gets its Kafka error code and the broker keeps serving', () => {
  let started: StartedBroker;
  let client: WireClient;

  before(async () => {
    started = await startBroker({ config: { 'auto.create.topics.enable': false } });
    await started.broker.topics.createTopic('plain', { partitions: 2, replicationFactor: 1 });
    await started.broker.topics.createTopic('small', {
      partitions: 1,
      replicationFactor: 1,
      configs: { 'max.message.bytes': '1000' },
    });
    await started.broker.topics.createTopic('compacted', {
      partitions: 1,
      replicationFactor: 1,
      configs: { 'cleanup.policy': 'compact' },
    });
    await started.broker.topics.createTopic('recent', {
      partitions: 1,
      replicationFactor: 1,
      configs: { 'message.timestamp.before.max.ms': '60000', 'message.timestamp.after.max.ms': '60000' },
    });
    client = await WireClient.connect(started.port);
  });

  after(async () => {
    client.close();
    await started.stop();
  });

  async function produce(topic: string, records: Buffer | null, version = 9, acks = -1, partition = 0) {
    return only(await client.request(Apis.Produce, version, produceRequest(topic, records, acks, partition)));
  }

  async function assertServing() {
    const ok = await produce('plain', batch(1));
    assert.equal(ok.errorCode, ErrorCode.NONE);
  }

  test('a valid batch is appended at offset 0, then 3', async () => {
    const first = await produce('plain', batch(3));
    assert.equal(first.errorCode, ErrorCode.NONE);
    assert.equal(first.baseOffset, 0n);
    assert.equal(first.logAppendTimeMs, -1n);
    assert.equal(first.logStartOffset, 0n);
    const second = await produce('plain', batch(2));
    assert.equal(second.baseOffset, 3n);
  });

  test('a flipped CRC byte: CORRUPT_MESSAGE, nothing appended', async () => {
    const log = started.broker.topics.log('plain', 1)!;
    const before = log.logEndOffset;
    const corrupt = batch(3);
    corrupt[CRC_OFFSET + 1]! ^= 0xff;
    const response = await produce('plain', corrupt, 9, -1, 1);
    assert.equal(response.errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(log.logEndOffset, before);
    await assertServing();
  });

  test('a truncated batch: CORRUPT_MESSAGE', async () => {
    const response = await produce('plain', batch(3).subarray(0, 70));
    assert.equal(response.errorCode, ErrorCode.CORRUPT_MESSAGE);
    await assertServing();
  });

  test('a batch above max.message.bytes: MESSAGE_TOO_LARGE', async () => {
    const response = await produce('small', batch(1, { value: Buffer.alloc(2000, 1) }));
    assert.equal(response.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
    assert.equal((await produce('small', batch(1))).errorCode, ErrorCode.NONE);
  });

  test('a missing topic with auto-creation off: UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const response = await produce('does-not-exist', batch(1));
    assert.equal(response.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(started.broker.image().topic('does-not-exist'), undefined);
    await assertServing();
  });

  test('a partition that does not exist: UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const response = await produce('plain', batch(1), 9, -1, 7);
    assert.equal(response.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('an invalid topic name: INVALID_TOPIC_EXCEPTION', async () => {
    const response = await produce('bad/name', batch(1));
    assert.equal(response.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    await assertServing();
  });

  test('Produce v2 (old message format): UNSUPPORTED_VERSION per partition', async () => {
    const response = await produce('plain', batch(1), 2);
    assert.equal(response.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    await assertServing();
  });

  test('acks=2: INVALID_REQUIRED_ACKS', async () => {
    const response = await produce('plain', batch(1), 9, 2);
    assert.equal(response.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
    await assertServing();
  });

  test('a null key on a compacted topic: INVALID_RECORD with record errors (v8+)', async () => {
    const response = await produce('compacted', batch(2, { key: null }), 8);
    assert.equal(response.errorCode, ErrorCode.INVALID_RECORD);
    assert.deepEqual(
      response.recordErrors.map((error) => error.batchIndex),
      [0, 1],
    );
    assert.match(response.errorMessage ?? '', /key/);
    assert.equal((await produce('compacted', batch(2))).errorCode, ErrorCode.NONE);
  });

  test('timestamps outside message.timestamp.before/after.max.ms: INVALID_TIMESTAMP', async () => {
    const old = await produce('recent', batch(1, { timestamp: Date.now() - 3_600_000 }));
    assert.equal(old.errorCode, ErrorCode.INVALID_TIMESTAMP);
    const future = await produce('recent', batch(1, { timestamp: Date.now() + 3_600_000 }));
    assert.equal(future.errorCode, ErrorCode.INVALID_TIMESTAMP);
    assert.equal((await produce('recent', batch(1, { timestamp: Date.now() }))).errorCode, ErrorCode.NONE);
  });

  test('record count that does not match the offset deltas: INVALID_RECORD', async () => {
    const mismatched = buildRecordBatch({
      records: [{ key: Buffer.from('a'), value: Buffer.from('b') }],
      lastOffsetDelta: 4,
    });
    const response = await produce('plain', mismatched);
    assert.equal(response.errorCode, ErrorCode.INVALID_RECORD);
    await assertServing();
  });

  test('acks=0 gets no response, and the records are appended', async () => {
    const log = started.broker.topics.log('plain', 0)!;
    const before = log.logEndOffset;
    client.send(Apis.Produce, 9, produceRequest('plain', batch(4), 0));
    // The next answer on the connection belongs to the request after the acks=0 one.
    const next = await produce('plain', batch(1));
    assert.equal(next.errorCode, ErrorCode.NONE);
    assert.equal(next.baseOffset, BigInt(before + 4));
  });
});

describe('Produce: a full disk', () => {
  test('fails with KAFKA_STORAGE_ERROR and every acknowledged record stays readable', async () => {
    const fs = new MemoryFileSystem();
    const started = await startBroker({ fs, logLevel: 'silent' });
    const client = await WireClient.connect(started.port);
    try {
      await started.broker.topics.createTopic('disk', { partitions: 1, replicationFactor: 1 });
      const acknowledged: bigint[] = [];
      for (let i = 0; i < 5; i++) {
        const response = only(await client.request(Apis.Produce, 9, produceRequest('disk', batch(10))));
        assert.equal(response.errorCode, ErrorCode.NONE);
        acknowledged.push(response.baseOffset);
      }
      fs.capacity = fs.usedBytes() + 100;
      const failed = only(await client.request(Apis.Produce, 9, produceRequest('disk', batch(10))));
      assert.equal(failed.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);

      const fetched = await client.request(
        Apis.Fetch,
        11,
        Apis.Fetch.request.create({
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: 'disk',
              topicId: '00000000-0000-0000-0000-000000000000',
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: -1,
                  fetchOffset: 0n,
                  lastFetchedEpoch: -1,
                  logStartOffset: -1n,
                  partitionMaxBytes: 1 << 20,
                  replicaDirectoryId: '00000000-0000-0000-0000-000000000000',
                },
              ],
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        }),
      );
      const data = fetched.responses[0]!.partitions[0]!;
      assert.equal(data.errorCode, ErrorCode.NONE);
      assert.equal(data.highWatermark, 50n);
      const offsets = splitBatches(recordBytes(data.records!)).batches.flatMap((span) =>
        [...readRecords(span.batch)].map((record) => record.offset),
      );
      assert.deepEqual(
        offsets,
        Array.from({ length: 50 }, (_, i) => i),
      );
      assert.deepEqual(acknowledged, [0n, 10n, 20n, 30n, 40n]);

      // Space again: the partition takes writes where it left off.
      fs.capacity = undefined;
      const again = only(await client.request(Apis.Produce, 9, produceRequest('disk', batch(10))));
      assert.equal(again.errorCode, ErrorCode.NONE);
      assert.equal(again.baseOffset, 50n);
    } finally {
      client.close();
      await started.stop();
    }
  });
});
