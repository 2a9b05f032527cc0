import type { Driver, FailedRecord, JobRecord, ReservedJob } from '../drivers/types.js';
import type { JobEnvelope } from './envelope.js';
import type { Sealer } from './seal.js';

/**
 * A driver whose pushes are signed (and, for jobs that ask, encrypted) and whose reserves are
 * checked: a job that fails the check comes back `rejected`, so the runner fails it unrun. Reads
 * show data in the clear when the key can decrypt it. Every other method passes straight through,
 * so the store's atomic steps are unchanged.
 */
export function sealDriver(inner: Driver, sealer: Sealer, encrypts: (jobName: string) => boolean): Driver {
  const reveal = <T extends { envelope: JobEnvelope }>(record: T): T => ({
    ...record,
    envelope: sealer.reveal(record.envelope),
  });
  const overrides: Partial<Driver> = {
    jobPush: (envelopes, options) =>
      inner.jobPush(
        envelopes.map((e) => sealer.seal(e, sealer.settings.encryptAll === true || encrypts(e.name))),
        options,
      ),
    jobReserve: async (options) => (await inner.jobReserve(options)).map((job) => openReserved(sealer, job)),
    jobGet: async (id) => {
      const record = await inner.jobGet(id);
      return record ? reveal<JobRecord>(record) : null;
    },
    jobList: async (options) => (await inner.jobList(options)).map((r) => reveal<JobRecord>(r)),
    failedList: async (options) => (await inner.failedList(options)).map((r) => reveal<FailedRecord>(r)),
    failedScan: async (options) => {
      const page = await inner.failedScan(options);
      return { ...page, records: page.records.map((r) => reveal<FailedRecord>(r)) };
    },
    failedGet: async (id) => {
      const record = await inner.failedGet(id);
      return record ? reveal<FailedRecord>(record) : null;
    },
  };
  return new Proxy(inner, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof Driver];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function openReserved(sealer: Sealer, job: ReservedJob): ReservedJob {
  if (job.rejected) return job;
  const opened = sealer.open(job.envelope);
  if ('rejected' in opened) return { ...job, rejected: opened.rejected };
  return { ...job, envelope: opened.envelope };
}
