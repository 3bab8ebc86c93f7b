/**
 * Real Redis for the cluster tests (no mocks): `MJW_TEST_REDIS_URL`, default
 * `redis://127.0.0.1:6379`, with a database index of each test file's own (passed in, so files
 * running in parallel never flush each other's data), flushed when the file opens it; or a
 * database shared by files that each keep to a key prefix of their own (`keyPrefix`: only those
 * keys are deleted, nothing is flushed).
 * In CI (`CI=true`) an unreachable Redis fails the run; elsewhere the file's tests are skipped with
 * one printed line that says why.
 */
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.MJW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  /** A connected client on the file's own database, flushed. */
  redis: Redis;
  /** A new connection to the same database (a second worker). */
  connect(): Redis;
  close(): Promise<void>;
}

export interface OpenTestRedisOptions {
  /**
   * Share the database with other files: instead of flushing it, delete only the keys under this
   * prefix (each file sharing a database uses a prefix of its own and never flushes).
   */
  keyPrefix?: string;
}

export async function openTestRedis(
  db: number,
  options: OpenTestRedisOptions = {},
): Promise<TestRedis | undefined> {
  const opened: Redis[] = [];
  const connect = (): Redis => {
    const client = new Redis(TEST_REDIS_URL, {
      db,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
    });
    opened.push(client);
    return client;
  };
  const redis = connect();
  try {
    await redis.connect();
    if (options.keyPrefix === undefined) await redis.flushdb();
    else {
      const stale = await redis.keys(`${options.keyPrefix}*`);
      if (stale.length > 0) await redis.del(...stale);
    }
  } catch (error) {
    redis.disconnect();
    const why = `Redis at ${TEST_REDIS_URL} is unreachable (${(error as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${why}: CI needs it for the cluster tests`);
    console.log(`skipping the cluster tests: ${why}; start Redis or set MJW_TEST_REDIS_URL`);
    return undefined;
  }
  return {
    redis,
    connect,
    close: async () => {
      await Promise.all(opened.map((client) => client.quit().catch(() => undefined)));
    },
  };
}
