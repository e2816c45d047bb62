/**
 * Heartbeat (key 12), versions 0-4. Keeps a member's session alive; REBALANCE_IN_PROGRESS tells
 * it to rejoin, ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID that it was fenced. v3+ carries
 * group.instance.id. Not implemented: ACLs.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { defineHandler } from './handler.js';

export const heartbeatHandler = defineHandler({
  api: Apis.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, context) {
    const errorCode = await context.broker.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: context.apiVersion >= 3 ? request.groupInstanceId : null,
    });
    return Apis.Heartbeat.response.create({ throttleTimeMs: 0, errorCode });
  },
});
