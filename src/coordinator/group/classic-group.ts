import { GroupOffsets } from '../offsets/group-offsets.js';
import { CONSUMER_PROTOCOL_TYPE, parseSubscriptionTopics } from './consumer-protocol.js';
import type { GroupMember, JoinWaiter } from './member.js';
import type { GroupState, JoinGroupMember, JoinGroupProtocol } from './types.js';

const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

/**
 * The state of one classic group: its members, the generation they agreed on, and its committed
 * offsets. Pure bookkeeping: the rebalance protocol (timers, answers) lives in `Rebalancer`.
 *
 * Members are kept in join order, which decides the new leader when the leader goes and breaks
 * ties in the protocol vote, so both are deterministic.
 */
export class ClassicGroup {
  state: GroupState = 'Empty';
  /** When the group entered its current state; null for groups loaded from old records. */
  stateTimestamp: number | null;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  readonly members = new Map<string, GroupMember>();
  /** Members told MEMBER_ID_REQUIRED and expected back with that id. */
  readonly pendingMembers = new Set<string>();
  /** Members given the new generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** A member joined during the initial delay, so the delay is extended. */
  newMemberAdded = false;
  /**
   * How the rebalance in progress ends: 'initial' waits out the initial delay even when everyone
   * has joined; 'normal' ends as soon as every member has rejoined, or at the rebalance timeout.
   */
  joinPhase: 'initial' | 'normal' | null = null;
  /** Topics the members subscribe to (consumer groups); null when unknown. */
  subscribedTopics: ReadonlySet<string> | null = null;
  readonly offsets = new GroupOffsets();
  private readonly staticMembers = new Map<string, string>();

  constructor(
    readonly groupId: string,
    now: number,
  ) {
    this.stateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition from ${this.state} to ${state}`);
    }
    this.state = state;
    this.stateTimestamp = now;
  }

  /** Sets the state of a group rebuilt from storage, bypassing the transition rules. */
  restoreState(state: GroupState, timestamp: number | null): void {
    this.state = state;
    this.stateTimestamp = timestamp;
  }

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): GroupMember {
    const member = this.members.get(memberId);
    if (!member) throw new Error(`group ${this.groupId} has no member ${memberId}`);
    return member;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  get isConsumerGroup(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  add(member: GroupMember, waiter: JoinWaiter | null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`group ${this.groupId}: instance ${member.groupInstanceId} is already a member`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    member.joinWaiter = waiter;
    this.pendingMembers.delete(member.memberId);
  }

  /** Removes a member from every index; its waiters are the caller's business. */
  remove(memberId: string): GroupMember | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    this.pendingSyncMembers.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  staticMemberId(groupInstanceId: string | null | undefined): string | undefined {
    return groupInstanceId == null ? undefined : this.staticMembers.get(groupInstanceId);
  }

  hasStaticMember(groupInstanceId: string): boolean {
    return this.staticMembers.has(groupInstanceId);
  }

  /** A request carries an instance id now owned by a different member id. */
  isStaticMemberFenced(groupInstanceId: string | null | undefined, memberId: string): boolean {
    const current = this.staticMemberId(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  /**
   * Moves a static member to a new member id (the instance restarted and joined without its old
   * id). The caller fences whatever the old id was waiting for.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const member = this.get(oldMemberId);
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    this.staticMembers.set(groupInstanceId, newMemberId);
    return member;
  }

  get numAwaitingJoin(): number {
    let count = 0;
    for (const member of this.members.values()) if (member.isAwaitingJoin) count++;
    return count;
  }

  hasAllMembersJoined(): boolean {
    return this.numAwaitingJoin === this.members.size && this.pendingMembers.size === 0;
  }

  notYetRejoinedMembers(): GroupMember[] {
    return [...this.members.values()].filter((member) => !member.isAwaitingJoin);
  }

  /** The longest rebalance timeout any member asked for: how long a rebalance may wait. */
  get rebalanceTimeoutMs(): number {
    let timeout = 0;
    for (const member of this.members.values()) timeout = Math.max(timeout, member.rebalanceTimeoutMs);
    return timeout;
  }

  canRebalance(): boolean {
    return this.state === 'Stable' || this.state === 'CompletingRebalance' || this.state === 'Empty';
  }

  /**
   * Whether a member with this protocol type and these protocols may join: an empty group takes
   * any non-empty offer; otherwise the type must match and one protocol must be supported by all.
   */
  supportsProtocols(protocolType: string, protocols: readonly JoinGroupProtocol[]): boolean {
    if (this.is('Empty')) return protocolType.length > 0 && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    return protocols.some((protocol) => this.everyMemberSupports(protocol.name));
  }

  private everyMemberSupports(protocolName: string): boolean {
    for (const member of this.members.values()) if (!member.supports(protocolName)) return false;
    return true;
  }

  candidateProtocols(): Set<string> {
    const first = this.members.values().next().value;
    const candidates = new Set<string>();
    if (!first) return candidates;
    for (const protocol of first.protocols) {
      if (this.everyMemberSupports(protocol.name)) candidates.add(protocol.name);
    }
    return candidates;
  }

  /**
   * Each member votes for its most preferred protocol among those every member supports; the
   * most votes wins, a tie going to the protocol that got its first vote earliest in join order.
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    if (candidates.size === 0) throw new Error(`group ${this.groupId} has no protocol common to all members`);
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let winner = '';
    let best = -1;
    for (const [name, count] of votes) {
      if (count > best) {
        winner = name;
        best = count;
      }
    }
    return winner;
  }

  /**
   * If the leader has not rejoined, hands leadership to a member that has. Returns false when no
   * member rejoined (or there is no leader), in which case the rebalance cannot complete.
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    for (const member of this.members.values()) {
      if (member.isAwaitingJoin) {
        this.leaderId = member.memberId;
        return true;
      }
    }
    return false;
  }

  initNextGeneration(now: number): void {
    this.generationId += 1;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', now);
    }
    this.pendingSyncMembers.clear();
  }

  /** The union of the consumers' subscriptions, or null if any cannot be read. */
  computeSubscribedTopics(): Set<string> | null {
    if (!this.isConsumerGroup) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const member of this.members.values()) {
      if (!member.supports(this.protocolName)) return null;
      const parsed = parseSubscriptionTopics(member.metadataFor(this.protocolName));
      if (parsed === null) return null;
      for (const topic of parsed) topics.add(topic);
    }
    return topics;
  }

  /** Unknown subscriptions count as subscribed, so offsets are never deleted on a guess. */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  /** What the leader receives in its JoinGroup response. */
  currentMemberMetadata(): JoinGroupMember[] {
    const protocolName = this.protocolName;
    if (protocolName === null) return [];
    return [...this.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      metadata: member.metadataFor(protocolName),
    }));
  }
}
