import type { Driver, EventInput } from '../drivers/types.js';
import type { ChainLink, ChainSpec, JobEnvelope } from './envelope.js';
import { buildEnvelope, type DispatchInput } from './envelope-builder.js';
import { newJobId } from './ids.js';

export interface ChainOptions {
  queue?: string | null;
  connection?: string | null;
  catch?: DispatchInput | null;
}

export function toLink(input: DispatchInput): ChainLink {
  return {
    name: input.name,
    data: input.data ?? null,
    queue: input.queue ?? null,
    maxTries: input.tries ?? null,
    backoff: input.backoff ?? null,
    timeout: input.timeout ?? null,
    middleware: input.middleware ?? [],
    tags: input.tags ?? [],
  };
}

function fromLink(link: ChainLink, chain: ChainSpec): DispatchInput {
  return {
    name: link.name,
    data: link.data,
    queue: link.queue ?? chain.queue ?? undefined,
    connection: chain.connection,
    tries: link.maxTries ?? undefined,
    backoff: link.backoff ?? undefined,
    timeout: link.timeout ?? undefined,
    middleware: link.middleware,
    tags: link.tags,
  };
}

/**
 * The first link of a chain, carrying the rest: links run strictly in order, each dispatched when
 * the one before it succeeds. The chain's queue applies to links that name none; the first
 * link's own delay is the chain's delay.
 */
export function buildChainHead(links: DispatchInput[], options: ChainOptions = {}): DispatchInput {
  const [first, ...rest] = links;
  if (!first) throw new Error('a chain needs at least one job');
  const spec: ChainSpec = {
    id: newJobId(),
    index: 0,
    total: links.length,
    remaining: rest.map(toLink),
    queue: options.queue ?? null,
    connection: options.connection ?? null,
    catch: options.catch ? toLink(options.catch) : null,
  };
  return { ...first, queue: first.queue ?? options.queue ?? undefined, chain: spec };
}

/**
 * What a chain dispatches after its head, as `continueChain` and `failChain` will build them:
 * the later links (without their own unique or idempotency keys) and the catch job.
 */
export function chainFollowers(head: DispatchInput): { links: DispatchInput[]; catch: DispatchInput | null } {
  const chain = head.chain;
  if (!chain) return { links: [], catch: null };
  return {
    links: chain.remaining.map((link) => fromLink(link, chain)),
    catch: chain.catch ? fromLink(chain.catch, chain) : null,
  };
}

/**
 * After a link succeeds (completed, or deleted as done): push the next link. Its idempotency key
 * is derived from the chain and position, so a link re-run after a crash cannot push it twice.
 */
export async function continueChain(driver: Driver, envelope: JobEnvelope, now: number): Promise<EventInput[]> {
  const chain = envelope.chain;
  if (!chain) return [];
  const [next, ...rest] = chain.remaining;
  if (!next) {
    return [
      {
        name: 'chain.completed',
        queue: envelope.queue,
        jobId: envelope.id,
        jobName: envelope.name,
        details: { chain: chain.id, links: chain.total },
      },
    ];
  }
  const spec: ChainSpec = { ...chain, index: chain.index + 1, remaining: rest };
  const input = { ...fromLink(next, chain), chain: spec, idempotencyKey: `chain:${chain.id}:${spec.index}` };
  const nextEnvelope = buildEnvelope(input, now);
  await driver.jobPush([nextEnvelope], { events: [dispatched(nextEnvelope)] });
  return [];
}

/** After a link finally fails: the rest never runs; the catch job gets the failure in its data. */
export async function failChain(
  driver: Driver,
  envelope: JobEnvelope,
  error: string,
  now: number,
): Promise<EventInput[]> {
  const chain = envelope.chain;
  if (!chain) return [];
  const event: EventInput = {
    name: 'chain.failed',
    queue: envelope.queue,
    jobId: envelope.id,
    jobName: envelope.name,
    details: { chain: chain.id, link: chain.index + 1, error },
  };
  if (!chain.catch) return [event];
  const failure = { job: envelope.name, id: envelope.id, link: chain.index + 1, chain: chain.id, error };
  const base =
    chain.catch.data && typeof chain.catch.data === 'object' ? (chain.catch.data as Record<string, unknown>) : {};
  const input: DispatchInput = {
    ...fromLink(chain.catch, chain),
    data: { ...base, failed: failure },
    idempotencyKey: `chain:${chain.id}:catch`,
  };
  const catchEnvelope = buildEnvelope(input, now);
  await driver.jobPush([catchEnvelope], { events: [dispatched(catchEnvelope)] });
  return [event];
}

function dispatched(envelope: JobEnvelope): EventInput {
  return {
    name: 'job.dispatched',
    queue: envelope.queue,
    jobId: envelope.id,
    jobName: envelope.name,
    details: { chain: envelope.chain?.id },
  };
}
