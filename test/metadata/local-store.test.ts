import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDynamicBrokerConfigs } from '../../src/broker/config.js';
import { MetadataError } from '../../src/metadata/errors.js';
import { LocalMetadataStore, METADATA_FILE, type MetadataChange } from '../../src/metadata/local-store.js';
import { META_PROPERTIES_FILE, readMetaProperties } from '../../src/metadata/meta-properties.js';
import type { FileHandle, FileSystem } from '../../src/storage/fs.js';
import { MemoryFileSystem } from '../../src/storage/memory-file-system.js';
import { parseProperties } from '../../src/util/properties.js';
import { isUuid } from '../../src/util/uuid.js';

const DIR = '/data';

/** The file system `fs`, calling `snapshot` before and after each operation (and each handle operation). */
function snapshotting(fs: MemoryFileSystem, snapshot: () => void): FileSystem {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, key) {
        const value = Reflect.get(object, key, object);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          snapshot();
          const result = await value.apply(object, args);
          snapshot();
          return key === 'open' ? wrap(result as FileHandle) : result;
        };
      },
    });
  return wrap(fs as FileSystem);
}

function open(fs: FileSystem, extra: Partial<Parameters<typeof LocalMetadataStore.open>[0]> = {}) {
  return LocalMetadataStore.open({
    fs,
    dir: DIR,
    nodeId: 1,
    broker: { host: 'localhost', port: 9092 },
    validateBrokerConfigs: (configs) => void validateDynamicBrokerConfigs(configs),
    ...extra,
  });
}

async function rejectsWith(promise: Promise<unknown>, errorName: string, code: number, message?: RegExp) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof MetadataError, String(error));
    assert.equal(error.errorName, errorName);
    assert.equal(error.errorCode, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('meta.properties', () => {
  it("is written once in Kafka's format and keeps the cluster id across restarts", async () => {
    const fs = new MemoryFileSystem();
    const first = await open(fs);
    const clusterId = first.image.clusterId;
    assert.ok(isUuid(clusterId));
    assert.equal(clusterId.length, 22);
    const props = parseProperties((await fs.readFile(`${DIR}/${META_PROPERTIES_FILE}`)).toString());
    assert.equal(props.get('version'), '1');
    assert.equal(props.get('node.id'), '1');
    assert.equal(props.get('cluster.id'), clusterId);
    const again = await open(fs.crash());
    assert.equal(again.image.clusterId, clusterId);
    assert.equal(again.image.controllerId, 1);
  });

  it('uses a configured cluster id, and refuses a different one or another node id later', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(fs, { clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' });
    assert.equal(store.image.clusterId, 'MkU3OEVBNTcwNTJENDM2Qg');
    await rejectsWith(open(fs, { clusterId: 'AAAAAAAAAAAAAAAAAAAAAg' }), 'INCONSISTENT_CLUSTER_ID', 104);
    await assert.rejects(open(fs, { nodeId: 2 }), /node id 2 does not match the node id 1/);
    assert.equal((await readMetaProperties(fs, DIR))?.nodeId, 1);
  });
});

describe('LocalMetadataStore', () => {
  it('creates topics with partitions led by this broker, and persists them', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(fs);
    const topic = await store.createTopic('orders', {
      partitions: 3,
      replicationFactor: 1,
      configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' },
    });
    assert.ok(isUuid(topic.topicId));
    assert.equal(topic.internal, false);
    assert.deepEqual(
      topic.partitions.map((partition) => [
        partition.partition,
        partition.leader,
        partition.leaderEpoch,
        partition.replicas,
        partition.isr,
      ]),
      [
        [0, 1, 0, [1], [1]],
        [1, 1, 0, [1], [1]],
        [2, 1, 0, [1], [1]],
      ],
    );
    const internal = await store.createTopic('__consumer_offsets', { partitions: 1, replicationFactor: 1 });
    assert.equal(internal.internal, true);
    assert.deepEqual(store.image.topicNames({ includeInternal: false }), ['orders']);

    const reopened = await open(fs.crash());
    assert.deepEqual(reopened.image.topic('orders'), store.image.topic('orders'));
    assert.equal(reopened.image.topicById(topic.topicId)?.name, 'orders');
    assert.deepEqual(reopened.image.broker(1), { id: 1, host: 'localhost', port: 9092, rack: null });
  });

  it('returns Kafka error codes for bad requests', async () => {
    const store = await open(new MemoryFileSystem());
    await store.createTopic('a.b', { partitions: 1, replicationFactor: 1 });
    await rejectsWith(
      store.createTopic('a.b', { partitions: 1, replicationFactor: 1 }),
      'TOPIC_ALREADY_EXISTS',
      36,
    );
    await rejectsWith(
      store.createTopic('a_b', { partitions: 1, replicationFactor: 1 }),
      'INVALID_TOPIC_EXCEPTION',
      17,
      /collides with existing topic: a\.b/,
    );
    await rejectsWith(
      store.createTopic('bad name', { partitions: 1, replicationFactor: 1 }),
      'INVALID_TOPIC_EXCEPTION',
      17,
    );
    await rejectsWith(
      store.createTopic('t', { partitions: 0, replicationFactor: 1 }),
      'INVALID_PARTITIONS',
      37,
    );
    await rejectsWith(
      store.createTopic('t', { partitions: 1, replicationFactor: 0 }),
      'INVALID_REPLICATION_FACTOR',
      38,
    );
    await rejectsWith(
      store.createTopic('t', { partitions: 1, replicationFactor: 3 }),
      'INVALID_REPLICATION_FACTOR',
      38,
      /only 1 broker\(s\) are registered/,
    );
    await rejectsWith(
      store.createTopic('t', { partitions: 1, replicationFactor: 1, configs: { 'retention.ms': 'soon' } }),
      'INVALID_CONFIG',
      40,
      /retention\.ms/,
    );
    await rejectsWith(
      store.createTopic('t', { partitions: 1, replicationFactor: 1, configs: { 'no.such.config': '1' } }),
      'INVALID_CONFIG',
      40,
      /Unknown configuration "no\.such\.config"/,
    );
    await rejectsWith(store.createTopic('t', { partitions: 1, assignments: [[1]] }), 'INVALID_REQUEST', 42);
    await rejectsWith(store.createTopic('t', { assignments: [[2]] }), 'INVALID_REPLICA_ASSIGNMENT', 39);
    await rejectsWith(store.deleteTopic('missing'), 'UNKNOWN_TOPIC_OR_PARTITION', 3);
    await rejectsWith(store.createPartitions('missing', 2), 'UNKNOWN_TOPIC_OR_PARTITION', 3);
    await rejectsWith(store.alterTopicConfigs('missing', {}), 'UNKNOWN_TOPIC_OR_PARTITION', 3);
    assert.deepEqual(store.image.topicNames(), ['a.b']);
  });

  it('creates a topic from explicit assignments, and validates without creating', async () => {
    const store = await open(new MemoryFileSystem());
    const checked = await store.createTopic('t', { partitions: 2, replicationFactor: 1, validateOnly: true });
    assert.equal(checked.partitions.length, 2);
    assert.equal(store.image.topic('t'), undefined);
    const topic = await store.createTopic('t', { assignments: [[1], [1]] });
    assert.equal(topic.partitions.length, 2);
  });

  it('deletes topics, by name or id, durably', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(fs);
    const a = await store.createTopic('a', { partitions: 1, replicationFactor: 1 });
    await store.createTopic('b', { partitions: 1, replicationFactor: 1 });
    assert.equal((await store.deleteTopic('b')).name, 'b');
    assert.equal((await store.deleteTopicById(a.topicId)).name, 'a');
    await rejectsWith(store.deleteTopicById(a.topicId), 'UNKNOWN_TOPIC_OR_PARTITION', 3);
    assert.deepEqual((await open(fs.crash())).image.topicNames(), []);
  });

  it('only increases partition counts', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(fs);
    await store.createTopic('t', { partitions: 2, replicationFactor: 1 });
    await rejectsWith(store.createPartitions('t', 2), 'INVALID_PARTITIONS', 37, /already has 2 partitions/);
    await rejectsWith(
      store.createPartitions('t', 1),
      'INVALID_PARTITIONS',
      37,
      /higher than the requested 1/,
    );
    const grown = await store.createPartitions('t', 4);
    assert.deepEqual(
      grown.partitions.map((partition) => partition.partition),
      [0, 1, 2, 3],
    );
    assert.equal(grown.partitions[3]!.leader, 1);
    assert.equal((await open(fs.crash())).image.topic('t')?.partitions.length, 4);
  });

  it('alters topic configs (replace or merge), validating them', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(fs);
    await store.createTopic('t', {
      partitions: 1,
      replicationFactor: 1,
      configs: { 'retention.ms': '1000' },
    });
    await store.alterTopicConfigs('t', { 'segment.bytes': '2048' }, { mode: 'merge' });
    assert.deepEqual(store.image.topic('t')?.configs, { 'retention.ms': '1000', 'segment.bytes': '2048' });
    await store.alterTopicConfigs('t', { 'retention.ms': null }, { mode: 'merge' });
    assert.deepEqual(store.image.topic('t')?.configs, { 'segment.bytes': '2048' });
    await store.alterTopicConfigs('t', { 'cleanup.policy': 'compact' });
    assert.deepEqual(store.image.topic('t')?.configs, { 'cleanup.policy': 'compact' });
    await rejectsWith(
      store.alterTopicConfigs('t', { 'segment.bytes': '1' }),
      'INVALID_CONFIG',
      40,
      /segment\.bytes/,
    );
    assert.deepEqual((await open(fs.crash())).image.topic('t')?.configs, { 'cleanup.policy': 'compact' });
  });

  it('alters dynamic broker configs per broker and cluster-wide, through the given validator', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(fs);
    await store.alterBrokerConfigs(1, { 'log.retention.ms': '5000' });
    await store.alterBrokerConfigs(null, { 'message.max.bytes': '2000' });
    await rejectsWith(
      store.alterBrokerConfigs(1, { 'num.partitions': '3' }),
      'INVALID_CONFIG',
      40,
      /read-only/,
    );
    await rejectsWith(store.alterBrokerConfigs(null, { 'log.retention.ms': 'x' }), 'INVALID_CONFIG', 40);
    const reopened = await open(fs.crash());
    assert.deepEqual(reopened.image.brokerConfigsOf(1), { 'log.retention.ms': '5000' });
    assert.deepEqual(reopened.image.brokerConfigs.clusterDefault, { 'message.max.bytes': '2000' });
    await reopened.alterBrokerConfigs(1, { 'log.retention.ms': null }, { mode: 'merge' });
    assert.deepEqual(reopened.image.brokerConfigsOf(1), {});
  });

  it('tells listeners about each change, after it is durable', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(fs, { onListenerError: () => {} });
    const changes: string[] = [];
    const unsubscribe = store.onChange((image, previous, change: MetadataChange) => {
      changes.push(change.type);
      assert.notEqual(image, previous);
      assert.equal(store.image, image);
      // Durable before anyone hears of it: a crash now still has the change.
      if (change.type === 'topic-created')
        assert.ok(fs.durableContent(`${DIR}/${METADATA_FILE}`)?.includes('"t"'));
    });
    store.onChange(() => {
      throw new Error('a broken listener does not undo the change');
    });
    await store.createTopic('t', { partitions: 1, replicationFactor: 1 });
    await store.createPartitions('t', 2);
    await store.alterTopicConfigs('t', { 'retention.ms': '1' });
    await store.alterBrokerConfigs(null, { 'log.retention.ms': '1' });
    await store.deleteTopic('t');
    unsubscribe();
    await store.createTopic('u', { partitions: 1, replicationFactor: 1 });
    assert.deepEqual(changes, [
      'topic-created',
      'partitions-created',
      'topic-configs-altered',
      'broker-configs-altered',
      'topic-deleted',
    ]);
  });

  it('serializes concurrent changes: one of two racing creations wins', async () => {
    const store = await open(new MemoryFileSystem());
    const results = await Promise.allSettled([
      store.createTopic('race', { partitions: 1, replicationFactor: 1 }),
      store.createTopic('race', { partitions: 2, replicationFactor: 1 }),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected'],
    );
    assert.equal(store.image.topic('race')?.partitions.length, 1);
  });
});

describe('LocalMetadataStore crash safety', () => {
  it('removes a temp file left by an interrupted write and keeps the last committed state', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(fs);
    await store.createTopic('kept', { partitions: 1, replicationFactor: 1 });
    fs.failSync(1);
    await assert.rejects(store.createTopic('lost', { partitions: 1, replicationFactor: 1 }), /EIO/);
    assert.equal(store.image.topic('lost'), undefined, 'a failed change is not visible');
    assert.ok(await fs.exists(`${DIR}/${METADATA_FILE}.tmp`));

    const crashed = fs.crash();
    await crashed.writeFile(`${DIR}/${METADATA_FILE}.tmp`, Buffer.from('{"half":'));
    const reopened = await open(crashed);
    assert.deepEqual(reopened.image.topicNames(), ['kept']);
    assert.equal(await crashed.exists(`${DIR}/${METADATA_FILE}.tmp`), false);
    await reopened.createTopic('after', { partitions: 1, replicationFactor: 1 });
    assert.deepEqual((await open(crashed.crash())).image.topicNames(), ['after', 'kept']);
  });

  it('a crash at any point of a change leaves either the old or the new state', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(snapshotting(fs, () => {}));
    await store.createTopic('old', { partitions: 1, replicationFactor: 1 });
    // Take a "power failed now" snapshot before and after every file system call of the change.
    const snapshots: MemoryFileSystem[] = [];
    const recording = await open(snapshotting(fs, () => snapshots.push(fs.crash())));
    await recording.createTopic('new', { partitions: 1, replicationFactor: 1 });
    snapshots.push(fs.crash());
    assert.ok(snapshots.length >= 8, `only ${snapshots.length} snapshots`);
    const seen = new Set<string>();
    for (const snapshot of snapshots) {
      const names = (await open(snapshot)).image.topicNames().join(',');
      assert.ok(names === 'old' || names === 'new,old', names);
      seen.add(names);
    }
    assert.deepEqual([...seen].sort(), ['new,old', 'old']);
    assert.deepEqual(
      (await open(snapshots.at(-1)!)).image.topicNames(),
      ['new', 'old'],
      'durable once resolved',
    );
  });

  it('refuses a damaged metadata file instead of starting with lost topics', async () => {
    const fs = new MemoryFileSystem();
    const store = await open(fs);
    await store.createTopic('t', { partitions: 1, replicationFactor: 1 });
    const path = `${DIR}/${METADATA_FILE}`;
    const data = await fs.readFile(path);
    data[10] = data[10]! ^ 1;
    await fs.writeFile(path, data);
    await assert.rejects(open(fs), /damaged: checksum mismatch/);
  });
});
