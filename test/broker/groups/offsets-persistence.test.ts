/**
 * Committed offsets and group metadata live in __consumer_offsets as real v2 record batches and
 * come back after a clean restart and after a crash (the memory file system keeps only what was
 * fsynced, as power loss would).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBroker } from '../../../src/broker/broker.js';
import { OFFSETS_TOPIC, partitionForGroup } from '../../../src/broker/groups/group-partition.js';
import { decodeKey, decodeOffsetCommitValue } from '../../../src/coordinator/offsets/records.js';
import { Apis } from '../../../src/protocol/generated/api-keys.js';
import { batchHeader, readRecords } from '../../../src/protocol/records/index.js';
import { MemoryFileSystem } from '../../../src/storage/memory-file-system.js';
import { commit, fetchCommitted, heartbeat, join, joinAlone, WireClient } from './wire.js';

const CONFIG = { 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 4 };

async function open(fs: MemoryFileSystem) {
  const started = await startBroker({ fs, logLevel: 'silent', config: CONFIG });
  await started.broker.groups.loaded;
  const client = await WireClient.connect(started.port, started.host);
  return { started, client };
}

describe('__consumer_offsets persistence', () => {
  it('stores commits as v2 batches in the group partition, readable by Kafka codecs', async () => {
    const { started, client } = await open(new MemoryFileSystem());
    try {
      await started.broker.topics.createTopic('t', { partitions: 2, replicationFactor: 1 });
      await commit(client, 'reader', [
        { topic: 't', partition: 0, offset: 11 },
        { topic: 't', partition: 1, offset: 12 },
      ]);
      const log = started.broker.topics.log(OFFSETS_TOPIC, partitionForGroup('reader', 4))!;
      const { records } = await log.read(0, 1 << 20);
      assert.equal(batchHeader.magic(records), 2);
      const decoded = [...readRecords(records)].map((record) => ({
        key: decodeKey(record.key!),
        offset: decodeOffsetCommitValue(record.value!).offset,
      }));
      assert.deepEqual(decoded, [
        { key: { type: 'offset', group: 'reader', topic: 't', partition: 0 }, offset: 11 },
        { key: { type: 'offset', group: 'reader', topic: 't', partition: 1 }, offset: 12 },
      ]);
    } finally {
      client.close();
      await started.stop();
    }
  });

  it('offsets and a stable group survive a clean restart', async () => {
    const fs = new MemoryFileSystem();
    const first = await open(fs);
    await first.started.broker.topics.createTopic('t', { partitions: 2, replicationFactor: 1 });
    const member = await joinAlone(first.client, 'keep', [{ topic: 't', partitions: [0, 1] }]);
    await commit(first.client, 'keep', [{ topic: 't', partition: 1, offset: 42 }], {
      generationId: member.generationId,
      memberId: member.memberId,
    });
    await commit(first.client, 'standalone', [{ topic: 't', partition: 0, offset: 7 }]);
    first.client.close();
    await first.started.stop();

    const second = await open(fs);
    try {
      assert.deepEqual(Object.fromEntries((await fetchCommitted(second.client, 'keep', null)).offsets), {
        't/1': 42,
      });
      assert.deepEqual(
        Object.fromEntries((await fetchCommitted(second.client, 'standalone', null)).offsets),
        {
          't/0': 7,
        },
      );
      // The member may carry on with its generation: it was restored with the group.
      assert.equal(await heartbeat({ ...member, client: second.client }), 0);
      const described = await second.client.request(
        Apis.DescribeGroups,
        5,
        Apis.DescribeGroups.request.create({ groups: ['keep'] }),
      );
      assert.equal(described.groups[0]?.groupState, 'Stable');
    } finally {
      second.client.close();
      await second.started.stop();
    }
  });

  it('acknowledged commits survive a crash', async () => {
    const fs = new MemoryFileSystem();
    // The data directory exists beforehand (its own creation is the broker's start-up business).
    await fs.mkdir('/samsa-data', { recursive: true });
    await fs.syncDirectory('/');
    const first = await open(fs);
    await first.started.broker.topics.createTopic('t', { partitions: 1, replicationFactor: 1 });
    for (let offset = 1; offset <= 20; offset++) {
      const result = await commit(first.client, 'crashy', [{ topic: 't', partition: 0, offset }]);
      assert.equal(result[0]?.errorCode, 0);
    }
    const crashed = fs.crash();
    first.client.close();
    await first.started.stop();

    const second = await open(crashed);
    try {
      assert.deepEqual(Object.fromEntries((await fetchCommitted(second.client, 'crashy', null)).offsets), {
        't/0': 20,
      });
    } finally {
      second.client.close();
      await second.started.stop();
    }
  });

  it('stopping the broker answers a JoinGroup parked in a rebalance with NOT_COORDINATOR', async () => {
    const { started, client } = await open(new MemoryFileSystem());
    const other = await WireClient.connect(started.port, started.host);
    try {
      await started.broker.topics.createTopic('t', { partitions: 1, replicationFactor: 1 });
      await joinAlone(client, 'parked', [{ topic: 't', partitions: [0] }]);
      // The second member waits for the first to rejoin (up to the 10 s rebalance timeout).
      const waiting = join(other, 'parked');
      while (started.broker.groups.groupState('parked') !== 'PreparingRebalance') {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const [answer] = await Promise.all([waiting, started.stop()]);
      assert.equal(answer.errorCode, 16);
      assert.equal(started.broker.groups.status, 'inactive');
      assert.equal(started.broker.groups.activeTimers, 0);
    } finally {
      client.close();
      other.close();
      await started.stop();
    }
  });
});
