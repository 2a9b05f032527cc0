import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineJob } from '../../src/core/define.js';
import { createQueue } from '../../src/core/queue.js';
import { createMemoryDriver } from '../../src/drivers/memory/index.js';

const config = {
  jobs: {
    ProcessPodcast: defineJob<{ podcastId: number }>({ handle() {} }),
    Transcode: { command: ['ffmpeg', '-i', '{input}'] },
  },
};

describe('typed dispatch', () => {
  it('checks data against defineJob<TData> and job names against the config, at compile time', async () => {
    const queue = createQueue({ config, driver: createMemoryDriver() });
    expectTypeOf(queue.dispatch<'ProcessPodcast'>)
      .parameter(1)
      .toEqualTypeOf<{ podcastId: number } | undefined>();
    // @ts-expect-error podcastId must be a number (tsc --noEmit in `npm run lint` checks this line)
    const wrongData = () => queue.dispatch('ProcessPodcast', { podcastId: 'forty-two' });
    // @ts-expect-error no job of that name in the config
    const unknownJob = () => queue.dispatch('ProcessPodcasts', { podcastId: 1 });
    expect(typeof wrongData).toBe('function');
    expect(typeof unknownJob).toBe('function');
    // Command jobs take any data.
    expect(await queue.dispatch('Transcode', { input: 'a.wav' })).toMatch(/^[0-9A-Z]{26}$/);
    await queue.close();
  });
});
