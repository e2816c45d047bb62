/**
 * Requests and responses of the classic group RPCs as plain objects, with Kafka's field names and
 * semantics. The wire handlers translate between these and the generated codecs.
 */

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

export interface JoinGroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v0 has no rebalance timeout: pass the session timeout, as Kafka does. */
  rebalanceTimeoutMs: number;
  /** '' for a member that has no id yet. */
  memberId: string;
  groupInstanceId?: string | null;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  clientId: string;
  clientHost: string;
  /** true for JoinGroup v4+ (KIP-394). */
  requireKnownMemberId?: boolean;
  /** true for JoinGroup v9+ (KIP-814): a rejoining static leader may be told to skip assignment. */
  supportSkippingAssignment?: boolean;
  reason?: string | null;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  /** Filled for the leader only. */
  members: JoinGroupMember[];
}

export interface SyncGroupAssignment {
  memberId: string;
  assignment: Buffer;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  /** v5+; null or absent is not checked. */
  protocolType?: string | null;
  protocolName?: string | null;
  /** Only the leader sends assignments. */
  assignments: SyncGroupAssignment[];
}

export interface SyncGroupResponse {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
}

export interface LeaveGroupMemberRequest {
  memberId: string;
  groupInstanceId?: string | null;
  reason?: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  /** LeaveGroup v0-2 carries one member id: pass it as a one-element batch. */
  members: LeaveGroupMemberRequest[];
}

export interface LeaveGroupMemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export interface LeaveGroupResponse {
  errorCode: number;
  members: LeaveGroupMemberResponse[];
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: GroupState;
  protocolType: string;
  /** The selected protocol name while Stable, '' otherwise (Kafka's DescribeGroups). */
  protocolData: string;
  members: DescribedGroupMember[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  /** A classic GroupState, or a KIP-848 consumer group state (Empty, Assigning, Reconciling, Stable). */
  groupState: string;
  groupType: 'classic' | 'consumer';
}

export interface ListGroupsResponse {
  errorCode: number;
  groups: ListedGroup[];
}

export interface DeleteGroupResult {
  groupId: string;
  errorCode: number;
}
