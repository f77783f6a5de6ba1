import { validateSubscriber } from '../src/pki/profiles.js';
import type { P12Profile } from '../src/pki/p12.js';
import { issueNewPickup } from '../src/services/issue-new.js';
import { openIssuingCa, type IssuingCa } from '../src/services/ca-issuer.js';
import type { IssuedPickup } from '../src/services/create-pickup.js';
import type { Deps } from '../src/deps.js';

const cas = new WeakMap<Deps, IssuingCa>();

/** The CA a test's Deps issues with: one per Deps, shared by issueTestPickup and staff() runs, as one process has one. */
export function issuingCaOf(deps: Deps): IssuingCa {
  let ca = cas.get(deps);
  if (!ca) cas.set(deps, (ca = openIssuingCa(deps)));
  return ca;
}

/** A basic-type pickup issued through the same path as `staff issue`. */
export async function issueTestPickup(
  deps: Deps,
  over: Record<string, unknown> = {},
  options: { p12Profile?: P12Profile; applicationCode?: string } = {},
): Promise<IssuedPickup> {
  const checked = validateSubscriber({ nameRomaji: 'YAMADA TARO', email: 'taro@example.jp', ...over }, { now: deps.clock() });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return issueNewPickup(deps, issuingCaOf(deps), checked.subscriber, {
    p12Profile: options.p12Profile ?? 'compat',
    applicationCode: options.applicationCode ?? null,
    mailing: null,
  });
}
