import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/broker.js';
import { fetchWaitersOf } from '../../../src/broker/fetch-waiters.js';
import { Apis } from '../../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';
import { MemoryFileSystem } from '../../../src/storage/memory-file-system.js';
import { WireClient } from './produce-fetch.helpers.js';

const ZERO = '00000000-0000-0000-0000-000000000000';
const TOPIC = 'polls';

function fetchAt(offset: number, maxWaitMs: number) {
  return Apis.Fetch.request.create({
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    topics: [
      {
        topic: TOPIC,
        topicId: ZERO,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: BigInt(offset),
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
            replicaDirectoryId: ZERO,
          },
        ],
      },
    ],
  });
}

function produce(value: string) {
  return Apis.Produce.request.create({
    acks: 1,
    timeoutMs: 10_000,
    topicData: [
      {
        name: TOPIC,
        partitionData: [
          {
            index: 0,
            records: buildRecordBatch({ records: [{ key: null, value: Buffer.from(value), headers: [] }] }),
          },
        ],
      },
    ],
  });
}

/** A fetch with data at once answers without waiting; one at the log end waits for the next append. */
describe('Fetch long polling', () => {
  let started: StartedBroker;
  let consumer: WireClient;
  let producer: WireClient;

  before(async () => {
    started = await startBroker({ logLevel: 'silent' });
    await started.broker.topics.createTopic(TOPIC, { partitions: 1, replicationFactor: 1 });
    consumer = await WireClient.connect(started.port);
    producer = await WireClient.connect(started.port);
  });

  after(async () => {
    consumer.close();
    producer.close();
    await started.stop();
  });

  test('a fetch at the log end is answered by the next append, and leaves no waiter behind', async () => {
    const waiting = consumer.request(Apis.Fetch, 12, fetchAt(0, 30_000));
    // The append lands while the fetch reads or waits; either way it is in the answer.
    const produced = await producer.request(Apis.Produce, 9, produce('first'));
    assert.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    const response = await waiting;
    const data = response.responses[0]!.partitions[0]!;
    assert.equal(data.errorCode, ErrorCode.NONE);
    assert.ok((data.records?.length ?? 0) > 0, 'the appended batch is returned');
    assert.equal(fetchWaitersOf(started.broker).watchedPartitions, 0);
  });

  test('a fetch that finds data is answered at once without registering', async () => {
    const response = await consumer.request(Apis.Fetch, 12, fetchAt(0, 30_000));
    assert.ok((response.responses[0]!.partitions[0]!.records?.length ?? 0) > 0);
    assert.equal(fetchWaitersOf(started.broker).watchedPartitions, 0);
  });

  test('a fetch with nothing to read returns empty at max_wait_ms and unregisters', async () => {
    const response = await consumer.request(Apis.Fetch, 12, fetchAt(1, 50));
    const data = response.responses[0]!.partitions[0]!;
    assert.equal(data.errorCode, ErrorCode.NONE);
    assert.equal(data.records?.length ?? 0, 0);
    assert.equal(data.highWatermark, 1n);
    assert.equal(fetchWaitersOf(started.broker).watchedPartitions, 0);
  });

  test('a waiting fetch reads the log again only once it moved', async () => {
    const log = started.broker.topics.log(TOPIC, 0)!;
    const read = log.read.bind(log);
    let reads = 0;
    log.read = (...args: Parameters<typeof log.read>) => {
      reads++;
      return read(...args);
    };
    try {
      const end = Number(log.highWatermark);
      const empty = await consumer.request(Apis.Fetch, 12, fetchAt(end, 60));
      assert.equal(empty.responses[0]!.partitions[0]!.records?.length ?? 0, 0);
      assert.equal(reads, 1, 'nothing changed: one read for the whole wait');
      reads = 0;
      const waiting = consumer.request(Apis.Fetch, 12, fetchAt(end, 30_000));
      await new Promise((resolve) => setTimeout(resolve, 30));
      await producer.request(Apis.Produce, 9, produce('moved'));
      const answered = await waiting;
      assert.ok((answered.responses[0]!.partitions[0]!.records?.length ?? 0) > 0);
      assert.equal(reads, 2, 'the first read, then one after the append');
    } finally {
      log.read = read;
    }
  });

  test('an append that lands during the first read (no wake-up) is still answered at once', async () => {
    const log = started.broker.topics.log(TOPIC, 0)!;
    const read = log.read.bind(log);
    const end = Number(log.highWatermark);
    let first = true;
    log.read = async (...args: Parameters<typeof log.read>) => {
      const result = await read(...args);
      if (first) {
        first = false;
        // Straight into the log: no produce request, so no waiter is woken.
        await log.append(
          buildRecordBatch({ records: [{ key: null, value: Buffer.from('raced'), headers: [] }] }),
        );
      }
      return result;
    };
    try {
      const started_ = Date.now();
      const response = await consumer.request(Apis.Fetch, 12, fetchAt(end, 30_000));
      assert.ok(
        (response.responses[0]!.partitions[0]!.records?.length ?? 0) > 0,
        'the raced append is returned',
      );
      assert.ok(Date.now() - started_ < 10_000, 'answered without waiting for max_wait_ms');
    } finally {
      log.read = read;
    }
  });
});

describe('Fetch long polling, a log going offline', () => {
  test('a fetch waiting on a log that a failed append took offline answers KAFKA_STORAGE_ERROR', async () => {
    const fs = new MemoryFileSystem();
    const started = await startBroker({ logLevel: 'silent', fs });
    const consumer = await WireClient.connect(started.port);
    const producer = await WireClient.connect(started.port);
    try {
      await started.broker.topics.createTopic(TOPIC, { partitions: 1, replicationFactor: 1 });
      const waiting = consumer.request(Apis.Fetch, 12, fetchAt(0, 300));
      await new Promise((resolve) => setTimeout(resolve, 30));
      fs.failWrite(1);
      const produced = await producer.request(Apis.Produce, 9, produce('lost'));
      assert.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
      assert.equal(started.broker.topics.log(TOPIC, 0)!.isOffline, true);
      const response = await waiting;
      assert.equal(response.responses[0]!.partitions[0]!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    } finally {
      consumer.close();
      producer.close();
      await started.stop();
    }
  });
});
