import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadBrokerConfig } from '../../src/broker/config.js';
import {
  checkTopicConfig,
  effectiveTopicConfig,
  parseTopicConfigs,
  TOPIC_CONFIG,
  TOPIC_CONFIG_SYNONYMS,
  toLogOptions,
} from '../../src/storage/log-config.js';
import { DEFAULT_LOG_OPTIONS } from '../../src/storage/log-options.js';
import { ConfigException, ConfigSource } from '../../src/util/config-def.js';

const HOUR = 3_600_000;

describe('topic config schema', () => {
  it("has Kafka's defaults", () => {
    const defaults = TOPIC_CONFIG.parse({});
    assert.deepEqual(defaults['cleanup.policy'], ['delete']);
    assert.equal(defaults['compression.type'], 'producer');
    assert.equal(defaults['max.message.bytes'], 1048588);
    assert.equal(defaults['retention.ms'], 168 * HOUR);
    assert.equal(defaults['retention.bytes'], -1);
    assert.equal(defaults['segment.bytes'], 1073741824);
    assert.equal(defaults['segment.ms'], 168 * HOUR);
    assert.equal(defaults['min.insync.replicas'], 1);
    assert.equal(defaults['message.timestamp.type'], 'CreateTime');
    assert.equal(defaults['min.cleanable.dirty.ratio'], 0.5);
    assert.equal(defaults['remote.storage.enable'], false);
    assert.equal(TOPIC_CONFIG.format('flush.messages', defaults['flush.messages']), '9223372036854775807');
  });

  it('validates overrides, naming the config', () => {
    assert.deepEqual(parseTopicConfigs({ 'cleanup.policy': 'compact,delete', 'retention.ms': '-1' }), {
      'cleanup.policy': ['compact', 'delete'],
      'retention.ms': -1,
    });
    assert.throws(
      () => parseTopicConfigs({ 'compression.type': 'brotli' }),
      /compression\.type: String must be one of/,
    );
    assert.throws(() => parseTopicConfigs({ 'cleanup.policy': 'archive' }), /cleanup\.policy/);
    assert.throws(
      () => parseTopicConfigs({ 'retention.ms': '-2' }),
      /retention\.ms: Value must be at least -1/,
    );
    assert.throws(() => parseTopicConfigs({ 'min.cleanable.dirty.ratio': '1.5' }), /between 0 and 1/);
    assert.throws(
      () => parseTopicConfigs({ 'message.timestamp.type': 'createtime' }),
      /message\.timestamp\.type/,
    );
    assert.throws(() => parseTopicConfigs({ 'remote.storage.enable': 'true' }), /not supported/);
    assert.throws(
      () => parseTopicConfigs({ 'retention.hours': '1' }),
      /Unknown configuration "retention\.hours"/,
    );
    // The deprecated difference bound is still accepted.
    assert.deepEqual(parseTopicConfigs({ 'message.timestamp.difference.max.ms': '1000' }), {
      'message.timestamp.difference.max.ms': 1000,
    });
  });

  it('checks that min.compaction.lag.ms does not exceed max.compaction.lag.ms', () => {
    const values = TOPIC_CONFIG.parse({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' });
    assert.throws(() => checkTopicConfig(values), ConfigException);
  });

  it('maps every topic config to broker settings that exist in the broker schema', () => {
    const broker = loadBrokerConfig();
    for (const name of TOPIC_CONFIG.names) {
      for (const synonym of TOPIC_CONFIG_SYNONYMS[name])
        assert.ok(broker.config.def.has(synonym.name), synonym.name);
    }
  });
});

describe('effectiveTopicConfig', () => {
  it('uses defaults when nothing is set, with log.retention.hours as the synonym', () => {
    const config = effectiveTopicConfig(loadBrokerConfig().config);
    assert.equal(config.values['retention.ms'], 168 * HOUR);
    const [retention] = config.describe(['retention.ms']);
    assert.equal(retention!.value, '604800000');
    assert.equal(retention!.source, ConfigSource.DEFAULT_CONFIG);
    assert.equal(retention!.readOnly, false);
    assert.deepEqual(retention!.synonyms, [
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
    ]);
  });

  it('applies retention precedence ms > minutes > hours, whatever the layer', () => {
    const hoursOnly = loadBrokerConfig({ overrides: { 'log.retention.hours': 2 } });
    assert.equal(hoursOnly.topicConfig().values['retention.ms'], 2 * HOUR);
    const minutes = loadBrokerConfig({ overrides: { 'log.retention.hours': 2, 'log.retention.minutes': 3 } });
    assert.equal(minutes.topicConfig().values['retention.ms'], 180_000);
    const all = loadBrokerConfig({
      overrides: { 'log.retention.hours': 2, 'log.retention.minutes': 3, 'log.retention.ms': 1234 },
    });
    const config = all.topicConfig();
    assert.equal(config.values['retention.ms'], 1234);
    assert.equal(config.sourceOf('retention.ms'), ConfigSource.STATIC_BROKER_CONFIG);
    assert.deepEqual(
      config
        .describe(['retention.ms'])[0]!
        .synonyms.map((synonym) => [synonym.name, synonym.value, synonym.source]),
      [
        ['log.retention.ms', '1234', ConfigSource.STATIC_BROKER_CONFIG],
        ['log.retention.minutes', '3', ConfigSource.STATIC_BROKER_CONFIG],
        ['log.retention.hours', '2', ConfigSource.STATIC_BROKER_CONFIG],
        ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
      ],
    );
    // A dynamic log.retention.hours does not beat a static log.retention.ms.
    const dynamicHours = all.withDynamic({ clusterDefault: { 'log.retention.ms': '99' } });
    assert.equal(dynamicHours.topicConfig().values['retention.ms'], 99);
    assert.equal(
      dynamicHours.topicConfig().sourceOf('retention.ms'),
      ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
    );
  });

  it('treats a negative broker retention as forever', () => {
    const broker = loadBrokerConfig({ overrides: { 'log.retention.ms': -5 } });
    assert.equal(broker.topicConfig().values['retention.ms'], -1);
  });

  it('uses log.roll.hours for segment.ms unless log.roll.ms is set', () => {
    assert.equal(
      loadBrokerConfig({ overrides: { 'log.roll.hours': 1 } }).topicConfig().values['segment.ms'],
      HOUR,
    );
    const both = loadBrokerConfig({ overrides: { 'log.roll.hours': 1, 'log.roll.ms': 500 } });
    assert.equal(both.topicConfig().values['segment.ms'], 500);
  });

  it('falls back from log.flush.interval.ms to log.flush.scheduler.interval.ms', () => {
    const broker = loadBrokerConfig({ overrides: { 'log.flush.scheduler.interval.ms': 2000 } });
    assert.equal(broker.topicConfig().values['flush.ms'], 2000);
  });

  it('reports the source of each value: topic > dynamic broker > dynamic default > static > default', () => {
    const broker = loadBrokerConfig({
      overrides: { 'log.segment.bytes': 1000, 'message.max.bytes': 2000, 'log.cleanup.policy': 'compact' },
    }).withDynamic({
      perBroker: { 'message.max.bytes': '3000' },
      clusterDefault: { 'log.segment.bytes': '4000', 'min.insync.replicas': '2' },
    });
    const overrides = parseTopicConfigs({ 'cleanup.policy': 'delete', 'retention.bytes': '10' });
    const config = broker.topicConfig(overrides);
    const table = Object.fromEntries(
      config
        .describe([
          'cleanup.policy',
          'max.message.bytes',
          'segment.bytes',
          'min.insync.replicas',
          'preallocate',
        ])
        .map((entry) => [entry.name, [entry.value, entry.source]]),
    );
    assert.deepEqual(table, {
      'cleanup.policy': ['delete', ConfigSource.DYNAMIC_TOPIC_CONFIG],
      'max.message.bytes': ['3000', ConfigSource.DYNAMIC_BROKER_CONFIG],
      'segment.bytes': ['4000', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      'min.insync.replicas': ['2', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      preallocate: ['false', ConfigSource.DEFAULT_CONFIG],
    });
    const [policy] = config.describe(['cleanup.policy']);
    assert.deepEqual(
      policy!.synonyms.map((synonym) => [synonym.name, synonym.value, synonym.source]),
      [
        ['cleanup.policy', 'delete', ConfigSource.DYNAMIC_TOPIC_CONFIG],
        ['log.cleanup.policy', 'compact', ConfigSource.STATIC_BROKER_CONFIG],
        ['log.cleanup.policy', 'delete', ConfigSource.DEFAULT_CONFIG],
      ],
    );
  });

  it('works against any ConfigLookup, not only the broker config', () => {
    const lookup = {
      lookup: (name: string) => (name === 'log.segment.bytes' ? [{ value: 77, source: 4 as const }] : []),
    };
    assert.equal(effectiveTopicConfig(lookup).values['segment.bytes'], 77);
  });
});

describe('toLogOptions', () => {
  it('gives the storage engine its defaults for a default topic', () => {
    const options = toLogOptions(loadBrokerConfig().topicConfig().values);
    for (const [name, value] of Object.entries(DEFAULT_LOG_OPTIONS)) {
      assert.deepEqual(options[name as keyof typeof options], value, name);
    }
  });

  it('maps policies, durability and the deprecated timestamp bound', () => {
    const values = TOPIC_CONFIG.complete(
      parseTopicConfigs({
        'cleanup.policy': 'delete,compact',
        'message.timestamp.difference.max.ms': '1000',
        'message.timestamp.after.max.ms': '500',
        'segment.bytes': '2048',
      }),
    );
    const options = toLogOptions(values, 'pagecache');
    assert.equal(options.cleanupPolicy, 'compact,delete');
    assert.equal(options.durability, 'pagecache');
    assert.equal(options.segmentBytes, 2048);
    assert.equal(options.messageTimestampBeforeMaxMs, 1000);
    assert.equal(options.messageTimestampAfterMaxMs, 500);
    assert.equal(toLogOptions(TOPIC_CONFIG.parse({ 'cleanup.policy': 'compact' })).cleanupPolicy, 'compact');
  });
});
