/**
 * DescribeConfigs (key 32), versions 1-4 (Kafka 4 no longer serves the deprecated v0). Resources:
 * TOPIC (every topic config, with the source of its value and, when asked, the synonyms it falls
 * back to: the topic override, then broker settings, then the default), BROKER by this broker's id
 * (every broker config, static and dynamic) or by the empty name (the dynamic cluster-wide
 * defaults that are set), and BROKER_LOGGER (no per-logger levels: an empty list). Config names
 * filter the entries (unknown names are left out). v3+ carries each config's type and, when
 * asked, its documentation line from the schema. Sensitive (password) values are null. Errors
 * per resource: UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION, INVALID_REQUEST (another
 * broker's id, an unsupported resource type).
 * Not implemented: ACLs; GROUP and CLIENT_METRICS resources.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import type { DescribeConfigsResponseDescribeConfigsResult } from '../../protocol/generated/describe-configs-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ConfigSource } from '../../util/config-def.js';
import { describeConfigTarget, resolveConfigTarget } from './admin-configs.js';
import { errorResult } from './admin-errors.js';
import { defineHandler } from './handler.js';

export const describeConfigsHandler = defineHandler({
  api: Apis.DescribeConfigs,
  minVersion: 1,
  maxVersion: 4,
  handle(request, context) {
    const { broker } = context;
    const image = broker.image();
    const results = request.resources.map((resource): DescribeConfigsResponseDescribeConfigsResult => {
      const result: DescribeConfigsResponseDescribeConfigsResult = {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        configs: [],
      };
      try {
        const target = resolveConfigTarget(broker, image, resource.resourceType, resource.resourceName);
        const entries = describeConfigTarget(
          broker,
          target,
          resource.configurationKeys,
          request.includeSynonyms,
        );
        result.configs = entries.map((entry) => ({
          name: entry.name,
          value: entry.value,
          readOnly: entry.readOnly,
          isDefault: entry.source === ConfigSource.DEFAULT_CONFIG,
          configSource: entry.source,
          isSensitive: entry.isSensitive,
          synonyms: request.includeSynonyms ? entry.synonyms : [],
          configType: entry.typeId,
          documentation: request.includeDocumentation ? entry.documentation : null,
        }));
      } catch (error) {
        Object.assign(result, errorResult(error, broker.logger));
      }
      return result;
    });
    return Apis.DescribeConfigs.response.create({ throttleTimeMs: 0, results });
  },
});
