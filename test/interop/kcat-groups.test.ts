/**
 * kcat -G: librdkafka's balanced consumer (JoinGroup v5, SyncGroup v3, OffsetCommit v7,
 * OffsetFetch v7 with require_stable) reads every record of a topic, commits on close, and a later
 * run of the same group resumes after what was committed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';
import { groupLag } from '../../src/broker/groups/lag.js';

function kcat(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${stderr}`));
    });
    child.stdin.end(input ?? '');
  });
}

describe('kcat -G (librdkafka balanced consumer)', () => {
  let started: StartedBroker;
  const topic = 'kcat-group-topic';

  const produce = (values: string[]) =>
    kcat(
      ['-P', '-b', started.bootstrap, '-t', topic, '-K:'],
      `${values.map((v, i) => `k${i}:${v}`).join('\n')}\n`,
    );

  const consumeGroup = async (groupId: string) => {
    const output = await kcat([
      '-b',
      started.bootstrap,
      '-G',
      groupId,
      topic,
      '-e',
      '-q',
      '-f',
      '%s\n',
      '-X',
      'auto.offset.reset=earliest',
      '-X',
      'session.timeout.ms=6000',
    ]);
    return output.split('\n').filter((line) => line !== '');
  };

  before(async () => {
    started = await startBroker({
      logLevel: 'silent',
      config: { 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 5 },
    });
    await started.broker.topics.createTopic(topic, { partitions: 3, replicationFactor: 1 });
  });

  after(async () => {
    await started.stop();
  });

  test('reads every record, commits on close, and the next run resumes after the commits', async () => {
    const first = Array.from({ length: 60 }, (_, i) => `first-${i}`);
    await produce(first);
    const read = await consumeGroup('kcat-group');
    assert.deepEqual([...read].sort(), [...first].sort());

    const lag = await groupLag(started.broker, 'kcat-group');
    assert.equal(lag.state, 'Empty');
    assert.equal(
      lag.partitions.reduce((sum, partition) => sum + partition.committedOffset, 0),
      60,
    );
    assert.equal(lag.totalLag, 0);

    const second = Array.from({ length: 12 }, (_, i) => `second-${i}`);
    await produce(second);
    const again = await consumeGroup('kcat-group');
    assert.deepEqual([...again].sort(), [...second].sort());

    const described = await started.broker.groups.describeGroups(['kcat-group']);
    assert.equal(described[0]?.protocolType, 'consumer');
  });
});
