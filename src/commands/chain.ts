import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import * as z from 'zod';
import { buildChainHead } from '../core/chain.js';
import { dispatchJobs, dispatchOptionsFrom } from '../core/dispatch.js';
import { dryRunChain } from '../core/dry-run.js';
import { type DispatchInput, entryToInput } from '../core/envelope-builder.js';
import { InputError } from '../core/errors.js';
import { readJobFile, validate } from '../core/jobfile.js';
import { describeIssue, queueNameSchema } from '../core/schema.js';
import { type Io, withSession } from './context.js';
import { queueFlag } from './flags.js';

const chainFileSchema = z.strictObject({
  chain: z.array(z.unknown()).min(1, 'a chain needs at least one job'),
  queue: queueNameSchema.optional(),
  connection: z.string().optional(),
  catch: z.unknown().optional(),
});

interface ChainFlags {
  queue?: string;
  catch?: string;
  dryRun?: boolean;
  quiet?: boolean;
}

interface ChainRequest {
  links: DispatchInput[];
  queue?: string;
  catch?: DispatchInput;
}

export function registerChain(program: Command, io: Io): void {
  program
    .command('chain')
    .description('run jobs strictly in sequence; a final failure stops the chain and dispatches the catch job')
    .argument('<files...>', 'one job file per link (arrays add several links), a {"chain": [...]} file, or - for stdin')
    .option('--queue <name>', 'queue for links that name none')
    .option('--catch <file>', 'job to dispatch if a link finally fails (gets data.failed: job, id, error)')
    .option('--dry-run', 'validate and report what would happen to each link now; change nothing')
    .option('-q, --quiet', "print only the first job's id")
    .addHelpText(
      'after',
      `
Examples:
  $ qtool chain download.json transcode.json publish.json --catch notify-failure.json
  $ qtool chain release-chain.json --queue podcasts
  $ qtool chain release-chain.json --dry-run

A link that finally fails stops the chain; \`qtool retry <its id>\` resumes it from that link.`,
    )
    .action(async (files: string[], flags: ChainFlags, command: Command) => {
      const request = await readChain(files, io);
      const queue = queueFlag('--queue', flags.queue) ?? request.queue;
      const catchJob = flags.catch ? await readSingle(flags.catch, io) : request.catch;
      await withSession(io, command, async (session) => {
        const head = buildChainHead(request.links, { queue, connection: session.target.name, catch: catchJob });
        const options = dispatchOptionsFrom(session.loaded.config, session.target.name);
        if (flags.dryRun) {
          const report = await dryRunChain(session.driver, head, options);
          if (session.globals.json) return session.printJson({ dryRun: true, ...report });
          for (const link of report.links) session.print(`${link.link}. ${link.job}: ${link.detail}`);
          if (report.catch) session.print(`catch ${report.catch.job}: ${report.catch.detail}`);
          return;
        }
        const { results } = await dispatchJobs(session.driver, [head], options);
        const first = results[0]!;
        const firstId = first.status === 'existing' ? first.existingId : first.id;
        const chainId = head.chain!.id;
        if (session.globals.json)
          return session.printJson({ chain: chainId, first: first.id, links: request.links.length });
        if (flags.quiet) return session.print(firstId);
        session.print(`chain ${chainId} (${request.links.length} links), first job ${first.id}`);
      });
    });
}

async function readChain(files: string[], io: Io): Promise<ChainRequest> {
  if (files.length === 1) {
    const raw = await peekJson(files[0]!, io);
    if (raw && typeof raw.value === 'object' && raw.value !== null && 'chain' in raw.value) {
      const parsed = chainFileSchema.safeParse(raw.value);
      if (!parsed.success) throw new InputError(`${raw.label}: ${describeIssue(parsed.error)}`);
      const now = Date.now();
      const links = parsed.data.chain.map((item, index) =>
        entryToInput(validate(item, `${raw.label} chain link ${index + 1}`), now),
      );
      const catchJob =
        parsed.data.catch === undefined
          ? undefined
          : entryToInput(validate(parsed.data.catch, `${raw.label} catch`), now);
      return { links, queue: parsed.data.queue, catch: catchJob };
    }
    if (raw) return { links: await linksFrom(files[0]!, io, raw.text) };
  }
  const links: DispatchInput[] = [];
  for (const file of files) links.push(...(await linksFrom(file, io)));
  return { links };
}

/** Stdin can be read once: keep its text for the second look. */
async function peekJson(
  file: string,
  io: Io,
): Promise<{ value: Record<string, unknown> | null; text: string; label: string } | null> {
  const label = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = file === '-' ? await readStream(io.stdin) : await readFile(file, 'utf8');
  } catch {
    throw new InputError(`cannot read job file ${file}: no such file`);
  }
  try {
    return { value: JSON.parse(text), text, label };
  } catch {
    return { value: null, text, label };
  }
}

async function linksFrom(file: string, io: Io, text?: string): Promise<DispatchInput[]> {
  const now = Date.now();
  // Text already read (stdin, or a file peeked at) is parsed from memory.
  const source = text === undefined ? file : '-';
  const stdin = text === undefined ? io.stdin : Readable.from([text]);
  const parsed = await readJobFile(source, { stdin }).catch((error: Error) => {
    throw new InputError(error.message.replace(/^stdin/, file === '-' ? 'stdin' : file));
  });
  return parsed.entries.map((entry) => entryToInput(entry, now));
}

async function readSingle(file: string, io: Io): Promise<DispatchInput> {
  const links = await linksFrom(file, io);
  if (links.length !== 1) throw new InputError(`--catch ${file}: expected one job, found ${links.length}`);
  return links[0]!;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}
