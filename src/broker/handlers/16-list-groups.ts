/**
 * ListGroups (key 16), versions 0-5. Every group this coordinator knows; v4+ filters by state
 * (Kafka's names, case-insensitive) and returns it; v5+ filters by type ("classic", or
 * "consumer" for KIP-848 groups, whose protocol type is "consumer") and returns it.
 * Not implemented: ACLs.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { defineHandler } from './handler.js';

export const listGroupsHandler = defineHandler({
  api: Apis.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, context) {
    const { apiVersion } = context;
    const listed = await context.broker.groups.listGroups(
      apiVersion >= 4 ? request.statesFilter : [],
      apiVersion >= 5 ? request.typesFilter : [],
    );
    return Apis.ListGroups.response.create({
      throttleTimeMs: 0,
      errorCode: listed.errorCode,
      groups: listed.groups.map((group) => ({
        groupId: group.groupId,
        protocolType: group.protocolType,
        groupState: group.groupState,
        groupType: group.groupType,
      })),
    });
  },
});
