import type { Command } from 'commander';
import pino from 'pino';
import { Broker } from '../../broker/broker.js';
import { BROKER_CONFIG, loadBrokerConfig } from '../../broker/config.js';
import { ConfigException } from '../../util/config-def.js';
import { batchHelperThreads } from '../../util/thread-scheduling.js';
import { prettyDestination } from '../pretty-log.js';

interface StartFlags {
  dataDir?: string;
  port?: string;
  host?: string;
  advertisedHost?: string;
  config?: string;
  set: string[];
  inMemory?: boolean;
  logLevel: string;
  logFormat?: 'json' | 'pretty';
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `samsa start`: runs one broker in the foreground until SIGINT/SIGTERM. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start a broker (single node; data in ./data unless told otherwise)')
    .option('--data-dir <dir>', 'data directory (log.dirs)', undefined)
    .option('--port <port>', 'port to listen on (0 picks a free one)', undefined)
    .option('--host <host>', 'interface to listen on', undefined)
    .option('--advertised-host <host>', 'host name clients are told to connect to')
    .option('--config <file>', 'a server.properties file (Kafka format)')
    .option('--set <name=value>', 'any broker config by its Kafka name (repeatable)', collect, [])
    .option('--in-memory', 'keep all data in memory (lost on exit)')
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent', 'info')
    .option('--log-format <format>', 'json or pretty (default: pretty on a terminal, json otherwise)')
    .addHelpText(
      'after',
      `\nBroker configs (also KAFKA_* environment variables, e.g. KAFKA_NUM_PARTITIONS=3):\n${BROKER_CONFIG.names
        .map((name) => `  ${name}`)
        .join('\n')}\n\nSee docs/configuration.md for types, defaults and meanings.`,
    )
    .action(async (flags: StartFlags) => {
      await start(flags);
    });
}

async function start(flags: StartFlags): Promise<void> {
  const overrides: string[] = [];
  let config: ReturnType<typeof loadBrokerConfig>;
  try {
    const base = loadBrokerConfig({
      ...(flags.config !== undefined ? { file: flags.config } : {}),
      env: process.env,
      overrides: flags.set,
    });
    // Flags win over the file, the environment and --set, and only replace what they name.
    const listener = base.listeners[0]!;
    if (flags.host !== undefined || flags.port !== undefined) {
      const host = flags.host ?? listener.host;
      const port = flags.port ?? String(listener.port);
      overrides.push(`listeners=${listener.name}://${host.includes(':') ? `[${host}]` : host}:${port}`);
      if (base.values['advertised.listeners'] === null || flags.advertisedHost !== undefined) {
        overrides.push(`advertised.listeners=${listener.name}://${flags.advertisedHost ?? ''}:${port}`);
      }
    } else if (flags.advertisedHost !== undefined) {
      overrides.push(`advertised.listeners=${listener.name}://${flags.advertisedHost}:${listener.port}`);
    }
    if (flags.dataDir !== undefined) overrides.push(`log.dirs=${flags.dataDir}`);
    if (flags.inMemory) overrides.push('samsa.in.memory=true');
    config = loadBrokerConfig({
      ...(flags.config !== undefined ? { file: flags.config } : {}),
      env: process.env,
      overrides: [...flags.set, ...overrides],
    });
  } catch (error) {
    if (error instanceof ConfigException) {
      console.error(`samsa: invalid configuration\n${error.message}`);
      process.exit(2);
    }
    throw error;
  }

  const pretty =
    flags.logFormat === 'pretty' || (flags.logFormat === undefined && process.stdout.isTTY === true);
  const logger = pretty
    ? pino({ level: flags.logLevel }, prettyDestination(process.stdout))
    : pino({ level: flags.logLevel });
  for (const warning of config.warnings) logger.warn(warning);
  const broker = await Broker.start({ config, logger });
  if (config.values['samsa.threads.sched.batch'] === true) {
    const changed = batchHelperThreads();
    if (changed === undefined)
      logger.warn('samsa.threads.sched.batch: SCHED_BATCH is not available here (Linux only)');
    else logger.debug({ threads: changed }, 'helper threads under SCHED_BATCH');
  }
  const { host, port } = broker.address;
  console.log(
    `Samsa broker ${broker.brokerId} listening on ${host}:${port} ` +
      `(advertised as ${broker.advertisedHost}:${broker.advertisedPort}), cluster ${broker.clusterId}, data in ${broker.dataDir}`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    broker.stop().then(
      () => {
        console.log('Samsa broker stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
