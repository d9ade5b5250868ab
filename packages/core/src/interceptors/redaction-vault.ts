// The token vault of redaction's tokenize mode: a bounded least-recently-used map between secrets and random
// tokens, so a value keeps its token while it is remembered and the authorised side can turn tokens back.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const TOKEN = /\[([A-Z][A-Z0-9_]*):tok_([a-z2-7]{16})\]/g;

/** 80 random bits as 16 base32 characters (letters and 2–7, so no detector mistakes a token for a number). */
function randomId(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let id = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      id += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return id;
}

interface Entry {
  readonly label: string;
  readonly value: string;
  readonly key: string;
}

export class TokenVault {
  private readonly byId = new Map<string, Entry>();
  private readonly byValue = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.byId.size;
  }

  /** The token for `value` (the same one while it is remembered); evicts the least recently used entry when full. */
  tokenize(label: string, value: string): string {
    const key = `${label}\u0000${value}`;
    let id = this.byValue.get(key);
    if (id !== undefined) {
      const entry = this.byId.get(id) as Entry;
      this.byId.delete(id);
      this.byId.set(id, entry);
    } else {
      do id = randomId();
      while (this.byId.has(id));
      this.byId.set(id, { label, value, key });
      this.byValue.set(key, id);
      if (this.byId.size > this.capacity) {
        const [oldest, entry] = this.byId.entries().next().value as [string, Entry];
        this.byId.delete(oldest);
        this.byValue.delete(entry.key);
      }
    }
    return `[${label}:tok_${id}]`;
  }

  /** Replaces every token this vault still remembers with its value; unknown or evicted tokens stay as they are. */
  restore(text: string): string {
    if (!text.includes(':tok_')) return text;
    return text.replace(TOKEN, (match, label: string, id: string) => {
      const entry = this.byId.get(id);
      return entry !== undefined && entry.label === label ? entry.value : match;
    });
  }
}
