import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { errorMessage } from '../lib/error-message.js';
import { PickupExistsError } from '../services/create-pickup.js';
import { openStaffResources } from './bootstrap.js';
import { commands } from './commands/index.js';
import { UsageError, type CommandContext, type StaffIo } from './context.js';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: npm run staff -- <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --help. Most take --json for one JSON object per line.',
    '',
  ].join('\n');
}

/** Runs one staff command and returns its exit code. Errors staff can fix are one line, never a trace. */
export async function main(argv: string[], io: StaffIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview());
    return name ? 0 : 1;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`staff: unknown command "${name}"\n\n${overview()}`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`usage: npm run staff -- ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  const resources = openStaffResources(io);
  const ctx: CommandContext = { ...io, deps: resources.deps, mailer: resources.mailer, issuingCa: resources.issuingCa };
  try {
    const parsed = parseArgs({ args: rest, options: command.options, allowPositionals: command.allowPositionals ?? false, strict: true });
    return await command.run(ctx, { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals });
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof PickupExistsError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`staff ${name}: ${(err as Error).message}\n`);
      return 1;
    }
    io.stderr(`staff ${name}: failed: ${errorMessage(err)}\n`);
    return 2;
  } finally {
    await resources.close();
  }
}
