// The hashes of IDs and body hashes (SHA-256, shortened), in a module of their own so that code
// that only merges manifests does not load the parser.
import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function base32Hash(text: string, chars = 16): string {
  const bytes = createHash('sha256').update(text).digest();
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
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}
