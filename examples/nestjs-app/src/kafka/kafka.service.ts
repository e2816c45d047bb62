// kafka.service.ts — the founding document's service. Changes: the broker list comes from
// KAFKA_BROKERS, and a request-response call was added (subscribeToResponseOf before connect,
// and request()); sendMessage and sendMessageWithKey are as written.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Client, ClientKafka, Transport } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';

/** Patterns this app calls with request-response; their replies come on `<pattern>.reply`. */
export const REQUEST_PATTERNS = ['user.profile'] as const;

@Injectable()
export class KafkaService implements OnModuleInit {
  @Client({
    transport: Transport.KAFKA,
    options: {
      client: {
        clientId: 'zameni-api',
        brokers: process.env.KAFKA_BROKERS?.split(',') ?? ['localhost:9092'],
      },
      consumer: {
        groupId: 'zameni-api-consumer',
      },
    },
  })
  private client: ClientKafka;

  async onModuleInit() {
    for (const pattern of REQUEST_PATTERNS) {
      this.client.subscribeToResponseOf(pattern);
    }
    await this.client.connect();
  }

  async sendMessage(topic: string, message: any): Promise<void> {
    await this.client.emit(topic, message).toPromise();
  }

  async sendMessageWithKey(topic: string, key: string, message: any): Promise<void> {
    await this.client
      .emit(topic, {
        key,
        value: message,
      })
      .toPromise();
  }

  /** Sends to `pattern` and waits for the handler's return value on `<pattern>.reply`. */
  async request<T>(pattern: (typeof REQUEST_PATTERNS)[number], data: unknown): Promise<T> {
    return lastValueFrom(this.client.send<T>(pattern, data));
  }
}
