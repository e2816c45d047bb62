import type { GroupContext } from './context.js';
import { GroupErrorCode } from './error-codes.js';
import type { Rebalancer } from './rebalancer.js';
import { syncError } from './responses.js';
import type { SyncGroupRequest, SyncGroupResponse } from './types.js';

const EMPTY = Buffer.alloc(0);

/**
 * SyncGroup. Followers wait for the leader; the leader's assignments are stored first (a member
 * missing from them gets an empty one) and then every waiting member gets its own, as the group
 * becomes Stable.
 */
export function syncGroup(
  context: GroupContext,
  rebalancer: Rebalancer,
  request: SyncGroupRequest,
): Promise<SyncGroupResponse> {
  const { groupId, memberId, generationId } = request;
  const invalid = context.validate(groupId, false);
  if (invalid !== null) {
    // A loading coordinator will have forgotten this generation: the member must rejoin.
    const errorCode =
      invalid === GroupErrorCode.COORDINATOR_LOAD_IN_PROGRESS
        ? GroupErrorCode.REBALANCE_IN_PROGRESS
        : invalid;
    return Promise.resolve(syncError(errorCode));
  }
  const group = context.groups.get(groupId);
  const fail = (errorCode: number) => Promise.resolve(syncError(errorCode));
  if (!group) return fail(GroupErrorCode.UNKNOWN_MEMBER_ID);
  if (group.is('Dead')) return fail(GroupErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (group.isStaticMemberFenced(request.groupInstanceId, memberId))
    return fail(GroupErrorCode.FENCED_INSTANCE_ID);
  if (!group.has(memberId)) return fail(GroupErrorCode.UNKNOWN_MEMBER_ID);
  if (generationId !== group.generationId) return fail(GroupErrorCode.ILLEGAL_GENERATION);
  if (request.protocolType != null && request.protocolType !== group.protocolType) {
    return fail(GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  if (request.protocolName != null && request.protocolName !== group.protocolName) {
    return fail(GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  const member = group.get(memberId);
  switch (group.state) {
    case 'Empty':
      return fail(GroupErrorCode.UNKNOWN_MEMBER_ID);
    case 'PreparingRebalance':
      return fail(GroupErrorCode.REBALANCE_IN_PROGRESS);
    case 'Stable':
      rebalancer.removePendingSyncMember(group, memberId);
      rebalancer.scheduleSession(group, member);
      return Promise.resolve({
        errorCode: GroupErrorCode.NONE,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        assignment: member.assignment,
      });
    default:
      break;
  }
  // CompletingRebalance
  return new Promise<SyncGroupResponse>((resolve) => {
    member.answerSync(syncError(GroupErrorCode.REBALANCE_IN_PROGRESS)); // a retried SyncGroup
    member.syncWaiter = resolve;
    rebalancer.removePendingSyncMember(group, memberId);
    if (!group.isLeader(memberId)) return;
    const given = new Map<string, Buffer>();
    for (const entry of request.assignments) given.set(entry.memberId, Buffer.from(entry.assignment));
    const assignments = new Map<string, Buffer>();
    for (const id of group.members.keys()) assignments.set(id, given.get(id) ?? EMPTY);
    void context.storeGroup(group, assignments).then((errorCode) => {
      // Another join may have restarted the rebalance while the write was in flight.
      if (context.groups.get(groupId) !== group) return;
      if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
      if (errorCode !== GroupErrorCode.NONE) {
        rebalancer.resetAndPropagateAssignmentError(group, errorCode);
        rebalancer.maybePrepareRebalance(
          group,
          `storing the assignment of generation ${generationId} failed`,
        );
        return;
      }
      for (const groupMember of group.members.values()) {
        groupMember.assignment = assignments.get(groupMember.memberId) ?? EMPTY;
      }
      rebalancer.propagateAssignment(group, GroupErrorCode.NONE);
      group.transitionTo('Stable', context.now());
    });
  });
}
