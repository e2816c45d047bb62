import {
  type Assignment,
  addPartition,
  hasPartition,
  intersect,
  overlaps,
  partitionsOf,
  subtract,
  union,
} from './assignment.js';
import type { ConsumerGroupMember, MemberState } from './member.js';

export interface MemberProgress {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assigned: Assignment;
  pendingRevocation: Assignment;
}

/**
 * Moves a member toward its target assignment (Kafka's CurrentAssignmentBuilder). Partitions are
 * revoked before they are handed to anyone else: a member first gives back what the target takes
 * from it (keeping its epoch, so its commits stay valid); once it reports that it no longer owns
 * them, it moves to the target epoch and receives every target partition nobody else still owns;
 * the rest come on later heartbeats, as their owners release them.
 *
 * `owned` is what the member reported owning (null when it did not say: then it is assumed to
 * still own what it was asked to revoke); `ownerOf` tells who currently owns a partition.
 */
export function reconcile(
  member: ConsumerGroupMember,
  targetEpoch: number,
  target: Assignment,
  owned: Assignment | null,
  ownerOf: (topicId: string, partition: number) => string | undefined,
): MemberProgress {
  const current: MemberProgress = {
    memberEpoch: member.memberEpoch,
    previousMemberEpoch: member.previousMemberEpoch,
    state: member.state,
    assigned: member.assigned,
    pendingRevocation: member.pendingRevocation,
  };
  switch (member.state) {
    case 'stable':
      if (member.memberEpoch === targetEpoch) return current;
      return next(member, targetEpoch, target, owned, ownerOf);
    case 'unrevoked_partitions':
      // Still owns something it must give back: wait (the rebalance timeout bounds this).
      if (owned === null || overlaps(member.pendingRevocation, owned)) return current;
      return next(member, targetEpoch, target, owned, ownerOf);
    case 'unreleased_partitions':
      return next(member, targetEpoch, target, owned, ownerOf);
  }
}

function next(
  member: ConsumerGroupMember,
  targetEpoch: number,
  target: Assignment,
  owned: Assignment | null,
  ownerOf: (topicId: string, partition: number) => string | undefined,
): MemberProgress {
  const kept = intersect(member.assigned, target);
  const toRevoke = subtract(member.assigned, target);
  const newlyAssigned = new Map<string, Set<number>>();
  let unreleased = false;
  for (const [topicId, partition] of partitionsOf(target)) {
    if (hasPartition(kept, topicId, partition)) continue;
    const owner = ownerOf(topicId, partition);
    if (owner === undefined || owner === member.memberId) addPartition(newlyAssigned, topicId, partition);
    else unreleased = true;
  }
  const stillOwnsRevoked = owned === null || overlaps(toRevoke, owned);
  if (toRevoke.size > 0 && stillOwnsRevoked) {
    return {
      memberEpoch: member.memberEpoch,
      previousMemberEpoch: member.previousMemberEpoch,
      state: 'unrevoked_partitions',
      assigned: kept,
      pendingRevocation: toRevoke,
    };
  }
  const epochMoves = member.memberEpoch !== targetEpoch;
  return {
    memberEpoch: targetEpoch,
    previousMemberEpoch: epochMoves ? member.memberEpoch : member.previousMemberEpoch,
    state: unreleased ? 'unreleased_partitions' : 'stable',
    assigned: union(kept, newlyAssigned),
    pendingRevocation: new Map(),
  };
}
