// The hashes of IDs and body hashes (SHA-256, shortened), in a module of their own so that code
// that only merges manifests does not load the parser.
import * as crypto from 'node:crypto';

// (the one-shot `crypto.hash` of Node 20.12+ makes no Hash object per call, and its hex digest
// no Buffer: a module hashes every function's text)
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex = (text: string): string => (oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex'));

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** The digest's leading bits in base32 (5 bits a character), read from its hex digits. */
export function base32Hash(text: string, chars = 16): string {
  const hex = sha256Hex(text);
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = 0; i < hex.length && out.length < chars; i++) {
    const d = hex.charCodeAt(i);
    value = ((value << 4) | (d <= 57 ? d - 48 : d - 87)) & 0xfff;
    bits += 4;
    if (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export function hexHash(text: string, chars = 16): string {
  return sha256Hex(text).slice(0, chars);
}
