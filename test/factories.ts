import { validateSubscriber } from '../src/pki/profiles.js';
import type { P12Profile } from '../src/pki/p12.js';
import { issueNewPickup } from '../src/services/issue-new.js';
import type { IssuedPickup } from '../src/services/create-pickup.js';
import type { Deps } from '../src/deps.js';

/** A basic-type pickup issued through the same path as `staff issue`. */
export async function issueTestPickup(
  deps: Deps,
  over: Record<string, unknown> = {},
  options: { p12Profile?: P12Profile; applicationCode?: string } = {},
): Promise<IssuedPickup> {
  const checked = validateSubscriber({ nameRomaji: 'YAMADA TARO', email: 'taro@example.jp', ...over }, { now: deps.clock() });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return issueNewPickup(deps, checked.subscriber, {
    p12Profile: options.p12Profile ?? 'compat',
    applicationCode: options.applicationCode ?? null,
    mailing: null,
  });
}
