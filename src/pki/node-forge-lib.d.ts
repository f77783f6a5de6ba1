// node-forge's types describe only its main module; forge-asn1.ts loads two of its files alone.
declare module 'node-forge/lib/forge.js' {
  const forge: unknown;
  export default forge;
}
declare module 'node-forge/lib/asn1.js';
