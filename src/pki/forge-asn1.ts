import type Forge from 'node-forge';
import forge from 'node-forge/lib/forge.js';
import 'node-forge/lib/asn1.js';

// node-forge's main module loads all of forge (TLS, SSH, PKCS#7 and #12, RSA, ...): about 590 KB
// that the server, which only reads and writes ASN.1 on its pages, would compile at every start.
// This loads forge's ASN.1 module alone (with the byte-string helpers and OID table it needs).
// Each of forge's files adds itself to the one shared forge object, so code that imports the whole
// of node-forge (the staff commands) sees the same asn1 and util.
const loaded = forge as typeof Forge;
export const asn1 = loaded.asn1;
export const forgeUtil = loaded.util;
