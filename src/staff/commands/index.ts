import type { Command } from '../context.js';
import { cancel } from './cancel.js';
import { importCommand } from './import.js';
import { issue } from './issue.js';
import { lettersDone } from './letters-done.js';
import { list } from './list.js';
import { mail } from './mail.js';
import { migrateStore } from './migrate-store.js';
import { purge } from './purge.js';
import { reissueUrlCommand } from './reissue-url.js';
import { remindExpiry } from './remind-expiry.js';
import { rotateSealKeyCommand } from './rotate-seal-key.js';
import { status } from './status.js';

export const commands: Command[] = [issue, importCommand, status, cancel, reissueUrlCommand, lettersDone, purge, list, mail, remindExpiry, rotateSealKeyCommand, migrateStore];
