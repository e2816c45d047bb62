/**
 * InitProducerId (key 22) and the sequence checks Produce applies to idempotent batches, on the
 * wire: the Java client and librdkafka with idempotence need both.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/broker.js';
import { Apis } from '../../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { buildRecordBatch, CompressionCodec } from '../../../src/protocol/records/index.js';
import { WireClient } from './produce-fetch.helpers.js';

function initProducerId(transactionalId: string | null = null) {
  return Apis.InitProducerId.request.create({
    transactionalId,
    transactionTimeoutMs: 60000,
    producerId: -1n,
    producerEpoch: -1,
  });
}

function idempotentBatch(producerId: number, producerEpoch: number, baseSequence: number, count = 3): Buffer {
  return buildRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(`key-${baseSequence + i}`),
      value: Buffer.from(`value-${baseSequence + i}`),
    })),
    compression: CompressionCodec.None,
    producerId,
    producerEpoch,
    baseSequence,
  });
}

describe('InitProducerId', () => {
  let started: StartedBroker;
  let client: WireClient;

  before(async () => {
    started = await startBroker({ logLevel: 'silent' });
    client = await WireClient.connect(started.port);
  });

  after(async () => {
    client.close();
    await started.stop();
  });

  test('every version gives an idempotent producer a new id with epoch 0', async () => {
    const ids = new Set<bigint>();
    for (let version = 0; version <= 5; version++) {
      const response = await client.request(Apis.InitProducerId, version, initProducerId());
      assert.equal(response.errorCode, ErrorCode.NONE, `v${version}`);
      assert.equal(response.producerEpoch, 0);
      assert.ok(response.producerId >= 0n);
      ids.add(response.producerId);
    }
    assert.equal(ids.size, 6);
  });

  test('v3+: the producer id and epoch of a request without a transactional id are ignored', async () => {
    const first = await client.request(Apis.InitProducerId, 4, initProducerId());
    const again = await client.request(Apis.InitProducerId, 4, {
      ...initProducerId(),
      producerId: first.producerId,
      producerEpoch: first.producerEpoch,
    });
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.notEqual(again.producerId, first.producerId);
  });

  test('transactional producers are refused with a fatal error; an empty id is INVALID_REQUEST', async () => {
    const transactional = await client.request(Apis.InitProducerId, 4, initProducerId('tx-1'));
    assert.equal(transactional.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    assert.equal(transactional.producerId, -1n);
    const empty = await client.request(Apis.InitProducerId, 1, initProducerId(''));
    assert.equal(empty.errorCode, ErrorCode.INVALID_REQUEST);
  });

  test('ids are not handed out twice across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-pid-'));
    try {
      const seen = new Set<bigint>();
      for (let run = 0; run < 3; run++) {
        const broker = await startBroker({ dataDir, logLevel: 'silent' });
        const wire = await WireClient.connect(broker.port);
        try {
          for (let i = 0; i < 3; i++) {
            const { producerId, errorCode } = await wire.request(Apis.InitProducerId, 2, initProducerId());
            assert.equal(errorCode, ErrorCode.NONE);
            assert.ok(!seen.has(producerId), `producer id ${producerId} handed out twice`);
            seen.add(producerId);
          }
        } finally {
          wire.close();
          await broker.stop();
        }
      }
      assert.equal(seen.size, 9);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('Produce with idempotent batches', () => {
  let started: StartedBroker;
  let client: WireClient;
  let producerId: number;

  before(async () => {
    started = await startBroker({ logLevel: 'silent' });
    await started.broker.topics.createTopic('idempotent', { partitions: 2, replicationFactor: 1 });
    client = await WireClient.connect(started.port);
    producerId = Number((await client.request(Apis.InitProducerId, 4, initProducerId())).producerId);
  });

  after(async () => {
    client.close();
    await started.stop();
  });

  async function produce(records: Buffer, partition = 0, version = 9) {
    const response = await client.request(
      Apis.Produce,
      version,
      Apis.Produce.request.create({
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: 'idempotent', partitionData: [{ index: partition, records }] }],
      }),
    );
    return response.responses[0]!.partitionResponses[0]!;
  }

  const logEnd = (partition = 0) =>
    started.broker.logs.getLog({ topic: 'idempotent', partition })!.logEndOffset;

  test('in-sequence batches are appended; a retried batch is answered with its first offset, not stored again', async () => {
    const first = await produce(idempotentBatch(producerId, 0, 0));
    assert.equal(first.errorCode, ErrorCode.NONE);
    assert.equal(first.baseOffset, 0n);
    const second = await produce(idempotentBatch(producerId, 0, 3));
    assert.equal(second.baseOffset, 3n);

    const retried = await produce(idempotentBatch(producerId, 0, 0));
    assert.equal(retried.errorCode, ErrorCode.NONE);
    assert.equal(retried.baseOffset, 0n);
    const retriedLast = await produce(idempotentBatch(producerId, 0, 3));
    assert.equal(retriedLast.baseOffset, 3n);
    assert.equal(logEnd(), 6);
  });

  test('a gap in the sequence is OUT_OF_ORDER_SEQUENCE_NUMBER and nothing is stored', async () => {
    const gap = await produce(idempotentBatch(producerId, 0, 9));
    assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal(gap.baseOffset, -1n);
    assert.equal(logEnd(), 6);
    const next = await produce(idempotentBatch(producerId, 0, 6));
    assert.equal(next.errorCode, ErrorCode.NONE);
    assert.equal(next.baseOffset, 6n);
  });

  test('a new epoch starts at sequence 0; the old epoch is then INVALID_PRODUCER_EPOCH', async () => {
    const notZero = await produce(idempotentBatch(producerId, 1, 9));
    assert.equal(notZero.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const bumped = await produce(idempotentBatch(producerId, 1, 0));
    assert.equal(bumped.errorCode, ErrorCode.NONE);
    const stale = await produce(idempotentBatch(producerId, 0, 9));
    assert.equal(stale.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  test('sequences are per partition, and a producer unknown to a partition may start anywhere', async () => {
    const elsewhere = await produce(idempotentBatch(producerId, 0, 0), 1);
    assert.equal(elsewhere.errorCode, ErrorCode.NONE);
    // Kafka accepts any sequence from a producer whose state it no longer has (expired, restarted).
    const unknown = await produce(idempotentBatch(producerId + 1, 0, 42), 1);
    assert.equal(unknown.errorCode, ErrorCode.NONE);
    const follows = await produce(idempotentBatch(producerId + 1, 0, 45), 1);
    assert.equal(follows.errorCode, ErrorCode.NONE);
  });

  test('a batch with a producer id but no sequence is INVALID_RECORD', async () => {
    const response = await produce(idempotentBatch(producerId, 1, -1));
    assert.equal(response.errorCode, ErrorCode.INVALID_RECORD);
  });

  test('batches without a producer id are not checked', async () => {
    const plain = buildRecordBatch({
      records: [{ key: null, value: Buffer.from('x') }],
      compression: CompressionCodec.None,
    });
    const before = logEnd();
    assert.equal((await produce(plain)).errorCode, ErrorCode.NONE);
    assert.equal((await produce(plain)).errorCode, ErrorCode.NONE);
    assert.equal(logEnd(), before + 2);
  });
});
