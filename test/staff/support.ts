import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { expect } from 'vitest';
import { main } from '../../src/staff/cli.js';
import { issuingCaOf } from '../factories.js';
import { cookieFrom, ORIGIN, pathOf, type TestApp } from '../helpers.js';

export type StaffRun = { code: number; stdout: string; stderr: string; lines: Array<Record<string, unknown>> };

/** The real CLI entry, on the test's in-memory database and manual clock. */
export async function staff(t: TestApp, argv: string[], hooks: { onStdout?: (text: string) => void } = {}): Promise<StaffRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env: {},
    stdout: (s) => {
      stdout += s;
      hooks.onStdout?.(s);
    },
    stderr: (s) => {
      stderr += s;
    },
    isTTY: false,
    preparedDeps: t.deps,
    preparedIssuingCa: issuingCaOf(t.deps),
  });
  const lines = argv.includes('--json')
    ? stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
  return { code, stdout, stderr, lines };
}

export function tmpDir(prefix = 'uketori-staff-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export type ReceivedMail = { rcptTo: string[]; mail: ParsedMail };

export type TestSmtp = { url: string; received: ReceivedMail[]; rejectNext: (n: number) => void; close: () => Promise<void> };

/** A real SMTP server on loopback, ephemeral port, no TLS or AUTH. */
export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  let rejecting = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          if (rejecting > 0) {
            rejecting--;
            callback(Object.assign(new Error('mailbox temporarily unavailable'), { responseCode: 451 }));
            return;
          }
          received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  const listening = await new Promise<AddressInfo>((resolve) => {
    const net = server.listen(0, '127.0.0.1', () => resolve(net.address() as AddressInfo));
  });
  return {
    url: `smtp://127.0.0.1:${listening.port}`,
    received,
    rejectNext: (n) => {
      rejecting = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Lines of a text mail that are exactly the download URL. */
export function urlLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => /^https?:\/\/\S+\/d\/\S+$/.test(l));
}

/** Password, then download, as a subscriber's browser does it. */
export async function downloadAsSubscriber(t: TestApp, url: string, password: string): Promise<void> {
  const login = await t.http().post(pathOf(url)).set('Origin', ORIGIN).type('form').send({ password });
  expect(login.status).toBe(303);
  const file = await t.http().post(`${pathOf(url)}/download`).set('Origin', ORIGIN).set('Cookie', cookieFrom(login)).type('form').send({});
  expect(file.status).toBe(200);
}
