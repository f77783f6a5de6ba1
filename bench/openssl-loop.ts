import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun } from './child.js';
import type { KeySpec } from './key-spec.js';

/**
 * One certificate the way a CA operator would make it by hand. openssl 3.0's `x509 -req`
 * needs a CSR, so `req -new` sits between genpkey and x509.
 */
const ISSUE_ONE = `#!/bin/sh
set -e
i="$1"
d="$OUT_DIR/$i"
mkdir -p "$d"
openssl genpkey $KEY_ARGS -out "$d/key.pem" 2>/dev/null
openssl req -new -key "$d/key.pem" -subj "/CN=BENCH USER $i" -out "$d/req.csr"
openssl x509 -req -in "$d/req.csr" -CA "$CA_DIR/ca.crt" -CAkey "$CA_DIR/ca.key" \\
  -set_serial "$i" -days 30 -out "$d/cert.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$d/key.pem" -in "$d/cert.pem" -certfile "$CA_DIR/ca.crt" \\
  -name "BENCH USER $i" -passout "pass:bench-$i" -out "$d/cert.p12"
`;

export type OpensslLoop = { count: number; seconds: number; perSecond: number };

export type OpensslBench = {
  sequential(count: number): Promise<OpensslLoop>;
  parallel(count: number, jobs: number): Promise<OpensslLoop>;
};

/** Makes a throwaway CA with the same key type under dir and returns the two loops. */
export async function prepareOpensslLoop(dir: string, key: KeySpec): Promise<OpensslBench> {
  const caDir = join(dir, 'ca');
  await mkdir(caDir, { recursive: true });
  await mustRun('openssl', ['genpkey', ...key.genpkeyArgs, '-out', join(caDir, 'ca.key')], { timeoutMs: 60_000 });
  await mustRun('openssl', ['req', '-x509', '-new', '-key', join(caDir, 'ca.key'), '-subj', '/CN=Uketori bench throwaway CA',
    '-days', '2', '-out', join(caDir, 'ca.crt')], { timeoutMs: 60_000 });
  const script = join(dir, 'issue-one.sh');
  await writeFile(script, ISSUE_ONE, { mode: 0o755 });

  let runs = 0;
  async function timed(name: string, count: number, shell: string): Promise<OpensslLoop> {
    // Each run writes into a folder of its own: a loop may be run more than once.
    const outDir = join(dir, `${name}-${++runs}`);
    await mkdir(outDir);
    const env = { ...process.env, OUT_DIR: outDir, CA_DIR: caDir, KEY_ARGS: key.genpkeyArgs.join(' '), N: String(count), ISSUE: script };
    const result = await mustRun('sh', ['-c', shell], { env, timeoutMs: 900_000 });
    let made = 0;
    for (let i = 1; i <= count; i++) if (existsSync(join(outDir, String(i), 'cert.p12'))) made++;
    if (made !== count) throw new Error(`openssl ${name} loop made ${made} of ${count} certificates`);
    const seconds = result.ms / 1000;
    return { count, seconds, perSecond: count / seconds };
  }

  return {
    sequential: (count) => timed('sequential', count, 'for i in $(seq 1 "$N"); do sh "$ISSUE" "$i"; done'),
    parallel: (count, jobs) => timed(`parallel-${jobs}`, count, `seq 1 "$N" | xargs -P ${jobs} -n 1 sh "$ISSUE"`),
  };
}
