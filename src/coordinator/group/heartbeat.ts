import type { GroupContext } from './context.js';
import { GroupErrorCode } from './error-codes.js';
import type { Rebalancer } from './rebalancer.js';
import type { HeartbeatRequest } from './types.js';

/**
 * Heartbeat: keeps the member's session alive and tells it, with REBALANCE_IN_PROGRESS, that it
 * must rejoin. Heartbeats during CompletingRebalance are normal (clients start them right after
 * the JoinGroup answer).
 */
export function heartbeat(context: GroupContext, rebalancer: Rebalancer, request: HeartbeatRequest): number {
  const { groupId, memberId } = request;
  const invalid = context.validate(groupId, false);
  // While loading, members are kept waiting rather than sent to rejoin.
  if (invalid === GroupErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return GroupErrorCode.NONE;
  if (invalid !== null) return invalid;
  const group = context.groups.get(groupId);
  if (!group) return GroupErrorCode.UNKNOWN_MEMBER_ID;
  if (group.is('Dead')) return GroupErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (group.isStaticMemberFenced(request.groupInstanceId, memberId)) return GroupErrorCode.FENCED_INSTANCE_ID;
  if (!group.has(memberId)) return GroupErrorCode.UNKNOWN_MEMBER_ID;
  if (request.generationId !== group.generationId) return GroupErrorCode.ILLEGAL_GENERATION;
  const member = group.get(memberId);
  switch (group.state) {
    case 'Empty':
      return GroupErrorCode.UNKNOWN_MEMBER_ID;
    case 'PreparingRebalance':
      rebalancer.scheduleSession(group, member);
      return GroupErrorCode.REBALANCE_IN_PROGRESS;
    default:
      rebalancer.scheduleSession(group, member);
      return GroupErrorCode.NONE;
  }
}
