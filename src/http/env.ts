import type { CaIdentity } from '../config.js';
import type { Lang, Messages } from '../i18n/index.js';

export type AppEnv = {
  Variables: {
    lang: Lang;
    t: Messages;
    langHref: string;
    client: string;
    /** The CA as subscribers meet it, from the configuration; set before anything else runs. */
    ca: CaIdentity;
    /** Short prefix of the token's hash: what the access log records instead of the URL. */
    pickupLog: string;
    /** Bytes of the PKCS#12 this answer carries: the access line then says `p12 delivered`. */
    deliveredBytes: number;
  };
};
