/**
 * LeaveGroup (key 13), versions 0-5. v0-2 name one member (its error becomes the response's);
 * v3+ a batch of members, by member id or group.instance.id (KIP-345), each with its own error;
 * v5+ a reason per member. Not implemented: ACLs.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const leaveGroupHandler = defineHandler({
  api: Apis.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, context) {
    const { apiVersion } = context;
    const members =
      apiVersion >= 3
        ? request.members.map((member) => ({
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            reason: apiVersion >= 5 ? member.reason : null,
          }))
        : [{ memberId: request.memberId, groupInstanceId: null, reason: null }];
    const response = await context.broker.groups.leaveGroup({ groupId: request.groupId, members });
    if (apiVersion >= 3) {
      return Apis.LeaveGroup.response.create({
        throttleTimeMs: 0,
        errorCode: response.errorCode,
        members: response.members.map((member) => ({
          memberId: member.memberId,
          groupInstanceId: member.groupInstanceId,
          errorCode: member.errorCode,
        })),
      });
    }
    const memberError = response.members[0]?.errorCode ?? ErrorCode.NONE;
    return Apis.LeaveGroup.response.create({
      throttleTimeMs: 0,
      errorCode: response.errorCode !== ErrorCode.NONE ? response.errorCode : memberError,
    });
  },
});
