import { main } from '../src/staff/cli.js';

process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY && process.stderr.isTTY) && !process.env.CI,
});
