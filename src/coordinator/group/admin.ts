import type { ClassicGroup } from './classic-group.js';
import type { GroupContext } from './context.js';
import { GroupErrorCode } from './error-codes.js';
import {
  type DescribedGroup,
  GROUP_STATES,
  type GroupState,
  type ListedGroup,
  type ListGroupsResponse,
} from './types.js';

const EMPTY = Buffer.alloc(0);

/**
 * DescribeGroups for one group. An unknown group is reported Dead without an error, as Kafka
 * does; member metadata and assignments are shown only while the group is Stable.
 */
export function describeGroup(context: GroupContext, groupId: string): DescribedGroup {
  const invalid = context.validate(groupId, true);
  if (invalid !== null) return deadGroup(groupId, invalid);
  const group = context.groups.get(groupId);
  if (!group) return deadGroup(groupId, GroupErrorCode.NONE);
  const stable = group.is('Stable') && group.protocolName !== null;
  const protocolName = group.protocolName ?? '';
  return {
    errorCode: GroupErrorCode.NONE,
    groupId,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? protocolName : '',
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      memberMetadata: stable && member.supports(protocolName) ? member.metadataFor(protocolName) : EMPTY,
      memberAssignment: stable ? member.assignment : EMPTY,
    })),
  };
}

function deadGroup(groupId: string, errorCode: number): DescribedGroup {
  return { errorCode, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
}

/** ListGroups; filters match Kafka's state and type names case-insensitively, empty means all. */
export function listGroups(
  context: GroupContext,
  statesFilter: readonly string[] = [],
  typesFilter: readonly string[] = [],
): ListGroupsResponse {
  if (context.status === 'inactive')
    return { errorCode: GroupErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
  if (context.status === 'loading')
    return { errorCode: GroupErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
  const states = new Set(statesFilter.map((state) => state.toLowerCase()));
  const types = new Set(typesFilter.map((type) => type.toLowerCase()));
  const consumerGroups = context.consumerGroups?.list() ?? [];
  const isConsumerGroup = new Set(consumerGroups.map((group) => group.groupId));
  const classic: ListedGroup[] = [...context.groups.values()]
    .filter((group) => !isConsumerGroup.has(group.groupId))
    .map((group) => ({
      groupId: group.groupId,
      protocolType: group.protocolType ?? '',
      groupState: group.state,
      groupType: 'classic',
    }));
  const consumer: ListedGroup[] = consumerGroups.map((group) => ({
    groupId: group.groupId,
    protocolType: 'consumer',
    groupState: group.stateName,
    groupType: 'consumer',
  }));
  const groups = [...classic, ...consumer].filter(
    (group) =>
      (states.size === 0 || states.has(group.groupState.toLowerCase())) &&
      (types.size === 0 || types.has(group.groupType)),
  );
  return { errorCode: GroupErrorCode.NONE, groups };
}

export function isGroupState(value: string): value is GroupState {
  return (GROUP_STATES as readonly string[]).includes(value);
}

/**
 * The DeleteGroups decision for one group: only Empty groups go (they become Dead); the caller
 * then drops the group with its offsets and writes the tombstones.
 */
export function checkDeletable(
  context: GroupContext,
  groupId: string,
): { errorCode: number; group?: ClassicGroup } {
  const invalid = context.validate(groupId, true);
  if (invalid !== null) return { errorCode: invalid };
  const group = context.groups.get(groupId);
  if (!group || group.is('Dead')) return { errorCode: GroupErrorCode.GROUP_ID_NOT_FOUND };
  if (!group.is('Empty')) return { errorCode: GroupErrorCode.NON_EMPTY_GROUP };
  return { errorCode: GroupErrorCode.NONE, group };
}
