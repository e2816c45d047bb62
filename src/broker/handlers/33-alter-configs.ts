/**
 * AlterConfigs (key 33), versions 0-2: replaces the whole set of overrides of a TOPIC, of this
 * BROKER (by id) or of the cluster-wide broker defaults (empty name); configs left out revert to
 * their inherited values. validate_only checks and changes nothing. Errors per resource:
 * INVALID_CONFIG (unknown name, bad value, with the reason), INVALID_REQUEST (read-only broker
 * config, a resource or config named twice, another broker's id, BROKER_LOGGER),
 * UNKNOWN_TOPIC_OR_PARTITION. New values reach the live partition logs at once.
 * Not implemented: alter-config policies, ACLs.
 */

import type { AlterConfigsResponseAlterConfigsResourceResponse } from '../../protocol/generated/alter-configs-response.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  applyConfigChanges,
  type ConfigChanges,
  checkNoDuplicateConfigs,
  resourceKey,
} from './admin-alter.js';
import { resolveConfigTarget } from './admin-configs.js';
import { AdminError, duplicates, errorResult } from './admin-errors.js';
import { defineHandler } from './handler.js';

export const alterConfigsHandler = defineHandler({
  api: Apis.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, context) {
    const { broker } = context;
    const repeated = duplicates(
      request.resources.map((resource) => resourceKey(resource.resourceType, resource.resourceName)),
    );
    const responses: AlterConfigsResponseAlterConfigsResourceResponse[] = [];
    for (const resource of request.resources) {
      const response: AlterConfigsResponseAlterConfigsResourceResponse = {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
      };
      try {
        if (repeated.has(resourceKey(resource.resourceType, resource.resourceName))) {
          throw new AdminError(ErrorCode.INVALID_REQUEST, 'Duplicate resource in the request.');
        }
        const target = resolveConfigTarget(
          broker,
          broker.image(),
          resource.resourceType,
          resource.resourceName,
        );
        checkNoDuplicateConfigs(resource.configs.map((config) => config.name));
        const changes: ConfigChanges = {};
        for (const config of resource.configs) changes[config.name] = config.value;
        await applyConfigChanges(broker, target, changes, 'replace', request.validateOnly);
      } catch (error) {
        Object.assign(response, errorResult(error, broker.logger));
      }
      responses.push(response);
    }
    return Apis.AlterConfigs.response.create({ throttleTimeMs: 0, responses });
  },
});
