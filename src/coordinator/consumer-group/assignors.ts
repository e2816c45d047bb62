import { type Assignment, addPartition, partitionsOf } from './assignment.js';

/** What a server-side assignor sees of one member. */
export interface AssignmentMemberSpec {
  /** Topic ids the member subscribes to that exist. */
  readonly subscribedTopicIds: ReadonlySet<string>;
  /** The member's current target assignment, which a sticky assignor tries to keep. */
  readonly currentAssignment: Assignment;
  readonly instanceId: string | null;
  readonly rackId: string | null;
}

export interface AssignmentSpec {
  readonly members: ReadonlyMap<string, AssignmentMemberSpec>;
  /** Partition count of every subscribed topic, by topic id. */
  readonly partitionCounts: ReadonlyMap<string, number>;
}

/** A server-side partition assignor (KIP-848): the coordinator computes every target assignment. */
export interface ServerAssignor {
  readonly name: string;
  /** The target assignment of every member of the spec (members without partitions included). */
  assign(spec: AssignmentSpec): Map<string, Assignment>;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Kafka's default `uniform` assignor, as a sticky balancer: every partition of a subscribed topic
 * goes to one subscriber, members keep what they had while that stays fair, and partitions then
 * move one at a time from the most loaded member to a less loaded subscriber until no move can
 * narrow the gap. With identical subscriptions the counts end up differing by at most one.
 */
export class UniformAssignor implements ServerAssignor {
  readonly name = 'uniform';

  assign(spec: AssignmentSpec): Map<string, Assignment> {
    const memberIds = [...spec.members.keys()].sort(byString);
    const owned = new Map<string, Map<string, Set<number>>>(memberIds.map((id) => [id, new Map()]));
    const counts = new Map<string, number>(memberIds.map((id) => [id, 0]));
    const taken = new Set<string>();
    const give = (memberId: string, topicId: string, partition: number) => {
      addPartition(owned.get(memberId)!, topicId, partition);
      counts.set(memberId, counts.get(memberId)! + 1);
      taken.add(`${topicId}:${partition}`);
    };
    // 1. Stickiness: keep every still-valid partition of the current target.
    for (const memberId of memberIds) {
      const member = spec.members.get(memberId)!;
      for (const [topicId, partition] of partitionsOf(member.currentAssignment)) {
        const count = spec.partitionCounts.get(topicId);
        if (count === undefined || partition >= count || !member.subscribedTopicIds.has(topicId)) continue;
        if (taken.has(`${topicId}:${partition}`)) continue;
        give(memberId, topicId, partition);
      }
    }
    // 2. Every partition nobody kept goes to its least loaded subscriber.
    const topicIds = [...spec.partitionCounts.keys()].sort(byString);
    for (const topicId of topicIds) {
      const subscribers = memberIds.filter((id) => spec.members.get(id)!.subscribedTopicIds.has(topicId));
      if (subscribers.length === 0) continue;
      for (let partition = 0; partition < spec.partitionCounts.get(topicId)!; partition++) {
        if (taken.has(`${topicId}:${partition}`)) continue;
        let best = subscribers[0]!;
        for (const candidate of subscribers) if (counts.get(candidate)! < counts.get(best)!) best = candidate;
        give(best, topicId, partition);
      }
    }
    // 3. Balance: each move lowers the sum of squared counts, so this ends.
    for (;;) {
      const order = [...memberIds].sort((a, b) => counts.get(b)! - counts.get(a)! || byString(a, b));
      let moved = false;
      search: for (const from of order) {
        for (let i = order.length - 1; i >= 0; i--) {
          const to = order[i]!;
          if (counts.get(to)! + 1 >= counts.get(from)!) break;
          const receiver = spec.members.get(to)!;
          const candidate = lastMovable(owned.get(from)!, receiver.subscribedTopicIds);
          if (!candidate) continue;
          owned.get(from)!.get(candidate[0])!.delete(candidate[1]);
          counts.set(from, counts.get(from)! - 1);
          addPartition(owned.get(to)!, candidate[0], candidate[1]);
          counts.set(to, counts.get(to)! + 1);
          moved = true;
          break search;
        }
      }
      if (!moved) break;
    }
    return new Map(memberIds.map((id) => [id, dropEmpty(owned.get(id)!)]));
  }
}

/** The highest partition of the last topic (by id) that the receiver subscribes to. */
function lastMovable(
  from: Map<string, Set<number>>,
  subscribed: ReadonlySet<string>,
): [string, number] | null {
  const topics = [...from.keys()].filter((id) => subscribed.has(id) && from.get(id)!.size > 0).sort(byString);
  const topicId = topics.at(-1);
  if (topicId === undefined) return null;
  return [topicId, Math.max(...from.get(topicId)!)];
}

function dropEmpty(assignment: Map<string, Set<number>>): Assignment {
  for (const [topicId, partitions] of assignment) if (partitions.size === 0) assignment.delete(topicId);
  return assignment;
}

/**
 * Kafka's `range` assignor: for each topic, its subscribers in member id order get consecutive
 * ranges of partitions, the first ones one more when the count does not divide evenly. Topics with
 * the same partition count and subscribers are co-partitioned (same ranges to the same members).
 */
export class RangeAssignor implements ServerAssignor {
  readonly name = 'range';

  assign(spec: AssignmentSpec): Map<string, Assignment> {
    const memberIds = [...spec.members.keys()].sort(byString);
    const result = new Map<string, Map<string, Set<number>>>(memberIds.map((id) => [id, new Map()]));
    for (const [topicId, count] of spec.partitionCounts) {
      const subscribers = memberIds.filter((id) => spec.members.get(id)!.subscribedTopicIds.has(topicId));
      if (subscribers.length === 0) continue;
      const quota = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      subscribers.forEach((memberId, index) => {
        const start = index * quota + Math.min(index, extra);
        const length = quota + (index < extra ? 1 : 0);
        for (let partition = start; partition < start + length; partition++) {
          addPartition(result.get(memberId)!, topicId, partition);
        }
      });
    }
    return result;
  }
}

/** The assignors a broker can be configured with, by name. */
export const SERVER_ASSIGNORS: Readonly<Record<string, () => ServerAssignor>> = {
  uniform: () => new UniformAssignor(),
  range: () => new RangeAssignor(),
};

/** Accepts Kafka's class names for the built-in assignors as well as the short names. */
export function assignorNameOf(configured: string): string {
  const trimmed = configured.trim();
  const simple = trimmed.slice(trimmed.lastIndexOf('.') + 1);
  if (simple === 'UniformAssignor') return 'uniform';
  if (simple === 'RangeAssignor') return 'range';
  return trimmed;
}
