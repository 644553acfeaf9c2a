import { AuthError } from '../errors.js';
import type { Project } from '../projects/project.js';
import type { Store } from '../storage/store.js';
import { encodeCursor, parseSearch, type SearchInput } from './search.js';
import type { User } from './user.js';

export class UserService {
  constructor(private readonly store: Store) {}

  /** The user with this id in the project, or `user_not_found`. */
  async get(project: Project, userId: string): Promise<User> {
    const user = await this.store.getUser(project.id, userId);
    if (!user) throw new AuthError('user_not_found');
    return user;
  }

  /** One page of matching users, the total that match, and the cursor of the next page (or null). */
  async search(project: Project, input: SearchInput): Promise<{ users: User[]; total: number; nextCursor: string | null }> {
    const query = parseSearch(input);
    // One more than asked tells whether another page exists without a second query.
    const { users, total } = await this.store.searchUsers(project.id, { ...query, limit: query.limit + 1 });
    const page = users.slice(0, query.limit);
    const last = page[page.length - 1];
    const nextCursor = users.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null;
    return { users: page, total, nextCursor };
  }

  /** Deletes the user with its emails, password and sessions. */
  async delete(project: Project, userId: string): Promise<void> {
    if (!(await this.store.deleteUser(project.id, userId))) throw new AuthError('user_not_found');
  }
}
