import { posix } from 'node:path';
import type { FileSystem } from '../fs.js';
import { scanBatchHeaders } from './batch-scan.js';
import {
  INDEX_SUFFIX,
  LOG_SUFFIX,
  parseSegmentFileName,
  SWAP_SUFFIX,
  segmentPath,
  TIME_INDEX_SUFFIX,
} from './file-names.js';

/**
 * Crash-safe replacement of segments by a compacted one (Kafka's protocol):
 *
 *   1. the cleaner writes `<base>.log.cleaned` (+ indexes) and fsyncs them;   crash: discarded
 *   2. renames them to `.swap` and fsyncs the directory;                        crash: completed
 *   3. removes the replaced segments, renames `.swap` to the final names, fsyncs the directory.
 *
 * A `.log.swap` file is therefore always complete. On load, `completeInterruptedSwaps` finishes
 * step 3 for each: the replaced segments are those whose base offset falls within the swap
 * segment's offsets; their indexes are rebuilt by the loader if the swap's are missing.
 */
const SUFFIXES = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX];

export async function completeInterruptedSwaps(fs: FileSystem, dir: string): Promise<number> {
  const names = await fs.readdir(dir);
  const swaps = names
    .map((name) => ({ name, parsed: parseSegmentFileName(name) }))
    .filter((entry) => entry.parsed?.suffix === LOG_SUFFIX + SWAP_SUFFIX)
    .map((entry) => entry.parsed!.baseOffset);
  for (const base of swaps) {
    const swapPath = segmentPath(dir, base, LOG_SUFFIX + SWAP_SUFFIX);
    const handle = await fs.open(swapPath, 'r');
    let lastOffset = base;
    try {
      for await (const batch of scanBatchHeaders(handle, 0, await handle.size()))
        lastOffset = batch.lastOffset;
    } finally {
      await handle.close();
    }
    for (const name of names) {
      const parsed = parseSegmentFileName(name);
      if (!parsed || !SUFFIXES.includes(parsed.suffix)) continue;
      if (parsed.baseOffset >= base && parsed.baseOffset <= lastOffset)
        await fs.unlink(posix.join(dir, name));
    }
    await finishSwap(fs, dir, base);
  }
  return swaps.length;
}

/** Step 3's renames (the replaced segments are already gone); then fsyncs the directory. */
export async function finishSwap(fs: FileSystem, dir: string, base: number): Promise<void> {
  for (const suffix of SUFFIXES) {
    const from = segmentPath(dir, base, suffix + SWAP_SUFFIX);
    if (await fs.exists(from)) await fs.rename(from, segmentPath(dir, base, suffix));
  }
  await fs.syncDirectory(dir);
}
