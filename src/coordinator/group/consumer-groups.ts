import type { CoordinatorRecord } from '../offsets/group-storage.js';

/**
 * What the classic coordinator needs to know of KIP-848 consumer groups, which live in
 * src/coordinator/consumer-group (that module registers itself through this interface, so the
 * dependency points one way). Committed offsets of both kinds of group stay here, in the
 * OffsetStore; a consumer group's offsets sit in a ClassicGroup without protocol type.
 */
export interface ConsumerGroupView {
  readonly groupId: string;
  /** No members: offsets may be deleted, the group may be deleted or taken by classic members. */
  readonly isEmpty: boolean;
  /** Kafka's name of its state: Empty, Assigning, Reconciling, Stable, Dead. */
  readonly stateName: string;
  isSubscribedToTopic(topic: string): boolean;
  /** OffsetCommit's membership check: null when accepted, else the error code. */
  validateOffsetCommit(memberId: string, memberEpoch: number): number | null;
  /** OffsetFetch v9's membership check (memberId null and epoch -1 for admin clients). */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number | null;
}

export interface ConsumerGroupRegistry {
  get(groupId: string): ConsumerGroupView | undefined;
  list(): ConsumerGroupView[];
  /** Forgets an empty consumer group (DeleteGroups; a classic JoinGroup converting it). */
  remove(groupId: string): void;
  /** Loading: a record of a consumer group (key types 3-8 of __consumer_offsets), in log order. */
  replayRecord?(record: CoordinatorRecord): void;
  /** Loading is done: install the replayed groups before requests are served. */
  loadCompleted?(): void;
}
