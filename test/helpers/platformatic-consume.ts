import assert from 'node:assert/strict';
import type { Consumer } from '@platformatic/kafka';

/**
 * Reads `partitions` of `topic` from the group's committed offsets to the end with the client's
 * own Fetch (topics named by id, as Fetch v13+ does), committing after each fetch. Returns the
 * values read. Lets a test decide who reads and commits what, unlike the consume() stream.
 */
export async function readAndCommitPartitions(
  consumer: Consumer<string, string, string, string>,
  options: { node: number; topic: string; partitions: readonly number[] },
): Promise<string[]> {
  const { node, topic, partitions } = options;
  const committed = await consumer.listCommittedOffsets({ topics: [{ topic, partitions: [...partitions] }] });
  const topicId = (await consumer.metadata({ topics: [topic] })).topics.get(topic)!.id;
  const values: string[] = [];
  for (const partition of partitions) {
    let offset = committed.get(topic)?.[partition] ?? -1n;
    if (offset < 0n) offset = 0n;
    for (;;) {
      const response = await consumer.fetch({
        node,
        maxWaitTime: 10,
        topics: [
          {
            topicId,
            partitions: [
              {
                partition,
                fetchOffset: offset,
                partitionMaxBytes: 1 << 20,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              },
            ],
          },
        ],
      });
      const data = response.responses[0]!.partitions[0]!;
      assert.equal(data.errorCode, 0);
      const before = offset;
      for (const batch of data.records ?? []) {
        for (const record of batch.records) {
          const recordOffset = batch.firstOffset + BigInt(record.offsetDelta);
          if (recordOffset < offset) continue;
          values.push(record.value!.toString());
          offset = recordOffset + 1n;
        }
      }
      if (offset === before) break;
      await consumer.commit({ offsets: [{ topic, partition, offset, leaderEpoch: -1 }] });
    }
  }
  return values;
}
