import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/broker.js';
import { createTopicsHandler } from '../../../src/broker/handlers/19-create-topics.js';
import { deleteTopicsHandler } from '../../../src/broker/handlers/20-delete-topics.js';
import { deleteRecordsHandler } from '../../../src/broker/handlers/21-delete-records.js';
import { describeConfigsHandler } from '../../../src/broker/handlers/32-describe-configs.js';
import { alterConfigsHandler } from '../../../src/broker/handlers/33-alter-configs.js';
import { describeLogDirsHandler } from '../../../src/broker/handlers/35-describe-log-dirs.js';
import { createPartitionsHandler } from '../../../src/broker/handlers/37-create-partitions.js';
import { incrementalAlterConfigsHandler } from '../../../src/broker/handlers/44-incremental-alter-configs.js';
import type { ApiHandler, RequestContext } from '../../../src/broker/handlers/handler.js';
import { topicIdToWire } from '../../../src/broker/handlers/topic-ids.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { buildRecordBatch } from '../../../src/protocol/records/builder.js';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

/** Calls a handler as the router would, at `version`, with a request built from its defaults. */
async function call<Request, Response>(
  started: StartedBroker,
  handler: ApiHandler<Request, Response>,
  version: number,
  init: Partial<Request>,
): Promise<Response> {
  assert.ok(
    version >= handler.minVersion && version <= handler.maxVersion,
    `${handler.api.name} v${version} is served`,
  );
  const context = {
    apiKey: handler.api.apiKey,
    apiVersion: version,
    correlationId: 1,
    clientId: 'test',
    connection: {} as RequestContext['connection'],
    broker: started.broker,
  } satisfies RequestContext;
  const response = await handler.handle(handler.api.request.create(init), context);
  assert.ok(response !== null);
  return response;
}

function topicRequest(name: string, numPartitions = 1, configs: Record<string, string> = {}) {
  return {
    name,
    numPartitions,
    replicationFactor: -1,
    assignments: [],
    configs: Object.entries(configs).map(([configName, value]) => ({ name: configName, value })),
  };
}

async function appendRecords(
  started: StartedBroker,
  topic: string,
  partition: number,
  count: number,
  size = 10,
) {
  const log = started.broker.logs.getLog({ topic, partition })!;
  for (let i = 0; i < count; i++) {
    await log.append(buildRecordBatch({ records: [{ value: Buffer.alloc(size, i) }] }));
  }
  return log;
}

describe('admin handlers against an in-process broker', () => {
  let started: StartedBroker;

  before(async () => {
    started = await startBroker({ logLevel: 'silent' });
  });

  after(async () => {
    await started.stop();
  });

  test('CreateTopics v7 answers with counts, every config with its source, and the topic id', async () => {
    const response = await call(started, createTopicsHandler, 7, {
      topics: [topicRequest('created', 2, { 'cleanup.policy': 'compact' })],
    });
    const result = response.topics[0]!;
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal(result.numPartitions, 2);
    assert.equal(result.replicationFactor, 1);
    assert.equal(result.topicId, topicIdToWire(started.broker.image().topic('created')!.topicId));
    const policy = result.configs!.find((entry) => entry.name === 'cleanup.policy')!;
    assert.deepEqual(
      { value: policy.value, source: policy.configSource, readOnly: policy.readOnly },
      { value: 'compact', source: 1, readOnly: false },
    );
    assert.equal(result.configs!.find((entry) => entry.name === 'segment.bytes')!.configSource, 5);
  });

  test('CreateTopics errors carry messages; duplicates in one request are INVALID_REQUEST', async () => {
    const response = await call(started, createTopicsHandler, 5, {
      topics: [
        topicRequest('twice'),
        topicRequest('twice'),
        topicRequest('bad-config', 1, { 'retention.mss': '1' }),
        topicRequest('bad-value', 1, { 'retention.ms': 'abc' }),
        topicRequest('created'),
        { ...topicRequest('assigned', -1), assignments: [{ partitionIndex: 1, brokerIds: [1] }] },
        { ...topicRequest('both', 2), assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
        {
          ...topicRequest('lag', 1, { 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' }),
        },
      ],
    });
    const byName = new Map(response.topics.map((topic) => [topic.name, topic]));
    assert.equal(byName.get('twice')!.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(byName.get('bad-config')!.errorCode, ErrorCode.INVALID_CONFIG);
    assert.match(
      byName.get('bad-config')!.errorMessage!,
      /Unknown configuration "retention\.mss".*retention\.ms/,
    );
    assert.equal(byName.get('bad-value')!.errorCode, ErrorCode.INVALID_CONFIG);
    assert.match(byName.get('bad-value')!.errorMessage!, /abc/);
    assert.equal(byName.get('created')!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
    assert.equal(byName.get('assigned')!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    assert.equal(byName.get('both')!.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(byName.get('lag')!.errorCode, ErrorCode.INVALID_CONFIG);
    assert.equal(byName.get('bad-value')!.numPartitions, -1);
    for (const name of ['twice', 'bad-config', 'bad-value', 'assigned', 'both', 'lag']) {
      assert.equal(started.broker.image().topic(name), undefined, `${name} was not created`);
    }
  });

  test('CreatePartitions with assignments and validate_only', async () => {
    const validate = await call(started, createPartitionsHandler, 3, {
      topics: [{ name: 'created', count: 4, assignments: null }],
      validateOnly: true,
    });
    assert.equal(validate.results[0]!.errorCode, ErrorCode.NONE);
    assert.equal(started.broker.image().topic('created')!.partitions.length, 2);
    const grown = await call(started, createPartitionsHandler, 0, {
      topics: [{ name: 'created', count: 3, assignments: [{ brokerIds: [1] }] }],
    });
    assert.equal(grown.results[0]!.errorCode, ErrorCode.NONE);
    assert.equal(started.broker.image().topic('created')!.partitions.length, 3);
    const bad = await call(started, createPartitionsHandler, 3, {
      topics: [
        { name: 'created', count: 5, assignments: [{ brokerIds: [1] }] },
        { name: 'created2', count: 2, assignments: null },
      ],
    });
    assert.equal(bad.results[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    assert.equal(bad.results[1]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('DescribeConfigs: documentation, types, synonyms, broker resources and errors', async () => {
    const response = await call(started, describeConfigsHandler, 4, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'created',
          configurationKeys: ['cleanup.policy', 'retention.ms', 'nope'],
        },
        { resourceType: BROKER, resourceName: '1', configurationKeys: ['log.retention.hours', 'node.id'] },
        { resourceType: BROKER, resourceName: '', configurationKeys: null },
        { resourceType: BROKER, resourceName: '7', configurationKeys: null },
        { resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: null },
        { resourceType: TOPIC, resourceName: 'missing', configurationKeys: null },
        { resourceType: 99, resourceName: 'x', configurationKeys: null },
      ],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    const [topic, broker, clusterDefault, otherBroker, logger, missing, unknownType] = response.results;
    assert.deepEqual(
      topic!.configs.map((entry) => entry.name),
      ['cleanup.policy', 'retention.ms'],
    );
    const retention = topic!.configs[1]!;
    assert.equal(retention.value, String(168 * 3600 * 1000));
    assert.equal(retention.configSource, 5);
    assert.equal(retention.configType, 5); // LONG
    assert.match(retention.documentation ?? '', /\w/);
    assert.deepEqual(retention.synonyms[0], { name: 'log.retention.hours', value: '168', source: 5 });
    assert.equal(topic!.configs[0]!.configType, 7); // LIST
    assert.equal(broker!.errorCode, ErrorCode.NONE);
    assert.equal(broker!.configs.find((entry) => entry.name === 'node.id')!.readOnly, true);
    assert.equal(clusterDefault!.errorCode, ErrorCode.NONE);
    assert.deepEqual(clusterDefault!.configs, []);
    assert.equal(otherBroker!.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(logger!.errorCode, ErrorCode.NONE);
    assert.deepEqual(logger!.configs, []);
    assert.equal(missing!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(unknownType!.errorCode, ErrorCode.INVALID_REQUEST);

    const v1 = await call(started, describeConfigsHandler, 1, {
      resources: [{ resourceType: TOPIC, resourceName: 'created', configurationKeys: ['retention.ms'] }],
      includeSynonyms: false,
    });
    assert.deepEqual(v1.results[0]!.configs[0]!.synonyms, []);
    assert.equal(v1.results[0]!.configs[0]!.documentation, null);
  });

  test('IncrementalAlterConfigs: SET, DELETE, APPEND, SUBTRACT and their errors', async () => {
    const alter = (
      configs: { name: string; configOperation: number; value: string | null }[],
      validateOnly = false,
    ) =>
      call(started, incrementalAlterConfigsHandler, 1, {
        resources: [{ resourceType: TOPIC, resourceName: 'created', configs }],
        validateOnly,
      }).then((response) => response.responses[0]!);
    const configs = () => started.broker.image().topic('created')!.configs;

    assert.equal(
      (await alter([{ name: 'retention.ms', configOperation: SET, value: '1000' }], true)).errorCode,
      0,
    );
    assert.equal(configs()['retention.ms'], undefined, 'validate_only changes nothing');
    assert.equal((await alter([{ name: 'retention.ms', configOperation: SET, value: '1000' }])).errorCode, 0);
    assert.equal(configs()['retention.ms'], '1000');
    assert.equal(configs()['cleanup.policy'], 'compact', 'other overrides stay');
    assert.equal(
      (await alter([{ name: 'cleanup.policy', configOperation: APPEND, value: 'delete' }])).errorCode,
      0,
    );
    assert.equal(configs()['cleanup.policy'], 'compact,delete');
    assert.equal(
      (await alter([{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'compact' }])).errorCode,
      0,
    );
    assert.equal(configs()['cleanup.policy'], 'delete');
    const empty = await alter([{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }]);
    assert.equal(empty.errorCode, ErrorCode.INVALID_CONFIG);
    assert.equal(
      (await alter([{ name: 'retention.ms', configOperation: DELETE, value: null }])).errorCode,
      0,
    );
    assert.equal(configs()['retention.ms'], undefined);

    const nonList = await alter([{ name: 'retention.ms', configOperation: APPEND, value: '5' }]);
    assert.equal(nonList.errorCode, ErrorCode.INVALID_CONFIG);
    assert.match(nonList.errorMessage!, /append is not allowed/);
    assert.equal(
      (await alter([{ name: 'retention.ms', configOperation: 9, value: '5' }])).errorCode,
      ErrorCode.INVALID_REQUEST,
    );
    assert.equal(
      (await alter([{ name: 'retention.ms', configOperation: SET, value: null }])).errorCode,
      ErrorCode.INVALID_REQUEST,
    );
    const twice = await alter([
      { name: 'retention.ms', configOperation: SET, value: '5' },
      { name: 'retention.ms', configOperation: DELETE, value: null },
    ]);
    assert.equal(twice.errorCode, ErrorCode.INVALID_REQUEST);
    const bad = await alter([{ name: 'cleanup.policy', configOperation: SET, value: 'foo' }]);
    assert.equal(bad.errorCode, ErrorCode.INVALID_CONFIG);
    assert.match(bad.errorMessage!, /foo/);
  });

  test('broker configs: cluster defaults and per-broker values, sources, read-only refusal', async () => {
    const incremental = await call(started, incrementalAlterConfigsHandler, 0, {
      resources: [
        {
          resourceType: BROKER,
          resourceName: '',
          configs: [{ name: 'log.retention.bytes', configOperation: SET, value: '5000' }],
        },
        {
          resourceType: BROKER,
          resourceName: '1',
          configs: [{ name: 'log.segment.bytes', configOperation: SET, value: '2000' }],
        },
        { resourceType: BROKER, resourceName: '1', configs: [] },
      ],
    });
    // The broker named twice is refused both times; the cluster default went through.
    assert.deepEqual(
      incremental.responses.map((response) => response.errorCode),
      [ErrorCode.NONE, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
    const described = await call(started, describeConfigsHandler, 2, {
      resources: [
        { resourceType: BROKER, resourceName: '', configurationKeys: null },
        { resourceType: BROKER, resourceName: '1', configurationKeys: ['log.retention.bytes'] },
        { resourceType: TOPIC, resourceName: 'created', configurationKeys: ['retention.bytes'] },
      ],
      includeSynonyms: true,
    });
    assert.deepEqual(
      described.results[0]!.configs.map((entry) => [entry.name, entry.value, entry.configSource]),
      [['log.retention.bytes', '5000', 3]],
    );
    assert.equal(described.results[1]!.configs[0]!.configSource, 3); // DYNAMIC_DEFAULT_BROKER_CONFIG
    assert.equal(described.results[2]!.configs[0]!.value, '5000');
    assert.equal(described.results[2]!.configs[0]!.configSource, 3);

    const readOnly = await call(started, alterConfigsHandler, 2, {
      resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.dirs', value: '/x' }] }],
    });
    assert.equal(readOnly.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
    const unknown = await call(started, alterConfigsHandler, 0, {
      resources: [
        { resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.retention.byte', value: '1' }] },
      ],
    });
    assert.equal(unknown.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    const logger = await call(started, alterConfigsHandler, 1, {
      resources: [{ resourceType: BROKER_LOGGER, resourceName: '1', configs: [] }],
    });
    assert.equal(logger.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
    // Back to nothing: AlterConfigs replaces the set.
    const cleared = await call(started, alterConfigsHandler, 2, {
      resources: [{ resourceType: BROKER, resourceName: '', configs: [] }],
    });
    assert.equal(cleared.responses[0]!.errorCode, ErrorCode.NONE);
    assert.deepEqual(started.broker.image().brokerConfigs.clusterDefault, {});
  });

  test('lowering retention.bytes reaches the live log: the next retention pass deletes segments', async () => {
    await call(started, createTopicsHandler, 7, {
      topics: [topicRequest('retained', 1, { 'segment.bytes': '200' })],
    });
    const log = await appendRecords(started, 'retained', 0, 20, 50);
    const segmentsBefore = log.segmentCount;
    assert.ok(segmentsBefore > 3, `several segments (${segmentsBefore})`);
    assert.equal(await started.broker.logs.runRetention(), 0, 'nothing to delete with the defaults');
    const response = await call(started, incrementalAlterConfigsHandler, 1, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'retained',
          configs: [{ name: 'retention.bytes', configOperation: SET, value: '300' }],
        },
      ],
    });
    assert.equal(response.responses[0]!.errorCode, ErrorCode.NONE);
    assert.ok((await started.broker.logs.runRetention()) > 0);
    assert.ok(log.segmentCount < segmentsBefore);
    assert.ok(log.logStartOffset > 0);
  });

  test('lowering retention.ms through AlterConfigs deletes old segments', async () => {
    await call(started, createTopicsHandler, 7, {
      topics: [topicRequest('aged', 1, { 'segment.bytes': '200' })],
    });
    const log = started.broker.logs.getLog({ topic: 'aged', partition: 0 })!;
    for (let i = 0; i < 10; i++) {
      await log.append(
        buildRecordBatch({ timestamp: Date.now() - 3_600_000, records: [{ value: Buffer.alloc(50, i) }] }),
      );
    }
    assert.equal(await started.broker.logs.runRetention(), 0);
    const response = await call(started, alterConfigsHandler, 2, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'aged',
          configs: [
            { name: 'segment.bytes', value: '200' },
            { name: 'retention.ms', value: '60000' },
          ],
        },
      ],
    });
    assert.equal(response.responses[0]!.errorCode, ErrorCode.NONE);
    assert.ok((await started.broker.logs.runRetention()) > 0);
    assert.ok(log.logStartOffset > 0);
  });

  test('a lower max.message.bytes is enforced by the live log', async () => {
    await call(started, createTopicsHandler, 7, { topics: [topicRequest('small')] });
    const log = started.broker.logs.getLog({ topic: 'small', partition: 0 })!;
    await log.append(buildRecordBatch({ records: [{ value: Buffer.alloc(500) }] }));
    await call(started, alterConfigsHandler, 2, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'small',
          configs: [{ name: 'max.message.bytes', value: '200' }],
        },
      ],
    });
    await assert.rejects(
      log.append(buildRecordBatch({ records: [{ value: Buffer.alloc(500) }] })),
      /large|size|bytes/i,
    );
  });

  test('DeleteRecords: explicit offset, -1 for the high watermark, out of range and unknown partitions', async () => {
    await call(started, createTopicsHandler, 7, { topics: [topicRequest('trimmed', 1)] });
    await appendRecords(started, 'trimmed', 0, 10);
    const response = await call(started, deleteRecordsHandler, 2, {
      topics: [
        {
          name: 'trimmed',
          partitions: [
            { partitionIndex: 0, offset: 3n },
            { partitionIndex: 5, offset: 1n },
          ],
        },
        { name: 'missing', partitions: [{ partitionIndex: 0, offset: 1n }] },
      ],
    });
    assert.deepEqual(response.topics[0]!.partitions[0], {
      partitionIndex: 0,
      lowWatermark: 3n,
      errorCode: 0,
    });
    assert.equal(response.topics[0]!.partitions[1]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(response.topics[1]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const tooFar = await call(started, deleteRecordsHandler, 0, {
      topics: [{ name: 'trimmed', partitions: [{ partitionIndex: 0, offset: 11n }] }],
    });
    assert.equal(tooFar.topics[0]!.partitions[0]!.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    const all = await call(started, deleteRecordsHandler, 1, {
      topics: [{ name: 'trimmed', partitions: [{ partitionIndex: 0, offset: -1n }] }],
    });
    assert.equal(all.topics[0]!.partitions[0]!.lowWatermark, 10n);
  });

  test('DescribeLogDirs lists partitions with their sizes; v4 in memory reports -1 bytes', async () => {
    const response = await call(started, describeLogDirsHandler, 4, {
      topics: [{ topic: 'trimmed', partitions: [0, 7] }],
    });
    const dir = response.results[0]!;
    assert.equal(dir.errorCode, ErrorCode.NONE);
    assert.equal(dir.totalBytes, -1n);
    assert.deepEqual(
      dir.topics.map((topic) => topic.name),
      ['trimmed'],
    );
    assert.equal(dir.topics[0]!.partitions.length, 1);
    assert.equal(
      dir.topics[0]!.partitions[0]!.partitionSize,
      BigInt(started.broker.logs.getLog({ topic: 'trimmed', partition: 0 })!.size),
    );
    const all = await call(started, describeLogDirsHandler, 1, { topics: null });
    assert.ok(all.results[0]!.topics.some((topic) => topic.name === 'created'));
  });

  test('DeleteTopics: by name (v1-5) and by id (v6); unknown names and ids', async () => {
    await call(started, createTopicsHandler, 7, { topics: [topicRequest('by-id'), topicRequest('by-name')] });
    const id = topicIdToWire(started.broker.image().topic('by-id')!.topicId);
    const v6 = await call(started, deleteTopicsHandler, 6, {
      topics: [
        { name: null, topicId: id },
        { name: null, topicId: '11111111-2222-3333-4444-555555555555' },
        { name: 'nope', topicId: '00000000-0000-0000-0000-000000000000' },
      ],
    });
    assert.deepEqual(
      v6.responses.map((result) => [result.name, result.errorCode]),
      [
        ['by-id', ErrorCode.NONE],
        [null, ErrorCode.UNKNOWN_TOPIC_ID],
        ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    );
    assert.equal(v6.responses[0]!.topicId, id);
    const v1 = await call(started, deleteTopicsHandler, 1, { topicNames: ['by-name', 'by-name'] });
    assert.equal(v1.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
    const v5 = await call(started, deleteTopicsHandler, 5, { topicNames: ['by-name'] });
    assert.equal(v5.responses[0]!.errorCode, ErrorCode.NONE);
    assert.equal(started.broker.image().topic('by-name'), undefined);
  });
});

describe('admin handlers with delete.topic.enable=false and internal topics', () => {
  test('deletion disabled is TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3); internal topics stay', async () => {
    const started = await startBroker({ logLevel: 'silent', config: { 'delete.topic.enable': false } });
    try {
      await call(started, createTopicsHandler, 4, { topics: [topicRequest('kept')] });
      const v4 = await call(started, deleteTopicsHandler, 4, { topicNames: ['kept'] });
      assert.equal(v4.responses[0]!.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
      const v2 = await call(started, deleteTopicsHandler, 2, { topicNames: ['kept'] });
      assert.equal(v2.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
      assert.ok(started.broker.image().topic('kept'));
    } finally {
      await started.stop();
    }
    const other = await startBroker({ logLevel: 'silent' });
    try {
      await other.broker.topics.createTopic('__consumer_offsets', { partitions: 1, replicationFactor: 1 });
      const internal = await call(other, deleteTopicsHandler, 6, {
        topics: [{ name: '__consumer_offsets', topicId: '00000000-0000-0000-0000-000000000000' }],
      });
      assert.equal(internal.responses[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    } finally {
      await other.stop();
    }
  });
});

describe('admin changes survive a restart on a data dir', () => {
  test('topics, partitions, topic and broker configs and the cluster id are kept', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-admin-'));
    try {
      let started = await startBroker({ logLevel: 'silent', dataDir });
      const clusterId = started.broker.clusterId;
      await call(started, createTopicsHandler, 7, {
        topics: [topicRequest('durable', 2, { 'retention.ms': '12345' })],
      });
      await call(started, createPartitionsHandler, 3, {
        topics: [{ name: 'durable', count: 3, assignments: null }],
      });
      await call(started, incrementalAlterConfigsHandler, 1, {
        resources: [
          {
            resourceType: BROKER,
            resourceName: '1',
            configs: [{ name: 'log.retention.bytes', configOperation: SET, value: '99999' }],
          },
        ],
      });
      await appendRecords(started, 'durable', 2, 3);
      await started.stop();

      started = await startBroker({ logLevel: 'silent', dataDir });
      try {
        assert.equal(started.broker.clusterId, clusterId);
        const described = await call(started, describeConfigsHandler, 4, {
          resources: [
            {
              resourceType: TOPIC,
              resourceName: 'durable',
              configurationKeys: ['retention.ms', 'retention.bytes'],
            },
          ],
        });
        assert.deepEqual(
          described.results[0]!.configs.map((entry) => [entry.name, entry.value, entry.configSource]),
          [
            ['retention.ms', '12345', 1],
            ['retention.bytes', '99999', 2],
          ],
        );
        assert.equal(started.broker.image().topic('durable')!.partitions.length, 3);
        assert.equal(started.broker.logs.getLog({ topic: 'durable', partition: 2 })!.logEndOffset, 3);
        const dirs = await call(started, describeLogDirsHandler, 4, { topics: null });
        assert.ok(dirs.results[0]!.totalBytes > 0n);
        assert.ok(dirs.results[0]!.usableBytes > 0n);
      } finally {
        await started.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
