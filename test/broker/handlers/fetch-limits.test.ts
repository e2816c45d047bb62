import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type StartedBroker, startBroker } from '../../../src/broker/broker.js';
import { topicIdToWire } from '../../../src/broker/handlers/topic-ids.js';
import { Apis } from '../../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';
import { WireClient } from './produce-fetch.helpers.js';

const ZERO = '00000000-0000-0000-0000-000000000000';
const TOPIC = 'limits';

function fetchRequest(maxBytes: number, partitionMaxBytes: number | number[], partitions: number[]) {
  return Apis.Fetch.request.create({
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes,
    topics: [
      {
        topic: TOPIC,
        topicId: ZERO,
        partitions: partitions.map((partition, index) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset: 0n,
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: Array.isArray(partitionMaxBytes) ? partitionMaxBytes[index]! : partitionMaxBytes,
          replicaDirectoryId: ZERO,
        })),
      },
    ],
  });
}

function batchOf(valueBytes: number): Buffer {
  return buildRecordBatch({
    baseOffset: 0,
    records: [{ key: null, value: Buffer.alloc(valueBytes, 1), headers: [] }],
  });
}

/**
 * Partition reads may run at once, but the answer is the one of the sequential pass: KIP-74's
 * one-oversized-batch goes to the first partition with data, and what it takes leaves less for
 * the partitions after it.
 */
describe('Fetch limits across partitions', () => {
  let started: StartedBroker;
  let client: WireClient;
  const big = batchOf(5000);
  const small = batchOf(100);

  before(async () => {
    started = await startBroker({ logLevel: 'silent' });
    await started.broker.topics.createTopic(TOPIC, { partitions: 4, replicationFactor: 1 });
    // 0: empty; 1: a big batch; 2: a small one; 3: a small one.
    await started.broker.topics.log(TOPIC, 1)!.append(Buffer.from(big));
    await started.broker.topics.log(TOPIC, 2)!.append(Buffer.from(small));
    await started.broker.topics.log(TOPIC, 3)!.append(Buffer.from(small));
    client = await WireClient.connect(started.port);
  });

  after(async () => {
    client.close();
    await started.stop();
  });

  const sizes = async (maxBytes: number, partitionMaxBytes: number | number[], partitions: number[]) => {
    const response = await client.request(
      Apis.Fetch,
      12,
      fetchRequest(maxBytes, partitionMaxBytes, partitions),
    );
    return response.responses[0]!.partitions.map((data) => {
      assert.equal(data.errorCode, ErrorCode.NONE);
      return data.records?.length ?? 0;
    });
  };

  test('the first partition with data gets its oversized batch even after an empty one', async () => {
    assert.deepEqual(await sizes(1 << 20, 1000, [0, 1, 2]), [0, big.length, small.length]);
  });

  test('an oversized batch uses up max_bytes for the partitions after it', async () => {
    assert.deepEqual(await sizes(3 * 1000, 1000, [1, 2, 3]), [big.length, 0, 0]);
  });

  test('within the limits every partition is read', async () => {
    assert.deepEqual(await sizes(1 << 20, 1 << 16, [0, 1, 2, 3]), [
      0,
      big.length,
      small.length,
      small.length,
    ]);
  });

  test('a later partition gets no oversized batch once data is in the response', async () => {
    assert.deepEqual(await sizes(1 << 20, 1000, [2, 1, 3]), [small.length, 0, small.length]);
  });
});

/** The broker's fetch.max.bytes caps what a consumer's max_bytes asks for, as in Kafka. */
describe("Fetch limited by the broker's fetch.max.bytes", () => {
  let started: StartedBroker;
  let client: WireClient;
  const batch = batchOf(1500);
  const big = batchOf(5000);
  let topicId: string;

  before(async () => {
    started = await startBroker({ logLevel: 'silent', config: { 'fetch.max.bytes': 4096 } });
    const topic = await started.broker.topics.createTopic(TOPIC, { partitions: 2, replicationFactor: 1 });
    topicId = topicIdToWire(topic.topicId);
    for (let i = 0; i < 4; i++) await started.broker.topics.log(TOPIC, 0)!.append(Buffer.from(batch));
    await started.broker.topics.log(TOPIC, 1)!.append(Buffer.from(big));
    client = await WireClient.connect(started.port);
  });

  after(async () => {
    client.close();
    await started.stop();
  });

  const sizes = async (partitions: number[], replicaId: number, version = 12) => {
    const request = { ...fetchRequest(1 << 20, 1 << 20, partitions), replicaId };
    // v15 names the fetching replica in replica_state and the topic by id.
    request.replicaState = { ...request.replicaState, replicaId };
    request.topics[0]!.topicId = topicId;
    const response = await client.request(Apis.Fetch, version, request);
    return response.responses[0]!.partitions.map((data) => {
      assert.equal(data.errorCode, ErrorCode.NONE);
      return data.records?.length ?? 0;
    });
  };

  test('a consumer asking for 1 MiB gets the whole batches within 4096 bytes', async () => {
    assert.deepEqual(await sizes([0, 1], -1), [2 * batch.length, 0]);
    assert.deepEqual(await sizes([0, 1], -1, 15), [2 * batch.length, 0]);
  });

  test('the first partition with data still gets a batch above the cap (KIP-74)', async () => {
    assert.deepEqual(await sizes([1, 0], -1), [big.length, 0]);
  });

  test('a follower (replica id >= 0) is not capped', async () => {
    assert.deepEqual(await sizes([0, 1], 2), [4 * batch.length, big.length]);
    assert.deepEqual(await sizes([0, 1], 2, 15), [4 * batch.length, big.length]);
  });

  test('a fetch.max.bytes below 1024 is refused at start-up', async () => {
    await assert.rejects(
      startBroker({ logLevel: 'silent', config: { 'fetch.max.bytes': 100 } }),
      /fetch\.max\.bytes/,
    );
  });
});

/** What one partition read returns (whole batches from offset 0, KIP-74 first batch). */
function modelRead(batches: readonly number[], maxBytes: number, minOneBatch: boolean): number {
  if (batches.length === 0 || (maxBytes <= 0 && !minOneBatch)) return 0;
  let total = 0;
  for (const size of batches) {
    if (total + size > maxBytes) break;
    total += size;
  }
  return total === 0 && minOneBatch ? batches[0]! : total;
}

/** The sequential pass: each partition in order gets what max_bytes has left. */
function modelFetch(content: readonly number[][], maxBytes: number, limits: number[], partitions: number[]) {
  let bytes = 0;
  return partitions.map((partition, index) => {
    const budget = Math.max(0, maxBytes - bytes);
    const size = modelRead(content[partition]!, Math.min(limits[index]!, budget), bytes === 0);
    bytes += size;
    return size;
  });
}

describe('Fetch across many partitions gives the sequential answer', () => {
  const PARTITIONS = 10;
  let started: StartedBroker;
  let client: WireClient;
  /** Stored batch sizes per partition. */
  const content: number[][] = [];

  before(async () => {
    started = await startBroker({ logLevel: 'silent' });
    await started.broker.topics.createTopic(TOPIC, { partitions: PARTITIONS, replicationFactor: 1 });
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const sizes: number[] = [];
      // Partitions 0 and 5 stay empty; the others get batches of varied sizes.
      const count = partition % 5 === 0 ? 0 : 1 + ((partition * 7) % 5);
      for (let i = 0; i < count; i++) {
        const batch = batchOf(100 + ((partition * 131 + i * 977) % 3000));
        sizes.push(batch.length);
        await started.broker.topics.log(TOPIC, partition)!.append(batch);
      }
      content.push(sizes);
    }
    client = await WireClient.connect(started.port);
  });

  after(async () => {
    client.close();
    await started.stop();
  });

  test('random max_bytes, per-partition limits and orders', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: PARTITIONS - 1 }), fc.integer({ min: 0, max: 6000 })), {
          minLength: 1,
          maxLength: 12,
        }),
        async (maxBytes, requested) => {
          const partitions = requested.map(([partition]) => partition);
          const limits = requested.map(([, limit]) => limit);
          const response = await client.request(Apis.Fetch, 12, fetchRequest(maxBytes, limits, partitions));
          const got = response.responses[0]!.partitions.map((data) => data.records?.length ?? 0);
          assert.deepEqual(got, modelFetch(content, maxBytes, limits, partitions));
        },
      ),
      { numRuns: 150 },
    );
  });
});
