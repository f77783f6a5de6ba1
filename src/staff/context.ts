import type { Deps } from '../deps.js';
import type { Clock } from '../lib/clock.js';
import type { Random } from '../lib/random.js';
import type { IssuingCa } from '../services/ca-issuer.js';
import type { StaffResources } from './bootstrap.js';

/** Where a staff command reads and writes. Tests pass their own; the bin passes the process's. */
export type StaffIo = {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  clock?: Clock;
  random?: Random;
  /** Tests hand in an already opened set of dependencies (in-memory database). */
  preparedDeps?: Deps;
  /** Tests hand in the CA their test app issues with, to look at its signer afterwards. */
  preparedIssuingCa?: IssuingCa;
};

/** What a command receives: the io to print on, and the resources it asks for (see bootstrap.ts). */
export type CommandContext = Omit<StaffIo, 'preparedDeps' | 'preparedIssuingCa'> & Omit<StaffResources, 'close'>;

/** A refusal staff can act on: printed as one line, exit code 1, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type ParsedArgs = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

export type Command = {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  allowPositionals?: boolean;
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>;
};

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout(JSON.stringify(value) + '\n');
}
