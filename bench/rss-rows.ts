import { row, type Row } from './report.js';
import type { RssSampler } from './rss.js';

const MB = 1024;

/** Phase 5, second half: the server's RSS, 120 MB at most through landing and download, 150 MB through the flood (issue 15). */
export function rssRows(sampler: RssSampler | null, serverMissing: boolean): { rows: Row[]; notes: string[] } {
  const peaks = sampler?.peaks() ?? null;
  const byPhase = peaks === null ? [] : [...peaks.byPhase.entries()];
  const peakOf = (phases: string[]) => {
    const kb = byPhase.filter(([phase]) => phases.includes(phase)).map(([, v]) => v);
    return kb.length === 0 ? null : Math.max(...kb) / MB;
  };
  const notes = [
    "RSS is that of the node process running the production bundle dist/server.mjs (npm start's node command, one process), sampled every 100 ms " +
      "from /proc/<pid>/status; argon2's working memory (19 MiB per check in flight) is part of it. " +
      "VmHWM is the kernel's own peak over the server's whole life.",
  ];
  if (byPhase.length > 0) {
    notes.push(`Peak sampled VmRSS by phase: ${byPhase.map(([phase, kb]) => `${phase} ${(kb / MB).toFixed(1)} MB`).join(', ')}.`);
  }
  if (serverMissing) notes.push('No server ran, so no RSS was taken.');
  return {
    rows: [
      row({ measure: '5. Server peak RSS during phases 1–2, landing and download (sampled VmRSS)', uketori: peakOf(['landing', 'download']), unit: 'MB', maxValue: 120 }),
      row({ measure: '5. Server peak RSS during phase 3, the password flood (sampled VmRSS)', uketori: peakOf(['password']), unit: 'MB', maxValue: 150 }),
      row({ measure: '5. Server VmHWM at the end of phase 3', uketori: peaks?.hwmKb == null ? null : peaks.hwmKb / MB, unit: 'MB', maxValue: 150 }),
    ],
    notes,
  };
}
