/**
 * Child processes of a benchmark run: the Samsa broker (the built CLI, bin/samsa.js), the raw
 * baseline sink, and kcat. Every process prints "listening on host:port" when it is ready.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SAMSA_BIN = join(ROOT, 'bin', 'samsa.js');
export const SINK = join(ROOT, 'bench', 'baseline', 'sink.ts');

export interface Listening {
  child: ChildProcess;
  host: string;
  port: number;
  /** ms from spawn to the "listening" line. */
  readyMs: number;
  output(): string;
  /** SIGTERM (then SIGKILL after `graceMs`); resolves on exit. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnListening(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Listening> {
  const started = performance.now();
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<Listening>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not start:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.length > 1_000_000) output = output.slice(-100_000);
      const match = /listening on ([^\s:]+):(\d+)/.exec(output);
      if (match && timer) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (more: Buffer) => {
          output += more.toString();
          if (output.length > 1_000_000) output = output.slice(-100_000);
        });
        resolve({
          child,
          host: match[1]!,
          port: Number(match[2]),
          readyMs: performance.now() - started,
          output: () => output,
          async stop(graceMs = 10_000) {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            await exited;
            clearTimeout(killer);
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${command} exited before listening:\n${output}`));
    });
  });
}

export interface BrokerSpawnOptions {
  dataDir: string;
  settings?: Readonly<Record<string, string | number>>;
  nodeArgs?: readonly string[];
}

/** The V8 options the broker runs with: the shebang of bin/samsa.js and `npm start` give the same. */
export const BROKER_NODE_OPTIONS: readonly string[] = ['--no-memory-reducer', '--initial-old-space-size=64'];

/** `node ${BROKER_NODE_OPTIONS} bin/samsa.js start` on a free port of 127.0.0.1. */
export function spawnBroker(options: BrokerSpawnOptions): Promise<Listening> {
  const sets = Object.entries(options.settings ?? {}).flatMap(([name, value]) => [
    '--set',
    `${name}=${value}`,
  ]);
  return spawnListening(process.execPath, [
    ...BROKER_NODE_OPTIONS,
    ...(options.nodeArgs ?? []),
    SAMSA_BIN,
    'start',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--data-dir',
    options.dataDir,
    '--log-level',
    'warn',
    ...sets,
  ]);
}

export function spawnSink(args: readonly string[]): Promise<Listening> {
  return spawnListening(process.execPath, ['--import', 'tsx', SINK, ...args]);
}

/** Resolves once a TCP connection to host:port is accepted; returns ms waited. */
export async function waitForConnect(host: string, port: number, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, host, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`no connection to ${host}:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export interface Timed {
  code: number | null;
  elapsedMs: number;
  stdoutBytes: number;
  stderr: string;
}

/** Runs a command to completion, counting stdout bytes without keeping them. */
export function runTimed(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; stdin?: 'ignore' } = {},
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 20_000) stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, elapsedMs: performance.now() - started, stdoutBytes, stderr });
    });
  });
}

/** CPU time (user + system, all threads) a process has used, in ms (Linux /proc). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** Busy time of the whole machine (every CPU, steal included, idle and iowait not), ms. */
export function machineBusyMs(): number {
  // The "cpu" line: user nice system idle iowait irq softirq steal ... (guest time is already in
  // user and nice).
  const ticks = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, field) => sum + (ticks[field] ?? 0), 0);
  return busy * 10; // USER_HZ is 100 on Linux
}

export interface CpuFigures {
  /** The child process. */
  server: number;
  /** This process (the load generator). */
  generator: number;
  /** Everything else the machine ran meanwhile: other processes, kernel threads, steal. */
  rest: number;
}

/**
 * Measures CPU % (100 = one core) of a child process, of this process and of the rest of the
 * machine over an interval.
 */
export function cpuMeter(pid: number): () => CpuFigures {
  const startedAt = performance.now();
  const serverStart = cpuTimeMs(pid);
  const ownStart = process.cpuUsage();
  const machineStart = machineBusyMs();
  return () => {
    const elapsed = performance.now() - startedAt;
    let server = Number.NaN;
    try {
      server = ((cpuTimeMs(pid) - serverStart) / elapsed) * 100;
    } catch {
      // the process is gone
    }
    const own = process.cpuUsage(ownStart);
    const generator = ((own.user + own.system) / 1000 / elapsed) * 100;
    const machine = ((machineBusyMs() - machineStart) / elapsed) * 100;
    return { server, generator, rest: Math.max(0, machine - server - generator) };
  };
}

/**
 * Runs `command` to its end and parses the one JSON value it prints on stdout (`reviver` as for
 * JSON.parse). Rejects, naming it `what`, when it fails, outlives `timeoutMs` or prints no JSON.
 */
export function runForJson(
  what: string,
  command: string,
  args: readonly string[],
  timeoutMs: number,
  reviver?: (key: string, value: unknown) => unknown,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${what} failed: ${stderr.trim().slice(0, 1000) || String(error)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout, reviver));
      } catch {
        reject(new Error(`${what} printed no result: ${stdout.trim().slice(0, 200)}`));
      }
    });
  });
}
