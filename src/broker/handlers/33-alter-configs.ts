/**
 * AlterConfigs (key 33), versions 0-2: replaces the whole set of overrides of a TOPIC, of this
 * BROKER (by id) or of the cluster-wide broker defaults (empty name); configs left out revert to
 * their inherited values. validate_only checks and changes nothing. Errors per resource:
 * INVALID_CONFIG (unknown name, bad value, with the reason), INVALID_REQUEST (read-only broker
 * config, a resource or config named twice, another broker's id, BROKER_LOGGER),
 * UNKNOWN_TOPIC_OR_PARTITION. New values reach the live partition logs at once.
 * Not implemented: alter-config policies, ACLs.
 */

import { Apis } from '../../protocol/generated/api-keys.js';
import { alterResources, type ConfigChanges } from './admin-alter.js';
import { defineHandler } from './handler.js';

export const alterConfigsHandler = defineHandler({
  api: Apis.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, context) {
    const responses = await alterResources(
      context.broker,
      request.resources,
      (_target, configs) => {
        const changes: ConfigChanges = {};
        for (const config of configs) changes[config.name] = config.value;
        return changes;
      },
      'replace',
      request.validateOnly,
    );
    return Apis.AlterConfigs.response.create({ throttleTimeMs: 0, responses });
  },
});
