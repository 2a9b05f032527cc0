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

/**
 * Everything the store holds, as comparable text: every SQLite table row, or every Redis key
 * under the project's prefix with its type, content and expiry. Equal snapshots: nothing changed.
 */
export async function storeSnapshot(project: Project, store: StoreKind): Promise<string> {
  if (store === 'sqlite') {
    const db = new Database(join(project.dir, '.qtool', 'qtool.db'), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[];
      return JSON.stringify(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]));
    } finally {
      db.close();
    }
  }
  const redis = new Redis(REDIS_URL);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${project.prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    keys.sort();
    const entries = [];
    for (const key of keys) {
      const dump = await redis.dumpBuffer(key);
      entries.push([key, dump?.toString('base64') ?? null, (await redis.pttl(key)) > 0 ? 'expires' : 'kept']);
    }
    return JSON.stringify(entries);
  } finally {
    redis.disconnect();
  }
}
