import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Project, tempProject } from '../helpers/cli.js';

/**
 * A job that keeps a ring of 20,000 short-lived records, as a busy worker keeps jobs in flight,
 * and writes the largest new space (MB) V8 gave its process.
 */
const CONFIG = `
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
export default {
  jobs: {
    Churn: {
      handle(data) {
        let largest = newSpace();
        const ring = new Array(20000);
        for (let i = 0; i < 400000; i++) {
          ring[i % ring.length] = { id: i, name: 'job-' + i, data: [i, i + 1] };
          if (i % 1000 === 0) largest = Math.max(largest, newSpace());
        }
        writeFileSync(data.out, String(largest / 1048576));
      },
    },
  },
};
`;

describe('qtool work: young generation', () => {
  let project: Project;
  afterEach(() => project.cleanup());

  async function largestNewSpaceMb(env: Record<string, string> = {}): Promise<number> {
    const out = join(project.dir, `new-space-${Date.now()}.txt`);
    await project.run(['dispatch', '--job', 'Churn', '--data', JSON.stringify({ out }), '--quiet']);
    const worked = await project.run(['work', '--once'], { env });
    expect(worked.code, worked.stderr).toBe(0);
    return Number(readFileSync(out, 'utf8'));
  }

  it('keeps the new space of a busy worker at its starting size, unless the user sized it', async () => {
    project = tempProject(CONFIG);
    expect(await largestNewSpaceMb()).toBeLessThanOrEqual(2);
    expect(await largestNewSpaceMb({ NODE_OPTIONS: '--max-semi-space-size=4' })).toBeGreaterThan(2);
  });
});
