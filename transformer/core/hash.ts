// The hashes of IDs and body hashes (SHA-256, shortened), in a module of their own so that code
// that only merges manifests does not load the parser.
import * as crypto from 'node:crypto';

// (the one-shot `crypto.hash` of Node 20.12+ makes no Hash object per call: a module hashes
// every function's text)
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex' | 'buffer') => string | Buffer }).hash;
const sha256 = (text: string): Buffer => (oneShot ? oneShot('sha256', text, 'buffer') as Buffer : crypto.createHash('sha256').update(text).digest());
const sha256Hex = (text: string): string => (oneShot ? oneShot('sha256', text, 'hex') as string : crypto.createHash('sha256').update(text).digest('hex'));

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function base32Hash(text: string, chars = 16): string {
  const bytes = sha256(text);
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
}

export function hexHash(text: string, chars = 16): string {
  return sha256Hex(text).slice(0, chars);
}
