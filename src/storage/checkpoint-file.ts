import { posix } from 'node:path';
import type { FileSystem } from './fs.js';
import type { TopicPartition } from './log/file-names.js';

/**
 * An offset checkpoint file in Kafka's text format (`recovery-point-offset-checkpoint`,
 * `log-start-offset-checkpoint`):
 *
 *   0                      version
 *   2                      number of entries
 *   orders 0 1234          topic, partition, offset (space separated; topics have no spaces)
 *   orders 1 99
 *
 * Written crash-safely: the content goes to `<name>.tmp`, is fsynced, renamed over the file and
 * the directory fsynced. A missing or malformed file reads as empty, which is safe for both uses
 * (recovery then scans more; the log start offset falls back to the first segment).
 *
 * Concurrency: writes of one file must not overlap; the LogManager serialises them.
 */
export interface CheckpointEntry extends TopicPartition {
  offset: number;
}

export class OffsetCheckpointFile {
  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
  ) {}

  async write(entries: CheckpointEntry[]): Promise<void> {
    const lines = [
      '0',
      String(entries.length),
      ...entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`),
    ];
    const temporary = `${this.path}.tmp`;
    const handle = await this.fs.open(temporary, 'w+');
    try {
      await handle.write(Buffer.from(`${lines.join('\n')}\n`), 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.fs.rename(temporary, this.path);
    await this.fs.syncDirectory(posix.dirname(this.path));
  }

  async read(): Promise<CheckpointEntry[]> {
    let text: string;
    try {
      text = (await this.fs.readFile(this.path)).toString('utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw error;
    }
    const lines = text.split('\n').filter((line) => line.length > 0);
    if (lines[0] !== '0') return [];
    const count = Number(lines[1]);
    if (!Number.isInteger(count) || lines.length - 2 !== count) return [];
    const entries: CheckpointEntry[] = [];
    for (const line of lines.slice(2)) {
      const parts = line.split(' ');
      if (parts.length !== 3) return [];
      const partition = Number(parts[1]);
      const offset = Number(parts[2]);
      if (!Number.isInteger(partition) || !Number.isInteger(offset)) return [];
      entries.push({ topic: parts[0]!, partition, offset });
    }
    return entries;
  }
}

export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}
