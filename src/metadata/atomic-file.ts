import { posix } from 'node:path';
import type { FileSystem } from '../storage/fs.js';

/** Suffix of the temporary file of an atomic replace; a leftover one is an unfinished write. */
export const TEMP_SUFFIX = '.tmp';

/**
 * Replaces `path` with `data` so that after a crash the file holds either the old or the new
 * content, never a mix: write `path.tmp`, fsync it, rename it over `path`, fsync the directory
 * (which makes the rename durable).
 */
export async function writeFileAtomic(fs: FileSystem, path: string, data: Buffer): Promise<void> {
  const temp = path + TEMP_SUFFIX;
  const handle = await fs.open(temp, 'w+');
  try {
    await handle.write(data, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, path);
  await fs.syncDirectory(posix.dirname(path));
}

/** Removes the temporary file an interrupted `writeFileAtomic` may have left. */
export async function removeLeftoverTemp(fs: FileSystem, path: string): Promise<boolean> {
  const temp = path + TEMP_SUFFIX;
  if (!(await fs.exists(temp))) return false;
  await fs.unlink(temp);
  return true;
}

/** Creates `dir` and any missing ancestors, making each new entry durable (fsync of its parent). */
export async function ensureDirectory(fs: FileSystem, dir: string): Promise<void> {
  if (await fs.exists(dir)) return;
  const parent = posix.dirname(dir);
  if (parent !== dir) await ensureDirectory(fs, parent);
  await fs.mkdir(dir);
  if (parent !== dir) await fs.syncDirectory(parent);
}
