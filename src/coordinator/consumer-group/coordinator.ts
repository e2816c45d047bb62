import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { type Scheduler, systemScheduler, TimerSet } from '../clock.js';
import type { ConsumerGroupRegistry } from '../group/consumer-groups.js';
import { storageErrorCode } from '../group/error-codes.js';
import type { CoordinatorRecord, GroupStorage } from '../offsets/group-storage.js';
import {
  type Assignment,
  assignmentEquals,
  assignmentOf,
  hasPartition,
  partitionsOf,
  toTopicPartitions,
} from './assignment.js';
import { type AssignmentMemberSpec, SERVER_ASSIGNORS, type ServerAssignor } from './assignors.js';
import { type ConsumerGroupConfig, DEFAULT_CONSUMER_GROUP_CONFIG } from './config.js';
import { ConsumerGroup } from './consumer-group.js';
import { ConsumerGroupMember, LEAVE_GROUP_EPOCH, LEAVE_STATIC_EPOCH } from './member.js';
import { ConsumerGroupPersistence, ConsumerGroupReplay } from './persistence.js';
import { reconcile } from './reconcile.js';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DescribedConsumerGroup,
  DescribedTopicPartitions,
  TopicsView,
} from './types.js';

/** What this coordinator needs of the classic one, which owns request checks and offsets. */
export interface ClassicGroupsAccess {
  /** Kafka's pre-checks (group id, coordinator running and loaded, owner of the group): null if all pass. */
  validateGroupRequest(groupId: string, allowEmptyId: boolean): number | null;
  /** Whether a classic group with this id has members (or is rebalancing). */
  hasClassicMembers(groupId: string): boolean;
  attachConsumerGroups(registry: ConsumerGroupRegistry): void;
}

export interface ConsumerGroupCoordinatorOptions {
  classic: ClassicGroupsAccess;
  topics: () => TopicsView;
  config?: Partial<ConsumerGroupConfig>;
  scheduler?: Scheduler;
  logger?: { info(message: string): void; warn(message: string): void };
  /**
   * Where groups are kept durable (the classic coordinator's `__consumer_offsets` storage);
   * without it they live in memory only. Loading is driven by the classic coordinator's replay
   * through `replayRecord` and `loadCompleted`.
   */
  storage?: GroupStorage;
}

/**
 * The KIP-848 consumer group protocol: ConsumerGroupHeartbeat and ConsumerGroupDescribe, with
 * server-side assignors. Every heartbeat may move the group forward: a changed membership,
 * subscription or subscribed topic bumps the group epoch; a group epoch ahead of the assignment
 * epoch computes a new target assignment; then the heartbeating member is reconciled toward its
 * target (see reconcile.ts), and answered with its epoch and, when it changed, its assignment.
 *
 * Every change is written to GroupStorage in Kafka's record formats (persistence.ts, records.ts),
 * and `heartbeatDurably` answers once it is durable; a restarted coordinator replays the records,
 * so members keep their ids, epochs and assignments and their sessions start again.
 * Committed offsets are the classic coordinator's (durable in __consumer_offsets); it asks this
 * coordinator, through ConsumerGroupRegistry, to check the member ids and epochs of commits.
 */
export class ConsumerGroupCoordinator implements ConsumerGroupRegistry {
  readonly config: Readonly<ConsumerGroupConfig>;
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly timers: TimerSet;
  private readonly assignors = new Map<string, ServerAssignor>();
  private readonly classic: ClassicGroupsAccess;
  private readonly topics: () => TopicsView;
  private readonly persistence: ConsumerGroupPersistence;
  private readonly logger: ConsumerGroupCoordinatorOptions['logger'];
  private replay: ConsumerGroupReplay | undefined;

  constructor(options: ConsumerGroupCoordinatorOptions) {
    this.config = { ...DEFAULT_CONSUMER_GROUP_CONFIG, ...options.config };
    for (const name of this.config.assignors) {
      const create = SERVER_ASSIGNORS[name];
      if (!create) throw new RangeError(`unknown consumer group assignor ${name}`);
      this.assignors.set(name, create());
    }
    if (this.assignors.size === 0) throw new RangeError('at least one consumer group assignor is needed');
    this.classic = options.classic;
    this.topics = options.topics;
    this.timers = new TimerSet(options.scheduler ?? systemScheduler);
    this.logger = options.logger;
    this.persistence = new ConsumerGroupPersistence({
      storage: options.storage,
      errorCode: (error) => storageErrorCode(error, false),
      onWriteError: (groupId, error) =>
        this.logger?.warn(`writing consumer group ${groupId} to __consumer_offsets failed: ${String(error)}`),
    });
    this.classic.attachConsumerGroups(this);
  }

  private get defaultAssignor(): string {
    return this.config.assignors[0]!;
  }

  /** Timers armed (sessions, revocation deadlines): 0 after close. */
  get activeTimers(): number {
    return this.timers.size;
  }

  close(): void {
    this.timers.clear();
    this.groups.clear();
    this.persistence.clear();
    this.replay = undefined;
  }

  /** Resolves once every write issued so far has finished. */
  drain(): Promise<void> {
    return this.persistence.drain();
  }

  // Loading, driven by the classic coordinator's replay of __consumer_offsets.

  /** Takes one consumer group record (key types 3-8) in log order; a malformed one is skipped. */
  replayRecord(record: CoordinatorRecord): void {
    this.replay ??= new ConsumerGroupReplay();
    try {
      this.replay.apply(record);
    } catch (error) {
      this.logger?.warn(`skipping a malformed consumer group record in __consumer_offsets: ${String(error)}`);
    }
  }

  /**
   * Installs the replayed groups: members keep their ids, epochs and assignments, their sessions
   * start now, and members that were revoking get their rebalance timeout again.
   */
  loadCompleted(): void {
    const replay = this.replay;
    this.replay = undefined;
    if (replay === undefined) return;
    const view = this.topics();
    for (const group of replay.restore(this.defaultAssignor)) {
      group.assignorName = this.chooseAssignor(group);
      group.subscriptionSignature = subscriptionSignature(group, view);
      this.groups.set(group.groupId, group);
      this.persistence.loaded(group);
      for (const member of group.members.values()) {
        this.scheduleSession(group, member);
        if (member.state === 'unrevoked_partitions') this.scheduleRevocationDeadline(group, member);
      }
    }
  }

  // ConsumerGroupRegistry, for the classic coordinator.

  get(groupId: string): ConsumerGroup | undefined {
    return this.groups.get(groupId);
  }

  list(): ConsumerGroup[] {
    return [...this.groups.values()];
  }

  remove(groupId: string): void {
    const group = this.groups.get(groupId);
    if (!group || !group.isEmpty) return;
    group.dead = true;
    this.groups.delete(groupId);
    void this.persistence.persist(group, true);
  }

  /** As `heartbeat`, answered once the changes it made are durable (or with the write's error). */
  async heartbeatDurably(request: ConsumerGroupHeartbeatRequest): Promise<ConsumerGroupHeartbeatResponse> {
    const { response, written } = this.handleHeartbeat(request);
    const errorCode = await written;
    return errorCode === ErrorCode.NONE ? response : failure(errorCode, null);
  }

  /** Applies a heartbeat; its changes are being written when this returns (see heartbeatDurably). */
  heartbeat(request: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
    return this.handleHeartbeat(request).response;
  }

  private handleHeartbeat(request: ConsumerGroupHeartbeatRequest): {
    response: ConsumerGroupHeartbeatResponse;
    written: Promise<number>;
  } {
    const response = this.applyHeartbeat(request);
    const group = this.groups.get(request.groupId);
    return { response, written: group ? this.persistence.persist(group) : Promise.resolve(ErrorCode.NONE) };
  }

  private applyHeartbeat(request: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
    const invalid = requestProblem(request);
    if (invalid !== null) return failure(ErrorCode.INVALID_REQUEST, invalid);
    const unavailable = this.classic.validateGroupRequest(request.groupId, false);
    if (unavailable !== null) return failure(unavailable, null);
    if (request.serverAssignor !== null && !this.assignors.has(request.serverAssignor)) {
      return failure(
        ErrorCode.UNSUPPORTED_ASSIGNOR,
        `ServerAssignor ${request.serverAssignor} is not supported.`,
      );
    }
    let pattern: RegExp | null | undefined;
    if (request.subscribedTopicRegex !== null && request.subscribedTopicRegex !== '') {
      try {
        pattern = new RegExp(`^(?:${request.subscribedTopicRegex})$`, 'u');
      } catch {
        return failure(
          ErrorCode.INVALID_REQUEST,
          `SubscribedTopicRegex ${request.subscribedTopicRegex} is invalid.`,
        );
      }
    } else if (request.subscribedTopicRegex === '') pattern = null;
    if (request.memberEpoch === LEAVE_GROUP_EPOCH || request.memberEpoch === LEAVE_STATIC_EPOCH) {
      return this.leave(request);
    }
    if (this.classic.hasClassicMembers(request.groupId)) {
      return failure(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${request.groupId} is not a consumer group.`);
    }
    let group = this.groups.get(request.groupId);
    if (!group) {
      if (request.memberEpoch !== 0) {
        return failure(
          ErrorCode.UNKNOWN_MEMBER_ID,
          `Member ${request.memberId} is not a member of group ${request.groupId}.`,
        );
      }
      group = new ConsumerGroup(request.groupId, this.defaultAssignor);
    }
    const found = request.memberEpoch === 0 ? this.joining(group, request) : this.existing(group, request);
    if ('errorCode' in found) return found;
    const { member, isNew } = found;
    let bump = isNew;
    if (request.rackId !== null) member.rackId = request.rackId;
    if (request.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.clientId = request.clientId;
    member.clientHost = request.clientHost;
    if (
      request.subscribedTopicNames !== null &&
      !sameNames(request.subscribedTopicNames, member.subscribedTopicNames)
    ) {
      member.subscribedTopicNames = [...request.subscribedTopicNames];
      bump = true;
    }
    if (
      pattern !== undefined &&
      (pattern === null ? null : request.subscribedTopicRegex) !== member.subscribedTopicRegex
    ) {
      member.subscribedTopicRegex = pattern === null ? null : request.subscribedTopicRegex;
      member.subscribedPattern = pattern;
      bump = true;
    }
    if (request.serverAssignor !== null && request.serverAssignor !== member.serverAssignor) {
      member.serverAssignor = request.serverAssignor;
      bump = true;
    }
    if (isNew) {
      group.add(member);
      this.groups.set(group.groupId, group);
    }
    if (bump) group.groupEpoch += 1;
    this.refreshTarget(group);

    const owned =
      request.topicPartitions === null
        ? null
        : assignmentOf(request.topicPartitions.map((tp) => [tp.topicId, tp.partitions]));
    const before = member.assigned;
    const wasRevoking = member.state === 'unrevoked_partitions';
    const progress = reconcile(
      member,
      group.assignmentEpoch,
      group.targetOf(member.memberId),
      owned,
      (topicId, partition) => group.ownerOf(topicId, partition),
    );
    group.apply(member, progress);
    this.scheduleSession(group, member);
    if (member.state !== 'unrevoked_partitions') this.timers.cancel(revocationTimer(group, member));
    else if (!wasRevoking) this.scheduleRevocationDeadline(group, member);

    const fullRequest =
      request.memberEpoch === 0 ||
      (request.rebalanceTimeoutMs !== -1 &&
        request.subscribedTopicNames !== null &&
        request.topicPartitions !== null);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      assignment:
        fullRequest || !assignmentEquals(before, member.assigned) ? toTopicPartitions(member.assigned) : null,
    };
  }

  /** Epoch 0: a new member, a member rejoining from scratch, or a static member coming back. */
  private joining(
    group: ConsumerGroup,
    request: ConsumerGroupHeartbeatRequest,
  ): { member: ConsumerGroupMember; isNew: boolean } | ConsumerGroupHeartbeatResponse {
    const staticId = group.staticMemberId(request.instanceId);
    if (staticId !== undefined && staticId !== request.memberId) {
      const previous = group.members.get(staticId)!;
      if (previous.memberEpoch !== LEAVE_STATIC_EPOCH) {
        return failure(
          ErrorCode.UNRELEASED_INSTANCE_ID,
          `Static member ${request.instanceId} is still in use by member ${staticId}.`,
        );
      }
      // The instance is back under a new member id: it takes over the assignment and epoch.
      const member = new ConsumerGroupMember(request.memberId !== '' ? request.memberId : randomUUID());
      copyMember(previous, member);
      const target = group.targetOf(previous.memberId);
      this.cancelMemberTimers(group, previous);
      group.remove(previous);
      group.add(member);
      group.targetAssignment.set(member.memberId, target);
      return { member, isNew: false };
    }
    const existing = request.memberId !== '' ? group.members.get(request.memberId) : undefined;
    if (existing) {
      // Rejoining from scratch: it owns nothing now, whatever it had is free again.
      group.resetOwnership(existing);
      existing.memberEpoch = 0;
      existing.previousMemberEpoch = -1;
      return { member: existing, isNew: false };
    }
    if (group.members.size >= this.config.maxSize) {
      return failure(
        ErrorCode.GROUP_MAX_SIZE_REACHED,
        `The consumer group has reached its maximum capacity of ${this.config.maxSize} members.`,
      );
    }
    const member = new ConsumerGroupMember(request.memberId !== '' ? request.memberId : randomUUID());
    member.instanceId = request.instanceId;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    return { member, isNew: true };
  }

  /** A heartbeat of a known member: fenced when its epoch is neither current nor the just-previous one. */
  private existing(
    group: ConsumerGroup,
    request: ConsumerGroupHeartbeatRequest,
  ): { member: ConsumerGroupMember; isNew: boolean } | ConsumerGroupHeartbeatResponse {
    const member = group.members.get(request.memberId);
    if (!member) {
      return failure(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${request.memberId} is not a member of group ${group.groupId}.`,
      );
    }
    if (request.instanceId !== null && group.staticMemberId(request.instanceId) !== member.memberId) {
      return failure(
        ErrorCode.FENCED_INSTANCE_ID,
        `Static member ${request.instanceId} is now another member.`,
      );
    }
    if (request.memberEpoch > member.memberEpoch) {
      return failure(
        ErrorCode.FENCED_MEMBER_EPOCH,
        `Member epoch ${request.memberEpoch} is ahead of ${member.memberEpoch}.`,
      );
    }
    if (request.memberEpoch < member.memberEpoch) {
      // The answer that moved the member to its current epoch may have been lost: the previous
      // epoch is accepted if the member owns no more than it is assigned now.
      const owned = request.topicPartitions;
      const ownsSubset =
        owned !== null &&
        owned.every((tp) =>
          tp.partitions.every((partition) => hasPartition(member.assigned, tp.topicId, partition)),
        );
      if (request.memberEpoch !== member.previousMemberEpoch || !ownsSubset) {
        return failure(
          ErrorCode.FENCED_MEMBER_EPOCH,
          `Member epoch ${request.memberEpoch} is stale (now ${member.memberEpoch}).`,
        );
      }
    }
    return { member, isNew: false };
  }

  private leave(request: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
    const group = this.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (!group || !member) {
      return failure(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${request.memberId} is not a member of group ${request.groupId}.`,
      );
    }
    if (request.memberEpoch === LEAVE_STATIC_EPOCH) {
      // Keeps its partitions until it comes back or its session ends.
      if (member.memberEpoch !== LEAVE_STATIC_EPOCH) member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = LEAVE_STATIC_EPOCH;
      this.timers.cancel(revocationTimer(group, member));
      return { ...failure(ErrorCode.NONE, null), memberId: member.memberId, memberEpoch: LEAVE_STATIC_EPOCH };
    }
    this.removeMember(group, member);
    return { ...failure(ErrorCode.NONE, null), memberId: member.memberId, memberEpoch: LEAVE_GROUP_EPOCH };
  }

  private removeMember(group: ConsumerGroup, member: ConsumerGroupMember): void {
    this.cancelMemberTimers(group, member);
    group.remove(member);
    group.groupEpoch += 1;
    this.refreshTarget(group);
  }

  private cancelMemberTimers(group: ConsumerGroup, member: ConsumerGroupMember): void {
    this.timers.cancel(sessionTimer(group, member));
    this.timers.cancel(revocationTimer(group, member));
  }

  private scheduleSession(group: ConsumerGroup, member: ConsumerGroupMember): void {
    this.timers.set(sessionTimer(group, member), this.config.sessionTimeoutMs, () => {
      if (group.members.get(member.memberId) !== member) return;
      this.removeMember(group, member);
      void this.persistence.persist(group);
    });
  }

  /** A member that does not give back its revoked partitions in time is removed. */
  private scheduleRevocationDeadline(group: ConsumerGroup, member: ConsumerGroupMember): void {
    const epoch = member.memberEpoch;
    this.timers.set(revocationTimer(group, member), member.rebalanceTimeoutMs, () => {
      if (group.members.get(member.memberId) !== member) return;
      if (member.state !== 'unrevoked_partitions' || member.memberEpoch !== epoch) return;
      this.removeMember(group, member);
      void this.persistence.persist(group);
    });
  }

  /** Topic metadata changed: groups whose subscribed topics changed get a new target assignment. */
  onMetadataChange(): void {
    for (const group of this.groups.values()) {
      if (group.isEmpty) continue;
      this.refreshTarget(group);
      void this.persistence.persist(group);
    }
  }

  /**
   * Bumps the group epoch when the subscribed topics' metadata changed, and computes a new target
   * assignment when the group epoch is ahead of the assignment epoch.
   */
  private refreshTarget(group: ConsumerGroup): void {
    const view = this.topics();
    const signature = subscriptionSignature(group, view);
    if (signature !== group.subscriptionSignature) {
      group.subscriptionSignature = signature;
      if (group.groupEpoch === group.assignmentEpoch) group.groupEpoch += 1;
    }
    if (group.groupEpoch <= group.assignmentEpoch) return;
    const partitionCounts = new Map<string, number>();
    const members = new Map<string, AssignmentMemberSpec>();
    for (const member of group.members.values()) {
      const subscribed = new Set<string>();
      for (const name of subscribedTopics(member, view)) {
        const topic = view.topic(name);
        if (!topic) continue;
        subscribed.add(topic.topicId);
        partitionCounts.set(topic.topicId, topic.partitionCount);
      }
      members.set(member.memberId, {
        subscribedTopicIds: subscribed,
        currentAssignment: group.targetOf(member.memberId),
        instanceId: member.instanceId,
        rackId: member.rackId,
      });
    }
    const assignorName = this.chooseAssignor(group);
    const target = this.assignors.get(assignorName)!.assign({ members, partitionCounts });
    group.targetAssignment.clear();
    for (const [memberId, assignment] of target) group.targetAssignment.set(memberId, assignment);
    group.assignorName = assignorName;
    group.assignmentEpoch = group.groupEpoch;
  }

  /** The assignor most members ask for (ties: the configured order), else the default. */
  private chooseAssignor(group: ConsumerGroup): string {
    const votes = new Map<string, number>();
    for (const member of group.members.values()) {
      if (member.serverAssignor !== null)
        votes.set(member.serverAssignor, (votes.get(member.serverAssignor) ?? 0) + 1);
    }
    let chosen = this.defaultAssignor;
    let best = 0;
    for (const name of this.config.assignors) {
      const count = votes.get(name) ?? 0;
      if (count > best) {
        chosen = name;
        best = count;
      }
    }
    return chosen;
  }

  describe(groupIds: readonly string[]): DescribedConsumerGroup[] {
    const view = this.topics();
    const describe = (assignment: Assignment): DescribedTopicPartitions[] =>
      toTopicPartitions(assignment).map((tp) => ({ ...tp, topicName: view.topicName(tp.topicId) ?? '' }));
    return groupIds.map((groupId) => {
      const unavailable = this.classic.validateGroupRequest(groupId, false);
      if (unavailable !== null) return deadGroup(groupId, unavailable, null);
      const group = this.groups.get(groupId);
      if (!group) {
        const message = this.classic.hasClassicMembers(groupId)
          ? `Group ${groupId} is not a consumer group.`
          : `Group ${groupId} not found.`;
        return deadGroup(groupId, ErrorCode.GROUP_ID_NOT_FOUND, message);
      }
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        groupId,
        groupState: group.state,
        groupEpoch: group.groupEpoch,
        assignmentEpoch: group.assignmentEpoch,
        assignorName: group.assignorName,
        members: [...group.members.values()].map((member) => ({
          memberId: member.memberId,
          instanceId: member.instanceId,
          rackId: member.rackId,
          memberEpoch: member.memberEpoch,
          clientId: member.clientId,
          clientHost: member.clientHost,
          subscribedTopicNames: [...member.subscribedTopicNames],
          subscribedTopicRegex: member.subscribedTopicRegex,
          assignment: describe(member.assigned),
          targetAssignment: describe(group.targetOf(member.memberId)),
        })),
      };
    });
  }
}

function failure(errorCode: number, errorMessage: string | null): ConsumerGroupHeartbeatResponse {
  return {
    errorCode,
    errorMessage,
    memberId: null,
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

function deadGroup(groupId: string, errorCode: number, errorMessage: string | null): DescribedConsumerGroup {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: 'Dead',
    groupEpoch: -1,
    assignmentEpoch: -1,
    assignorName: '',
    members: [],
  };
}

/** Kafka's checks of a heartbeat's fields; returns the INVALID_REQUEST message, or null. */
function requestProblem(request: ConsumerGroupHeartbeatRequest): string | null {
  if (request.groupId === '') return "GroupId can't be empty.";
  if (request.instanceId === '') return "InstanceId can't be empty.";
  if (request.rackId === '') return "RackId can't be empty.";
  if (request.memberId === '' && (request.apiVersion >= 1 || request.memberEpoch !== 0)) {
    return "MemberId can't be empty.";
  }
  if (request.memberEpoch === 0) {
    if (request.rebalanceTimeoutMs === -1) return 'RebalanceTimeoutMs must be provided in first request.';
    if (request.topicPartitions !== null && request.topicPartitions.length > 0) {
      return 'TopicPartitions must be empty when (re-)joining.';
    }
    if (request.subscribedTopicNames === null && request.subscribedTopicRegex === null) {
      return 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.';
    }
  } else if (request.memberEpoch === LEAVE_STATIC_EPOCH) {
    if (request.instanceId === null) return "InstanceId can't be null.";
  } else if (request.memberEpoch < LEAVE_STATIC_EPOCH) {
    return `MemberEpoch ${request.memberEpoch} is invalid.`;
  }
  return null;
}

function subscribedTopics(member: ConsumerGroupMember, view: TopicsView): Set<string> {
  const names = new Set(member.subscribedTopicNames);
  if (member.subscribedPattern)
    for (const name of view.topicNames()) if (member.subscribedPattern.test(name)) names.add(name);
  return names;
}

/** The subscribed topics as they exist now: a change of it calls for a new target assignment. */
function subscriptionSignature(group: ConsumerGroup, view: TopicsView): string {
  const names = new Set<string>();
  for (const member of group.members.values())
    for (const name of subscribedTopics(member, view)) names.add(name);
  return [...names]
    .sort()
    .map((name) => {
      const topic = view.topic(name);
      return topic ? `${name}:${topic.topicId}:${topic.partitionCount}` : `${name}:-`;
    })
    .join(',');
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(b);
  return a.every((name) => set.has(name));
}

function copyMember(from: ConsumerGroupMember, to: ConsumerGroupMember): void {
  to.memberEpoch = from.previousMemberEpoch;
  to.previousMemberEpoch = from.previousMemberEpoch;
  to.state = from.state;
  to.assigned = from.assigned;
  to.pendingRevocation = from.pendingRevocation;
  to.instanceId = from.instanceId;
  to.rackId = from.rackId;
  to.rebalanceTimeoutMs = from.rebalanceTimeoutMs;
  to.subscribedTopicNames = from.subscribedTopicNames;
  to.subscribedTopicRegex = from.subscribedTopicRegex;
  to.subscribedPattern = from.subscribedPattern;
  to.serverAssignor = from.serverAssignor;
}

function sessionTimer(group: ConsumerGroup, member: ConsumerGroupMember): string {
  return `session\u0000${group.groupId}\u0000${member.memberId}`;
}

function revocationTimer(group: ConsumerGroup, member: ConsumerGroupMember): string {
  return `revocation\u0000${group.groupId}\u0000${member.memberId}`;
}

/** Partitions listed in an assignment, for tests and logs. */
export function describeAssignment(assignment: Assignment): string {
  return [...partitionsOf(assignment)].map(([topicId, partition]) => `${topicId}-${partition}`).join(',');
}
