/**
 * DeleteGroups (key 42), versions 0-2. Only an Empty group may go (NON_EMPTY_GROUP otherwise,
 * GROUP_ID_NOT_FOUND for an unknown one); its offsets and metadata are tombstoned in
 * __consumer_offsets. Not implemented: ACLs.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { defineHandler } from './handler.js';

export const deleteGroupsHandler = defineHandler({
  api: Apis.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, context) {
    const results = await context.broker.groups.deleteGroups(request.groupsNames);
    return Apis.DeleteGroups.response.create({
      throttleTimeMs: 0,
      results: results.map((result) => ({ groupId: result.groupId, errorCode: result.errorCode })),
    });
  },
});
