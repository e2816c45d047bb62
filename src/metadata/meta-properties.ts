import { posix } from 'node:path';
import type { FileSystem } from '../storage/fs.js';
import { formatProperties, parseProperties } from '../util/properties.js';
import { isUuid, randomUuid } from '../util/uuid.js';
import { ensureDirectory, removeLeftoverTemp, writeFileAtomic } from './atomic-file.js';
import { MetadataError } from './errors.js';

/**
 * `meta.properties` in a data directory, in Kafka's (KRaft, version 1) format:
 *   version=1, cluster.id=<22-char Uuid>, node.id=<int>, directory.id=<Uuid>
 * Written once when the directory is first used; afterwards it pins the directory to its cluster
 * and node, so a broker never mixes data of two clusters.
 */
export const META_PROPERTIES_FILE = 'meta.properties';

export interface MetaProperties {
  version: 1;
  clusterId: string;
  nodeId: number;
  directoryId: string;
}

export class MetaPropertiesError extends Error {
  readonly code = 'ERR_META_PROPERTIES' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MetaPropertiesError';
  }
}

export async function readMetaProperties(fs: FileSystem, dir: string): Promise<MetaProperties | undefined> {
  const path = posix.join(dir, META_PROPERTIES_FILE);
  if (!(await fs.exists(path))) return undefined;
  const props = parseProperties((await fs.readFile(path)).toString('utf8'));
  const version = props.get('version');
  if (version !== '1')
    throw new MetaPropertiesError(`${path}: unsupported version ${String(version)} (expected 1)`);
  const clusterId = props.get('cluster.id');
  if (clusterId === undefined || clusterId === '')
    throw new MetaPropertiesError(`${path}: cluster.id is missing`);
  const nodeIdText = props.get('node.id');
  if (nodeIdText === undefined || !/^\d+$/.test(nodeIdText)) {
    throw new MetaPropertiesError(`${path}: node.id is missing or not a number`);
  }
  const directoryId = props.get('directory.id') ?? '';
  return { version: 1, clusterId, nodeId: Number(nodeIdText), directoryId };
}

export interface EnsureMetaPropertiesOptions {
  nodeId: number;
  /** The cluster id to format with; if the directory already has one, they must match. */
  clusterId?: string | null;
  random?: (size: number) => Buffer;
}

/**
 * Reads meta.properties, or writes it (with a new random cluster id unless one is given) when the
 * directory has none. A stored cluster or node id that differs from the configured one is an error.
 */
export async function ensureMetaProperties(
  fs: FileSystem,
  dir: string,
  options: EnsureMetaPropertiesOptions,
): Promise<MetaProperties> {
  await ensureDirectory(fs, dir);
  const path = posix.join(dir, META_PROPERTIES_FILE);
  await removeLeftoverTemp(fs, path);
  const existing = await readMetaProperties(fs, dir);
  if (existing) {
    if (options.clusterId && options.clusterId !== existing.clusterId) {
      throw new MetadataError(
        'INCONSISTENT_CLUSTER_ID',
        `The cluster id ${options.clusterId} does not match the id ${existing.clusterId} stored in ${path}`,
      );
    }
    if (existing.nodeId !== options.nodeId) {
      throw new MetaPropertiesError(
        `The node id ${options.nodeId} does not match the node id ${existing.nodeId} stored in ${path}`,
      );
    }
    return existing;
  }
  if (options.clusterId && !isUuid(options.clusterId)) {
    throw new MetaPropertiesError(
      `cluster id ${options.clusterId} is not a Uuid (22 characters of base64url)`,
    );
  }
  const created: MetaProperties = {
    version: 1,
    clusterId: options.clusterId || randomUuid(options.random),
    nodeId: options.nodeId,
    directoryId: randomUuid(options.random),
  };
  const text = formatProperties(
    [
      ['cluster.id', created.clusterId],
      ['directory.id', created.directoryId],
      ['node.id', String(created.nodeId)],
      ['version', '1'],
    ],
    ['', `Written by Samsa ${new Date().toUTCString()}`],
  );
  await writeFileAtomic(fs, path, Buffer.from(text, 'utf8'));
  return created;
}
