/**
 * The Kafka error codes the group coordinator answers with. Local until the generated
 * `protocol/generated/error-codes.ts` lands; the numbers are Kafka's and must stay so.
 */
export const GroupErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  GROUP_AUTHORIZATION_FAILED: 30,
  GROUP_ID_NOT_FOUND: 69,
  NON_EMPTY_GROUP: 68,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  UNSTABLE_OFFSET_COMMIT: 88,
} as const;

export type GroupErrorCode = (typeof GroupErrorCode)[keyof typeof GroupErrorCode];

/** Log-layer error codes that a failed append to __consumer_offsets may carry. */
const STORAGE_UNAVAILABLE = new Set([3, 19, 20, 7]); // UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT
const STORAGE_NOT_LEADER = new Set([6, 56]); // NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR
const STORAGE_TOO_LARGE = new Set([10, 18, 4]); // MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE

/**
 * Maps the error of a failed GroupStorage append to what the client sees, as Kafka does: lost
 * leadership of the offsets partition means "find the coordinator again", an oversized write is
 * an invalid commit for offsets and a server error for group metadata.
 */
export function storageErrorCode(error: unknown, forOffsets: boolean): number {
  const code =
    typeof error === 'object' && error !== null ? (error as { errorCode?: unknown }).errorCode : undefined;
  if (typeof code !== 'number') return GroupErrorCode.UNKNOWN_SERVER_ERROR;
  if (STORAGE_UNAVAILABLE.has(code)) return GroupErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (STORAGE_NOT_LEADER.has(code)) return GroupErrorCode.NOT_COORDINATOR;
  if (STORAGE_TOO_LARGE.has(code)) {
    return forOffsets ? GroupErrorCode.INVALID_COMMIT_OFFSET_SIZE : GroupErrorCode.UNKNOWN_SERVER_ERROR;
  }
  return code === GroupErrorCode.NONE ? GroupErrorCode.UNKNOWN_SERVER_ERROR : code;
}
