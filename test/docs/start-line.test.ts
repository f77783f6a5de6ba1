import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/lib/project-root.js';

describe('docs/operations.md', () => {
  // The memory figures in docs/benchmarks.md hold for these flags and this environment only: a
  // service manager copying an older line would run the server with another heap and allocator.
  it("gives npm start's own command line for starting the server without npm", () => {
    const start = (JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const fenced = fs.readFileSync(fromRoot('docs/operations.md'), 'utf8').split('\n').filter((line) => line.trim().startsWith('MALLOC_'));
    expect(fenced).toEqual([start]);
  });
});
