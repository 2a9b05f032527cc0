// The chaos run: worker processes are SIGKILLed at random while they work through a queue whose
// every job appends "pid id" to a ledger. Afterwards every job must be in the ledger, nothing may
// be left pending or reserved, and an id may appear more than once only when the earlier runs were
// in a process that was killed (at-least-once: the lease ran out and another worker ran it).
//
// Used by test/chaos/chaos.test.ts (short run in CI) and by `npm run chaos -- --minutes 10`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropRedisPrefix } from '../../bench/lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'qtool.js');
const REDIS_URL = process.env.QTOOL_TEST_REDIS ?? 'redis://127.0.0.1:6379/0';

const CONFIG = (ledger) => `
import { appendFileSync } from 'node:fs';
export default {
  jobs: {
    Chaos: {
      tries: 0,
      async handle(data, ctx) {
        // Some jobs take a few ms, so kills land in the middle of runs, not only between them.
        if (data.work > 0) await new Promise((r) => setTimeout(r, data.work));
        appendFileSync(${JSON.stringify(ledger)}, process.pid + ' ' + ctx.id + '\\n');
      },
    },
  },
};
`;

/**
 * @param {{ store: 'sqlite' | 'redis', jobs?: number, workers?: number, killEveryMs?: number,
 *   minutes?: number, concurrency?: number, log?: (line: string) => void }} options
 */
export async function runChaos(options) {
  const store = options.store;
  const workers = options.workers ?? 3;
  const killEveryMs = options.killEveryMs ?? 1000;
  const concurrency = options.concurrency ?? 4;
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'qtool-chaos-'));
  const ledger = join(dir, 'ledger.txt');
  const prefix = `qtool-chaos:${randomBytes(4).toString('hex')}:`;
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.QTOOL_CONFIG;
  delete env.QTOOL_KEY;
  if (store === 'redis') env.QTOOL_CONNECTION = `${REDIS_URL}?prefix=${encodeURIComponent(prefix)}`;
  else delete env.QTOOL_CONNECTION;
  writeFileSync(join(dir, 'qtool.config.mjs'), CONFIG(ledger));

  const run = (args, input) =>
    new Promise((resolveRun, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => {
        stdout += c;
      });
      child.stderr.on('data', (c) => {
        stderr += c;
      });
      child.on('error', reject);
      child.on('close', (code) => resolveRun({ code, stdout, stderr }));
      child.stdin.end(input ?? '');
    });

  const ids = new Set();
  const dispatch = async (count) => {
    const lines = [];
    for (let i = 0; i < count; i++) lines.push(JSON.stringify({ job: 'Chaos', queue: 'chaos', data: { work: i % 5 } }));
    const result = await run(['dispatch', '-', '--quiet'], `${lines.join('\n')}\n`);
    if (result.code !== 0) throw new Error(`dispatch failed: ${result.stderr}`);
    for (const id of result.stdout.split('\n').filter(Boolean)) ids.add(id);
  };

  const live = new Set();
  const killed = new Set();
  const startWorker = () => {
    const child = spawn(
      process.execPath,
      [BIN, 'work', '--queue', 'chaos', '--concurrency', String(concurrency), '--lease', '2s', '--json'],
      { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr.on('data', () => {});
    child.exited = new Promise((r) => child.on('close', (code, signal) => r({ code, signal })));
    live.add(child);
    return child;
  };
  const ledgerLines = () => (existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean) : []);
  const done = () => new Set(ledgerLines().map((l) => l.slice(l.indexOf(' ') + 1))).size;

  const started = Date.now();
  const report = {
    store,
    jobs: 0,
    kills: 0,
    diedBooting: 0,
    duplicates: 0,
    duplicatesFromLiveWorkers: 0,
    lost: 0,
    leftover: null,
  };
  try {
    await dispatch(options.jobs ?? 20_000);
    for (let i = 0; i < workers; i++) startWorker();
    const until = started + (options.minutes ?? 0) * 60_000;
    const deadline = started + Math.max(120_000, (options.minutes ?? 0) * 60_000 + 120_000);
    let nextKill = Date.now() + killEveryMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const now = Date.now();
      // A long run keeps the queue fed while it lasts; a short one stops once every job ran.
      if (now < until && done() >= ids.size - 500) await dispatch(2_000);
      if (now >= until && done() >= ids.size) break;
      if (now > deadline) throw new Error(`chaos run did not finish: ${done()} of ${ids.size} jobs ran`);
      if (now >= nextKill) {
        const victims = [...live];
        const victim = victims[Math.floor(Math.random() * victims.length)];
        killed.add(victim.pid);
        victim.kill('SIGKILL');
        live.delete(victim);
        report.kills += 1;
        startWorker();
        nextKill = now + killEveryMs;
        if (report.kills % 10 === 0) log(`${store}: ${report.kills} kills, ${done()}/${ids.size} jobs`);
      }
    }
    // Jobs a killed worker held (ran, not acknowledged) come back when their lease runs out: the
    // survivors stop gracefully and one last worker drains the queue, leases included.
    for (const child of live) child.kill('SIGTERM');
    for (const child of live) {
      const exit = await child.exited;
      // A worker started an instant before has no signal handler yet and dies of the signal, as
      // any booting process would: count it as killed (its leases recover like a SIGKILL's).
      if (exit.signal === 'SIGTERM') {
        killed.add(child.pid);
        report.diedBooting += 1;
      } else if (exit.code !== 0) throw new Error(`a worker exited ${JSON.stringify(exit)} on SIGTERM`);
    }
    live.clear();
    const drain = await run(['work', '--queue', 'chaos', '--stop-when-empty', '--lease', '2s', '--json']);
    if (drain.code !== 0) throw new Error(`draining worker failed: ${drain.stderr}`);

    const status = JSON.parse((await run(['status', '--json'])).stdout);
    const queue = (status.queues ?? []).find((q) => q.queue === 'chaos') ?? {};
    report.leftover = {
      pending: queue.pending ?? 0,
      delayed: queue.delayed ?? 0,
      reserved: queue.reserved ?? 0,
      failed: queue.failed ?? 0,
    };
    const runs = new Map();
    for (const line of ledgerLines()) {
      const [pid, id] = line.split(' ');
      runs.set(id, [...(runs.get(id) ?? []), Number(pid)]);
    }
    report.jobs = ids.size;
    report.lost = [...ids].filter((id) => !runs.has(id)).length;
    report.unknown = [...runs.keys()].filter((id) => !ids.has(id)).length;
    for (const pids of runs.values()) {
      if (pids.length > 1) report.duplicates += pids.length - 1;
      // At most one run per job may come from a worker that was never killed.
      if (pids.filter((pid) => !killed.has(pid)).length > 1) report.duplicatesFromLiveWorkers += 1;
    }
    if (store === 'sqlite') {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(join(dir, '.qtool', 'qtool.db'), { readonly: true });
      report.integrity = db.pragma('integrity_check', { simple: true });
      db.close();
    }
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    return report;
  } finally {
    for (const child of live) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    if (store === 'redis') await dropRedisPrefix(prefix, REDIS_URL);
  }
}

// `npm run chaos -- --minutes 10 [--store sqlite|redis] [--jobs N] [--workers N]`
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const stores = flag('store') ? [flag('store')] : ['sqlite', 'redis'];
  let failed = false;
  for (const store of stores) {
    const report = await runChaos({
      store,
      minutes: Number(flag('minutes', '1')),
      jobs: Number(flag('jobs', '20000')),
      workers: Number(flag('workers', '4')),
      log: (line) => console.log(line),
    });
    console.log(JSON.stringify(report));
    const left = report.leftover;
    if (
      report.lost ||
      report.unknown ||
      report.duplicatesFromLiveWorkers ||
      left.pending ||
      left.reserved ||
      left.delayed ||
      left.failed ||
      (report.integrity && report.integrity !== 'ok')
    )
      failed = true;
  }
  process.exit(failed ? 1 : 0);
}
