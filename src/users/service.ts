import { AuthError } from '../errors.js';
import type { Project } from '../projects/project.js';
import type { Store } from '../storage/store.js';
import type { User } from './user.js';

export class UserService {
  constructor(private readonly store: Store) {}

  /** The user with this id in the project, or `user_not_found`. */
  async get(project: Project, userId: string): Promise<User> {
    const user = await this.store.getUser(project.id, userId);
    if (!user) throw new AuthError('user_not_found');
    return user;
  }

  /** Deletes the user with its emails, password and sessions. */
  async delete(project: Project, userId: string): Promise<void> {
    if (!(await this.store.deleteUser(project.id, userId))) throw new AuthError('user_not_found');
  }
}
