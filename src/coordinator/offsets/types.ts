/** OffsetCommit / OffsetFetch / OffsetDelete as plain objects with Kafka's field names. */

export interface OffsetCommitPartition {
  partitionIndex: number;
  committedOffset: number;
  /** -1 or absent when unknown (OffsetCommit before v6). */
  committedLeaderEpoch?: number;
  committedMetadata?: string | null;
}

export interface OffsetCommitTopic {
  name: string;
  partitions: OffsetCommitPartition[];
}

export interface OffsetCommitRequest {
  groupId: string;
  /** -1 for a consumer outside group management. */
  generationIdOrMemberEpoch: number;
  /** '' for a consumer outside group management. */
  memberId: string;
  groupInstanceId?: string | null;
  /** OffsetCommit v2-v4; -1 (or absent) means the broker's offsets retention. */
  retentionTimeMs?: number;
  topics: OffsetCommitTopic[];
}

export interface OffsetCommitResponse {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export interface OffsetFetchTopicRequest {
  name: string;
  partitionIndexes: number[];
}

export interface FetchedOffset {
  partitionIndex: number;
  /** -1 when nothing is committed. */
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchResponse {
  errorCode: number;
  topics: { name: string; partitions: FetchedOffset[] }[];
}

export interface OffsetDeleteTopicRequest {
  name: string;
  partitions: { partitionIndex: number }[];
}

export interface OffsetDeleteResponse {
  errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}
