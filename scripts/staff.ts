import { isEntryPoint } from '../src/lib/entry-point.js';
import { main } from '../src/staff/cli.js';

/** Runs one staff command and sets the exit code: `node dist/staff.mjs …`, or scripts/start.mjs (what `npm run staff` runs). */
export async function run(argv: string[]): Promise<void> {
  process.exitCode = await main(argv, {
    env: process.env,
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY && process.stderr.isTTY) && !process.env.CI,
  });
}

if (isEntryPoint(import.meta.url)) await run(process.argv.slice(2));
