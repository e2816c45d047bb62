import { randomBytes } from 'node:crypto';

/**
 * Kafka's Uuid (topic ids, cluster ids, directory ids): 16 bytes, written as 22 characters of
 * unpadded base64url. Like Kafka, random ids never are all zeros (the null id), the reserved
 * metadata-topic id (...01), or start with '-' (which command lines would take for an option).
 */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const METADATA_TOPIC_UUID = 'AAAAAAAAAAAAAAAAAAAAAQ';

export function randomUuid(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = uuidFromBytes(random(16));
    if (id !== ZERO_UUID && id !== METADATA_TOPIC_UUID && !id.startsWith('-')) return id;
  }
}

export function uuidFromBytes(bytes: Buffer): string {
  if (bytes.length !== 16) throw new RangeError(`a Uuid is 16 bytes, got ${bytes.length}`);
  return bytes.toString('base64url');
}

export function uuidToBytes(id: string): Buffer {
  if (!isUuid(id)) throw new RangeError(`not a Uuid (22 characters of base64url): ${JSON.stringify(id)}`);
  return Buffer.from(id, 'base64url');
}

export function isUuid(id: string): boolean {
  return /^[A-Za-z0-9_-]{21}[AQgw]$/.test(id);
}
