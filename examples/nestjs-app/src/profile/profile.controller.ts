import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { UserService } from './profile.service.js';

/**
 * Request-response over Kafka (not in the document, which only emits events): a client's
 * `send('user.profile', { id })` arrives here with a correlation id and a reply topic in its
 * headers, and NestJS produces the returned value to `user.profile.reply`.
 */
@Controller()
export class ProfileController {
  constructor(private userService: UserService) {}

  @MessagePattern('user.profile')
  async getProfile(@Payload() request: { id: string }) {
    return this.userService.findById(request.id);
  }
}
