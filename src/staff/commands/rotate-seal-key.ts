import { rotateSealKey, type Retirement, type Rotation } from '../../services/seal-key-rotation.js';
import { printJson, UsageError, type Command } from '../context.js';

/** The JSON line scripts read: its keys are a contract. */
function rotationJson(r: Rotation): Record<string, unknown> {
  const out: Record<string, unknown> = { source: r.source };
  if (r.newKeySpec) out.newKey = r.newKeySpec;
  if (r.newKid) out.newKid = r.newKid;
  const t = r.retirement;
  if (t) {
    Object.assign(out, {
      purged: t.purged,
      resealedCaKeys: t.resealedCaKeys,
      retired: t.retired,
      ...(t.settlingUntil !== null ? { settlingUntil: new Date(t.settlingUntil).toISOString() } : {}),
      unused: t.unused,
      kept: t.kept,
    });
  }
  return out;
}

function newKeyLines(spec: string, kept: Array<{ kid: string }>): string[] {
  return [
    'SEAL_KEYS comes from the environment, so nothing was changed. The new key:',
    '',
    `  ${spec}`,
    '',
    'Prepend it, so that it comes first:  SEAL_KEYS=' + spec.split(':')[0] + ':…,' + kept.map((k) => k.kid + ':…').join(','),
    'Give the server the new SEAL_KEYS and restart it first, then the staff commands: the server only opens,',
    'staff commands seal. Keep the old keys in the list until `rotate-seal-key --retire-unused --no-new-key` says they are unused.',
  ];
}

function retirementLines(t: Retirement, fromEnv: boolean): string[] {
  const out: string[] = [];
  if (t.purged > 0) out.push(`Purged the key material of ${t.purged} ended pickup(s).`);
  if (t.resealedCaKeys > 0) out.push(`Re-sealed ${t.resealedCaKeys} CA key(s) under ${t.currentKid}.`);
  for (const k of t.kept) {
    out.push(`kept ${k.kid}${k.kid === t.currentKid ? ' (current)' : ''}: ${k.sealedFiles} sealed file(s), ${k.mailUrls} mail URL(s), ${k.caKeys} CA key(s)`);
  }
  if (t.settlingUntil !== null && t.unused.length > 0) out.push(`The current key is new: ${t.unused.join(', ')} can retire from ${new Date(t.settlingUntil).toISOString()} on.`);
  else if (t.unused.length === 0) out.push('No key can retire yet.');
  else if (fromEnv) out.push(`Unused, remove from SEAL_KEYS: ${t.unused.join(', ')}`);
  else out.push(`Retired (deleted): ${t.unused.join(', ')}`);
  return out;
}

export const rotateSealKeyCommand: Command = {
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
    const deps = (await ctx.deps());
    const envKeys = deps.config.sealKeys;
    if (envKeys && rotate && retire) {
      throw new UsageError('with SEAL_KEYS: prepend the new key and restart first, then run rotate-seal-key --retire-unused --no-new-key');
    }
    const result = await rotateSealKey(deps, { rotate, retire });
    if (args.values.json) {
      printJson(ctx, rotationJson(result));
      return 0;
    }
    const out: string[] = [];
    if (result.newKeySpec && envKeys) out.push(...newKeyLines(result.newKeySpec, envKeys));
    if (result.newKid) out.push(`New seal key ${result.newKid} is current; older keys still open what they sealed.`);
    if (result.retirement) out.push(...retirementLines(result.retirement, envKeys !== null));
    ctx.stdout(out.join('\n') + '\n');
    return 0;
  },
};
