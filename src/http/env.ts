import type { Lang, Messages } from '../i18n/index.js';

export type AppEnv = {
  Variables: {
    lang: Lang;
    t: Messages;
    langHref: string;
    client: string;
    /** Short prefix of the token's hash: what the access log records instead of the URL. */
    pickupLog: string;
  };
};
