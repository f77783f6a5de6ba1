import fs from 'node:fs';
import { createPrivateFile } from '../lib/private-file.js';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import type { ComposedMail } from './message.js';
import { senderOf } from './signature.js';

export type OutgoingMail = ComposedMail & {
  to: string;
  /** Date header; from the injected clock so tests and the outbox see the domain time. */
  date: number;
  /** Names the .eml file in the outbox, e.g. `notification-0A1B2C`. */
  label: string;
};

export type SentMail = { messageId: string; file: string | null };

export type Mailer = {
  /** "SMTP smtp.example.jp:587" or "outbox /data/outbox", for the command output. */
  readonly describe: string;
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
};

export function outboxDir(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'outbox');
}

function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Writes without overwriting: a retry of the same mail gets `-2`, `-3`... */
function writeEml(dir: string, base: string, bytes: Buffer): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${base}${n === 1 ? '' : `-${n}`}.eml`);
    try {
      createPrivateFile(file, bytes);
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * SMTP when SMTP_URL is set; otherwise each message is written as an .eml file into
 * DATA_DIR/outbox (mode 0600), for a mail client or a later hand-off to the CA's mail system.
 */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir' | 'ca'>): Mailer {
  const message = (m: OutgoingMail) => ({
    from: senderOf(config.mailFrom, config.ca),
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    date: new Date(m.date),
  });
  if (config.smtpUrl) {
    const smtp = nodemailer.createTransport({
      url: config.smtpUrl,
      // A dead relay must not hold a batch for minutes per row: fail, record, retry later.
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
    const { hostname, port } = new URL(config.smtpUrl);
    return {
      describe: `SMTP ${hostname}${port ? `:${port}` : ''}`,
      async send(m) {
        const info = await smtp.sendMail(message(m));
        return { messageId: info.messageId, file: null };
      },
      close: () => smtp.close(),
    };
  }
  const dir = outboxDir(config);
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    describe: `outbox ${dir}`,
    async send(m) {
      const info = await stream.sendMail(message(m));
      const file = writeEml(dir, `${fileStamp(m.date)}-${m.label}`, info.message as Buffer);
      return { messageId: info.messageId, file };
    },
    close: () => stream.close(),
  };
}
