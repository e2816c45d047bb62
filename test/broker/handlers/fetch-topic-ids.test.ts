import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/broker.js';
import { topicIdToWire } from '../../../src/broker/handlers/topic-ids.js';
import { Apis } from '../../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';
import { splitBatches } from '../../../src/protocol/records/record-batch.js';
import { readRecords } from '../../../src/protocol/records/records.js';
import { recordBytes } from '../../../src/util/file-region.js';
import { WireClient } from './produce-fetch.helpers.js';

const ZERO = '00000000-0000-0000-0000-000000000000';

function fetchRequest(topic: { topic?: string; topicId?: string }) {
  return Apis.Fetch.request.create({
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    topics: [
      {
        topic: topic.topic ?? '',
        topicId: topic.topicId ?? ZERO,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0n,
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

describe('Fetch v13+ names topics by id', () => {
  let started: StartedBroker;
  let client: WireClient;
  let topicId: string;

  before(async () => {
    started = await startBroker({ logLevel: 'silent' });
    const topic = await started.broker.topics.createTopic('by-id', { partitions: 1, replicationFactor: 1 });
    topicId = topicIdToWire(topic.topicId);
    const records = buildRecordBatch({
      baseOffset: 0,
      records: [{ key: Buffer.from('k'), value: Buffer.from('hello'), headers: [] }],
    });
    await started.broker.topics.log('by-id', 0)!.append(records);
    client = await WireClient.connect(started.port);
  });

  after(async () => {
    client.close();
    await started.stop();
  });

  for (const version of [13, 15, 17]) {
    test(`v${version}: a known topic id reads the records and answers with the id`, async () => {
      const response = await client.request(Apis.Fetch, version, fetchRequest({ topicId }));
      const topic = response.responses[0]!;
      assert.equal(topic.topicId, topicId);
      const data = topic.partitions[0]!;
      assert.equal(data.errorCode, ErrorCode.NONE);
      const values = splitBatches(recordBytes(data.records!)).batches.flatMap((span) =>
        [...readRecords(span.batch)].map((record) => record.value!.toString()),
      );
      assert.deepEqual(values, ['hello']);
    });
  }

  test('an unknown topic id gets UNKNOWN_TOPIC_ID, echoing the id', async () => {
    const unknown = '0123abcd-0000-4000-8000-000000000001';
    const response = await client.request(Apis.Fetch, 13, fetchRequest({ topicId: unknown }));
    assert.equal(response.responses[0]!.topicId, unknown);
    assert.equal(response.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
  });

  test('v12 still names topics by name', async () => {
    const response = await client.request(Apis.Fetch, 12, fetchRequest({ topic: 'by-id' }));
    assert.equal(response.responses[0]!.topic, 'by-id');
    assert.equal(response.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  });
});
