/**
 * The consume rows' reader: bench/consumer/fetch-count.c, compiled with the machine's C compiler
 * on first use. It fetches and counts as consumeLoad() in load.ts does (Fetch v12, one connection,
 * one fetch in flight, 1 MiB per partition, records counted from batch headers) at about a third
 * of the CPU; with the JavaScript reader the consume rows measured the reader (89–99 % of a core)
 * more than the broker. `--js-consumer` in bench/run.ts goes back to consumeLoad().
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runForJson } from './processes.js';

const SOURCE = join(ROOT, 'bench', 'consumer', 'fetch-count.c');
const BINARY = join(ROOT, 'bench', 'results', 'bin', 'fetch-count');

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** Compiles fetch-count.c when the binary is missing or older than the source; returns its path. */
export function buildNativeConsumer(): string {
  if (mtime(BINARY) >= mtime(SOURCE)) return BINARY;
  mkdirSync(join(BINARY, '..'), { recursive: true });
  const compiler = process.env.CC ?? 'cc';
  try {
    execFileSync(compiler, ['-O2', '-Wall', '-o', BINARY, SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(
      `cannot compile ${SOURCE} with ${compiler} (install gcc, set CC, or pass --js-consumer): ${String(error)}`,
    );
  }
  return BINARY;
}

function run(args: readonly string[], timeoutMs: number): Promise<unknown> {
  return runForJson('fetch-count', buildNativeConsumer(), args, timeoutMs);
}

export interface NativeConsumeResult {
  records: number;
  payloadBytes: number;
  batchBytes: number;
  fetches: number;
  elapsedMs: number;
  /** The reader's own CPU over its run, 100 = one core. */
  cpuPercent: number;
  complete: boolean;
}

interface FetchCountLine {
  records: number;
  batchBytes: number;
  fetches: number;
  elapsedMs: number;
  cpuMs: number;
  complete: boolean;
}

/**
 * Reads `expected[p]` records from every partition p of `topic` from offset 0. The reader stops
 * by itself after 60 s (`complete: false`); `timeoutMs` only bounds the wait for the process.
 */
export async function consumeNative(options: {
  host: string;
  port: number;
  topic: string;
  expected: readonly number[];
  recordSize: number;
  timeoutMs?: number;
}): Promise<NativeConsumeResult> {
  const line = (await run(
    [options.host, String(options.port), options.topic, ...options.expected.map(String)],
    (options.timeoutMs ?? 60_000) + 10_000,
  )) as FetchCountLine;
  return {
    records: line.records,
    payloadBytes: line.records * options.recordSize,
    batchBytes: line.batchBytes,
    fetches: line.fetches,
    elapsedMs: line.elapsedMs,
    cpuPercent: (line.cpuMs / line.elapsedMs) * 100,
    complete: line.complete,
  };
}

/** Reads a raw stream until the peer closes it; resolves with its length and timing. */
export async function drainNative(
  host: string,
  port: number,
): Promise<{ bytes: number; elapsedMs: number; cpuPercent: number }> {
  const line = (await run(['--drain', host, String(port)], 120_000)) as {
    bytes: number;
    elapsedMs: number;
    cpuMs: number;
  };
  return { bytes: line.bytes, elapsedMs: line.elapsedMs, cpuPercent: (line.cpuMs / line.elapsedMs) * 100 };
}
