import { randomUUID } from 'node:crypto';
import { ClassicGroup } from './classic-group.js';
import type { GroupContext } from './context.js';
import { GroupErrorCode } from './error-codes.js';
import type { JoinWaiter } from './member.js';
import type { Rebalancer } from './rebalancer.js';
import { joinError, syncError } from './responses.js';
import type { JoinGroupRequest, JoinGroupResponse } from './types.js';

/**
 * JoinGroup. The answer comes when the join phase of the rebalance ends (all members in, or the
 * rebalance timeout), or at once for errors and for joins that need no rebalance.
 */
export function joinGroup(
  context: GroupContext,
  rebalancer: Rebalancer,
  request: JoinGroupRequest,
): Promise<JoinGroupResponse> {
  const { groupId, memberId } = request;
  const invalid = context.validate(groupId, false);
  if (invalid !== null) return Promise.resolve(joinError(memberId, invalid));
  const { groupMinSessionTimeoutMs, groupMaxSessionTimeoutMs } = context.config;
  if (
    request.sessionTimeoutMs < groupMinSessionTimeoutMs ||
    request.sessionTimeoutMs > groupMaxSessionTimeoutMs
  ) {
    return Promise.resolve(joinError(memberId, GroupErrorCode.INVALID_SESSION_TIMEOUT));
  }
  const isUnknownMember = memberId === '';
  let group = context.groups.get(groupId);
  let created = false;
  if (!group) {
    if (!isUnknownMember) return Promise.resolve(joinError(memberId, GroupErrorCode.UNKNOWN_MEMBER_ID));
    group = new ClassicGroup(groupId, context.now());
    context.groups.set(groupId, group);
    created = true;
  }
  const joining = group;
  return new Promise<JoinGroupResponse>((resolve) => {
    const handler = new JoinHandler(context, rebalancer, joining, request, resolve);
    if (!acceptJoiningMember(joining, memberId, context.config.groupMaxSize)) {
      const member = joining.members.get(memberId);
      if (member) rebalancer.removeMemberAndUpdateGroup(joining, member, `group ${groupId} is full`);
      resolve(joinError('', GroupErrorCode.GROUP_MAX_SIZE_REACHED));
    } else if (isUnknownMember) {
      handler.newMember();
    } else {
      handler.currentMember();
    }
    if (joining.is('PreparingRebalance')) rebalancer.tryCompleteJoin(joining);
    // A group created by a join that failed before adding anyone is not kept.
    if (created && joining.is('Empty') && joining.size === 0 && joining.pendingMembers.size === 0) {
      if (joining.offsets.size === 0 && context.groups.get(groupId) === joining)
        context.groups.delete(groupId);
    }
  });
}

/**
 * Whether the group has room: an existing member always does (already counted); while preparing,
 * the count that matters is of members that have rejoined, which lets the last to rejoin of a
 * group above a lowered `group.max.size` be turned away.
 */
function acceptJoiningMember(group: ClassicGroup, memberId: string, maxSize: number): boolean {
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return true;
    case 'PreparingRebalance':
      return (group.has(memberId) && group.get(memberId).isAwaitingJoin) || group.numAwaitingJoin < maxSize;
    default:
      return group.has(memberId) || group.size < maxSize;
  }
}

class JoinHandler {
  private readonly groupInstanceId: string | null;

  constructor(
    private readonly context: GroupContext,
    private readonly rebalancer: Rebalancer,
    private readonly group: ClassicGroup,
    private readonly request: JoinGroupRequest,
    private readonly resolve: JoinWaiter,
  ) {
    this.groupInstanceId = request.groupInstanceId ?? null;
  }

  private fail(memberId: string, errorCode: number): void {
    this.resolve(joinError(memberId, errorCode));
  }

  newMember(): void {
    const { group, request } = this;
    if (group.is('Dead')) {
      this.fail('', GroupErrorCode.COORDINATOR_NOT_AVAILABLE);
      return;
    }
    if (!group.supportsProtocols(request.protocolType, request.protocols)) {
      this.fail('', GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      return;
    }
    const newMemberId = `${this.groupInstanceId ?? request.clientId}-${randomUUID()}`;
    if (this.groupInstanceId !== null) {
      const existing = group.staticMemberId(this.groupInstanceId);
      if (existing === undefined) {
        this.rebalancer.addMemberAndRebalance(
          group,
          request,
          newMemberId,
          this.groupInstanceId,
          this.resolve,
        );
      } else {
        this.replaceStaticMember(existing, newMemberId);
      }
    } else if (request.requireKnownMemberId) {
      // KIP-394: hand out the id first, so a client that times out and retries reuses it
      // instead of leaving a defunct member behind.
      group.pendingMembers.add(newMemberId);
      this.rebalancer.schedulePendingMember(group, newMemberId, request.sessionTimeoutMs);
      this.fail(newMemberId, GroupErrorCode.MEMBER_ID_REQUIRED);
    } else {
      this.rebalancer.addMemberAndRebalance(group, request, newMemberId, null, this.resolve);
    }
  }

  /**
   * A static member came back with a new member id (it restarted): the old id is fenced, the
   * member keeps its place and assignment. A stable group whose protocol choice does not change
   * is not rebalanced; the member is answered with the current generation.
   */
  private replaceStaticMember(oldMemberId: string, newMemberId: string): void {
    const { group, request, rebalancer } = this;
    const instanceId = this.groupInstanceId!;
    const currentLeader = group.leaderId;
    const member = group.get(oldMemberId);
    const previous = {
      protocols: member.protocols,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      sessionTimeoutMs: member.sessionTimeoutMs,
    };
    member.answerJoin(joinError(oldMemberId, GroupErrorCode.FENCED_INSTANCE_ID));
    member.answerSync(syncError(GroupErrorCode.FENCED_INSTANCE_ID));
    rebalancer.cancelSession(group, oldMemberId);
    group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    rebalancer.updateMember(
      member,
      request.protocols,
      request.rebalanceTimeoutMs,
      request.sessionTimeoutMs,
      this.resolve,
    );
    rebalancer.scheduleSession(group, member);
    switch (group.state) {
      case 'Stable': {
        if (group.protocolName !== group.selectProtocol()) {
          rebalancer.maybePrepareRebalance(
            group,
            `static member ${instanceId} rejoined with other protocols`,
          );
          return;
        }
        const generationId = group.generationId;
        const assignments = new Map(
          [...group.members.values()].map((m) => [m.memberId, m.assignment] as const),
        );
        void this.context.storeGroup(group, assignments).then((errorCode) => {
          if (errorCode !== GroupErrorCode.NONE) {
            // Undo the replacement: the old member id stays valid.
            member.answerJoin({ ...joinError('', errorCode), generationId, leader: currentLeader ?? '' });
            if (group.members.get(newMemberId) !== member) return;
            rebalancer.updateMember(
              member,
              previous.protocols,
              previous.rebalanceTimeoutMs,
              previous.sessionTimeoutMs,
              null,
            );
            rebalancer.cancelSession(group, newMemberId);
            group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
            rebalancer.scheduleSession(group, member);
            return;
          }
          // If a rebalance started meanwhile, it answers this join instead.
          if (!group.is('Stable') || group.generationId !== generationId) return;
          const skipAssignment =
            this.request.supportSkippingAssignment === true && group.isLeader(newMemberId);
          member.answerJoin({
            errorCode: GroupErrorCode.NONE,
            generationId: group.generationId,
            protocolType: group.protocolType,
            protocolName: group.protocolName,
            // Without KIP-814 the old leader id is returned, so a restarted leader does not run a
            // pointless assignment that a stable group would never hand out.
            leader: (skipAssignment ? newMemberId : currentLeader) ?? '',
            skipAssignment,
            memberId: newMemberId,
            members: skipAssignment ? group.currentMemberMetadata() : [],
          });
        });
        return;
      }
      case 'CompletingRebalance':
        // The old id may already hold a leader's answer; only a new rebalance is safe.
        rebalancer.maybePrepareRebalance(
          group,
          `static member ${instanceId} rejoined during CompletingRebalance`,
        );
        return;
      case 'PreparingRebalance':
        return;
      default:
        throw new Error(`group ${group.groupId}: static member ${instanceId} known in state ${group.state}`);
    }
  }

  currentMember(): void {
    const { group, request, rebalancer } = this;
    const { memberId } = request;
    if (group.is('Dead')) {
      this.fail(memberId, GroupErrorCode.COORDINATOR_NOT_AVAILABLE);
      return;
    }
    if (!group.supportsProtocols(request.protocolType, request.protocols)) {
      this.fail(memberId, GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      return;
    }
    if (group.pendingMembers.has(memberId)) {
      // The second half of the KIP-394 handshake (pending members are never static).
      rebalancer.addMemberAndRebalance(group, request, memberId, null, this.resolve);
      return;
    }
    if (group.isStaticMemberFenced(this.groupInstanceId, memberId)) {
      this.fail(memberId, GroupErrorCode.FENCED_INSTANCE_ID);
      return;
    }
    if (
      !group.has(memberId) ||
      (this.groupInstanceId !== null && !group.hasStaticMember(this.groupInstanceId))
    ) {
      this.fail(memberId, GroupErrorCode.UNKNOWN_MEMBER_ID);
      return;
    }
    const member = group.get(memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        rebalancer.updateMemberAndRebalance(group, member, request, this.resolve, `${memberId} rejoined`);
        return;
      case 'CompletingRebalance':
        if (member.matches(request.protocols)) {
          // It probably lost the first answer: send the current generation again.
          this.resolve(this.currentGeneration(memberId, group.isLeader(memberId)));
        } else {
          rebalancer.updateMemberAndRebalance(
            group,
            member,
            request,
            this.resolve,
            `${memberId} changed metadata`,
          );
        }
        return;
      case 'Stable':
        if (group.isLeader(memberId)) {
          // The leader rejoins to reassign after changes the member metadata does not show
          // (new partitions, for consumers).
          rebalancer.updateMemberAndRebalance(
            group,
            member,
            request,
            this.resolve,
            `leader ${memberId} rejoined`,
          );
        } else if (!member.matches(request.protocols)) {
          rebalancer.updateMemberAndRebalance(
            group,
            member,
            request,
            this.resolve,
            `${memberId} changed metadata`,
          );
        } else {
          this.resolve(this.currentGeneration(memberId, false));
        }
        return;
      default:
        // Empty with a member should not happen: let the client reset and join afresh.
        this.fail(memberId, GroupErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private currentGeneration(memberId: string, withMembers: boolean): JoinGroupResponse {
    const group = this.group;
    return {
      errorCode: GroupErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId,
      members: withMembers ? group.currentMemberMetadata() : [],
    };
  }
}
