import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Assignment,
  type AssignmentMemberSpec,
  assignmentOf,
  assignmentSize,
  EMPTY_ASSIGNMENT,
  partitionsOf,
  RangeAssignor,
  UniformAssignor,
} from '../../../src/coordinator/consumer-group/index.js';

function member(topics: string[], current: Assignment = EMPTY_ASSIGNMENT): AssignmentMemberSpec {
  return { subscribedTopicIds: new Set(topics), currentAssignment: current, instanceId: null, rackId: null };
}

function flat(assignment: Assignment | undefined): string[] {
  return [...partitionsOf(assignment ?? EMPTY_ASSIGNMENT)].map(([t, p]) => `${t}-${p}`).sort();
}

/** Every partition of every subscribed topic assigned exactly once, to a subscriber. */
function assertComplete(
  result: Map<string, Assignment>,
  members: Map<string, AssignmentMemberSpec>,
  counts: Map<string, number>,
) {
  const seen = new Set<string>();
  for (const [memberId, assignment] of result) {
    for (const [topicId, partition] of partitionsOf(assignment)) {
      assert.ok(
        members.get(memberId)!.subscribedTopicIds.has(topicId),
        `${memberId} subscribes to ${topicId}`,
      );
      const key = `${topicId}-${partition}`;
      assert.ok(!seen.has(key), `${key} assigned once`);
      seen.add(key);
    }
  }
  for (const [topicId, count] of counts) {
    const subscribed = [...members.values()].some((m) => m.subscribedTopicIds.has(topicId));
    for (let p = 0; p < count; p++) assert.equal(seen.has(`${topicId}-${p}`), subscribed, `${topicId}-${p}`);
  }
}

describe('UniformAssignor', () => {
  const assignor = new UniformAssignor();

  it('balances identical subscriptions to within one partition', () => {
    const counts = new Map([
      ['t1', 7],
      ['t2', 3],
    ]);
    const members = new Map([
      ['a', member(['t1', 't2'])],
      ['b', member(['t1', 't2'])],
      ['c', member(['t1', 't2'])],
    ]);
    const result = assignor.assign({ members, partitionCounts: counts });
    assertComplete(result, members, counts);
    const sizes = [...result.values()].map(assignmentSize).sort();
    assert.deepEqual(sizes, [3, 3, 4]);
  });

  it('is sticky: a new member takes partitions only from the overloaded one', () => {
    const counts = new Map([['t', 6]]);
    const before = assignor.assign({ members: new Map([['a', member(['t'])]]), partitionCounts: counts });
    assert.equal(assignmentSize(before.get('a')!), 6);
    const members = new Map([
      ['a', member(['t'], before.get('a'))],
      ['b', member(['t'])],
    ]);
    const after = assignor.assign({ members, partitionCounts: counts });
    assertComplete(after, members, counts);
    assert.equal(assignmentSize(after.get('a')!), 3);
    assert.equal(assignmentSize(after.get('b')!), 3);
    // Then a third member: each of a and b gives up exactly one, keeping the rest.
    const three = new Map([
      ['a', member(['t'], after.get('a'))],
      ['b', member(['t'], after.get('b'))],
      ['c', member(['t'])],
    ]);
    const final = assignor.assign({ members: three, partitionCounts: counts });
    assertComplete(final, three, counts);
    for (const id of ['a', 'b']) {
      const kept = flat(final.get(id)).filter((tp) => flat(after.get(id)).includes(tp));
      assert.equal(kept.length, 2, `${id} keeps two of its three`);
    }
    assert.equal(assignmentSize(final.get('c')!), 2);
  });

  it('handles different subscriptions: each topic only to its subscribers, balanced where possible', () => {
    const counts = new Map([
      ['t1', 4],
      ['t2', 4],
    ]);
    const members = new Map([
      ['a', member(['t1'])],
      ['b', member(['t1', 't2'])],
      ['c', member(['t2'])],
    ]);
    const result = assignor.assign({ members, partitionCounts: counts });
    assertComplete(result, members, counts);
    const sizes = [...result.values()].map(assignmentSize);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
  });

  it('drops partitions of topics that shrank away or are no longer subscribed', () => {
    const counts = new Map([['t', 2]]);
    const members = new Map([
      [
        'a',
        member(
          ['t'],
          assignmentOf([
            ['t', [0, 1, 2, 3]],
            ['gone', [0]],
          ]),
        ),
      ],
    ]);
    const result = assignor.assign({ members, partitionCounts: counts });
    assert.deepEqual(flat(result.get('a')), ['t-0', 't-1']);
  });

  it('gives members without subscribed topics nothing', () => {
    const members = new Map([['a', member([])]]);
    const result = assignor.assign({ members, partitionCounts: new Map() });
    assert.equal(assignmentSize(result.get('a')!), 0);
  });
});

describe('RangeAssignor', () => {
  const assignor = new RangeAssignor();

  it('gives consecutive ranges in member id order, the first ones one more', () => {
    const counts = new Map([['t', 7]]);
    const members = new Map([
      ['m2', member(['t'])],
      ['m1', member(['t'])],
      ['m3', member(['t'])],
    ]);
    const result = assignor.assign({ members, partitionCounts: counts });
    assertComplete(result, members, counts);
    assert.deepEqual(flat(result.get('m1')), ['t-0', 't-1', 't-2']);
    assert.deepEqual(flat(result.get('m2')), ['t-3', 't-4']);
    assert.deepEqual(flat(result.get('m3')), ['t-5', 't-6']);
  });

  it('co-partitions topics with the same subscribers and partition count', () => {
    const counts = new Map([
      ['orders', 4],
      ['payments', 4],
    ]);
    const members = new Map([
      ['a', member(['orders', 'payments'])],
      ['b', member(['orders', 'payments'])],
    ]);
    const result = assignor.assign({ members, partitionCounts: counts });
    assert.deepEqual(flat(result.get('a')), ['orders-0', 'orders-1', 'payments-0', 'payments-1']);
    assert.deepEqual(flat(result.get('b')), ['orders-2', 'orders-3', 'payments-2', 'payments-3']);
  });
});
