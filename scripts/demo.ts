import { ConfigError } from '../src/config.js';
import { formatJst } from '../src/i18n/format.js';
import { validateSubscriber } from '../src/pki/profiles.js';
import { main as serve } from '../src/server.js';
import { issueNewPickup, subscriberRules } from '../src/services/issue-new.js';
import { openIssuingCa } from '../src/services/ca-issuer.js';

/** `npm run demo`: the portal on its embedded defaults, and one sample pickup to try it with. */
async function demo() {
  const { deps } = await serve(process.env);
  const checked = validateSubscriber(
    { type: 'basic', nameRomaji: 'YAMADA TARO', email: 'taro@example.jp' },
    subscriberRules(deps),
  );
  if (!checked.ok) throw new Error('demo subscriber refused');
  const p = await issueNewPickup(deps, openIssuingCa(deps), checked.subscriber, { p12Profile: 'compat', applicationCode: null, mailing: null });
  const lines = [
    '',
    '  Uketori demo: a sample pickup was created',
    '',
    `  URL       ${p.url}`,
    `  Password  ${p.password}   (enter it on the page)`,
    `  PIN       ${p.pin}   (opens CERT.P12 when you import it)`,
    `  Serial    ${p.serial}`,
    `  Download by ${formatJst(p.expiresAt, 'en')}`,
    '',
    `  Check the file:  openssl pkcs12 -in CERT.P12 -passin pass:${p.pin} -noout && echo OK`,
    '  Letters: none were written; the demo shows the password and PIN here instead. `staff issue`',
    '  writes them only where you say (--letters-dir or LETTERS_DIR), never inside the data folder.',
    '  Stop with Ctrl-C. Data lives in ' + deps.config.dataDir,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

demo().catch((err) => {
  process.stderr.write(`demo: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
