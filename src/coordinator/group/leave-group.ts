import type { GroupContext } from './context.js';
import { GroupErrorCode } from './error-codes.js';
import type { Rebalancer } from './rebalancer.js';
import type { LeaveGroupMemberResponse, LeaveGroupRequest, LeaveGroupResponse } from './types.js';

/**
 * LeaveGroup with v3+ batch semantics: each member is answered on its own. A member may be named
 * by group instance id alone (administrative removal of a static member, member id '').
 */
export function leaveGroup(
  context: GroupContext,
  rebalancer: Rebalancer,
  request: LeaveGroupRequest,
): LeaveGroupResponse {
  const { groupId } = request;
  const answer = (errorCode: number): LeaveGroupMemberResponse[] =>
    request.members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId ?? null,
      errorCode,
    }));
  const invalid = context.validate(groupId, false);
  if (invalid !== null) return { errorCode: invalid, members: answer(invalid) };
  const group = context.groups.get(groupId);
  if (!group) return { errorCode: GroupErrorCode.NONE, members: answer(GroupErrorCode.UNKNOWN_MEMBER_ID) };
  if (group.is('Dead')) {
    return {
      errorCode: GroupErrorCode.COORDINATOR_NOT_AVAILABLE,
      members: answer(GroupErrorCode.COORDINATOR_NOT_AVAILABLE),
    };
  }
  const members = request.members.map((leaving): LeaveGroupMemberResponse => {
    const groupInstanceId = leaving.groupInstanceId ?? null;
    const result = (errorCode: number) => ({ memberId: leaving.memberId, groupInstanceId, errorCode });
    const reason = `${leaving.memberId || groupInstanceId} left${leaving.reason ? `: ${leaving.reason}` : ''}`;
    if (leaving.memberId === '') {
      const current = group.staticMemberId(groupInstanceId);
      if (current === undefined) return result(GroupErrorCode.UNKNOWN_MEMBER_ID);
      rebalancer.removeMemberAndUpdateGroup(group, group.get(current), reason);
      return result(GroupErrorCode.NONE);
    }
    if (group.pendingMembers.has(leaving.memberId)) {
      rebalancer.removePendingMemberAndUpdateGroup(group, leaving.memberId);
      return result(GroupErrorCode.NONE);
    }
    if (group.isStaticMemberFenced(groupInstanceId, leaving.memberId))
      return result(GroupErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(leaving.memberId);
    if (!member) return result(GroupErrorCode.UNKNOWN_MEMBER_ID);
    rebalancer.removeMemberAndUpdateGroup(group, member, reason);
    return result(GroupErrorCode.NONE);
  });
  return { errorCode: GroupErrorCode.NONE, members };
}
