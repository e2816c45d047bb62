/** ConsumerGroupHeartbeat / ConsumerGroupDescribe as plain objects, with Kafka's field names. */

export interface TopicPartitions {
  topicId: string;
  partitions: number[];
}

export interface ConsumerGroupHeartbeatRequest {
  /** v0: the coordinator names new members; v1+: members name themselves. */
  apiVersion: number;
  groupId: string;
  memberId: string;
  /** 0 to join, -1 to leave, -2 for a static member leaving for a while. */
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  /** -1: unchanged. */
  rebalanceTimeoutMs: number;
  /** null: unchanged. */
  subscribedTopicNames: readonly string[] | null;
  /** null: unchanged; '' clears it. */
  subscribedTopicRegex: string | null;
  /** null: unchanged. */
  serverAssignor: string | null;
  /** What the member owns; null: unchanged. */
  topicPartitions: readonly TopicPartitions[] | null;
  clientId: string;
  clientHost: string;
}

export interface ConsumerGroupHeartbeatResponse {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** Sent on full requests and whenever the member's assignment changes; null otherwise. */
  assignment: TopicPartitions[] | null;
}

export interface DescribedTopicPartitions extends TopicPartitions {
  topicName: string;
}

export interface DescribedConsumerGroupMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: DescribedTopicPartitions[];
  targetAssignment: DescribedTopicPartitions[];
}

export interface DescribedConsumerGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: DescribedConsumerGroupMember[];
}

/** What the coordinator reads of the cluster metadata. */
export interface TopicsView {
  topic(name: string): { topicId: string; partitionCount: number } | undefined;
  topicName(topicId: string): string | undefined;
  /** Topic names a subscription pattern may match (internal topics left out). */
  topicNames(): readonly string[];
}
