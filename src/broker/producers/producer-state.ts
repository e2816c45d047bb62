/**
 * Idempotent producers: per partition, the epoch and the last batches of each producer id, so that
 * a retried batch is not stored twice and a gap in the sequence is refused, as Kafka's
 * ProducerStateManager does.
 *
 * Rules for a batch with a producer id (checked in the order appends enter the log):
 * - a producer this partition has not seen (new, or forgotten by a restart) may start at any
 *   sequence, as in Kafka for producers whose state has expired;
 * - an older epoch than the last seen: INVALID_PRODUCER_EPOCH (47);
 * - the same epoch and the same sequence range as one of the last 5 batches: a duplicate,
 *   answered with success and the offset the batch got the first time;
 * - the same epoch: the first sequence must follow the last one (wrapping after 2^31-1), else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER (45); a newer epoch must start at sequence 0.
 *
 * State is kept in memory only, keyed by the PartitionLog object (a deleted and re-created topic
 * starts afresh). After a restart every producer is unknown again, so a batch retried across the
 * restart can be stored twice (Kafka avoids that with producer snapshots). A batch whose append
 * fails makes the partition forget the producer, which then resynchronises on its next batch.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { batchHeader } from '../../protocol/records/index.js';

/** How many batches per producer are remembered for duplicate detection (Kafka: 5). */
export const REMEMBERED_BATCHES = 5;
const NO_SEQUENCE = -1;
const MAX_SEQUENCE = 0x7fffffff;

interface BatchRecord {
  firstSequence: number;
  lastSequence: number;
  /** The offset of the batch's first record once appended. */
  baseOffset: Promise<number>;
}

interface ProducerEntry {
  epoch: number;
  lastSequence: number;
  batches: BatchRecord[];
}

/** What to do with the records of one partition of a Produce request. */
export type SequenceCheck =
  | {
      kind: 'append';
      /** Call with the base offset the log gave the records. */
      appended(baseOffset: number): void;
      /** Call when the append failed: the producers involved are forgotten. */
      failed(): void;
    }
  /** A retried batch: answer with the offset it got the first time (-1: that append failed). */
  | { kind: 'duplicate'; baseOffset: Promise<number> }
  | { kind: 'error'; errorCode: number; message: string };

interface PendingBatch {
  producerId: number;
  previous: ProducerEntry | undefined;
  resolve: (offset: number) => void;
  /** Offset of the batch's first record relative to the first record of `records`. */
  offsetDelta: number;
}

const PLAIN: SequenceCheck = { kind: 'append', appended() {}, failed() {} };

/** Producer states of every partition of one broker. */
export class ProducerStates {
  private readonly partitions = new WeakMap<object, Map<number, ProducerEntry>>();

  /**
   * Checks the batches of `records` (already validated, so their headers are sound) and, if they
   * are to be appended, records them as the producers' latest batches. Synchronous: call it right
   * before issuing the append so that checks happen in the log's append order.
   */
  check(log: object, records: Buffer): SequenceCheck {
    let producers = this.partitions.get(log);
    const pending: PendingBatch[] = [];
    // An error after earlier batches of the same records were taken undoes what they recorded.
    const fail = (errorCode: number, message: string): SequenceCheck => {
      for (const batch of pending.reverse()) {
        if (batch.previous === undefined) producers!.delete(batch.producerId);
        else producers!.set(batch.producerId, batch.previous);
      }
      return { kind: 'error', errorCode, message };
    };
    let position = 0;
    let offsetDelta = 0;
    while (position < records.length) {
      const producerId = batchHeader.producerId(records, position);
      const lastOffsetDelta = batchHeader.lastOffsetDelta(records, position);
      if (producerId >= 0) {
        const epoch = batchHeader.producerEpoch(records, position);
        const firstSequence = batchHeader.baseSequence(records, position);
        if (firstSequence === NO_SEQUENCE || firstSequence < 0) {
          return fail(
            ErrorCode.INVALID_RECORD,
            `invalid sequence ${firstSequence} for producer ${producerId}`,
          );
        }
        const lastSequence = incrementSequence(firstSequence, lastOffsetDelta);
        const entry = producers?.get(producerId);
        if (entry !== undefined) {
          if (epoch < entry.epoch) {
            return fail(
              ErrorCode.INVALID_PRODUCER_EPOCH,
              `producer ${producerId} epoch ${epoch} is older than the current epoch ${entry.epoch}`,
            );
          }
          if (epoch === entry.epoch) {
            const duplicate = entry.batches.find(
              (batch) => batch.firstSequence === firstSequence && batch.lastSequence === lastSequence,
            );
            if (duplicate !== undefined) {
              if (records.length !== batchHeader.totalSize(records, position) || pending.length > 0) {
                return fail(
                  ErrorCode.DUPLICATE_SEQUENCE_NUMBER,
                  `a duplicate batch among others of producer ${producerId}`,
                );
              }
              return { kind: 'duplicate', baseOffset: duplicate.baseOffset };
            }
            if (firstSequence !== incrementSequence(entry.lastSequence, 1)) {
              return fail(
                ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
                `producer ${producerId} epoch ${epoch}: sequence ${firstSequence} does not follow ${entry.lastSequence}`,
              );
            }
          } else if (firstSequence !== 0) {
            return fail(
              ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
              `producer ${producerId}: new epoch ${epoch} must start at sequence 0, not ${firstSequence}`,
            );
          }
        }
        producers ??= this.partitionOf(log);
        const previous = producers.get(producerId);
        let resolve: (offset: number) => void = () => {};
        const baseOffset = new Promise<number>((done) => {
          resolve = done;
        });
        const batches =
          previous !== undefined && previous.epoch === epoch
            ? previous.batches.slice(-(REMEMBERED_BATCHES - 1))
            : [];
        batches.push({ firstSequence, lastSequence, baseOffset });
        producers.set(producerId, { epoch, lastSequence, batches });
        pending.push({ producerId, previous, resolve, offsetDelta });
      }
      offsetDelta += lastOffsetDelta + 1;
      position += batchHeader.totalSize(records, position);
    }
    if (pending.length === 0) return PLAIN;
    const state = producers!;
    return {
      kind: 'append',
      appended(baseOffset) {
        for (const batch of pending) batch.resolve(baseOffset + batch.offsetDelta);
      },
      failed() {
        for (const batch of pending) {
          state.delete(batch.producerId);
          batch.resolve(-1);
        }
      },
    };
  }

  private partitionOf(log: object): Map<number, ProducerEntry> {
    let producers = this.partitions.get(log);
    if (producers === undefined) {
      producers = new Map();
      this.partitions.set(log, producers);
    }
    return producers;
  }
}

/** Sequence numbers wrap to 0 after 2^31-1 (Kafka's DefaultRecordBatch.incrementSequence). */
function incrementSequence(sequence: number, increment: number): number {
  if (sequence > MAX_SEQUENCE - increment) return increment - (MAX_SEQUENCE - sequence) - 1;
  return sequence + increment;
}

const registries = new WeakMap<object, ProducerStates>();

/** The producer states of a broker, kept beside it like its fetch waiters. */
export function producerStatesOf(broker: object): ProducerStates {
  let states = registries.get(broker);
  if (states === undefined) {
    states = new ProducerStates();
    registries.set(broker, states);
  }
  return states;
}
