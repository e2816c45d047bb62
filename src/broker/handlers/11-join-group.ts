/**
 * JoinGroup (key 11), versions 0-9, on the classic group coordinator. v0 has no rebalance timeout
 * (the session timeout stands in, as in Kafka); v4+ requires a known member id (KIP-394: the first
 * join is answered MEMBER_ID_REQUIRED with an id to rejoin with); v5+ carries group.instance.id
 * (static membership); v7+ returns the protocol type; v8+ a reason; v9+ may tell a rejoining
 * static leader to skip the assignment (KIP-814). The answer waits for the rebalance's join phase:
 * the handler returns a promise, and the connection keeps serving the requests behind it.
 * Not implemented: ACLs, KIP-848 consumer groups (ConsumerGroupHeartbeat).
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { defineHandler } from './handler.js';

export const joinGroupHandler = defineHandler({
  api: Apis.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, context) {
    const { apiVersion } = context;
    const response = await context.broker.groups.joinGroup({
      groupId: request.groupId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: apiVersion >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      memberId: request.memberId,
      groupInstanceId: apiVersion >= 5 ? request.groupInstanceId : null,
      protocolType: request.protocolType,
      protocols: request.protocols.map((protocol) => ({ name: protocol.name, metadata: protocol.metadata })),
      clientId: context.clientId ?? '',
      clientHost: `/${context.connection.remoteAddress}`,
      requireKnownMemberId: apiVersion >= 4,
      supportSkippingAssignment: apiVersion >= 9,
      reason: apiVersion >= 8 ? request.reason : null,
    });
    return Apis.JoinGroup.response.create({
      throttleTimeMs: 0,
      errorCode: response.errorCode,
      generationId: response.generationId,
      protocolType: response.protocolType,
      // Before v7 the protocol name is not nullable: Kafka sends '' instead.
      protocolName: apiVersion >= 7 ? response.protocolName : (response.protocolName ?? ''),
      leader: response.leader,
      skipAssignment: response.skipAssignment,
      memberId: response.memberId,
      members: response.members.map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        metadata: member.metadata,
      })),
    });
  },
});
