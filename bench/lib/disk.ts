/**
 * The disk between benchmark rows: how much a deletion freed, and waiting until the block device
 * serves synchronous writes without stalls again.
 *
 * On the virtual disk of our machine (ext4 mounted with `discard`), deleting gigabytes is cheap
 * for the guest (`sync` returns in tens of ms) but the host then works through the discarded
 * blocks for a while: after 10 GiB were deleted, 4 KiB O_DSYNC writes stalled for 170-670 ms about
 * every 2.5 s during the next 19 s, against at most 26 ms on a quiet disk. A row started in that
 * window measures the host's clean-up, not the broker (p99 end-to-end latency of 184 ms instead
 * of a few ms), so rows wait for a quiet disk after large deletions.
 */
import { constants, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes the files under `path` (a file or a directory tree) occupy on disk, 0 once it is gone:
 * allocated blocks, not apparent sizes, so that sparse files (a broker's preallocated indexes)
 * count for what deleting them frees.
 */
export function treeBytes(path: string): number {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(path);
  } catch {
    return 0;
  }
  let total = stats.blocks * 512;
  if (!stats.isDirectory()) return total;
  for (const name of readdirSync(path)) total += treeBytes(join(path, name));
  return total;
}

export interface QuietDiskOptions {
  /** Writes must run without a stall for this long (ms); longer than the gap between stalls. */
  quietMs?: number;
  /** One 4 KiB O_DSYNC write taking longer than this (ms) is a stall. */
  stallMs?: number;
  /** Give up after this long (ms) and let the row run anyway. */
  timeoutMs?: number;
}

export interface QuietDisk {
  /** ms from the call until the disk was quiet (or the timeout). */
  waitedMs: number;
  /** Writes slower than stallMs seen meanwhile. */
  stalls: number;
  /** The longest write (ms). */
  worstMs: number;
  quiet: boolean;
}

/**
 * Writes 4 KiB with O_DSYNC, again and again, to a probe file in `dir` (which must be on the disk
 * under test) until no write has stalled for `quietMs`.
 */
export async function waitForQuietDisk(dir: string, options: QuietDiskOptions = {}): Promise<QuietDisk> {
  const quietMs = options.quietMs ?? 3000;
  const stallMs = options.stallMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const path = join(dir, `quiet-probe-${process.pid}.bin`);
  const file = await open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC,
    0o644,
  );
  const block = Buffer.alloc(4096, 0x5a);
  const started = performance.now();
  let quietSince = started;
  let stalls = 0;
  let worstMs = 0;
  try {
    for (;;) {
      const before = performance.now();
      await file.write(block, 0, block.length, 0);
      const now = performance.now();
      const took = now - before;
      worstMs = Math.max(worstMs, took);
      if (took > stallMs) {
        stalls++;
        quietSince = now;
      }
      if (now - quietSince >= quietMs) return { waitedMs: now - started, stalls, worstMs, quiet: true };
      if (now - started >= timeoutMs) return { waitedMs: now - started, stalls, worstMs, quiet: false };
    }
  } finally {
    await file.close();
    await rm(path, { force: true });
  }
}

/**
 * Bytes written to the block device holding `path` since the call, as the kernel counts them
 * (`/sys/dev/block/MAJOR:MINOR/stat`, sectors written); undefined where there is no such count
 * (not Linux, or a file system without one block device, such as tmpfs or overlay).
 *
 * A produce row that acknowledges from the page cache may leave its bytes dirty in memory
 * until after the row: this figure says how much of a row's payload reached the disk while it
 * ran. Every process writing to the device counts, so it is only meaningful on an idle machine.
 */
export function diskWriteMeter(path: string): () => number | undefined {
  const statFile = blockStatFile(path);
  const start = statFile === undefined ? undefined : sectorsWritten(statFile);
  return () => {
    if (statFile === undefined || start === undefined) return undefined;
    const now = sectorsWritten(statFile);
    return now === undefined ? undefined : (now - start) * 512;
  };
}

function blockStatFile(path: string): string | undefined {
  if (process.platform !== 'linux') return undefined;
  let dev: bigint;
  try {
    dev = lstatSync(path, { bigint: true }).dev;
  } catch {
    return undefined;
  }
  // glibc's encoding of dev_t (gnu_dev_major / gnu_dev_minor).
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const file = `/sys/dev/block/${major}:${minor}/stat`;
  return sectorsWritten(file) === undefined ? undefined : file;
}

/** The seventh field of a block device's stat file: 512-byte sectors written since boot. */
function sectorsWritten(statFile: string): number | undefined {
  try {
    const field = readFileSync(statFile, 'utf8').trim().split(/\s+/)[6];
    const sectors = Number(field);
    return Number.isFinite(sectors) ? sectors : undefined;
  } catch {
    return undefined;
  }
}
