import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { type Project, REDIS_URL, type StoreKind } from './cli.js';

/**
 * Reach into a test project's store behind qtool's back, as an attacker or a disk fault would:
 * read and overwrite one job's stored payload.
 */
export async function withStoredPayload(
  project: Project,
  store: StoreKind,
  job: { id: string; queue: string },
  change: (payload: string) => string,
): Promise<void> {
  if (store === 'sqlite') {
    const db = new Database(join(project.dir, '.qtool', 'qtool.db'));
    try {
      const row = db.prepare('SELECT payload FROM jobs WHERE id = ?').get(job.id) as { payload: string };
      db.prepare('UPDATE jobs SET payload = ? WHERE id = ?').run(change(row.payload), job.id);
    } finally {
      db.close();
    }
    return;
  }
  const redis = new Redis(REDIS_URL);
  try {
    const key = `${project.prefix}{${job.queue}}:payload`;
    const payload = await redis.hget(key, job.id);
    await redis.hset(key, job.id, change(payload ?? ''));
  } finally {
    redis.disconnect();
  }
}

/** The stored payload of a pending job, as the store holds it. */
export async function storedPayload(project: Project, store: StoreKind, job: { id: string; queue: string }) {
  let seen = '';
  await withStoredPayload(project, store, job, (payload) => {
    seen = payload;
    return payload;
  });
  return seen;
}
