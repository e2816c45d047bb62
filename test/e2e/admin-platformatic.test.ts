import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  IncrementalAlterConfigOperationTypes,
} from '@platformatic/kafka';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';

/** The first Kafka error code inside a failed @platformatic/kafka call (it nests them). */
function errorCodes(error: unknown): number[] {
  const codes: number[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.errorCode === 'number' && record.errorCode !== 0) codes.push(record.errorCode);
    for (const key of ['errors', 'cause', 'response', 'topics', 'results', 'responses']) {
      const inner = record[key];
      if (Array.isArray(inner)) for (const item of inner) visit(item, depth + 1);
      else visit(inner, depth + 1);
    }
  };
  visit(error, 0);
  return codes;
}

async function failureCodes(promise: Promise<unknown>): Promise<number[]> {
  try {
    await promise;
  } catch (error) {
    return errorCodes(error);
  }
  assert.fail('expected the call to fail');
}

describe('topic and config admin through @platformatic/kafka (flexible versions)', () => {
  let started: StartedBroker;
  let admin: Admin;

  before(async () => {
    started = await startBroker({ logLevel: 'silent' });
    admin = new Admin({ clientId: 'admin-e2e', bootstrapBrokers: [started.bootstrap], retries: 0 });
  });

  after(async () => {
    await admin.close();
    await started.stop();
  });

  test('createTopics (v7) returns the new topics; listTopics sees them', async () => {
    const created = await admin.createTopics({
      topics: ['alpha', 'beta'],
      partitions: 2,
      replicas: 1,
      configs: [{ name: 'cleanup.policy', value: 'compact' }],
    });
    assert.deepEqual(
      created.map((topic) => [topic.name, topic.partitions, topic.replicas]),
      [
        ['alpha', 2, 1],
        ['beta', 2, 1],
      ],
    );
    assert.match(created[0]!.id, /^[0-9a-f-]{36}$/);
    assert.notEqual(created[0]!.id, '00000000-0000-0000-0000-000000000000');
    assert.deepEqual((await admin.listTopics()).sort(), ['alpha', 'beta']);
    const duplicate = await failureCodes(
      admin.createTopics({ topics: ['alpha'], partitions: 1, replicas: 1 }),
    );
    assert.ok(duplicate.includes(36), `TOPIC_ALREADY_EXISTS in ${duplicate}`);
    const tooMany = await failureCodes(admin.createTopics({ topics: ['gamma'], partitions: 1, replicas: 3 }));
    assert.ok(tooMany.includes(38), `INVALID_REPLICATION_FACTOR in ${tooMany}`);
  });

  test('createPartitions (v3) grows a topic; shrinking fails', async () => {
    await admin.createPartitions({ topics: [{ name: 'alpha', count: 4 }] });
    assert.equal(started.broker.image().topic('alpha')!.partitions.length, 4);
    const shrink = await failureCodes(admin.createPartitions({ topics: [{ name: 'alpha', count: 1 }] }));
    assert.ok(shrink.includes(37), `INVALID_PARTITIONS in ${shrink}`);
  });

  test('describeConfigs (v4) with synonyms and documentation', async () => {
    const [description] = await admin.describeConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: 'alpha',
          configurationKeys: ['cleanup.policy', 'retention.ms'],
        },
      ],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    const policy = description!.configs.find((entry) => entry.name === 'cleanup.policy')!;
    assert.equal(policy.value, 'compact');
    assert.equal(policy.configSource, ConfigSources.TOPIC_CONFIG);
    assert.equal(policy.synonyms[0]!.name, 'cleanup.policy');
    assert.equal(policy.synonyms[1]!.name, 'log.cleanup.policy');
    assert.match(policy.documentation ?? '', /compact/);
    const [broker] = await admin.describeConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configurationKeys: ['message.max.bytes'],
        },
      ],
    });
    assert.equal(broker!.configs[0]!.value, '1048588');
    assert.equal(broker!.configs[0]!.configSource, ConfigSources.DEFAULT_CONFIG);
    assert.equal(broker!.configs[0]!.readOnly, false);
  });

  test('alterConfigs (v2) and incrementalAlterConfigs (v1) change topic and broker configs', async () => {
    await admin.alterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: 'beta',
          configs: [{ name: 'retention.ms', value: '1000' }],
        },
      ],
    });
    assert.deepEqual(started.broker.image().topic('beta')!.configs, { 'retention.ms': '1000' });
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: 'beta',
          configs: [
            {
              name: 'cleanup.policy',
              configOperation: IncrementalAlterConfigOperationTypes.APPEND,
              value: 'compact',
            },
            { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.DELETE },
          ],
        },
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configs: [
            {
              name: 'message.max.bytes',
              configOperation: IncrementalAlterConfigOperationTypes.SET,
              value: '2000000',
            },
          ],
        },
      ],
    });
    assert.deepEqual(started.broker.image().topic('beta')!.configs, { 'cleanup.policy': 'delete,compact' });
    const [broker] = await admin.describeConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: '1',
          configurationKeys: ['message.max.bytes'],
        },
      ],
    });
    assert.equal(broker!.configs[0]!.value, '2000000');
    assert.equal(broker!.configs[0]!.configSource, ConfigSources.DYNAMIC_BROKER_CONFIG);
    const invalid = await failureCodes(
      admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: 'beta',
            configs: [
              {
                name: 'retention.ms',
                configOperation: IncrementalAlterConfigOperationTypes.SET,
                value: 'abc',
              },
            ],
          },
        ],
      }),
    );
    assert.ok(invalid.includes(40), `INVALID_CONFIG in ${invalid}`);
  });

  test('describeLogDirs (v4) reports the partitions of this broker', async () => {
    const [broker] = await admin.describeLogDirs({ topics: [{ name: 'alpha', partitions: [0, 1, 2, 3] }] });
    assert.equal(broker!.broker, 1);
    const dir = broker!.results[0]!;
    assert.equal(dir.topics[0]!.name, 'alpha');
    assert.deepEqual(
      dir.topics[0]!.partitions.map((partition) => [
        partition.partitionIndex,
        partition.offsetLag,
        partition.isFutureKey,
      ]),
      [
        [0, 0n, false],
        [1, 0n, false],
        [2, 0n, false],
        [3, 0n, false],
      ],
    );
  });

  test('deleteRecords (v2) and deleteTopics (v6)', async () => {
    const log = started.broker.logs.getLog({ topic: 'beta', partition: 0 })!;
    const deleted = await admin.deleteRecords({
      topics: [{ name: 'beta', partitions: [{ partition: 0, offset: -1n }] }],
    });
    assert.equal(deleted[0]!.partitions[0]!.lowWatermark, BigInt(log.highWatermark));
    await admin.deleteTopics({ topics: ['alpha', 'beta'] });
    assert.deepEqual(await admin.listTopics(), []);
    const missing = await failureCodes(admin.deleteTopics({ topics: ['alpha'] }));
    assert.ok(missing.includes(3), `UNKNOWN_TOPIC_OR_PARTITION in ${missing}`);
  });
});
