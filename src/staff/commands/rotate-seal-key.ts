import fs from 'node:fs';
import path from 'node:path';
import { countSealedFilesByKid, listSealedMailUrls } from '../../db/seal-usage.js';
import type { Deps } from '../../deps.js';
import { createSealer, sealedKid, type KeyringSealer } from '../../secrets/sealer.js';
import { addSealKey, newSealKeySpec, readSealKeyring, retireSealKey, sealRotatedAt } from '../../secrets/keyring.js';
import { HOUR } from '../../lib/clock.js';
import { caDir } from '../../services/issue-new.js';
import { CA_KEY_FILES, resealDevCaKeys } from '../../pki/ca-store.js';
import { sweepKeyMaterial } from '../../services/sweep.js';
import { printJson, UsageError, type Command } from '../context.js';

/** How long after a rotation old keys are kept even when nothing stored uses them. */
const ROTATION_SETTLE_MS = HOUR;

type Usage = Map<string, { sealedFiles: number; mailUrls: number; caKeys: number }>;

/** Which key seals what: sealed files, mail URLs kept for a retry, and the CA keys. */
function sealKeyUsage(deps: Deps): Usage {
  const usage: Usage = new Map();
  const entry = (kid: string) => usage.get(kid) ?? usage.set(kid, { sealedFiles: 0, mailUrls: 0, caKeys: 0 }).get(kid)!;
  for (const [kid, n] of countSealedFilesByKid(deps.db)) entry(kid).sealedFiles += n;
  for (const jwe of listSealedMailUrls(deps.db)) entry(sealedKid(jwe) ?? '?').mailUrls++;
  for (const name of Object.keys(CA_KEY_FILES)) {
    const file = path.join(caDir(deps), name);
    if (fs.existsSync(file)) entry(sealedKid(fs.readFileSync(file, 'utf8').trim()) ?? '?').caKeys++;
  }
  return usage;
}

function inUse(usage: Usage, kid: string): boolean {
  const u = usage.get(kid);
  return u !== undefined && u.sealedFiles + u.mailUrls + u.caKeys > 0;
}

export const rotateSealKey: Command = {
  name: 'rotate-seal-key',
  summary: 'Start sealing new pickups with a new key; older keys keep opening what they sealed until it is purged.',
  usage:
    'rotate-seal-key [--retire-unused] [--no-new-key] [--json]\n' +
    '        --retire-unused  after rotating: purge ended pickups, re-seal the CA keys under the current key,\n' +
    '                         and delete every older key that nothing sealed uses any more\n' +
    '        --no-new-key     only retire (with --retire-unused); no new key\n' +
    '        With SEAL_KEYS in the environment, prints the new kid:key pair for the operator to prepend.',
  options: { 'retire-unused': { type: 'boolean' }, 'no-new-key': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx, args) {
    const retire = args.values['retire-unused'] === true;
    const rotate = args.values['no-new-key'] !== true;
    if (!rotate && !retire) throw new UsageError('--no-new-key does nothing without --retire-unused');
    const deps = ctx.deps();
    const { config } = deps;
    const now = deps.clock();
    const out: string[] = [];
    const result: Record<string, unknown> = { source: config.sealKeys ? 'env' : 'files' };

    if (config.sealKeys) {
      if (rotate && retire) throw new UsageError('with SEAL_KEYS: prepend the new key and restart first, then run rotate-seal-key --retire-unused --no-new-key');
      if (rotate) {
        const spec = newSealKeySpec(now, deps.random);
        result.newKey = spec;
        out.push(
          'SEAL_KEYS comes from the environment, so nothing was changed. The new key:',
          '',
          `  ${spec}`,
          '',
          'Prepend it, so that it comes first:  SEAL_KEYS=' + spec.split(':')[0] + ':…,' + config.sealKeys.map((k) => k.kid + ':…').join(','),
          'Give the server the new SEAL_KEYS and restart it first, then the staff commands: the server only opens,',
          'staff commands seal. Keep the old keys in the list until `rotate-seal-key --retire-unused --no-new-key` says they are unused.',
        );
      }
    } else if (rotate) {
      result.newKid = addSealKey(config, now, deps.random);
      out.push(`New seal key ${String(result.newKid)} is current; older keys still open what they sealed.`);
    }

    if (retire) {
      const destroyed = sweepKeyMaterial(deps).destroyed.length;
      // Read the keyring again: the key added above seals the CA keys from now on.
      const ring = config.sealKeys ? null : readSealKeyring(config);
      const keyring = ring ? createSealer(ring) : deps.sealer;
      const kids = (ring ?? config.sealKeys ?? []).map((k) => k.kid);
      const resealed = await resealDevCaKeys(caDir(deps), keyring, sealedKid);
      const usage = sealKeyUsage(deps);
      const unused = kids.filter((kid) => kid !== keyring.currentKid && !inUse(usage, kid));
      // A staff command started before the rotation still seals with the key it read at start:
      // no key retires until the current one has been current for a while.
      const settling = !config.sealKeys && now - sealRotatedAt(config) < ROTATION_SETTLE_MS;
      if (!config.sealKeys && !settling) for (const kid of unused) retireSealKey(config, kid);
      Object.assign(result, {
        purged: destroyed,
        resealedCaKeys: resealed,
        retired: config.sealKeys || settling ? [] : unused,
        ...(settling ? { settlingUntil: new Date(sealRotatedAt(config) + ROTATION_SETTLE_MS).toISOString() } : {}),
        unused,
        kept: kids.filter((kid) => !unused.includes(kid)).map((kid) => ({ kid, ...(usage.get(kid) ?? { sealedFiles: 0, mailUrls: 0, caKeys: 0 }) })),
      });
      if (destroyed > 0) out.push(`Purged the key material of ${destroyed} ended pickup(s).`);
      if (resealed > 0) out.push(`Re-sealed ${resealed} CA key(s) under ${keyring.currentKid}.`);
      for (const k of result.kept as Array<{ kid: string; sealedFiles: number; mailUrls: number; caKeys: number }>) {
        out.push(`kept ${k.kid}${k.kid === keyring.currentKid ? ' (current)' : ''}: ${k.sealedFiles} sealed file(s), ${k.mailUrls} mail URL(s), ${k.caKeys} CA key(s)`);
      }
      if (settling && unused.length > 0) out.push(`The current key is new: ${unused.join(', ')} can retire from ${new Date(sealRotatedAt(config) + ROTATION_SETTLE_MS).toISOString()} on.`);
      else if (unused.length === 0) out.push('No key can retire yet.');
      else if (config.sealKeys) out.push(`Unused, remove from SEAL_KEYS: ${unused.join(', ')}`);
      else out.push(`Retired (deleted): ${unused.join(', ')}`);
    }

    if (args.values.json) printJson(ctx, result);
    else ctx.stdout(out.join('\n') + '\n');
    return 0;
  },
};
