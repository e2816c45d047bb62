import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ConsumerGroupView } from '../group/consumer-groups.js';
import { type Assignment, EMPTY_ASSIGNMENT, partitionsOf } from './assignment.js';
import type { ConsumerGroupMember } from './member.js';
import type { MemberProgress } from './reconcile.js';

/** Kafka's consumer group states (ConsumerGroupDescribe, ListGroups). */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

/**
 * One KIP-848 consumer group: its members, the group epoch (bumped by every change of membership,
 * subscriptions or subscribed topic metadata), the target assignment and its epoch, and who owns
 * each partition right now. Pure bookkeeping; the protocol lives in ConsumerGroupCoordinator.
 */
export class ConsumerGroup implements ConsumerGroupView {
  groupEpoch = 0;
  assignmentEpoch = 0;
  dead = false;
  /** The assignor the last target assignment was computed with. */
  assignorName: string;
  readonly members = new Map<string, ConsumerGroupMember>();
  readonly targetAssignment = new Map<string, Assignment>();
  /** The subscribed topics (name, id, partition count) the last target was computed from. */
  subscriptionSignature = '';
  private readonly staticMembers = new Map<string, string>();
  /** topic id -> partition -> member id that owns it (assigned or pending revocation). */
  private readonly owners = new Map<string, Map<number, string>>();

  constructor(
    readonly groupId: string,
    defaultAssignor: string,
  ) {
    this.assignorName = defaultAssignor;
  }

  get state(): ConsumerGroupState {
    if (this.dead) return 'Dead';
    if (this.members.size === 0) return 'Empty';
    if (this.assignmentEpoch < this.groupEpoch) return 'Assigning';
    for (const member of this.members.values()) {
      if (member.memberEpoch !== this.assignmentEpoch || member.state !== 'stable') return 'Reconciling';
    }
    return 'Stable';
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  get stateName(): string {
    return this.state;
  }

  /**
   * OffsetCommit from a member must carry its current epoch (STALE_MEMBER_EPOCH otherwise); a
   * commit without member (epoch -1) is accepted only while the group is empty.
   */
  validateOffsetCommit(memberId: string, memberEpoch: number): number | null {
    if (memberEpoch < 0 && this.members.size === 0) return null;
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === member.memberEpoch ? null : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** OffsetFetch v9: admin clients send no member id and epoch -1; members their current epoch. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number | null {
    if (memberId === null && memberEpoch < 0) return null;
    const member = this.members.get(memberId ?? '');
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === member.memberEpoch ? null : ErrorCode.STALE_MEMBER_EPOCH;
  }

  targetOf(memberId: string): Assignment {
    return this.targetAssignment.get(memberId) ?? EMPTY_ASSIGNMENT;
  }

  ownerOf(topicId: string, partition: number): string | undefined {
    return this.owners.get(topicId)?.get(partition);
  }

  staticMemberId(instanceId: string | null): string | undefined {
    return instanceId === null ? undefined : this.staticMembers.get(instanceId);
  }

  add(member: ConsumerGroupMember): void {
    this.members.set(member.memberId, member);
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId);
    this.claim(member);
  }

  remove(member: ConsumerGroupMember): void {
    if (this.members.get(member.memberId) !== member) return;
    this.release(member);
    this.members.delete(member.memberId);
    this.targetAssignment.delete(member.memberId);
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === member.memberId) {
      this.staticMembers.delete(member.instanceId);
    }
  }

  /** Applies a reconciliation step, moving partition ownership with it. */
  apply(member: ConsumerGroupMember, progress: MemberProgress): void {
    this.release(member);
    member.memberEpoch = progress.memberEpoch;
    member.previousMemberEpoch = progress.previousMemberEpoch;
    member.state = progress.state;
    member.assigned = progress.assigned;
    member.pendingRevocation = progress.pendingRevocation;
    this.claim(member);
  }

  /** Drops what a member owns (it rejoined from scratch): its partitions are free for others. */
  resetOwnership(member: ConsumerGroupMember): void {
    this.release(member);
    member.assigned = EMPTY_ASSIGNMENT;
    member.pendingRevocation = EMPTY_ASSIGNMENT;
    member.state = 'stable';
  }

  private claim(member: ConsumerGroupMember): void {
    for (const source of [member.assigned, member.pendingRevocation]) {
      for (const [topicId, partition] of partitionsOf(source)) {
        let partitions = this.owners.get(topicId);
        if (!partitions) this.owners.set(topicId, (partitions = new Map()));
        partitions.set(partition, member.memberId);
      }
    }
  }

  private release(member: ConsumerGroupMember): void {
    for (const source of [member.assigned, member.pendingRevocation]) {
      for (const [topicId, partition] of partitionsOf(source)) {
        const partitions = this.owners.get(topicId);
        if (partitions?.get(partition) === member.memberId) partitions.delete(partition);
        if (partitions?.size === 0) this.owners.delete(topicId);
      }
    }
  }

  isSubscribedToTopic(topic: string): boolean {
    for (const member of this.members.values()) if (member.subscribesTo(topic)) return true;
    return false;
  }
}
