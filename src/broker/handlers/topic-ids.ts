import { uuidFromBytes, uuidToBytes, ZERO_UUID } from '../../util/uuid.js';

/**
 * Topic ids travel as 16 raw bytes; the generated codecs show them as 8-4-4-4-12 hex and the
 * metadata store keeps Kafka's 22-character base64url form. These convert between the two.
 */
const WIRE_ZERO = '00000000-0000-0000-0000-000000000000';

export function topicIdToWire(topicId: string): string {
  if (topicId === ZERO_UUID) return WIRE_ZERO;
  const hex = uuidToBytes(topicId).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function topicIdFromWire(wire: string): string {
  return uuidFromBytes(Buffer.from(wire.replace(/-/g, ''), 'hex'));
}

export function isZeroWireUuid(wire: string): boolean {
  return wire === WIRE_ZERO;
}
