// Bundles the server and the staff command into dist/ so they run on plain Node: no TypeScript
// loader in the process (faster start, smaller memory). Dependencies stay in node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: { server: 'src/server.ts', staff: 'scripts/staff.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  sourcemap: true,
  logLevel: 'warning',
});
