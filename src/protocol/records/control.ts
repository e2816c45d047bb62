/**
 * Control batches (attribute bit 5) carry markers rather than data; clients skip them but must
 * see them to move past their offsets. Transaction markers have one record:
 *
 *   key    version int16 (0), type int16 (0 ABORT, 1 COMMIT)
 *   value  version int16 (0), coordinatorEpoch int32
 */
import { ProtocolDecodeError } from '../primitives/errors.js';
import { batchHeader, CompressionCodec } from './batch-header.js';
import { buildRecordBatch } from './builder.js';
import { readRecords } from './records.js';

export const ControlRecordType = { Abort: 0, Commit: 1 } as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

export interface ControlRecordKey {
  version: number;
  /** 0 ABORT, 1 COMMIT; other values are other control records (e.g. KRaft's), kept as numbers. */
  type: number;
}

export interface EndTransactionMarker {
  commit: boolean;
  version: number;
  coordinatorEpoch: number;
}

export function isControlBatch(batch: Buffer, position = 0): boolean {
  return batchHeader.isControl(batch, position);
}

export function decodeControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < 4) {
    throw new ProtocolDecodeError(
      'ERR_BAD_RECORD_BATCH',
      `control record key of ${key?.length ?? 'null'} bytes`,
    );
  }
  return { version: key.readInt16BE(0), type: key.readInt16BE(2) };
}

export function encodeControlRecordKey(type: number, version = 0): Buffer {
  const key = Buffer.allocUnsafe(4);
  key.writeInt16BE(version, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/** Reads the marker of a transaction control batch (validating it, CRC included). */
export function readEndTransactionMarker(batch: Buffer): EndTransactionMarker {
  if (!batchHeader.isControl(batch)) {
    throw new ProtocolDecodeError('ERR_BAD_RECORD_BATCH', 'not a control batch');
  }
  const records = [...readRecords(batch)];
  if (records.length !== 1) {
    throw new ProtocolDecodeError('ERR_BAD_RECORD_BATCH', `control batch with ${records.length} records`);
  }
  const record = records[0]!;
  const key = decodeControlRecordKey(record.key);
  if (key.type !== ControlRecordType.Abort && key.type !== ControlRecordType.Commit) {
    throw new ProtocolDecodeError('ERR_BAD_RECORD_BATCH', `control record type ${key.type} is not a marker`);
  }
  const value = record.value;
  if (value === null || value.length < 6) {
    throw new ProtocolDecodeError('ERR_BAD_RECORD_BATCH', 'transaction marker value too short');
  }
  return {
    commit: key.type === ControlRecordType.Commit,
    version: value.readInt16BE(0),
    coordinatorEpoch: value.readInt32BE(2),
  };
}

export interface MarkerBatchOptions {
  baseOffset?: number;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  timestamp?: number;
  partitionLeaderEpoch?: number;
}

/** A transactional control batch holding one COMMIT or ABORT marker. */
export function buildTransactionMarkerBatch(options: MarkerBatchOptions): Buffer {
  const value = Buffer.allocUnsafe(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(options.coordinatorEpoch, 2);
  return buildRecordBatch({
    baseOffset: options.baseOffset ?? 0,
    records: [
      {
        key: encodeControlRecordKey(options.commit ? ControlRecordType.Commit : ControlRecordType.Abort),
        value,
      },
    ],
    compression: CompressionCodec.None,
    timestamp: options.timestamp ?? Date.now(),
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: -1,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? -1,
    transactional: true,
    control: true,
  });
}
