import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Recorder } from '../common/recorder.js';

export interface UserData {
  id?: string;
  email: string;
  name: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

/** The document's `UserService` (imported there from '../profile/profile.service'): users in memory. */
@Injectable()
export class UserService {
  readonly created = new Recorder<User>();
  private readonly users = new Map<string, User>();

  async create(userData: UserData): Promise<User> {
    const user: User = {
      id: userData.id ?? randomUUID(),
      email: userData.email,
      name: userData.name,
      createdAt: new Date().toISOString(),
    };
    this.users.set(user.id, user);
    this.created.record(user);
    return user;
  }

  async findById(id: string): Promise<User | null> {
    return this.users.get(id) ?? null;
  }
}
