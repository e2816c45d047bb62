import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DOCS_PATH,
  renderConfigurationDocs,
  renderFormattedConfigurationDocs,
} from '../../scripts/gen-config-docs.js';
import {
  BROKER_CONFIG,
  brokerConfigFromEnv,
  envNameToConfigName,
  loadBrokerConfig,
  parseListeners,
  validateDynamicBrokerConfigs,
} from '../../src/broker/config.js';
import { ConfigException, ConfigSource } from '../../src/util/config-def.js';

describe('broker config defaults', () => {
  it("has Kafka's defaults and Samsa's own", () => {
    const config = loadBrokerConfig();
    assert.equal(config.nodeId, 1);
    assert.deepEqual(config.listeners, [
      { name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' },
    ]);
    assert.deepEqual(config.advertisedListeners, config.listeners);
    assert.deepEqual(config.logDirs, ['./data']);
    assert.equal(config.get('num.partitions'), 1);
    assert.equal(config.get('default.replication.factor'), 1);
    assert.equal(config.get('auto.create.topics.enable'), true);
    assert.equal(config.get('socket.request.max.bytes'), 104857600);
    assert.equal(config.get('connections.max.idle.ms'), 600000);
    assert.equal(config.get('offsets.topic.num.partitions'), 50);
    assert.equal(config.get('offsets.retention.minutes'), 10080);
    assert.equal(config.get('group.initial.rebalance.delay.ms'), 3000);
    assert.equal(config.get('log.retention.hours'), 168);
    assert.equal(config.get('log.retention.check.interval.ms'), 300000);
    assert.equal(config.get('message.max.bytes'), 1048588);
    assert.equal(config.zookeeperConnect, null);
    assert.equal(config.durability, 'fsync');
    assert.equal(config.httpPort, 8080);
    assert.equal(config.inMemory, false);
    assert.deepEqual(config.warnings, []);
  });
});

describe('environment mapping', () => {
  it('maps names the way the Confluent images do', () => {
    assert.equal(envNameToConfigName('KAFKA_LOG_RETENTION_HOURS'), 'log.retention.hours');
    assert.equal(envNameToConfigName('KAFKA_ZOOKEEPER_CONNECT'), 'zookeeper.connect');
    assert.equal(envNameToConfigName('KAFKA_ADVERTISED_LISTENERS'), 'advertised.listeners');
    assert.equal(
      envNameToConfigName('KAFKA_LISTENER_NAME_INTERNAL_SASL__ENABLED'),
      'listener.name.internal.sasl_enabled',
    );
    assert.equal(
      envNameToConfigName('KAFKA_CONFLUENT_SUPPORT___METRICS_ENABLE'),
      'confluent.support-metrics.enable',
    );
    assert.equal(envNameToConfigName('CLUSTER_ID'), 'cluster.id');
    for (const ignored of [
      'KAFKA_HEAP_OPTS',
      'KAFKA_OPTS',
      'KAFKA_JMX_PORT',
      'KAFKA_JMX_HOSTNAME',
      'KAFKA_LOG4J_LOGGERS',
      'PATH',
    ]) {
      assert.equal(envNameToConfigName(ignored), undefined, ignored);
    }
  });

  it('warns about unknown mapped names instead of failing', () => {
    const env = {
      KAFKA_PORT: 'tcp://10.0.0.1:9092',
      KAFKA_NUM_PARTITIONS: '3',
      KAFKA_JMX_PORT: '9999',
      HOME: '/root',
    };
    const { values, warnings } = brokerConfigFromEnv(env);
    assert.deepEqual([...values], [['num.partitions', '3']]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /KAFKA_PORT: "port" is not a known broker configuration/);
    const config = loadBrokerConfig({ env });
    assert.equal(config.get('num.partitions'), 3);
    assert.equal(config.warnings.length, 1);
  });

  it('reads a typical docker-compose environment', () => {
    const config = loadBrokerConfig({
      env: {
        KAFKA_BROKER_ID: '2',
        KAFKA_ZOOKEEPER_CONNECT: 'zookeeper:2181',
        KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:29092,PLAINTEXT_HOST://0.0.0.0:9092',
        KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:29092,PLAINTEXT_HOST://localhost:9092',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_HEAP_OPTS: '-Xmx1G',
      },
    });
    assert.equal(config.nodeId, 2);
    assert.equal(config.zookeeperConnect, 'zookeeper:2181');
    assert.deepEqual(
      config.advertisedListeners.map((listener) => `${listener.name} ${listener.host}:${listener.port}`),
      ['PLAINTEXT kafka:29092', 'PLAINTEXT_HOST localhost:9092'],
    );
    assert.equal(config.get('offsets.topic.replication.factor'), 1);
    assert.deepEqual(config.warnings, []);
  });
});

describe('sources and precedence', () => {
  it('applies defaults < file < environment < --set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-config-'));
    try {
      const file = join(dir, 'server.properties');
      writeFileSync(
        file,
        'num.partitions=2\nlog.retention.hours=10\nlog.segment.bytes=1000\n# c\nlog.dirs=/a,\\\n  /b\n',
      );
      const config = loadBrokerConfig({
        file,
        env: { KAFKA_LOG_RETENTION_HOURS: '20', KAFKA_LOG_SEGMENT_BYTES: '2000' },
        overrides: ['log.segment.bytes=3000'],
      });
      assert.equal(config.get('num.partitions'), 2);
      assert.equal(config.get('log.retention.hours'), 20);
      assert.equal(config.get('log.segment.bytes'), 3000);
      assert.deepEqual(config.logDirs, ['/a', '/b']);
      assert.equal(config.config.sourceOf('num.partitions'), ConfigSource.STATIC_BROKER_CONFIG);
      assert.equal(config.config.sourceOf('num.io.threads'), ConfigSource.DEFAULT_CONFIG);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('reports unknown names and bad values in the file and --set as errors naming the config and origin', () => {
    assert.throws(
      () => loadBrokerConfig({ properties: 'num.partition=3\n' }),
      (error) =>
        error instanceof ConfigException &&
        error.configName === 'num.partition' &&
        /Unknown configuration "num\.partition" \(did you mean "num\.partitions"\?\) \(from server properties\)/.test(
          error.message,
        ),
    );
    assert.throws(
      () => loadBrokerConfig({ overrides: ['bogus.name=1'] }),
      /Unknown configuration "bogus\.name".*--set/,
    );
    assert.throws(() => loadBrokerConfig({ overrides: ['num.partitions'] }), /Expected name=value/);
    assert.throws(
      () => loadBrokerConfig({ overrides: ['num.partitions=0'] }),
      /num\.partitions: Value must be at least 1/,
    );
    assert.throws(
      () => loadBrokerConfig({ env: { KAFKA_NUM_PARTITIONS: 'x' } }),
      /num\.partitions.*environment/,
    );
    assert.throws(
      () => loadBrokerConfig({ overrides: { 'samsa.durability': 'sometimes' } }),
      /samsa\.durability/,
    );
  });

  it('treats broker.id as node.id, and rejects two different values', () => {
    assert.equal(loadBrokerConfig({ overrides: { 'broker.id': 7 } }).nodeId, 7);
    assert.equal(loadBrokerConfig({ overrides: { 'node.id': 7, 'broker.id': 7 } }).nodeId, 7);
    assert.throws(() => loadBrokerConfig({ overrides: { 'node.id': 7, 'broker.id': 8 } }), /must be equal/);
  });

  it('prefers log.dirs over log.dir', () => {
    assert.deepEqual(loadBrokerConfig({ overrides: { 'log.dir': '/x' } }).logDirs, ['/x']);
    assert.deepEqual(loadBrokerConfig({ overrides: { 'log.dir': '/x', 'log.dirs': '/y,/z' } }).logDirs, [
      '/y',
      '/z',
    ]);
  });
});

describe('listeners', () => {
  const map = ['PLAINTEXT:PLAINTEXT', 'INTERNAL:PLAINTEXT', 'SECURE:SSL'];

  it('parses hosts, empty hosts and IPv6 literals', () => {
    assert.deepEqual(
      parseListeners(
        'listeners',
        ['PLAINTEXT://:9092', 'internal://[::1]:9093', 'SECURE://h.example:9094'],
        map,
      ),
      [
        { name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' },
        { name: 'INTERNAL', host: '::1', port: 9093, securityProtocol: 'PLAINTEXT' },
        { name: 'SECURE', host: 'h.example', port: 9094, securityProtocol: 'SSL' },
      ],
    );
  });

  it('rejects malformed listeners, unmapped names, duplicate names and out-of-range ports', () => {
    assert.throws(() => parseListeners('listeners', ['localhost:9092'], map), /NAME:\/\/host:port/);
    assert.throws(
      () => parseListeners('listeners', ['OTHER://:9092'], map),
      /No security protocol for listener OTHER/,
    );
    assert.throws(
      () => parseListeners('listeners', ['PLAINTEXT://:1', 'PLAINTEXT://:2'], map),
      /different name/,
    );
    assert.throws(() => parseListeners('listeners', ['PLAINTEXT://:70000'], map), /out of range/);
  });

  it('checks advertised listeners against listeners and warns about protocols not served', () => {
    assert.throws(
      () => loadBrokerConfig({ overrides: { 'advertised.listeners': 'PLAINTEXT://0.0.0.0:9092' } }),
      /meta-address/,
    );
    assert.throws(
      () => loadBrokerConfig({ overrides: { 'advertised.listeners': 'SSL://host:9093' } }),
      /SSL is advertised but not in listeners/,
    );
    const config = loadBrokerConfig({ overrides: { listeners: 'PLAINTEXT://:9092,SSL://:9093' } });
    assert.deepEqual(config.warnings, ['Listener SSL uses SSL, which Samsa does not serve']);
  });
});

describe('dynamic broker configs', () => {
  it('accepts dynamic names and rejects read-only ones', () => {
    assert.deepEqual(validateDynamicBrokerConfigs({ 'log.retention.ms': '1000' }), {
      'log.retention.ms': 1000,
    });
    assert.throws(
      () => validateDynamicBrokerConfigs({ 'num.partitions': '3' }),
      /num\.partitions dynamically/,
    );
    assert.throws(() => validateDynamicBrokerConfigs({ nope: '3' }), /Unknown configuration/);
  });

  it('layers per-broker over cluster default over static, and describes the sources', () => {
    const config = loadBrokerConfig({ overrides: { 'message.max.bytes': 100 } }).withDynamic({
      perBroker: { 'message.max.bytes': '300' },
      clusterDefault: { 'message.max.bytes': '200', 'max.connections': '5' },
    });
    assert.equal(config.get('message.max.bytes'), 300);
    assert.equal(config.get('max.connections'), 5);
    const [entry] = config.config.describe(['message.max.bytes']);
    assert.equal(entry!.source, ConfigSource.DYNAMIC_BROKER_CONFIG);
    assert.equal(entry!.readOnly, false);
    assert.deepEqual(
      entry!.synonyms.map((synonym) => synonym.source),
      [
        ConfigSource.DYNAMIC_BROKER_CONFIG,
        ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
        ConfigSource.STATIC_BROKER_CONFIG,
        ConfigSource.DEFAULT_CONFIG,
      ],
    );
    const [nodeId] = config.config.describe(['node.id']);
    assert.equal(nodeId!.readOnly, true);
    assert.deepEqual(
      nodeId!.synonyms.map((synonym) => synonym.name),
      ['node.id'],
    );
  });
});

describe('docs/configuration.md', () => {
  it('is current (regenerate with node --import tsx scripts/gen-config-docs.ts)', () => {
    assert.equal(readFileSync(DOCS_PATH, 'utf8'), renderFormattedConfigurationDocs());
  });

  it('documents every broker and topic config', () => {
    const docs = renderConfigurationDocs();
    for (const name of BROKER_CONFIG.names) assert.ok(docs.includes(`| \`${name}\` |`), name);
  });
});
