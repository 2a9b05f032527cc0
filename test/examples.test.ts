// Every example in examples/ runs through the binary (dispatch, chain or batch, then work
// --stop-when-empty) with examples/qtool.config.mjs, and does what examples/README.md says.
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lines, type Project, ROOT, tempProject } from './helpers/cli.js';

const EXAMPLES = join(ROOT, 'examples');
let project: Project;

function setUp(): Project {
  project = tempProject();
  cpSync(EXAMPLES, join(project.dir, 'examples'), { recursive: true });
  cpSync(join(EXAMPLES, 'qtool.config.mjs'), join(project.dir, 'qtool.config.mjs'));
  return project;
}
afterEach(() => project?.cleanup());

const log = () => {
  const path = join(project.dir, '.qtool', 'examples.log');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
};

async function ok(args: string[], env?: Record<string, string>): Promise<string> {
  const result = await project.run(args, { env, timeoutMs: 30_000 });
  expect(result.code, `qtool ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

const work = (queues: string, ...more: string[]) =>
  ok(['work', '--queue', queues, '--stop-when-empty', '--sleep', '200ms', ...more]);

const failedJobs = async () => JSON.parse(await ok(['failed', '--json'])).failed as { name?: string }[];

/** One scenario per example file; a file without one fails the last test. */
const scenarios: Record<string, () => Promise<void>> = {
  'podcast.json': async () => {
    await ok(['dispatch', 'examples/podcast.json', '--delay=1s']);
    await work('podcasts');
    expect(log()).toContain('ProcessPodcast 42');
  },
  'delay.json': async () => {
    const [later, past] = JSON.parse(await ok(['dispatch', 'examples/delay.json', '--json'])).jobs.map(
      (j: { id: string }) => j.id,
    );
    // `at` in the past: due at once. The 2s delay may have passed too on a slow machine.
    expect(lines(await ok(['jobs', 'podcasts', '-q']))).toContain(past);
    const waiting = [
      ...lines(await ok(['jobs', 'podcasts', '--state', 'delayed', '-q'])),
      ...lines(await ok(['jobs', 'podcasts', '-q'])),
    ];
    expect(waiting).toContain(later);
    await work('podcasts');
    expect(log()).toContain('ProcessPodcast 101');
    expect(log()).toContain('ProcessPodcast 102');
  },
  'overlap.json': async () => {
    await ok(['dispatch', 'examples/overlap.json']);
    const out = await work('media', '--concurrency', '2');
    expect(out).toMatch(/RELEASED .*overlap lock overlap:Render:studio is held/);
    expect(log()).toContain('Render intro');
    expect(log()).toContain('Render outro');
  },
  'throttle.json': async () => {
    await ok(['dispatch', 'examples/throttle.json']);
    const out = await work('payments');
    // The middleware's backoff (1s) spaces the retries; the job itself sets none.
    expect(out).toMatch(/ChargeCard\s+\S+ RELEASED .*retry in 1s payment API unavailable for order 1/);
    expect(log()).toContain('ChargeCard 2');
    expect(log()).not.toContain('ChargeCard 1');
    // The rate limiter's one-minute window is still open (the exception throttle's 2s one may not be).
    expect(await ok(['throttle'])).toMatch(/rate:api\s+rate\s+1\/10/);
    expect(await failedJobs()).toHaveLength(1);
  },
  'chain.json': async () => {
    await ok(['chain', 'examples/chain.json']);
    await work('pipeline');
    expect(log()).toContain('Step download');
    expect(log()).toContain('Step notify-failure after Step failed');
    expect(log()).not.toContain('Step publish');
  },
  'import-rows.ndjson': async () => {
    const id = (
      await ok([
        'batch',
        'examples/import-rows.ndjson',
        '--then',
        'examples/batch-then.json',
        '--finally',
        'examples/batch-finally.json',
        '--quiet',
      ])
    ).trim();
    await work('imports');
    for (const row of ['row-1', 'row-2', 'row-3']) expect(log()).toContain(`Step ${row}`);
    expect(log()).toContain('Step report (batch 3/3)');
    expect(log()).toContain('Step cleanup (batch 3/3)');
    expect(await ok(['batch', 'show', id])).toMatch(/3\/3 done, 0 pending, 0 failed \(finished\)/);
  },
  'batch-then.json': async () => scenarios['import-rows.ndjson']!(),
  'batch-finally.json': async () => scenarios['import-rows.ndjson']!(),
  'batch.ndjson': async () => {
    await ok(['dispatch', 'examples/batch.ndjson']);
    await work('podcasts');
    expect(log()).toContain('ProcessPodcast 1');
    expect(log()).toContain('ProcessPodcast 2');
    expect(await failedJobs()).toHaveLength(1);
  },
  'transcode.json': async () => {
    await ok(['dispatch', 'examples/transcode.json']);
    const out = await work('media');
    expect(out).toMatch(/Transcode\s+\S+ DONE/);
    expect(log()).toContain('Transcode episode-1.wav -> episode-1.mp3');
  },
  'http.json': async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await ok(['dispatch', 'examples/http.json']);
      const out = await project.run(['work', '--queue', 'hooks', '--stop-when-empty', '--sleep', '200ms'], {
        env: { NOTIFY_URL: url },
      });
      expect(out.stdout).toMatch(/Notify\s+\S+ DONE/);
      expect(requests).toEqual(['POST /notify/ada']);
    } finally {
      server.close();
    }
    // Without an endpoint the attempt fails, and the job lands in the failed store.
    await ok(['dispatch', 'examples/http.json']);
    await work('hooks');
    expect(await failedJobs()).toHaveLength(1);
  },
};

describe('examples/', () => {
  for (const [file, scenario] of Object.entries(scenarios)) {
    it(`${file} runs`, async () => {
      setUp();
      await scenario();
    }, 60_000);
  }

  it('every job file in examples/ has a scenario here', () => {
    const files = readdirSync(EXAMPLES).filter((f) => /\.(json|ndjson)$/.test(f));
    expect(files.filter((f) => !(f in scenarios))).toEqual([]);
  });
});
