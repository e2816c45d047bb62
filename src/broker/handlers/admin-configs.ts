/**
 * Config resources shared by DescribeConfigs, AlterConfigs, IncrementalAlterConfigs and
 * CreateTopics: which resource a request names, the effective configs of topics and brokers with
 * their sources, and the checks a new set of topic overrides must pass.
 *
 * Topic configs resolve as the topic's overrides, then the broker settings they fall back to
 * (dynamic per-broker, dynamic cluster default, static), then the schema default. A broker resource
 * named by this broker's id describes every broker config; the empty name is the cluster-wide
 * default and describes only the dynamic defaults that are set, as Kafka does.
 */
import type { MetadataImage, TopicImage } from '../../metadata/metadata-image.js';
import { topicNameProblem } from '../../metadata/topic-name.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { checkTopicConfig, parseTopicConfigs } from '../../storage/log-config.js';
import { type ConfigDescription, ConfigSource } from '../../util/config-def.js';
import { BROKER_CONFIG } from '../config.js';
import type { BrokerContext } from '../context.js';
import { AdminError } from './admin-errors.js';

/** Kafka's ConfigResource.Type numbers. */
export const ConfigResourceType = Object.freeze({
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
} as const);

export type ConfigTarget =
  | { kind: 'topic'; topic: TopicImage }
  /** brokerId null: the cluster-wide default. */
  | { kind: 'broker'; brokerId: number | null }
  | { kind: 'broker-logger'; brokerId: number };

/** The resource a (type, name) pair names, or an AdminError with the code Kafka returns. */
export function resolveConfigTarget(
  broker: BrokerContext,
  image: MetadataImage,
  resourceType: number,
  resourceName: string,
): ConfigTarget {
  switch (resourceType) {
    case ConfigResourceType.TOPIC: {
      const problem = topicNameProblem(resourceName);
      if (problem !== undefined) throw new AdminError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
      const topic = image.topic(resourceName);
      if (!topic) {
        throw new AdminError(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          `Topic ${resourceName} does not exist on this server.`,
        );
      }
      return { kind: 'topic', topic };
    }
    case ConfigResourceType.BROKER:
      if (resourceName === '') return { kind: 'broker', brokerId: null };
      return { kind: 'broker', brokerId: ownBrokerId(broker, resourceName) };
    case ConfigResourceType.BROKER_LOGGER:
      return { kind: 'broker-logger', brokerId: ownBrokerId(broker, resourceName) };
    default:
      throw new AdminError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}.`);
  }
}

function ownBrokerId(broker: BrokerContext, resourceName: string): number {
  if (!/^\d+$/.test(resourceName)) {
    throw new AdminError(
      ErrorCode.INVALID_REQUEST,
      `Broker id must be an integer, but it is: ${resourceName}`,
    );
  }
  const id = Number(resourceName);
  if (id !== broker.brokerId) {
    throw new AdminError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${broker.brokerId} or empty string, but received ${resourceName}`,
    );
  }
  return id;
}

/** DescribeConfigs entries of a resource; `names` null means all. Unknown names are left out. */
export function describeConfigTarget(
  broker: BrokerContext,
  target: ConfigTarget,
  names: readonly string[] | null,
  includeSynonyms: boolean,
): ConfigDescription[] {
  switch (target.kind) {
    case 'topic':
      return broker
        .effectiveConfig()
        .topicConfig(parseTopicConfigs(target.topic.configs))
        .describe(names ?? undefined, includeSynonyms);
    case 'broker':
      if (target.brokerId !== null) {
        return broker.effectiveConfig().config.describe(names ?? undefined, includeSynonyms);
      }
      return describeClusterDefaults(broker, names, includeSynonyms);
    case 'broker-logger':
      return []; // Samsa has no per-logger levels to report
  }
}

function describeClusterDefaults(
  broker: BrokerContext,
  names: readonly string[] | null,
  includeSynonyms: boolean,
): ConfigDescription[] {
  const defaults = broker.image().brokerConfigs.clusterDefault;
  return Object.keys(defaults)
    .sort()
    .filter((name) => BROKER_CONFIG.has(name) && (names === null || names.includes(name)))
    .map((name) => {
      const raw = defaults[name]!;
      const value = BROKER_CONFIG.parseValue(name, raw);
      const source = ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
      const synonyms = includeSynonyms ? [{ name, value: BROKER_CONFIG.format(name, value), source }] : [];
      return BROKER_CONFIG.describe(name, value, source, synonyms);
    });
}

/**
 * Checks a topic's complete set of overrides: known names, valid values, and the cross-field
 * rules on the resulting effective config. Throws a ConfigException (INVALID_CONFIG).
 */
export function checkTopicOverrides(
  broker: BrokerContext,
  overrides: Readonly<Record<string, string>>,
): void {
  const parsed = parseTopicConfigs(overrides);
  checkTopicConfig(broker.effectiveConfig().topicConfig(parsed).values);
}
