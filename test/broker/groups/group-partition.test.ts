import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { javaStringHashCode, partitionForGroup } from '../../../src/broker/groups/group-partition.js';

describe('group to __consumer_offsets partition', () => {
  it("hashes like Java's String.hashCode", () => {
    assert.equal(javaStringHashCode(''), 0);
    assert.equal(javaStringHashCode('a'), 97);
    assert.equal(javaStringHashCode('hello'), 99162322);
    assert.equal(javaStringHashCode('Aa'), javaStringHashCode('BB'));
    // Wraps around 32 bits, and hashes UTF-16 code units (a surrogate pair is two of them).
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
    assert.equal(javaStringHashCode('\u{1F600}'), 0xd83d * 31 + 0xde00);
    assert.equal(javaStringHashCode('my-consumer-group-name'), -306381393);
  });

  it("takes Kafka's abs (x & 0x7fffffff) before the modulo", () => {
    assert.equal(partitionForGroup('polygenelubricants', 50), 0);
    assert.equal(partitionForGroup('hello', 50), 22);
    assert.equal(partitionForGroup('my-consumer-group-name', 50), 5);
    assert.equal(partitionForGroup('test-group-with-long-name', 50), 46);
    for (const group of ['g', 'my-group', 'ünïcödé', '']) {
      const partition = partitionForGroup(group, 7);
      assert.ok(partition >= 0 && partition < 7);
    }
  });
});
