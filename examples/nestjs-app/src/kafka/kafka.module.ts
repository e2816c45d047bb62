// kafka.module.ts — the founding document's module. Changes: the broker list comes from
// KAFKA_BROKERS (default as in the document), and the module imports the modules that provide
// UserService and EmailService, which the document's KafkaController injects.
import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { EmailModule } from '../email/email.module.js';
import { ProfileModule } from '../profile/profile.module.js';
import { KafkaController } from './kafka.controller.js';
import { KafkaService } from './kafka.service.js';

@Module({
  imports: [
    ClientsModule.register([
      {
        name: 'KAFKA_SERVICE',
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
      },
    ]),
    ProfileModule,
    EmailModule,
  ],
  providers: [KafkaService],
  controllers: [KafkaController],
  exports: [KafkaService],
})
export class KafkaModule {}
