import type { ClassicGroup } from './classic-group.js';
import type { GroupContext } from './context.js';
import { GroupErrorCode } from './error-codes.js';
import { GroupMember, type JoinWaiter } from './member.js';
import { joinError, syncError } from './responses.js';
import type { JoinGroupProtocol, JoinGroupRequest } from './types.js';

const EMPTY = Buffer.alloc(0);

/** Timer names: one join and one sync deadline per group, one session deadline per member. */
const joinTimer = (group: ClassicGroup) => `join\u0000${group.groupId}`;
const syncTimer = (group: ClassicGroup) => `sync\u0000${group.groupId}`;
const sessionTimer = (group: ClassicGroup, memberId: string) =>
  `session\u0000${group.groupId}\u0000${memberId}`;
const pendingTimer = (group: ClassicGroup, memberId: string) =>
  `pending\u0000${group.groupId}\u0000${memberId}`;

/**
 * The rebalance protocol of classic groups: entering PreparingRebalance, deciding when the join
 * phase is over, handing out the generation, and the deadlines that drop silent members.
 *
 * Join phase: it ends when every known member has rejoined and no member told MEMBER_ID_REQUIRED
 * is still expected, or when the longest rebalance timeout of the members has passed; dynamic
 * members that did not rejoin by then are removed (static ones stay until their session expires).
 * A group that starts from Empty waits `groupInitialRebalanceDelayMs` instead, extended while new
 * members keep arriving, up to its rebalance timeout, so a fleet starting together does one
 * rebalance rather than one per member.
 *
 * Sync phase: members that do not send SyncGroup within the rebalance timeout after the join
 * phase are removed and the group rebalances again.
 *
 * Sessions: each member has a session deadline, pushed back by heartbeats, commits and answers. A
 * member parked in a join or sync is not expired by it (the phase deadlines cover it), except a
 * new member, which is dropped after `newMemberJoinTimeoutMs` if its first join never completes.
 */
export class Rebalancer {
  constructor(private readonly context: GroupContext) {}

  private isLive(group: ClassicGroup): boolean {
    return this.context.groups.get(group.groupId) === group;
  }

  maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
  }

  prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is('CompletingRebalance'))
      this.resetAndPropagateAssignmentError(group, GroupErrorCode.REBALANCE_IN_PROGRESS);
    this.context.timers.cancel(syncTimer(group));
    const fromEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.context.now());
    this.context.logger.info(
      `group ${group.groupId}: preparing rebalance (generation ${group.generationId}): ${reason}`,
    );
    if (fromEmpty) {
      const delay = this.context.config.groupInitialRebalanceDelayMs;
      group.joinPhase = 'initial';
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs - delay, 0));
    } else {
      this.scheduleJoin(group);
      this.tryCompleteJoin(group);
    }
  }

  private scheduleJoin(group: ClassicGroup): void {
    group.joinPhase = 'normal';
    this.context.timers.set(joinTimer(group), group.rebalanceTimeoutMs, () => this.completeJoin(group));
  }

  private scheduleInitialJoin(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    this.context.timers.set(joinTimer(group), delayMs, () => {
      if (group.newMemberAdded && remainingMs > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.context.config.groupInitialRebalanceDelayMs, remainingMs);
        this.scheduleInitialJoin(group, next, Math.max(remainingMs - delayMs, 0));
      } else {
        this.completeJoin(group);
      }
    });
  }

  /** Ends the join phase early once everyone is in (never during the initial delay). */
  tryCompleteJoin(group: ClassicGroup): void {
    if (!group.is('PreparingRebalance') || group.joinPhase !== 'normal') return;
    if (group.hasAllMembersJoined()) this.completeJoin(group);
  }

  completeJoin(group: ClassicGroup): void {
    this.context.timers.cancel(joinTimer(group));
    group.joinPhase = null;
    if (!this.isLive(group) || !group.is('PreparingRebalance')) return;
    for (const member of group.notYetRejoinedMembers()) {
      if (member.isStatic) continue;
      this.context.logger.info(`group ${group.groupId}: removing ${member.memberId}, which did not rejoin`);
      this.removeMember(group, member);
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that have not rejoined are left: wait another round for them to
      // come back or for their sessions to expire.
      this.scheduleJoin(group);
      return;
    }
    const now = this.context.now();
    group.initNextGeneration(now);
    if (group.is('Empty')) {
      this.context.logger.info(`group ${group.groupId}: empty at generation ${group.generationId}`);
      void this.context.storeGroup(group, new Map());
      return;
    }
    this.context.logger.info(
      `group ${group.groupId}: generation ${group.generationId} with ${group.size} members`,
    );
    for (const member of group.members.values()) {
      const isLeader = group.isLeader(member.memberId);
      member.answerJoin({
        errorCode: GroupErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId ?? '',
        skipAssignment: false,
        memberId: member.memberId,
        members: isLeader ? group.currentMemberMetadata() : [],
      });
      this.scheduleSession(group, member);
      member.isNew = false;
      group.pendingSyncMembers.add(member.memberId);
    }
    this.schedulePendingSync(group);
  }

  private schedulePendingSync(group: ClassicGroup): void {
    const generationId = group.generationId;
    this.context.timers.set(syncTimer(group), group.rebalanceTimeoutMs, () => {
      if (!this.isLive(group) || group.generationId !== generationId) return;
      if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
      if (group.pendingSyncMembers.size === 0) return;
      const missing = [...group.pendingSyncMembers];
      this.context.logger.info(`group ${group.groupId}: removing ${missing.join(', ')}, which did not sync`);
      for (const memberId of missing) {
        const member = group.members.get(memberId);
        if (member) this.removeMember(group, member);
      }
      this.prepareRebalance(group, `members ${missing.join(', ')} did not send SyncGroup`);
    });
  }

  removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) this.context.timers.cancel(syncTimer(group));
  }

  /** Pushes a member's session deadline back (a heartbeat, a commit, an answer). */
  scheduleSession(group: ClassicGroup, member: GroupMember, timeoutMs = member.sessionTimeoutMs): void {
    member.heartbeatSatisfied = false;
    this.context.timers.set(sessionTimer(group, member.memberId), timeoutMs, () => {
      if (!this.isLive(group) || group.members.get(member.memberId) !== member) return;
      if (member.hasSatisfiedHeartbeat()) return;
      this.context.logger.info(`group ${group.groupId}: session of ${member.memberId} expired`);
      this.removeMemberAndUpdateGroup(group, member, `session of ${member.memberId} expired`);
    });
  }

  cancelSession(group: ClassicGroup, memberId: string): void {
    this.context.timers.cancel(sessionTimer(group, memberId));
  }

  schedulePendingMember(group: ClassicGroup, memberId: string, timeoutMs: number): void {
    this.context.timers.set(pendingTimer(group, memberId), timeoutMs, () => {
      if (!this.isLive(group) || !group.pendingMembers.has(memberId)) return;
      this.removePendingMemberAndUpdateGroup(group, memberId);
    });
  }

  removePendingMemberAndUpdateGroup(group: ClassicGroup, memberId: string): void {
    group.pendingMembers.delete(memberId);
    this.context.timers.cancel(pendingTimer(group, memberId));
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
  }

  /** Removes a member, answering whatever it waits for so no request hangs. */
  private removeMember(group: ClassicGroup, member: GroupMember): void {
    member.answerJoin(joinError('', GroupErrorCode.UNKNOWN_MEMBER_ID));
    member.answerSync(syncError(GroupErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    this.cancelSession(group, member.memberId);
  }

  removeMemberAndUpdateGroup(group: ClassicGroup, member: GroupMember, reason: string): void {
    this.removeMember(group, member);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, reason);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin(group);
        break;
      default:
        break;
    }
  }

  addMemberAndRebalance(
    group: ClassicGroup,
    request: JoinGroupRequest,
    memberId: string,
    groupInstanceId: string | null,
    waiter: JoinWaiter,
  ): GroupMember {
    const member = new GroupMember(
      memberId,
      groupInstanceId,
      request.clientId,
      request.clientHost,
      request.rebalanceTimeoutMs,
      request.sessionTimeoutMs,
      request.protocolType,
      copyProtocols(request.protocols),
    );
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, waiter);
    this.context.timers.cancel(pendingTimer(group, memberId));
    this.scheduleSession(group, member, this.context.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalance(
      group,
      `member ${memberId} joined${request.reason ? `: ${request.reason}` : ''}`,
    );
    return member;
  }

  /**
   * Replaces a member's protocols and timeouts and parks (or unparks, with a null waiter) its
   * JoinGroup. A join that was already parked is answered REBALANCE_IN_PROGRESS: its client gave
   * up on it when it sent the new one.
   */
  updateMember(
    member: GroupMember,
    protocols: readonly JoinGroupProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    waiter: JoinWaiter | null,
  ): void {
    member.protocols = copyProtocols(protocols);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (member.joinWaiter !== waiter)
      member.answerJoin(joinError(member.memberId, GroupErrorCode.REBALANCE_IN_PROGRESS));
    member.joinWaiter = waiter;
  }

  updateMemberAndRebalance(
    group: ClassicGroup,
    member: GroupMember,
    request: JoinGroupRequest,
    waiter: JoinWaiter,
    reason: string,
  ): void {
    this.updateMember(
      member,
      request.protocols,
      request.rebalanceTimeoutMs,
      request.sessionTimeoutMs,
      waiter,
    );
    this.maybePrepareRebalance(group, reason);
  }

  /** A failed or abandoned sync phase: every member's assignment is dropped and reported. */
  resetAndPropagateAssignmentError(group: ClassicGroup, errorCode: number): void {
    for (const member of group.members.values()) member.assignment = EMPTY;
    this.propagateAssignment(group, errorCode);
  }

  /** Answers the parked SyncGroups; their sessions restart from now. */
  propagateAssignment(group: ClassicGroup, errorCode: number): void {
    const ok = errorCode === GroupErrorCode.NONE;
    for (const member of group.members.values()) {
      const answered = member.answerSync({
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: member.assignment,
      });
      if (answered) this.scheduleSession(group, member);
    }
  }

  /** Forgets a group's deadlines (it was deleted or unloaded). */
  cancelGroupTimers(group: ClassicGroup): void {
    const timers = this.context.timers;
    timers.cancel(joinTimer(group));
    timers.cancel(syncTimer(group));
    for (const memberId of group.members.keys()) timers.cancel(sessionTimer(group, memberId));
    for (const memberId of group.pendingMembers) timers.cancel(pendingTimer(group, memberId));
  }
}

function copyProtocols(protocols: readonly JoinGroupProtocol[]): JoinGroupProtocol[] {
  return protocols.map((protocol) => ({ name: protocol.name, metadata: Buffer.from(protocol.metadata) }));
}
