import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Samsa broker running as its own process, as a user would start it. */
export interface BrokerProcess {
  host: string;
  port: number;
  bootstrap: string;
  dataDir: string;
  process: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'main.ts');
/** The command users run: its shebang's node options, then the CLI bundled into dist/samsa.js. */
const BUILT_CLI = join(ROOT, 'bin', 'samsa.js');

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Run bin/samsa.js (needs `npm run bundle` first) instead of the sources under tsx. */
  built?: boolean;
}

/** Starts `samsa start --port 0` in a fresh data dir and resolves once it accepts connections. */
export async function startBrokerProcess(options: StartOptions = {}): Promise<BrokerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'samsa-e2e-'));
  const command = options.built ? [BUILT_CLI] : [process.execPath, '--import', 'tsx', CLI];
  const child = spawn(
    command[0]!,
    [
      ...command.slice(1),
      'start',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      ...(options.args ?? []),
    ],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const address = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`broker did not start within ${options.timeoutMs ?? 20000} ms:\n${output}`)),
      options.timeoutMs ?? 20000,
    );
    const check = (): void => {
      const match = /listening on ([^\s:]+):(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ host: match[1]!, port: Number(match[2]) });
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code} before listening:\n${output}`));
    });
  });

  return {
    ...address,
    bootstrap: `${address.host}:${address.port}`,
    dataDir,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Removes a data dir made by startBrokerProcess. */
export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}
