import type { Driver } from '../drivers/types.js';
import { chainFollowers } from './chain.js';
import { isCodeJob } from './define.js';
import { type DispatchOptions, prepareEnvelopes } from './dispatch.js';
import type { JobEnvelope } from './envelope.js';
import type { DispatchInput } from './envelope-builder.js';
import { WithoutOverlapping } from './middleware/without-overlapping.js';

export interface DryRunResult {
  index: number;
  job: string;
  queue: string;
  outcome: 'queued' | 'delayed' | 'duplicate' | 'existing';
  /** One plain sentence. */
  detail: string;
  availableAt: number;
  heldBy?: string;
  existingId?: string;
  /** Overlap locks held now that the job would wait for at run time. */
  locks: { key: string; jobId: string | null; workerId: string | null }[];
}

/** What dispatching these jobs would do now, read from the store without changing it. */
export async function dryRunDispatch(
  driver: Driver,
  inputs: DispatchInput[],
  options: DispatchOptions = {},
): Promise<DryRunResult[]> {
  const now = await driver.now();
  const envelopes = prepareEnvelopes(driver, inputs, options, now);
  const held = await driver.lockList();
  const claimedHere = new Map<string, string>();
  const results: DryRunResult[] = [];
  for (const [index, e] of envelopes.entries()) {
    const locks = overlapKeys(e, options)
      .map((key) => held.find((l) => l.key === key))
      .filter((l) => l !== undefined)
      .map((l) => ({ key: l.key, jobId: l.jobId, workerId: l.workerId }));
    const base = { index, job: e.name, queue: e.queue, availableAt: e.availableAt, locks };
    const existing = e.idempotencyKey
      ? (claimedHere.get(`idem:${e.idempotencyKey}`) ??
        (await driver.idempotencyGet({ key: e.idempotencyKey, queue: e.queue })))
      : null;
    if (existing) {
      results.push({
        ...base,
        outcome: 'existing',
        existingId: existing,
        detail: `would return existing job ${existing} (idempotency key ${e.idempotencyKey})`,
      });
      continue;
    }
    const holder = e.unique
      ? (claimedHere.get(`unique:${e.unique.key}`) ?? (await driver.uniqueGet(e.unique.key))?.owner)
      : null;
    if (holder) {
      results.push({
        ...base,
        outcome: 'duplicate',
        heldBy: holder,
        detail: `would be skipped: unique key ${e.unique!.key} is held by ${holder}`,
      });
      continue;
    }
    if (e.idempotencyKey) claimedHere.set(`idem:${e.idempotencyKey}`, e.id);
    if (e.unique) claimedHere.set(`unique:${e.unique.key}`, e.id);
    if (e.availableAt > now) {
      results.push({
        ...base,
        outcome: 'delayed',
        detail: `would be queued on ${e.queue}, delayed until ${new Date(e.availableAt).toISOString()}${lockNote(locks)}`,
      });
    } else {
      results.push({
        ...base,
        outcome: 'queued',
        detail: `would be queued on ${e.queue}, available now${lockNote(locks)}`,
      });
    }
  }
  return results;
}

function lockNote(locks: DryRunResult['locks']): string {
  if (locks.length === 0) return '';
  const held = locks.map((l) => `${l.key} (held by job ${l.jobId ?? '?'})`).join(', ');
  return `; at run time it would wait for overlap lock ${held}`;
}

export interface ChainDryRun {
  /** Link 1 as a dispatch dry run reports it; later links with outcome 'after' (or 'never'). */
  links: (Omit<DryRunResult, 'outcome'> & { link: number; outcome: DryRunResult['outcome'] | 'after' | 'never' })[];
  catch: { job: string; queue: string; detail: string } | null;
}

/**
 * What dispatching a chain would do now: only its head is pushed now, so only the head can be a
 * duplicate or an existing job; later links are pushed one by one as the link before succeeds.
 */
export async function dryRunChain(
  driver: Driver,
  head: DispatchInput,
  options: DispatchOptions = {},
): Promise<ChainDryRun> {
  const followers = chainFollowers(head);
  const catchInputs = followers.catch ? [followers.catch] : [];
  const [first, ...rest] = await dryRunDispatch(driver, [head, ...followers.links, ...catchInputs], options);
  const starts = first!.outcome === 'queued' || first!.outcome === 'delayed';
  const later = rest.slice(0, followers.links.length).map((r, i) => ({
    ...r,
    link: i + 2,
    outcome: starts ? ('after' as const) : ('never' as const),
    detail: starts
      ? `would be queued on ${r.queue} after link ${i + 1} succeeds${lockNote(r.locks)}`
      : 'would not run: link 1 is not dispatched',
  }));
  const caught = rest.at(followers.links.length);
  return {
    links: [{ ...first!, link: 1 }, ...later],
    catch: caught
      ? { job: caught.job, queue: caught.queue, detail: `would be queued on ${caught.queue} if a link finally fails` }
      : null,
  };
}

/** Lock keys from the job file's middleware and, for code jobs, from the definition's. */
function overlapKeys(envelope: JobEnvelope, options: DispatchOptions): string[] {
  const keys: string[] = [];
  for (const spec of envelope.middleware) {
    if (!('withoutOverlapping' in spec)) continue;
    const lock = new WithoutOverlapping(spec.withoutOverlapping.key);
    if (spec.withoutOverlapping.shared) lock.shared();
    keys.push(lock.lockKey(envelope.name));
  }
  const definition = options.jobs?.[envelope.name];
  if (definition && isCodeJob(definition) && definition.middleware) {
    try {
      for (const m of definition.middleware(envelope.data))
        if (m instanceof WithoutOverlapping) keys.push(m.lockKey(envelope.name));
    } catch {
      // A middleware factory that throws on this data fails at run time too; a dry run only reports locks.
    }
  }
  return keys;
}
