import { ManualClock } from '../../src/coordinator/clock.js';
import { GroupCoordinator, type GroupCoordinatorConfig } from '../../src/coordinator/group/index.js';
import type {
  JoinGroupProtocol,
  JoinGroupRequest,
  JoinGroupResponse,
} from '../../src/coordinator/group/types.js';
import { type GroupStorage, InMemoryGroupStorage } from '../../src/coordinator/offsets/group-storage.js';
import { Writer } from '../../src/protocol/primitives/index.js';

export const SESSION_MS = 10_000;
export const REBALANCE_MS = 30_000;

export interface Harness {
  clock: ManualClock;
  storage: InMemoryGroupStorage;
  coordinator: GroupCoordinator;
}

export async function setup(
  config: Partial<GroupCoordinatorConfig> = {},
  storage: GroupStorage = new InMemoryGroupStorage(),
  clock = new ManualClock(),
): Promise<Harness> {
  const coordinator = new GroupCoordinator({
    config: { groupInitialRebalanceDelayMs: 0, ...config },
    storage,
    scheduler: clock,
  });
  await coordinator.start();
  return { clock, storage: storage as InMemoryGroupStorage, coordinator };
}

/** A ConsumerProtocolSubscription v0: the topics, no user data. */
export function subscription(...topics: string[]): Buffer {
  const writer = new Writer().int16(0).int32(topics.length);
  for (const topic of topics) writer.string(topic);
  return writer.int32(-1).toBuffer();
}

export function protocols(...names: string[]): JoinGroupProtocol[] {
  return names.map((name) => ({ name, metadata: Buffer.from(`${name}-meta`) }));
}

export function joinRequest(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('t1') }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** Wraps a promise so a test can ask whether it has settled yet. */
export function watch<T>(promise: Promise<T>): {
  readonly done: boolean;
  readonly value: T | undefined;
  promise: Promise<T>;
} {
  const state = { done: false, value: undefined as T | undefined, promise };
  promise.then((value) => {
    state.done = true;
    state.value = value;
  });
  return state;
}

export interface StableGroup {
  generationId: number;
  leader: string;
  memberIds: string[];
  joins: JoinGroupResponse[];
}

/**
 * Joins `count` dynamic members at once, completes the rebalance and syncs everyone, the leader
 * assigning `assignment-<index>` to each member.
 */
export async function stableGroup(harness: Harness, count: number, groupId = 'g'): Promise<StableGroup> {
  const { clock, coordinator } = harness;
  const pending = Array.from({ length: count }, (_, index) =>
    watch(coordinator.joinGroup(joinRequest({ groupId, clientId: `c${index}` }))),
  );
  // Step through the initial delay (and its extensions) until the join phase ends.
  for (let step = 0; step < 100 && !pending.every((join) => join.done); step++) {
    await clock.advance(coordinator.config.groupInitialRebalanceDelayMs);
  }
  const joins = await Promise.all(pending.map((join) => join.promise));
  const memberIds = joins.map((join) => join.memberId);
  const leader = joins[0]!.leader;
  const generationId = joins[0]!.generationId;
  const syncs = joins.map((join) =>
    coordinator.syncGroup({
      groupId,
      generationId,
      memberId: join.memberId,
      assignments:
        join.memberId === leader
          ? memberIds.map((memberId, index) => ({ memberId, assignment: Buffer.from(`assignment-${index}`) }))
          : [],
    }),
  );
  await Promise.all(syncs);
  return { generationId, leader, memberIds, joins };
}
