// kafka.controller.ts — the founding document's controller (consumer), as written; only the
// import paths carry the .js extension that Node's ES modules need.
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EmailService } from '../email/email.service.js';
import { UserService } from '../profile/profile.service.js';

@Controller()
export class KafkaController {
  constructor(
    private userService: UserService,
    private emailService: EmailService,
  ) {}

  @MessagePattern('user.registration')
  async handleUserRegistration(@Payload() message: any) {
    const userData = JSON.parse(message.value);

    try {
      // Создаем пользователя
      const user = await this.userService.create(userData);

      // Отправляем приветственное письмо
      await this.emailService.sendWelcomeEmail(user.email);

      // Логируем событие
      console.log(`User ${user.id} registered successfully`);
    } catch (error) {
      console.error('Error processing user registration:', error);
      throw error; // Kafka повторит обработку
    }
  }

  @MessagePattern('notification.send')
  async handleNotification(@Payload() message: any) {
    const notification = JSON.parse(message.value);

    try {
      await this.emailService.send(notification);
      console.log(`Notification sent to ${notification.to}`);
    } catch (error) {
      console.error('Error sending notification:', error);
      throw error;
    }
  }
}
