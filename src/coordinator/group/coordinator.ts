import { type Scheduler, systemScheduler } from '../clock.js';
import type { GroupStorage } from '../offsets/group-storage.js';
import { OffsetStore } from '../offsets/offset-store.js';
import { checkDeletable, describeGroup, listGroups } from './admin.js';
import { type GroupCoordinatorConfig, resolveGroupConfig } from './config.js';
import type { ConsumerGroupRegistry } from './consumer-groups.js';
import { type CoordinatorLogger, type CoordinatorStatus, GroupContext } from './context.js';
import { GroupErrorCode } from './error-codes.js';
import { heartbeat } from './heartbeat.js';
import { joinGroup } from './join-group.js';
import { leaveGroup } from './leave-group.js';
import { replayGroups } from './load.js';
import { Rebalancer } from './rebalancer.js';
import { joinError, syncError } from './responses.js';
import { syncGroup } from './sync-group.js';
import type {
  DeleteGroupResult,
  DescribedGroup,
  GroupState,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from './types.js';

export interface GroupCoordinatorOptions {
  config?: Partial<GroupCoordinatorConfig>;
  storage: GroupStorage;
  scheduler?: Scheduler;
  /** Whether this broker coordinates the group (leads its __consumer_offsets partition). */
  ownsGroup?: (groupId: string) => boolean;
  logger?: CoordinatorLogger;
}

const EXPIRY_TIMER = 'offsets-expiry';

/**
 * The classic consumer-group coordinator (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * DescribeGroups, ListGroups, DeleteGroups) and, through `offsets`, committed offsets. It knows
 * no transport: the wire handlers call these methods with decoded requests and encode what they
 * return. Error codes are Kafka's numbers (`GroupErrorCode`).
 *
 * Lifecycle: `start()` replays GroupStorage (requests meanwhile get COORDINATOR_LOAD_IN_PROGRESS)
 * and starts the offset expiry timer; `close()` answers every parked request NOT_COORDINATOR,
 * waits for writes in flight and cancels every timer. Before start and after close requests get
 * COORDINATOR_NOT_AVAILABLE.
 */
export class GroupCoordinator {
  readonly offsets: OffsetStore;
  private readonly context: GroupContext;
  private readonly rebalancer: Rebalancer;

  constructor(options: GroupCoordinatorOptions) {
    this.context = new GroupContext(
      resolveGroupConfig(options.config),
      options.scheduler ?? systemScheduler,
      options.storage,
      options.ownsGroup ?? (() => true),
      options.logger,
    );
    this.rebalancer = new Rebalancer(this.context);
    this.offsets = new OffsetStore(this.context, this.rebalancer);
  }

  get status(): CoordinatorStatus {
    return this.context.status;
  }

  /** Where groups and offsets are kept; KIP-848 consumer groups write through it too. */
  get storage(): GroupStorage {
    return this.context.storage;
  }

  get config(): Readonly<GroupCoordinatorConfig> {
    return this.context.config;
  }

  /** Timers currently armed (session, join, sync, expiry): 0 after `close()`. */
  get activeTimers(): number {
    return this.context.timers.size;
  }

  async start(): Promise<void> {
    if (this.context.status !== 'inactive')
      throw new Error(`group coordinator is already ${this.context.status}`);
    this.context.status = 'loading';
    try {
      const consumerGroups = this.context.consumerGroups;
      const groups = await replayGroups(this.context.storage, this.context.now(), (record) =>
        consumerGroups?.replayRecord?.(record),
      );
      // Closed while loading: what was read is dropped, and no timer may be left behind.
      if (this.context.status !== 'loading') return;
      consumerGroups?.loadCompleted?.();
      for (const group of groups) {
        this.context.groups.set(group.groupId, group);
        for (const member of group.members.values()) this.rebalancer.scheduleSession(group, member);
      }
    } catch (error) {
      this.context.groups.clear();
      this.context.timers.clear();
      this.context.status = 'inactive';
      throw error;
    }
    this.context.status = 'active';
    this.scheduleExpiry();
  }

  private scheduleExpiry(): void {
    this.context.timers.set(EXPIRY_TIMER, this.context.config.offsetsRetentionCheckIntervalMs, () => {
      void this.offsets.expireOffsets().finally(() => {
        if (this.context.status === 'active') this.scheduleExpiry();
      });
    });
  }

  async close(): Promise<void> {
    if (this.context.status === 'inactive') return;
    this.context.status = 'inactive';
    for (const group of this.context.groups.values()) {
      for (const member of group.members.values()) {
        member.answerJoin(joinError(member.memberId, GroupErrorCode.NOT_COORDINATOR));
        member.answerSync(syncError(GroupErrorCode.NOT_COORDINATOR));
      }
    }
    this.context.timers.clear();
    await this.context.drain();
    this.context.timers.clear();
    this.context.groups.clear();
  }

  /** Lets KIP-848 consumer groups share the request checks and committed offsets. */
  attachConsumerGroups(registry: ConsumerGroupRegistry): void {
    this.context.consumerGroups = registry;
  }

  /** Kafka's request pre-checks (see GroupContext.validate): null when they pass. */
  validateGroupRequest(groupId: string, allowEmptyId: boolean): number | null {
    return this.context.validate(groupId, allowEmptyId);
  }

  /** Whether a classic group with this id has members or a rebalance under way. */
  hasClassicMembers(groupId: string): boolean {
    const group = this.context.groups.get(groupId);
    if (!group || group.is('Dead')) return false;
    return group.size > 0 || group.pendingMembers.size > 0 || !group.is('Empty');
  }

  joinGroup(request: JoinGroupRequest): Promise<JoinGroupResponse> {
    // A KIP-848 group with members cannot be joined with the classic protocol; an empty one is
    // taken over (Kafka converts it).
    const consumerGroup = this.context.consumerGroups?.get(request.groupId);
    if (consumerGroup && this.context.validate(request.groupId, false) === null) {
      if (!consumerGroup.isEmpty) {
        return Promise.resolve(joinError(request.memberId, GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      }
      this.context.consumerGroups?.remove(request.groupId);
    }
    return joinGroup(this.context, this.rebalancer, request);
  }

  syncGroup(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    return syncGroup(this.context, this.rebalancer, request);
  }

  /** Returns the Heartbeat error code. */
  async heartbeat(request: HeartbeatRequest): Promise<number> {
    return heartbeat(this.context, this.rebalancer, request);
  }

  async leaveGroup(request: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    return leaveGroup(this.context, this.rebalancer, request);
  }

  async describeGroups(groupIds: readonly string[]): Promise<DescribedGroup[]> {
    return groupIds.map((groupId) => {
      // A KIP-848 group is described by ConsumerGroupDescribe; here it is not a classic group.
      if (this.context.consumerGroups?.get(groupId) && this.context.validate(groupId, true) === null) {
        return {
          errorCode: GroupErrorCode.GROUP_ID_NOT_FOUND,
          groupId,
          groupState: 'Dead' as const,
          protocolType: '',
          protocolData: '',
          members: [],
        };
      }
      return describeGroup(this.context, groupId);
    });
  }

  async listGroups(
    statesFilter?: readonly string[],
    typesFilter?: readonly string[],
  ): Promise<ListGroupsResponse> {
    return listGroups(this.context, statesFilter, typesFilter);
  }

  async deleteGroups(groupIds: readonly string[]): Promise<DeleteGroupResult[]> {
    const results: DeleteGroupResult[] = [];
    const deletions: Promise<void>[] = [];
    for (const groupId of groupIds) {
      const consumerGroup = this.context.consumerGroups?.get(groupId);
      if (consumerGroup && this.context.validate(groupId, true) === null) {
        if (!consumerGroup.isEmpty) {
          results.push({ groupId, errorCode: GroupErrorCode.NON_EMPTY_GROUP });
          continue;
        }
        this.context.consumerGroups?.remove(groupId);
        const offsetsHolder = this.context.groups.get(groupId);
        if (offsetsHolder && !offsetsHolder.is('Dead'))
          deletions.push(this.offsets.deleteGroup(offsetsHolder));
        results.push({ groupId, errorCode: GroupErrorCode.NONE });
        continue;
      }
      const { errorCode, group } = checkDeletable(this.context, groupId);
      if (group) deletions.push(this.offsets.deleteGroup(group));
      results.push({ groupId, errorCode });
    }
    await Promise.all(deletions);
    return results;
  }

  /** The state of a group, 'Dead' if unknown (for metrics and tests). */
  groupState(groupId: string): GroupState {
    return this.context.groups.get(groupId)?.state ?? 'Dead';
  }
}
