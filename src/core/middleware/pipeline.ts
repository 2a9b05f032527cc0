import { isCodeJob, type JobDefinition } from '../define.js';
import type { MiddlewareSpec } from '../envelope.js';
import type { RunningJob } from '../running-job.js';
import type { MiddlewareDeps } from './deps.js';
import { RateLimited } from './rate-limited.js';
import { Skip } from './skip.js';
import { ThrottlesExceptions } from './throttles-exceptions.js';
import type { Middleware } from './types.js';
import { WithoutOverlapping } from './without-overlapping.js';

export type { MiddlewareDeps } from './deps.js';

/** A middleware built in code that still needs the store (the worker binds it). */
interface NeedsDeps {
  withDeps(deps: MiddlewareDeps): Middleware;
}

export function middlewareFromSpec(spec: MiddlewareSpec, deps: MiddlewareDeps): Middleware {
  if ('withoutOverlapping' in spec) return WithoutOverlapping.fromSpec(spec.withoutOverlapping, deps);
  if ('throttlesExceptions' in spec) return ThrottlesExceptions.fromSpec(spec.throttlesExceptions, deps);
  if ('rateLimited' in spec) return RateLimited.fromSpec(spec.rateLimited, deps);
  if ('skipIf' in spec) return new Skip(spec.skipIf, true);
  return new Skip(spec.skipUnless, false);
}

/** The job file's middleware first, then the definition's, then the handler innermost. */
export function buildPipeline(
  job: RunningJob,
  definition: JobDefinition,
  deps: MiddlewareDeps,
  handler: () => Promise<void>,
): () => Promise<void> {
  const own = isCodeJob(definition) ? definition.middleware?.(job.envelope.data) : definition.middleware;
  if (job.envelope.middleware.length === 0 && !own?.length) return handler;
  const declared: (Middleware | MiddlewareSpec)[] = [...job.envelope.middleware, ...(own ?? [])];
  const chain = declared.map((item): Middleware => {
    if (typeof (item as Middleware).handle === 'function') {
      const bindable = item as Partial<NeedsDeps> & Middleware;
      return bindable.withDeps ? bindable.withDeps(deps) : bindable;
    }
    return middlewareFromSpec(item as MiddlewareSpec, deps);
  });
  return chain.reduceRight<() => Promise<void>>(
    (next, middleware) => () =>
      middleware.handle(job, async () => {
        // A middleware earlier in the chain already decided (e.g. released): do not run further.
        if (job.outcome) return;
        await next();
      }),
    handler,
  );
}
