/**
 * DescribeGroups (key 15), versions 0-5. An unknown group is described as Dead with no error, as
 * Kafka does; member metadata and assignments are shown while the group is Stable. v3+ may ask
 * for the authorized operations (all allowed: READ, DELETE, DESCRIBE); v4+ shows
 * group.instance.id. Not implemented: v6 (error messages), ACLs.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { OPERATIONS_NOT_REQUESTED } from './authorized-operations.js';
import { defineHandler } from './handler.js';

/** AclOperation READ (3), DELETE (6) and DESCRIBE (8): what applies to a group. */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

export const describeGroupsHandler = defineHandler({
  api: Apis.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, context) {
    const described = await context.broker.groups.describeGroups(request.groups);
    const authorizedOperations =
      context.apiVersion >= 3 && request.includeAuthorizedOperations
        ? GROUP_OPERATIONS
        : OPERATIONS_NOT_REQUESTED;
    return Apis.DescribeGroups.response.create({
      throttleTimeMs: 0,
      groups: described.map((group) => ({
        errorCode: group.errorCode,
        groupId: group.groupId,
        groupState: group.groupState,
        protocolType: group.protocolType,
        protocolData: group.protocolData,
        members: group.members.map((member) => ({
          memberId: member.memberId,
          groupInstanceId: member.groupInstanceId,
          clientId: member.clientId,
          clientHost: member.clientHost,
          memberMetadata: member.memberMetadata,
          memberAssignment: member.memberAssignment,
        })),
        authorizedOperations,
      })),
    });
  },
});
