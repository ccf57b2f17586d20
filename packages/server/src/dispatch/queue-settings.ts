// How the BullMQ queue is reached and tuned, from the environment: STORYLOOM_REDIS_URL (its database index
// picks the Redis db), STORYLOOM_QUEUE_LOCK_MS and STORYLOOM_QUEUE_STALL_MS (how soon a dead worker's job is
// handed to another: at most one lock duration plus one stall-check interval after it stopped renewing).
import type { ConnectionOptions } from 'bullmq';
import { withoutPassword } from '../http/redact';

/** The one queue every server enqueues to and every worker drives from. */
export const RUN_QUEUE_NAME = 'storyloom-runs';
export const DEFAULT_QUEUE_LOCK_MS = 30_000;
export const DEFAULT_QUEUE_STALL_MS = 30_000;
/** Smallest values accepted: BullMQ renews a lock every half of its duration. */
const MIN_QUEUE_MS = 500;

export interface QueueSettings {
  redisUrl: string;
  /** Key prefix in Redis (STORYLOOM_QUEUE_PREFIX, default `storyloom`): several deployments can share one Redis. */
  prefix: string;
  lockMs: number;
  stallMs: number;
}

function millisecondsOf(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < MIN_QUEUE_MS) throw new Error(`${name} must be a whole number of milliseconds, at least ${MIN_QUEUE_MS}; got "${text}"`);
  return value;
}

/** The queue settings when STORYLOOM_REDIS_URL is set, else undefined (runs are driven in the server). */
export function queueSettingsFromEnv(env: NodeJS.ProcessEnv): QueueSettings | undefined {
  const redisUrl = env.STORYLOOM_REDIS_URL?.trim();
  if (!redisUrl) return undefined;
  if (!/^rediss?:\/\//i.test(redisUrl)) throw new Error(`STORYLOOM_REDIS_URL must be a redis:// or rediss:// URL, got "${redisUrl}"`);
  return {
    redisUrl,
    prefix: env.STORYLOOM_QUEUE_PREFIX?.trim() || 'storyloom',
    lockMs: millisecondsOf(env, 'STORYLOOM_QUEUE_LOCK_MS', DEFAULT_QUEUE_LOCK_MS),
    stallMs: millisecondsOf(env, 'STORYLOOM_QUEUE_STALL_MS', DEFAULT_QUEUE_STALL_MS),
  };
}

/**
 * BullMQ's connection: commands wait for a reconnect instead of failing after a few retries (a Redis restart
 * pauses dispatch, it does not crash a worker).
 */
export function connectionOf(settings: QueueSettings): ConnectionOptions {
  return { url: settings.redisUrl, maxRetriesPerRequest: null };
}

/** The Redis URL without its password, for messages. */
export function describeRedis(settings: QueueSettings): string {
  return withoutPassword(settings.redisUrl, 'Redis');
}
