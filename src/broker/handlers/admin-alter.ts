/**
 * The write half of AlterConfigs and IncrementalAlterConfigs: applying a set of config changes to
 * one resource. Topic overrides are checked in full (known names, valid values, cross-field rules
 * on the resulting effective config) before the store commits them; broker configs must be known
 * (INVALID_CONFIG) and updatable at runtime (else INVALID_REQUEST, as Kafka answers). The store
 * notifies the topic manager, which hands the new settings to the live partition logs.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { TOPIC_CONFIG } from '../../storage/log-config.js';
import { ConfigException } from '../../util/config-def.js';
import { BROKER_CONFIG } from '../config.js';
import type { BrokerContext } from '../context.js';
import { type ConfigTarget, checkTopicOverrides, resolveConfigTarget } from './admin-configs.js';
import { AdminError, duplicates, errorResult } from './admin-errors.js';

export type AlterMode = 'replace' | 'merge';

/** Name to new value; null removes the override (merge mode). */
export type ConfigChanges = Record<string, string | null>;

/** Rejects a request that names the same config twice for one resource. */
export function checkNoDuplicateConfigs(names: readonly string[]): void {
  const repeated = duplicates(names);
  if (repeated.size > 0) {
    throw new AdminError(
      ErrorCode.INVALID_REQUEST,
      `Error due to duplicate config keys: ${[...repeated].join(', ')}`,
    );
  }
}

/** The stored overrides of a resource at its own level (not inherited values). */
export function storedConfigs(broker: BrokerContext, target: ConfigTarget): Readonly<Record<string, string>> {
  const image = broker.image();
  switch (target.kind) {
    case 'topic':
      return image.topic(target.topic.name)?.configs ?? target.topic.configs;
    case 'broker':
      return target.brokerId === null
        ? image.brokerConfigs.clusterDefault
        : image.brokerConfigsOf(target.brokerId);
    case 'broker-logger':
      return {};
  }
}

/** The config schema that applies to a resource. */
export function schemaOf(target: ConfigTarget): typeof TOPIC_CONFIG | typeof BROKER_CONFIG {
  return target.kind === 'topic' ? TOPIC_CONFIG : BROKER_CONFIG;
}

export async function applyConfigChanges(
  broker: BrokerContext,
  target: ConfigTarget,
  changes: ConfigChanges,
  mode: AlterMode,
  validateOnly: boolean,
): Promise<void> {
  switch (target.kind) {
    case 'topic': {
      const merged: Record<string, string> = mode === 'merge' ? { ...storedConfigs(broker, target) } : {};
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) delete merged[name];
        else merged[name] = value;
      }
      checkTopicOverrides(broker, merged);
      await broker.metadataStore.alterTopicConfigs(target.topic.name, changes, { mode, validateOnly });
      return;
    }
    case 'broker': {
      for (const name of Object.keys(changes)) {
        const key = BROKER_CONFIG.key(name);
        if (key === undefined) throw new ConfigException(BROKER_CONFIG.unknownProblem(name));
        if (!key.dynamic) {
          throw new AdminError(
            ErrorCode.INVALID_REQUEST,
            `Cannot update these configs dynamically: ${name} is read-only`,
          );
        }
      }
      await broker.metadataStore.alterBrokerConfigs(target.brokerId, changes, { mode, validateOnly });
      return;
    }
    case 'broker-logger':
      throw new AdminError(ErrorCode.INVALID_REQUEST, 'Samsa has no dynamic broker loggers to alter.');
  }
}

/** A key identifying a resource within one request, for spotting resources named twice. */
export function resourceKey(resourceType: number, resourceName: string): string {
  return `${resourceType}:${resourceName}`;
}

/** A resource of an AlterConfigs or IncrementalAlterConfigs request. */
export interface AlterableResource<Config extends { name: string }> {
  resourceType: number;
  resourceName: string;
  configs: Config[];
}

/** The per-resource answer both APIs share. */
export interface AlterResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * Applies each resource's changes on its own: a resource named twice, an unknown target, a config
 * named twice or a bad change fails that resource only, with its Kafka error code and message.
 * `toChanges` turns the request's config entries into the changes to apply (replace or merge).
 */
export async function alterResources<Config extends { name: string }>(
  broker: BrokerContext,
  resources: readonly AlterableResource<Config>[],
  toChanges: (target: ConfigTarget, configs: readonly Config[]) => ConfigChanges,
  mode: AlterMode,
  validateOnly: boolean,
): Promise<AlterResourceResult[]> {
  const repeated = duplicates(
    resources.map((resource) => resourceKey(resource.resourceType, resource.resourceName)),
  );
  const results: AlterResourceResult[] = [];
  for (const resource of resources) {
    const result: AlterResourceResult = {
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
      await applyConfigChanges(broker, target, toChanges(target, resource.configs), mode, validateOnly);
    } catch (error) {
      Object.assign(result, errorResult(error, broker.logger));
    }
    results.push(result);
  }
  return results;
}
