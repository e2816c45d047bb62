import { posix, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { assignorNameOf } from '../coordinator/consumer-group/assignors.js';
import { ConsumerGroupCoordinator } from '../coordinator/consumer-group/coordinator.js';
import type { TopicsView } from '../coordinator/consumer-group/types.js';
import { LocalMetadataStore } from '../metadata/local-store.js';
import type { MetadataImage } from '../metadata/metadata-image.js';
import type { FileSystem } from '../storage/fs.js';
import { toLogOptions } from '../storage/log-config.js';
import { LogManager } from '../storage/log-manager.js';
import { MemoryFileSystem } from '../storage/memory-file-system.js';
import { NodeFileSystem } from '../storage/node-file-system.js';
import { type BrokerConfig, loadBrokerConfig, validateDynamicBrokerConfigs } from './config.js';
import type { BrokerContext, SupportedApi } from './context.js';
import { BrokerGroupCoordinator } from './groups/broker-group-coordinator.js';
import { registerHandlers } from './handlers/index.js';
import type { NetMetrics } from './net/metrics.js';
import { SocketServer } from './net/socket-server.js';
import { ProducerIdManager } from './producers/producer-ids.js';
import { Router } from './router.js';
import { TopicManager } from './topics.js';

export interface BrokerOptions {
  config: BrokerConfig;
  /** A FileSystem to use instead of the disk (tests inject faults through it). */
  fs?: FileSystem;
  logger?: Logger;
}

/**
 * One Samsa broker: the metadata store, the partition logs and the socket server, wired to the
 * router and its handlers. `Broker.start` loads (recovering after an unclean stop) and listens;
 * `stop` drains in-flight requests, then closes the logs cleanly.
 */
export class Broker implements BrokerContext {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly brokerId: number;
  readonly router: Router;
  readonly fs: FileSystem;
  readonly groups: BrokerGroupCoordinator;
  readonly consumerGroups: ConsumerGroupCoordinator;
  private server: SocketServer | undefined;
  private store: LocalMetadataStore | undefined;
  private logManager: LogManager | undefined;
  private topicManager: TopicManager | undefined;
  private producerIdManager: ProducerIdManager | undefined;
  private host = '';
  private port = 0;
  private advertised = { host: '', port: 0 };
  private stopping: Promise<void> | undefined;
  private dynamicConfig: { source: object; config: BrokerConfig } | undefined;

  private constructor(options: BrokerOptions) {
    this.config = options.config;
    this.logger = options.logger ?? pino({ level: 'info' });
    this.brokerId = options.config.nodeId;
    this.fs = options.fs ?? (options.config.inMemory ? new MemoryFileSystem() : new NodeFileSystem());
    this.router = registerHandlers(new Router(() => this));
    this.groups = new BrokerGroupCoordinator(this);
    this.consumerGroups = new ConsumerGroupCoordinator({
      classic: this.groups,
      storage: this.groups.storage,
      logger: {
        info: (message) => this.logger.info({ component: 'consumer-group-coordinator' }, message),
        warn: (message) => this.logger.warn({ component: 'consumer-group-coordinator' }, message),
      },
      topics: () => topicsViewOf(this.metadataStore.image),
      config: {
        sessionTimeoutMs: options.config.get('group.consumer.session.timeout.ms'),
        heartbeatIntervalMs: options.config.get('group.consumer.heartbeat.interval.ms'),
        maxSize: options.config.get('group.consumer.max.size'),
        assignors: [...new Set(options.config.get('group.consumer.assignors').map(assignorNameOf))],
      },
    });
  }

  static async start(options: BrokerOptions): Promise<Broker> {
    const broker = new Broker(options);
    try {
      await broker.open();
    } catch (error) {
      await broker.stop().catch(() => {});
      throw error;
    }
    return broker;
  }

  get dataDir(): string {
    return this.config.inMemory ? '(in memory)' : resolve(this.config.logDirs[0]!);
  }

  get clusterId(): string {
    return this.metadataStore.image.clusterId;
  }

  get advertisedHost(): string {
    return this.advertised.host;
  }

  get advertisedPort(): number {
    return this.advertised.port;
  }

  /** Counters of the socket server (connections, requests, bytes, files sent), once listening. */
  get netMetrics(): NetMetrics | undefined {
    return this.server?.metrics;
  }

  /** The address the socket server is bound to. */
  get address(): { host: string; port: number } {
    return { host: this.host, port: this.port };
  }

  get metadataStore(): LocalMetadataStore {
    if (!this.store) throw new Error('the broker is not started');
    return this.store;
  }

  get logs(): LogManager {
    if (!this.logManager) throw new Error('the broker is not started');
    return this.logManager;
  }

  get producerIds(): ProducerIdManager {
    if (!this.producerIdManager) throw new Error('the broker is not started');
    return this.producerIdManager;
  }

  get topics(): TopicManager {
    if (!this.topicManager) throw new Error('the broker is not started');
    return this.topicManager;
  }

  image(): MetadataImage {
    return this.metadataStore.image;
  }

  supportedApis(): readonly SupportedApi[] {
    return this.router.supportedApis();
  }

  private async open(): Promise<void> {
    const config = this.config;
    const logDir = config.inMemory ? '/samsa-data' : resolve(config.logDirs[0]!);
    if (config.logDirs.length > 1) {
      this.logger.warn({ logDirs: config.logDirs }, 'only the first of log.dirs is used today');
    }
    if (!(await this.fs.exists(logDir))) {
      await this.fs.mkdir(logDir, { recursive: true });
      // Make the new directory's own entry durable, so a crash right after the first start
      // cannot lose the directory with everything acknowledged into it.
      await this.fs.syncDirectory(posix.dirname(logDir));
    }
    this.store = await LocalMetadataStore.open({
      fs: this.fs,
      dir: logDir,
      nodeId: this.brokerId,
      clusterId: config.clusterId,
      validateBrokerConfigs: (configs) => {
        validateDynamicBrokerConfigs(configs);
      },
      onListenerError: (error) => this.logger.error({ err: error }, 'metadata listener failed'),
    });
    this.producerIdManager = await ProducerIdManager.open(this.fs, logDir);
    this.logManager = await LogManager.open({
      fs: this.fs,
      logDir: posix.join(logDir),
      optionsFor: (tp) => this.logOptionsFor(tp.topic),
      retentionCheckIntervalMs: config.get('log.retention.check.interval.ms'),
      checkpointIntervalMs: config.get('log.flush.offset.checkpoint.interval.ms'),
      recoveryCheckpointBytes: config.get('samsa.recovery.checkpoint.bytes'),
      onError: (error, tp) => this.logger.error({ err: error, ...tp }, 'background log duty failed'),
    });
    if (!this.logManager.cleanShutdownDetected && this.logManager.allLogs().length > 0) {
      const totals = { partitions: 0, segmentsScanned: 0, batchesScanned: 0, bytesTruncated: 0 };
      for (const log of this.logManager.allLogs()) {
        totals.partitions++;
        totals.segmentsScanned += log.recoveryStats.segmentsScanned;
        totals.batchesScanned += log.recoveryStats.batchesScanned;
        totals.bytesTruncated += log.recoveryStats.bytesTruncated;
      }
      this.logger.warn({ logDir, ...totals }, 'recovered the logs after an unclean shutdown');
    }
    // Topics created, deleted or grown give consumer groups subscribed to them a new assignment.
    this.store.onChange(() => this.consumerGroups.onMetadataChange());
    this.topicManager = new TopicManager(this);
    await this.topicManager.openAllLogs();
    void this.groups.startLoading((error) =>
      this.logger.error({ err: error }, 'loading __consumer_offsets failed; group coordinator unavailable'),
    );

    const listener = config.listeners[0]!;
    const advertisedListener =
      config.advertisedListeners.find((candidate) => candidate.name === listener.name) ?? listener;
    this.server = new SocketServer({
      host: listener.host === '' ? '0.0.0.0' : listener.host,
      port: listener.port,
      handler: this.router.handleFrame,
      maxRequestBytes: config.get('socket.request.max.bytes'),
      idleTimeoutMs: config.get('connections.max.idle.ms'),
      sendFiles: config.get('samsa.fetch.sendfile.min.bytes') >= 0,
      ...(config.get('max.connections') < 2 ** 31 - 1
        ? { maxConnections: config.get('max.connections') }
        : {}),
      logger: this.logger,
    });
    const bound = await this.server.listen();
    this.host = bound.host;
    this.port = bound.port;
    this.advertised = {
      host: advertisableHost(advertisedListener.host, bound.host),
      port:
        advertisedListener.port === 0 || advertisedListener === listener
          ? bound.port
          : advertisedListener.port,
    };
    await this.store.registerBroker({
      id: this.brokerId,
      host: this.advertised.host,
      port: this.advertised.port,
      rack: config.rack,
    });
  }

  /** The static config with the stored dynamic broker configs on top; rebuilt when those change. */
  effectiveConfig(): BrokerConfig {
    const dynamic = this.store?.image.brokerConfigs;
    if (!dynamic) return this.config;
    if (this.dynamicConfig?.source !== dynamic) {
      const config = this.config.withDynamic({
        perBroker: dynamic.perBroker.get(this.brokerId) ?? {},
        clusterDefault: dynamic.clusterDefault,
      });
      this.dynamicConfig = { source: dynamic, config };
    }
    return this.dynamicConfig.config;
  }

  /** The storage settings of a topic: its overrides over the broker's (static and dynamic) defaults. */
  logOptionsFor(topic: string) {
    const overrides = this.store?.image.topic(topic)?.configs ?? {};
    const effective = this.effectiveConfig().topicConfig(this.topicOverrides(overrides));
    return toLogOptions(effective.values, this.config.durability, this.config.fsyncMethod);
  }

  private topicOverrides(raw: Readonly<Record<string, string>>) {
    return TopicManager.parseOverrides(raw);
  }

  /** Stops accepting, drains in-flight requests, then closes the logs cleanly (idempotent). */
  stop(drainTimeoutMs = 10_000): Promise<void> {
    this.stopping ??= (async () => {
      // Closing the coordinator answers JoinGroups parked in a rebalance, so the drain need not wait.
      this.consumerGroups.close();
      await Promise.all([this.server?.close(drainTimeoutMs), this.groups.close()]);
      await this.logManager?.close();
      await this.store?.close();
    })();
    return this.stopping;
  }
}

/** What KIP-848 consumer groups read of the metadata image. */
function topicsViewOf(image: MetadataImage): TopicsView {
  return {
    topic(name) {
      const topic = image.topic(name);
      return topic ? { topicId: topic.topicId, partitionCount: topic.partitions.length } : undefined;
    },
    topicName: (topicId) => image.topicById(topicId)?.name,
    topicNames: () => image.topicNames({ includeInternal: false }),
  };
}

/** Clients cannot connect to a wildcard address: advertise localhost for one. */
function advertisableHost(advertised: string, bound: string): string {
  const host = advertised === '' ? bound : advertised;
  return host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host;
}

export interface StartBrokerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Data directory; default: a memory file system unless `inMemory` is false. */
  dataDir?: string;
  /** Keep everything in memory (default true when no dataDir is given). */
  inMemory?: boolean;
  /** Any broker config by Kafka name, e.g. `{ 'num.partitions': 3 }`. */
  config?: Readonly<Record<string, string | number | boolean>>;
  /** Log level (default 'warn'; 'silent' for none). */
  logLevel?: string;
  fs?: FileSystem;
}

export interface StartedBroker {
  /** `host:port`, ready for a client's bootstrap list. */
  bootstrap: string;
  host: string;
  port: number;
  broker: Broker;
  stop(): Promise<void>;
}

/**
 * Starts a broker in this process, for tests and embedding:
 * `const { bootstrap, stop } = await startBroker()` gives a broker on a free port.
 */
export async function startBroker(options: StartBrokerOptions = {}): Promise<StartedBroker> {
  const host = options.host ?? '127.0.0.1';
  const inMemory = options.inMemory ?? options.dataDir === undefined;
  const overrides: Record<string, string | number | boolean> = {
    listeners: `PLAINTEXT://${host}:${options.port ?? 0}`,
    'samsa.in.memory': inMemory,
    ...(options.dataDir !== undefined ? { 'log.dirs': options.dataDir } : {}),
    ...options.config,
  };
  const config = loadBrokerConfig({ overrides });
  const broker = await Broker.start({
    config,
    ...(options.fs ? { fs: options.fs } : {}),
    logger: pino({ level: options.logLevel ?? 'warn' }),
  });
  const { port } = broker.address;
  return {
    bootstrap: `${broker.advertisedHost}:${broker.advertisedPort}`,
    host: broker.advertisedHost,
    port,
    broker,
    stop: () => broker.stop(),
  };
}
