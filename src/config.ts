import path from 'node:path';
import * as z from 'zod';
import { DEFAULT_METRICS_ALLOW, parseAllowList, type AllowEntry } from './http/address-ranges.js';

/** Raised when the environment cannot produce a working configuration. Printed as one line at start-up. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const port = z.coerce.number().int().min(0).max(65535);
const base64Key = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, `${what} must be 32 bytes in base64url (43 characters)`);

/*
 * The certificate authority as subscribers meet it: on every page, in every mail and on both
 * letters. The defaults name a demo CA so `npm run demo` works; a real CA sets all of them.
 */
const oneLine = (max: number) =>
  z.string().trim().min(1).max(max, `must be at most ${max} characters`).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must be one line of text');
const caIdentitySchema = {
  CA_NAME: oneLine(60).default('受取りデモ認証局'),
  CA_NAME_EN: oneLine(80)
    .refine((s) => /^[\x20-\x7e]+$/.test(s), 'must be written in ASCII (it is the English name)')
    .default('Uketori Demo Certification Authority'),
  SUPPORT_PHONE: z.string().trim().regex(/^\+?[0-9][0-9 ()-]{5,19}$/, 'must be a phone number such as 03-1234-5678').default('03-0000-0000'),
  SUPPORT_HOURS: oneLine(60).default('平日9時から17時まで（土日祝日・年末年始を除く）'),
  SUPPORT_HOURS_EN: oneLine(80).default('Weekdays 9:00 to 17:00 JST, except public holidays'),
  SUPPORT_EMAIL: z.email('must be an e-mail address').default('support@ca.example.jp'),
  SUPPORT_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  CA_LOGO: z.string().regex(/\.(png|svg)$/i, 'must be a .png or .svg file').optional(),
};

const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Where `staff issue` and `import` write the printed letters. Never inside DATA_DIR. */
  LETTERS_DIR: z.string().optional(),
  /** Comma-separated `kid:base64url` pairs, newest first. Empty: keys are read from DATA_DIR/keys. */
  SEAL_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,32}:[A-Za-z0-9_-]{43}(,[A-Za-z0-9-]{1,32}:[A-Za-z0-9_-]{43})*$/, 'SEAL_KEYS must be kid:base64url pairs separated by commas')
    .optional(),
  PASSWORD_PEPPER: base64Key('PASSWORD_PEPPER').optional(),
  SESSION_KEY: base64Key('SESSION_KEY').optional(),
  TRUST_PROXY: z.string().optional(),
  /** Who may read /metrics: addresses and CIDR ranges, comma-separated, or `none`. */
  METRICS_ALLOW: z.string().default(DEFAULT_METRICS_ALLOW),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** An address, or `Name <address>`; without a name the mail is sent in CA_NAME's name. */
  MAIL_FROM: z.string().min(3).default('noreply@localhost'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CRL_URLS: z.string().optional(),
  POLICY_OIDS: z
    .string()
    .regex(/^\d+(\.\d+)+(,\d+(\.\d+)+)*$/, 'POLICY_OIDS must be dotted OIDs separated by commas')
    .optional(),
  CPS_URL: z.url().optional(),
  /** Replaced by the CA identity block below; refused when set, so a stale setting is noticed. */
  SUPPORT_CONTACT: z.string().optional(),
  /** Certificate lifetimes (years) the CA offers; the subscriber picks one, the first is the default. */
  VALIDITY_YEARS: z
    .string()
    .regex(/^([1-9]|10)(,([1-9]|10))*$/, 'VALIDITY_YEARS must be whole years from 1 to 10 separated by commas, e.g. 2,3')
    .default('2,3'),
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  CA_PKCS11_MODULE: z.string().optional(),
  CA_PKCS11_TOKEN_LABEL: z.string().max(32, 'CA_PKCS11_TOKEN_LABEL: a PKCS#11 token label has at most 32 characters').optional(),
  CA_PKCS11_KEY_LABEL: z.string().optional(),
  CA_PKCS11_PIN_FILE: z.string().optional(),
  CA_CERT_FILE: z.string().optional(),
  CA_CHAIN_FILE: z.string().optional(),
  /** postgres:// or postgresql://: the shared store for several instances. Unset: SQLite in DATA_DIR. */
  DATABASE_URL: z.string().optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** Files holding the secrets instead of the variables (a secrets mount); the variable wins when both are set. */
  PASSWORD_PEPPER_FILE: z.string().optional(),
  SESSION_KEY_FILE: z.string().optional(),
  SEAL_KEYS_FILE: z.string().optional(),
  ...caIdentitySchema,
});

/** The CA key in an HSM: certificates are signed through PKCS#11 instead of by the development CA. */
export type HsmConfig = {
  module: string;
  tokenLabel: string;
  keyLabel: string;
  pinFile: string;
  certFile: string;
  chainFile: string | null;
};

const HSM_REQUIRED = ['CA_PKCS11_MODULE', 'CA_PKCS11_TOKEN_LABEL', 'CA_PKCS11_KEY_LABEL', 'CA_PKCS11_PIN_FILE', 'CA_CERT_FILE'] as const;

function hsmConfig(e: z.infer<typeof envSchema>): HsmConfig | null {
  const given = [...HSM_REQUIRED, 'CA_CHAIN_FILE' as const].filter((k) => e[k] !== undefined);
  if (given.length === 0) return null;
  const missing = HSM_REQUIRED.filter((k) => e[k] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(`invalid configuration: signing through an HSM needs ${HSM_REQUIRED.join(', ')} together; missing ${missing.join(', ')}`);
  }
  return {
    module: path.resolve(e.CA_PKCS11_MODULE!),
    tokenLabel: e.CA_PKCS11_TOKEN_LABEL!,
    keyLabel: e.CA_PKCS11_KEY_LABEL!,
    pinFile: path.resolve(e.CA_PKCS11_PIN_FILE!),
    certFile: path.resolve(e.CA_CERT_FILE!),
    chainFile: e.CA_CHAIN_FILE ? path.resolve(e.CA_CHAIN_FILE) : null,
  };
}

export type CaIdentity = {
  name: string;
  nameEn: string;
  support: { phone: string; hours: string; hoursEn: string; email: string; url: string | null };
  /** Path of a PNG or SVG file; read and checked when the app is built. */
  logoFile: string | null;
};

function caIdentity(e: z.infer<typeof envSchema>): CaIdentity {
  if (e.SUPPORT_CONTACT !== undefined) {
    throw new ConfigError('invalid configuration: SUPPORT_CONTACT is replaced by CA_NAME, CA_NAME_EN, SUPPORT_PHONE, SUPPORT_HOURS, SUPPORT_HOURS_EN, SUPPORT_EMAIL and SUPPORT_URL');
  }
  return {
    name: e.CA_NAME,
    nameEn: e.CA_NAME_EN,
    support: { phone: e.SUPPORT_PHONE, hours: e.SUPPORT_HOURS, hoursEn: e.SUPPORT_HOURS_EN, email: e.SUPPORT_EMAIL, url: e.SUPPORT_URL ?? null },
    logoFile: e.CA_LOGO ? path.resolve(e.CA_LOGO) : null,
  };
}

export type SealKeySpec = { kid: string; key: string };

/** The shared PostgreSQL store. The URL carries credentials: never log it (see redactedUrl). */
export type DatabaseConfig = { url: string; poolMax: number; statementTimeoutMs: number };

/** URL parameters node-postgres takes as secrets (it reads every parameter as a connection setting). */
const SECRET_URL_PARAMS = ['password', 'sslpassword'];

/** The URL without its passwords (in the user part or as parameters), for messages. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const name of SECRET_URL_PARAMS) if (u.searchParams.has(name)) u.searchParams.set(name, '***');
    return u.href;
  } catch {
    return '(malformed URL)';
  }
}

function databaseConfig(e: z.infer<typeof envSchema>): DatabaseConfig | null {
  if (!e.DATABASE_URL) return null;
  let url: URL;
  try {
    url = new URL(e.DATABASE_URL);
  } catch {
    throw new ConfigError('invalid configuration: DATABASE_URL is not a URL (postgres://user:password@host:5432/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`invalid configuration: DATABASE_URL must start with postgres:// or postgresql://, not ${url.protocol}//`);
  }
  if (!url.hostname && !url.searchParams.get('host')) throw new ConfigError('invalid configuration: DATABASE_URL names no host');
  if (url.pathname.length <= 1) throw new ConfigError('invalid configuration: DATABASE_URL names no database (postgres://host/database)');
  return { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS };
}

export type Config = {
  port: number;
  host: string;
  publicUrl: URL;
  secure: boolean;
  dataDir: string;
  lettersDir: string | null;
  sealKeys: SealKeySpec[] | null;
  passwordPepper: string | null;
  sessionKey: string | null;
  trustProxy: string[];
  /** Addresses and networks that may read /metrics (empty: nobody). */
  metricsAllow: AllowEntry[];
  smtpUrl: string | null;
  mailFrom: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  crlUrls: string[];
  policyOids: string[];
  cpsUrl: string | null;
  sweepIntervalMs: number;
  validityYears: number[];
  /** null: the development CA in DATA_DIR/ca signs. */
  hsm: HsmConfig | null;
  /** null: SQLite in DATA_DIR. */
  database: DatabaseConfig | null;
  secretFiles: { pepper: string | null; session: string | null; sealKeys: string | null };
  ca: CaIdentity;
};

/** Whether `dir` is `parent` or lies under it (both absolute). */
export function isInside(dir: string, parent: string): boolean {
  const rel = path.relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Reads the configuration from an environment map. Pure: it never touches the disk. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const key = first?.path.join('.') ?? 'environment';
    throw new ConfigError(`invalid configuration: ${key}: ${first?.message ?? 'malformed'}`);
  }
  const e = parsed.data;
  const publicUrl = new URL(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`);
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    throw new ConfigError('invalid configuration: PUBLIC_URL must be an origin without a path, e.g. https://pickup.example.jp');
  }
  // The mailed URL is PUBLIC_URL + "/d/" + a 27-character token, on one line a mail program never wraps (76).
  if (publicUrl.origin.length + 30 > 76) {
    throw new ConfigError('invalid configuration: PUBLIC_URL must be at most 46 characters, or the mailed download URL would wrap');
  }
  const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const crlUrls = list(e.CRL_URLS);
  for (const u of crlUrls) {
    if (!URL.canParse(u)) throw new ConfigError(`invalid configuration: CRL_URLS: "${u}" is not a URL`);
  }
  const metricsAllow = parseAllowList(e.METRICS_ALLOW);
  if ('bad' in metricsAllow) {
    throw new ConfigError(`invalid configuration: METRICS_ALLOW: "${metricsAllow.bad}" is not an address or CIDR range (e.g. 127.0.0.1,10.0.0.0/8,::1, or none)`);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  const lettersDir = e.LETTERS_DIR ? path.resolve(e.LETTERS_DIR) : null;
  if (lettersDir && isInside(lettersDir, dataDir)) {
    throw new ConfigError('invalid configuration: LETTERS_DIR must be outside DATA_DIR: a copy of DATA_DIR must never hold the letters');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    secure: publicUrl.protocol === 'https:',
    dataDir,
    lettersDir,
    sealKeys: e.SEAL_KEYS
      ? e.SEAL_KEYS.split(',').map((pair) => {
          const [kid, key] = pair.split(':') as [string, string];
          return { kid, key };
        })
      : null,
    passwordPepper: e.PASSWORD_PEPPER ?? null,
    sessionKey: e.SESSION_KEY ?? null,
    trustProxy: list(e.TRUST_PROXY),
    metricsAllow: metricsAllow.entries,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    crlUrls,
    policyOids: list(e.POLICY_OIDS),
    cpsUrl: e.CPS_URL ?? null,
    sweepIntervalMs: e.SWEEP_INTERVAL_SECONDS * 1000,
    validityYears: e.VALIDITY_YEARS.split(',').map(Number),
    hsm: hsmConfig(e),
    database: databaseConfig(e),
    secretFiles: {
      pepper: e.PASSWORD_PEPPER_FILE ? path.resolve(e.PASSWORD_PEPPER_FILE) : null,
      session: e.SESSION_KEY_FILE ? path.resolve(e.SESSION_KEY_FILE) : null,
      sealKeys: e.SEAL_KEYS_FILE ? path.resolve(e.SEAL_KEYS_FILE) : null,
    },
    ca: caIdentity(e),
  };
}
