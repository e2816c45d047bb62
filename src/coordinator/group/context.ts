import type { Scheduler } from '../clock.js';
import { TimerSet } from '../clock.js';
import type { GroupStorage } from '../offsets/group-storage.js';
import { encodeGroupMetadataKey, encodeGroupMetadataValue, type StoredGroup } from '../offsets/records.js';
import type { ClassicGroup } from './classic-group.js';
import type { GroupCoordinatorConfig } from './config.js';
import type { ConsumerGroupRegistry } from './consumer-groups.js';
import { GroupErrorCode, storageErrorCode } from './error-codes.js';

export type CoordinatorStatus = 'inactive' | 'loading' | 'active';

export interface CoordinatorLogger {
  info(message: string): void;
  warn(message: string): void;
}

const silentLogger: CoordinatorLogger = { info() {}, warn() {} };
const EMPTY = Buffer.alloc(0);

/**
 * What the parts of the group coordinator share: configuration, time, the groups in memory, the
 * storage behind them, and the writes in flight (awaited by `close`).
 */
export class GroupContext {
  status: CoordinatorStatus = 'inactive';
  readonly groups = new Map<string, ClassicGroup>();
  readonly timers: TimerSet;
  /** KIP-848 consumer groups, when their coordinator is attached (they share offsets with these). */
  consumerGroups: ConsumerGroupRegistry | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly config: GroupCoordinatorConfig,
    readonly scheduler: Scheduler,
    readonly storage: GroupStorage,
    readonly ownsGroup: (groupId: string) => boolean,
    readonly logger: CoordinatorLogger = silentLogger,
  ) {
    this.timers = new TimerSet(scheduler);
  }

  now(): number {
    return this.scheduler.now();
  }

  /**
   * Kafka's request pre-checks, in its order: a usable group id (OffsetCommit, OffsetFetch,
   * DescribeGroups and DeleteGroups accept ''), a running coordinator, a finished load, and
   * ownership of the group's __consumer_offsets partition. Returns null when all pass.
   */
  validate(groupId: string | null | undefined, allowEmptyId: boolean): number | null {
    if (groupId === null || groupId === undefined || (!allowEmptyId && groupId === '')) {
      return GroupErrorCode.INVALID_GROUP_ID;
    }
    if (this.status === 'inactive') return GroupErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.status === 'loading') return GroupErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (!this.ownsGroup(groupId)) return GroupErrorCode.NOT_COORDINATOR;
    return null;
  }

  /** Keeps a promise in the set `close` waits for. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const forget = () => this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Writes the group's metadata record; resolves to the error code for the client. */
  storeGroup(group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>): Promise<number> {
    const protocolName = group.protocolName;
    const value: StoredGroup = {
      protocolType: group.protocolType ?? '',
      generationId: group.generationId,
      protocolName,
      leaderId: group.leaderId,
      currentStateTimestamp: group.stateTimestamp ?? -1,
      members: [...group.members.values()].map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        rebalanceTimeoutMs: member.rebalanceTimeoutMs,
        sessionTimeoutMs: member.sessionTimeoutMs,
        subscription:
          protocolName !== null && member.supports(protocolName) ? member.metadataFor(protocolName) : EMPTY,
        assignment: assignments.get(member.memberId) ?? EMPTY,
      })),
    };
    const record = { key: encodeGroupMetadataKey(group.groupId), value: encodeGroupMetadataValue(value) };
    return this.track(
      this.storage.append([record], group.groupId).then(
        () => GroupErrorCode.NONE as number,
        (error: unknown) => {
          this.logger.warn(`group ${group.groupId}: storing metadata failed: ${String(error)}`);
          return storageErrorCode(error, false);
        },
      ),
    );
  }
}
