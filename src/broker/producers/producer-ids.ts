import { posix } from 'node:path';
import { removeLeftoverTemp, writeFileAtomic } from '../../metadata/atomic-file.js';
import type { FileSystem } from '../../storage/fs.js';

/** The file, in the data dir, that holds the first producer id not yet handed to a block. */
export const PRODUCER_IDS_FILE = 'producer-ids.json';
/** Ids reserved per durable write, as Kafka's controller hands out blocks of 1000. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/**
 * Hands out producer ids for InitProducerId, never the same one twice, across restarts and crashes.
 *
 * Kafka keeps the next free block in its metadata log (ProducerIdsRecord); here the end of the
 * reserved block is one small JSON file (`{"nextBlockStart": "2000"}`) replaced atomically before
 * any id of the new block is returned. A crash loses the unused rest of a block, which is harmless:
 * ids only need to be unique. Allocation is serialized, so concurrent requests get distinct ids.
 */
export class ProducerIdManager {
  private next: number;
  private blockEnd: number;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly fs: FileSystem,
    private readonly path: string,
    nextBlockStart: number,
  ) {
    this.next = nextBlockStart;
    this.blockEnd = nextBlockStart;
  }

  static async open(fs: FileSystem, dir: string): Promise<ProducerIdManager> {
    const path = posix.join(dir, PRODUCER_IDS_FILE);
    await removeLeftoverTemp(fs, path);
    let nextBlockStart = 0;
    if (await fs.exists(path)) {
      const text = (await fs.readFile(path)).toString('utf8');
      const parsed = JSON.parse(text) as { nextBlockStart?: unknown };
      const value = Number(parsed.nextBlockStart);
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new Error(`${path}: nextBlockStart ${String(parsed.nextBlockStart)} is not a producer id`);
      }
      nextBlockStart = value;
    }
    return new ProducerIdManager(fs, path, nextBlockStart);
  }

  /** The next unused producer id; reserves (durably) a new block when the current one is used up. */
  allocate(): Promise<number> {
    const result = this.queue.then(async () => {
      if (this.next >= this.blockEnd) {
        const blockEnd = this.next + PRODUCER_ID_BLOCK_SIZE;
        const data = Buffer.from(`${JSON.stringify({ nextBlockStart: String(blockEnd) })}\n`);
        await writeFileAtomic(this.fs, this.path, data);
        this.blockEnd = blockEnd;
      }
      return this.next++;
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}
