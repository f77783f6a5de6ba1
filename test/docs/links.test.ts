import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/lib/project-root.js';

/** Lines outside fenced code blocks, where Markdown headings and links live. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Every relative link in a Markdown file that points at no file, or at no heading of one. */
function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const line of proseLines(fs.readFileSync(file, 'utf8'))) {
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const [, target] of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
      const [pathPart, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
      if (!fs.existsSync(resolved)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !headingAnchors(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
        broken.push(`${target}: no such heading`);
      }
    }
  }
  return broken;
}

function markdownFiles(): string[] {
  const docs = fromRoot('docs');
  return [fromRoot('README.md'), ...fs.readdirSync(docs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => path.join(docs, f))];
}

describe('links in the README and docs/', () => {
  it('point at files and headings that exist', () => {
    const files = markdownFiles();
    expect(files.length).toBeGreaterThan(1);
    const broken = files.flatMap((f) => brokenLinks(f).map((b) => `${path.relative(fromRoot(), f)}: ${b}`));
    expect(broken).toEqual([]);
  });

  it('are really checked: a missing file, a missing heading and a renamed heading are reported', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-links-'));
    fs.writeFileSync(path.join(dir, 'other.md'), '# Other page\n\n## Secrets in DATA_DIR\n\n## Set-up, step by step\n\n## Set-up, step by step\n');
    fs.writeFileSync(
      path.join(dir, 'page.md'),
      [
        '# Page',
        '[fine](other.md#secrets-in-data_dir) [fine too](other.md#set-up-step-by-step-1) [self](#page)',
        '[gone](missing.md) [no heading](other.md#secrets) [old name](#the-page)',
        '```',
        '[inside a code block](nowhere.md)',
        '```',
        '[outside](https://example.invalid/x) `[in code](nowhere.md)`',
      ].join('\n'),
    );
    expect(brokenLinks(path.join(dir, 'page.md'))).toEqual(['missing.md: no such file', 'other.md#secrets: no such heading', '#the-page: no such heading']);
  });
});
