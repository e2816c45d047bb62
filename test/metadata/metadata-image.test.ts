import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataError } from '../../src/metadata/errors.js';
import { MetadataImage, type TopicImage } from '../../src/metadata/metadata-image.js';
import { hasCollision, topicNameProblem, validateTopicName } from '../../src/metadata/topic-name.js';

const topic = (name: string, topicId: string): TopicImage => ({
  name,
  topicId,
  internal: false,
  partitions: [{ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], offlineReplicas: [] }],
  configs: { 'retention.ms': '1000' },
});

describe('MetadataImage', () => {
  const image = new MetadataImage({
    clusterId: 'abcdefghijklmnopqrstuQ',
    controllerId: 1,
    brokers: [{ id: 1, host: 'localhost', port: 9092, rack: null }],
    topics: [topic('orders', 'AAAAAAAAAAAAAAAAAAAAAg'), topic('a.b', 'AAAAAAAAAAAAAAAAAAAAAw')],
  });

  it('looks topics up by name and by id', () => {
    assert.equal(image.topic('orders')?.topicId, 'AAAAAAAAAAAAAAAAAAAAAg');
    assert.equal(image.topicById('AAAAAAAAAAAAAAAAAAAAAw')?.name, 'a.b');
    assert.equal(image.partition('orders', 0)?.leader, 1);
    assert.equal(image.partition('orders', 1), undefined);
    assert.equal(image.broker(1)?.port, 9092);
    assert.deepEqual(image.topicNames(), ['a.b', 'orders']);
  });

  it('finds a colliding topic', () => {
    assert.equal(image.collidingTopic('a_b')?.name, 'a.b');
    assert.equal(image.collidingTopic('a.b'), undefined);
  });

  it('is immutable: changes make new images', () => {
    const next = image.withoutTopic('orders');
    assert.ok(image.topic('orders'));
    assert.equal(next.topic('orders'), undefined);
    assert.equal(next.topicById('AAAAAAAAAAAAAAAAAAAAAg'), undefined);
    assert.ok(Object.isFrozen(image));
    assert.ok(Object.isFrozen(image.topic('orders')!.partitions[0]!.replicas));
    assert.throws(() => {
      (image.topic('orders')!.configs as Record<string, string>)['x'] = 'y';
    }, TypeError);
  });
});

describe('topic names', () => {
  it("follows Kafka's rules", () => {
    for (const legal of ['orders', 'a.b-c_D9', 'x'.repeat(249), '__consumer_offsets']) {
      assert.equal(topicNameProblem(legal), undefined, legal);
    }
    assert.match(topicNameProblem('')!, /empty/);
    assert.match(topicNameProblem('.')!, /cannot be "\." or "\.\."/);
    assert.match(topicNameProblem('..')!, /cannot be/);
    assert.match(topicNameProblem('x'.repeat(250))!, /longer than 249/);
    assert.match(topicNameProblem('with space')!, /other than ASCII alphanumerics/);
    assert.match(topicNameProblem('ümlaut')!, /other than ASCII alphanumerics/);
    assert.match(topicNameProblem('a/b')!, /illegal/);
  });

  it('throws INVALID_TOPIC_EXCEPTION (17)', () => {
    assert.throws(
      () => validateTopicName('bad name'),
      (error) =>
        error instanceof MetadataError &&
        error.errorCode === 17 &&
        error.errorName === 'INVALID_TOPIC_EXCEPTION',
    );
  });

  it("treats '.' and '_' as colliding", () => {
    assert.equal(hasCollision('a.b', 'a_b'), true);
    assert.equal(hasCollision('a.b', 'a-b'), false);
  });
});
