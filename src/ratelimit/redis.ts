import { createClient } from 'redis';
import type { CounterBackend } from './limiter.js';

/** Counters in Redis: INCR on a per-window key that expires after its window. */
export async function createRedisCounters(url: string): Promise<CounterBackend> {
  const client = createClient({ url });
  // Connection errors surface on the next command; the listener keeps them from crashing the process.
  client.on('error', () => {});
  await client.connect();
  return {
    async hit(key, windowStart, windowMs) {
      const k = `postern:rl:${key}:${windowStart}`;
      const [count] = (await client.multi().incr(k).pExpire(k, windowMs * 2).exec()) as unknown as [number, number];
      return Number(count);
    },
    async close() {
      await client.quit();
    },
  };
}
