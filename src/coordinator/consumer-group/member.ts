import { type Assignment, EMPTY_ASSIGNMENT } from './assignment.js';

/**
 * Where a member stands against the target assignment (Kafka's MemberState):
 * - stable: it has everything the target gives it, at the target's epoch;
 * - unrevoked_partitions: it must first give back `pendingRevocation` (its epoch does not move);
 * - unreleased_partitions: it is at the target's epoch but some of its target partitions are
 *   still owned by other members, and come to it once they are released.
 */
export type MemberState = 'stable' | 'unrevoked_partitions' | 'unreleased_partitions';

/** Epoch sent to leave the group. */
export const LEAVE_GROUP_EPOCH = -1;
/** Epoch sent by a static member leaving for a while (it keeps its partitions until its session ends). */
export const LEAVE_STATIC_EPOCH = -2;

/** One member of a KIP-848 consumer group. */
export class ConsumerGroupMember {
  memberEpoch = 0;
  previousMemberEpoch = -1;
  state: MemberState = 'stable';
  /** What the member owns and may consume. */
  assigned: Assignment = EMPTY_ASSIGNMENT;
  /** What it still owns but must give back. */
  pendingRevocation: Assignment = EMPTY_ASSIGNMENT;
  instanceId: string | null = null;
  rackId: string | null = null;
  clientId = '';
  clientHost = '';
  rebalanceTimeoutMs = 0;
  subscribedTopicNames: readonly string[] = [];
  subscribedTopicRegex: string | null = null;
  /** Compiled `subscribedTopicRegex` (full match, as Kafka's RE2J `matches`). */
  subscribedPattern: RegExp | null = null;
  serverAssignor: string | null = null;

  constructor(readonly memberId: string) {}

  /** Whether this member subscribes to `topic` by name or by pattern. */
  subscribesTo(topic: string): boolean {
    return this.subscribedTopicNames.includes(topic) || (this.subscribedPattern?.test(topic) ?? false);
  }
}
