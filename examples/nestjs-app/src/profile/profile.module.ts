import { Module } from '@nestjs/common';
import { ProfileController } from './profile.controller.js';
import { UserService } from './profile.service.js';

@Module({
  providers: [UserService],
  controllers: [ProfileController],
  exports: [UserService],
})
export class ProfileModule {}
