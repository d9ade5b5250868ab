// Random UUID v4 strings for correlation ids, one per request. `crypto.randomUUID()` builds its text from about
// twenty concatenations (~590 bytes of garbage per id, and a rope that every later read must flatten); these fill
// one array of character codes and make a single flat string, from the same CSPRNG, drawn for 256 ids at a time
// (as Node draws for its own).

const IDS_PER_DRAW = 256;
const pool = new Uint8Array(16 * IDS_PER_DRAW);
let next = pool.length;
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** The text of the id being made, as character codes; the dashes stay in place. */
const text: number[] = Array.from('xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx', (c) => c.charCodeAt(0));
/** Where each of the 16 bytes goes in `text`. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const bytes = new Uint8Array(16);

/** Fills `target` (16 bytes) from the CSPRNG pool. */
export function fillRandom16(target: Uint8Array): void {
  if (next === pool.length) {
    crypto.getRandomValues(pool);
    next = 0;
  }
  for (let i = 0; i < 16; i++) target[i] = pool[next++] as number;
}

/** The 16 bytes of a UUID as its lower-case text, one flat string. */
export function formatUuid(value: Uint8Array): string {
  for (let i = 0; i < 16; i++) {
    const byte = value[i] as number;
    const at = AT[i] as number;
    text[at] = HEX_CODES[byte >> 4] as number;
    text[at + 1] = HEX_CODES[byte & 0x0f] as number;
  }
  return String.fromCharCode.apply(null, text);
}

/** A random (version 4, RFC 9562) UUID in lower case, like `crypto.randomUUID()`. */
export function randomUuid(): string {
  fillRandom16(bytes);
  // The version (4) in the high nibble of byte 6, the variant (10xx) in the high bits of byte 8.
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  return formatUuid(bytes);
}
