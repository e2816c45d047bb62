import 'reflect-metadata';
import type { INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions, Transport } from '@nestjs/microservices';
import { AppModule } from './app.module.js';

/**
 * Creates the app as a NestJS Kafka microservice (the consumer side: the @MessagePattern
 * handlers) and starts it. The document does not show this part; these are NestJS's usual
 * options with the document's client id and group id. The server's group is
 * `zameni-api-consumer-server` and the clients' is `zameni-api-consumer-client`, since NestJS
 * appends those suffixes.
 */
export async function startApp(): Promise<INestMicroservice> {
  const logLevels = (process.env.NEST_LOG_LEVELS ?? 'log,warn,error').split(',') as LogLevel[];
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule, {
    transport: Transport.KAFKA,
    options: {
      client: {
        clientId: 'zameni-api',
        brokers: process.env.KAFKA_BROKERS?.split(',') ?? ['localhost:9092'],
      },
      consumer: {
        groupId: 'zameni-api-consumer',
      },
      // A new group starts at the beginning, so events sent while it was joining are not skipped.
      subscribe: { fromBeginning: true },
    },
    logger: logLevels,
  });
  await app.listen();
  return app;
}
