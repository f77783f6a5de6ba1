import type { FieldError, Mailing } from '../pki/profiles.js';

export type Addressee = {
  name: string;
  /** Free text as the application gave it (may hold the postcode and line breaks); null when unknown. */
  postalAddress: string | null;
  role: 'subscriber' | 'proxy';
};

export type LetterAddressees = { password: Addressee; pin: Addressee };

const present = (s: string | undefined): string | null => (s && s.trim() ? s.trim() : null);

/**
 * The password letter goes to the proxy receiver (代理受取人) at their address when one is named,
 * otherwise to the subscriber. The PIN letter always goes to the subscriber: whoever collects the
 * password must never also hold the PIN.
 */
export function letterAddressees(subscriberName: string, mailing: Mailing): LetterAddressees {
  const subscriber: Addressee = { name: subscriberName, postalAddress: present(mailing.postalAddress), role: 'subscriber' };
  const proxyName = present(mailing.proxyName);
  const password: Addressee = proxyName ? { name: proxyName, postalAddress: present(mailing.proxyPostalAddress), role: 'proxy' } : subscriber;
  return { password, pin: subscriber };
}

/** A proxy receiver needs both a name and an address; half of one would misaddress the password letter. */
export function mailingErrors(mailing: Mailing): FieldError[] {
  const errors: FieldError[] = [];
  if (present(mailing.proxyName) && !present(mailing.proxyPostalAddress)) {
    errors.push({ field: 'proxyPostalAddress', message: 'required when proxyName is given (the password letter goes there)' });
  }
  if (present(mailing.proxyPostalAddress) && !present(mailing.proxyName)) {
    errors.push({ field: 'proxyName', message: 'required when proxyPostalAddress is given' });
  }
  return errors;
}

/** Letters can still be printed without an address, but staff must write it in by hand. */
export function mailingWarnings(mailing: Mailing): string[] {
  return present(mailing.postalAddress) ? [] : ['no postalAddress: the letters carry no address, write it in by hand'];
}
