import { validateSubscriber } from '../src/pki/profiles.js';
import type { P12Profile } from '../src/pki/p12.js';
import { issueNewPickup } from '../src/services/issue-new.js';
import { openDevCa, type IssuingCa } from '../src/services/issuing-ca.js';
import type { IssuedPickup } from '../src/services/create-pickup.js';
import type { Deps } from '../src/deps.js';

// One CA loader per test app, as one staff command or server process has.
const cas = new WeakMap<Deps, IssuingCa>();

/** A basic-type pickup issued through the same path as `staff issue`. */
export async function issueTestPickup(
  deps: Deps,
  over: Record<string, unknown> = {},
  options: { p12Profile?: P12Profile; applicationCode?: string } = {},
): Promise<IssuedPickup> {
  const checked = validateSubscriber({ nameRomaji: 'YAMADA TARO', email: 'taro@example.jp', ...over }, { now: deps.clock() });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  let ca = cas.get(deps);
  if (!ca) cas.set(deps, (ca = openDevCa(deps)));
  return issueNewPickup(deps, ca, checked.subscriber, {
    p12Profile: options.p12Profile ?? 'compat',
    applicationCode: options.applicationCode ?? null,
    mailing: null,
  });
}
