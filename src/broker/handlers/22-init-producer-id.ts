/**
 * InitProducerId (key 22), versions 0-5. Gives an idempotent producer (null transactional id) a new
 * producer id with epoch 0, from blocks reserved durably in the data dir (ProducerIdManager), as
 * Kafka's transaction coordinator does for producers without a transactional id: the producer id
 * and epoch a v3+ request carries are ignored then. Produce checks the sequence numbers of the
 * batches these producers send (src/broker/producers/producer-state.ts).
 *
 * Not implemented: transactions. A transactional id gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED
 * (53), which every client treats as fatal, so `initTransactions()` fails at once with an error
 * instead of retrying a coordinator that will never come (COORDINATOR_NOT_AVAILABLE would make
 * the Java client wait out max.block.ms). An empty transactional id is INVALID_REQUEST (42), as in
 * Kafka. A failure to reserve ids (the data dir cannot be written) is COORDINATOR_NOT_AVAILABLE
 * (15), which clients retry.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const initProducerIdHandler = defineHandler({
  api: Apis.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, context) {
    const answer = (errorCode: number, producerId = -1n, producerEpoch = -1) =>
      Apis.InitProducerId.response.create({ throttleTimeMs: 0, errorCode, producerId, producerEpoch });
    if (request.transactionalId === '') return answer(ErrorCode.INVALID_REQUEST);
    if (request.transactionalId !== null) {
      context.broker.logger.warn(
        { transactionalId: request.transactionalId, clientId: context.clientId },
        'transactions are not supported yet; refusing a transactional producer',
      );
      return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    try {
      const producerId = await context.broker.producerIds.allocate();
      return answer(ErrorCode.NONE, BigInt(producerId), 0);
    } catch (error) {
      context.broker.logger.error({ err: error }, 'allocating a producer id failed');
      return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
  },
});
