/**
 * IncrementalAlterConfigs (key 44), versions 0-1: changes some configs of a TOPIC, of this BROKER
 * (by id) or of the cluster-wide broker defaults (empty name), leaving the others as they are.
 * Operations: SET (0), DELETE (1, back to the inherited value), APPEND (2) and SUBTRACT (3) for
 * list configs (e.g. cleanup.policy), which start from the current override or, without one, the
 * schema default. validate_only checks and changes nothing. Errors per resource: INVALID_CONFIG
 * (unknown name, bad value, APPEND/SUBTRACT on a non-list config), INVALID_REQUEST (unknown
 * operation, SET without a value, read-only broker config, a resource or config named twice,
 * another broker's id, BROKER_LOGGER), UNKNOWN_TOPIC_OR_PARTITION. New values reach the live
 * partition logs at once.
 * Not implemented: alter-config policies, ACLs.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { IncrementalAlterConfigsRequestAlterableConfig } from '../../protocol/generated/incremental-alter-configs-request.js';
import { ConfigException, formatConfigValue } from '../../util/config-def.js';
import type { BrokerContext } from '../context.js';
import { alterResources, type ConfigChanges, schemaOf, storedConfigs } from './admin-alter.js';
import type { ConfigTarget } from './admin-configs.js';
import { AdminError } from './admin-errors.js';
import { defineHandler } from './handler.js';

export const AlterConfigOp = Object.freeze({ SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const);

export const incrementalAlterConfigsHandler = defineHandler({
  api: Apis.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, context) {
    const { broker } = context;
    const responses = await alterResources(
      broker,
      request.resources,
      (target, configs) => toChanges(broker, target, configs),
      'merge',
      request.validateOnly,
    );
    return Apis.IncrementalAlterConfigs.response.create({ throttleTimeMs: 0, responses });
  },
});

function toChanges(
  broker: BrokerContext,
  target: ConfigTarget,
  configs: readonly IncrementalAlterConfigsRequestAlterableConfig[],
): ConfigChanges {
  const changes: ConfigChanges = {};
  const schema = schemaOf(target);
  for (const config of configs) {
    switch (config.configOperation) {
      case AlterConfigOp.SET:
        if (config.value === null) {
          throw new AdminError(ErrorCode.INVALID_REQUEST, `Null value not supported for: ${config.name}`);
        }
        changes[config.name] = config.value;
        break;
      case AlterConfigOp.DELETE:
        changes[config.name] = null;
        break;
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        const key = schema.key(config.name);
        if (key === undefined) throw new ConfigException(schema.unknownProblem(config.name));
        const append = config.configOperation === AlterConfigOp.APPEND;
        if (key.type !== 'list') {
          throw new AdminError(
            ErrorCode.INVALID_CONFIG,
            `Config value ${append ? 'append' : 'subtract'} is not allowed for config key: ${config.name}`,
          );
        }
        const stored = storedConfigs(broker, target)[config.name];
        const fallback =
          typeof key.defaultValue === 'symbol' ? null : formatConfigValue('list', key.defaultValue);
        const base = stored ?? fallback ?? '';
        const current = splitList(base);
        const given = splitList(config.value ?? '');
        const next = append
          ? [...new Set([...current, ...given])]
          : current.filter((item) => !given.includes(item));
        changes[config.name] = next.join(',');
        break;
      }
      default:
        throw new AdminError(
          ErrorCode.INVALID_REQUEST,
          `Unknown config operation ${config.configOperation} for ${config.name}.`,
        );
    }
  }
  return changes;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
