/**
 * SyncGroup (key 14), versions 0-5. The leader sends the assignments; every member's answer waits
 * until they are stored in __consumer_offsets. v3+ carries group.instance.id; v5+ the protocol
 * type and name, checked against the group's (INCONSISTENT_GROUP_PROTOCOL) and echoed back.
 * Not implemented: ACLs.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { defineHandler } from './handler.js';

export const syncGroupHandler = defineHandler({
  api: Apis.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, context) {
    const { apiVersion } = context;
    const response = await context.broker.groups.syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
      protocolType: apiVersion >= 5 ? request.protocolType : null,
      protocolName: apiVersion >= 5 ? request.protocolName : null,
      assignments: request.assignments.map((entry) => ({
        memberId: entry.memberId,
        assignment: entry.assignment,
      })),
    });
    return Apis.SyncGroup.response.create({
      throttleTimeMs: 0,
      errorCode: response.errorCode,
      protocolType: response.protocolType,
      protocolName: response.protocolName,
      assignment: response.assignment,
    });
  },
});
