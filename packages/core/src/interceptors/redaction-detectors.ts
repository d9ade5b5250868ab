// The value detectors of redaction: a pattern finds candidates, a check (Luhn, IBAN mod 97, JWT header, entropy)
// confirms them, so numbers, dates and ids that only look like secrets are left alone.
import { Buffer } from 'node:buffer';

/** The built-in detectors, in the order they are applied. */
export const REDACTION_DETECTORS = ['private-key', 'jwt', 'api-key', 'email', 'iban', 'card', 'phone'] as const;
export type RedactionDetectorId = (typeof REDACTION_DETECTORS)[number];

/** A detector of your own: every match of `pattern` (that `validate` accepts) is redacted. */
export interface CustomRedactionDetector {
  /** Kebab-case; the replacement label is its SCREAMING_SNAKE form unless `label` is given. */
  readonly id: string;
  readonly pattern: RegExp;
  readonly validate?: (match: string) => boolean;
  /** @defaultValue the id in SCREAMING_SNAKE case, e.g. `EMPLOYEE_ID` */
  readonly label?: string;
}

/** A compiled detector. `accept` returns the span to redact (absolute offsets), or undefined to keep the match. */
export interface Detector {
  readonly id: string;
  readonly label: string;
  readonly pattern: RegExp;
  readonly hint?: (text: string) => boolean;
  readonly accept?: (match: RegExpExecArray) => readonly [number, number] | undefined;
}

const whole = (m: RegExpExecArray): readonly [number, number] => [m.index, m.index + m[0].length];
const hasDigit = (text: string): boolean => /\d/.test(text);

// ── checks ───────────────────────────────────────────────────────────────────────────────────────────────

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// ISO 13616 lengths per country (SWIFT IBAN registry).
const IBAN_LENGTHS = new Map(
  ('AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 ' +
    'FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 ' +
    'LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 ' +
    'RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30')
    .split(' ')
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))] as const),
);

/** ISO 7064 mod 97-10 over the rearranged IBAN, plus the country's registered length. */
export function validIban(compact: string): boolean {
  if (IBAN_LENGTHS.get(compact.slice(0, 2)) !== compact.length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rest = value > 9 ? (rest * 100 + value) % 97 : (rest * 10 + value) % 97;
  }
  return rest === 1;
}

/** True when a base64url JWT header decodes to a JSON object with a string `alg`. */
export function jwtHeaderOk(header: string): boolean {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const looksRandom = (value: string): boolean => /\d/.test(value) && /[A-Za-z]/.test(value) && entropy(value) >= 3;

// ── detectors ────────────────────────────────────────────────────────────────────────────────────────────

const privateKey: Detector = {
  id: 'private-key',
  label: 'PRIVATE_KEY',
  // A block without its END line (a truncated key) is redacted as far as its base64 body goes: failing closed.
  // A bare BEGIN line (as in code that looks for one) is not a key and is kept.
  pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----(?:[\s\S]*?-----END \1PRIVATE KEY\2-----|\s+[A-Za-z0-9+/=][A-Za-z0-9+/=:,\s-]*)/g,
  hint: (text) => text.includes('-----BEGIN '),
};

const jwt: Detector = {
  id: 'jwt',
  label: 'JWT',
  pattern: /(?<![\w-])(e[yw][A-Za-z0-9_-]{8,})\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g,
  hint: (text) => text.includes('.'),
  accept: (m) => (jwtHeaderOk(m[1] as string) ? whole(m) : undefined),
};

const knownKeys: Detector = {
  id: 'api-key',
  label: 'API_KEY',
  pattern: new RegExp(
    String.raw`(?<![\w-])(?:sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}` +
      String.raw`|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[abposr]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[A-Z0-9]{16}` +
      String.raw`|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,})(?![\w-])`,
    'g',
  ),
};

/** `api_key=…`, `"secret": "…"`, `Bearer …`: only the value is redacted, and only when it looks random. */
const assignedKeys: Detector = {
  id: 'api-key',
  label: 'API_KEY',
  pattern:
    /(?<![\w-])(?:(?:api[_-]?key|access[_-]?key|secret[_-]?key|client[_-]?secret|secret|(?:access|auth|api)?[_-]?token|key)["']?\s*[:=]\s*["']?|Bearer\s+)([A-Za-z0-9_\-+/.~]{16,}={0,2})/dgi,
  accept: (m) => {
    const value = m[1] as string;
    const at = m.indices?.[1];
    return at !== undefined && looksRandom(value) ? at : undefined;
  },
};

const email: Detector = {
  id: 'email',
  label: 'EMAIL',
  pattern: /(?<![\w.%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![\w-])/g,
  hint: (text) => text.includes('@'),
};

const CARD_PREFIX = /^(?:4|5[1-5]|2[2-7]|3[47]|3[068]|35|6)/;

const card: Detector = {
  id: 'card',
  label: 'CARD',
  pattern: /(?<![\w+-])\d(?:[ -]?\d){12,18}(?![\w-])/g,
  hint: hasDigit,
  accept: (m) => {
    const text = m[0];
    const digits = text.replace(/[ -]/g, '');
    // One separator style at most, groups as printed on cards (4-4-4-4, 4-6-5, 4-4-4-4-3), a network prefix, Luhn.
    const separators = new Set(text.replace(/\d/g, ''));
    const groups = text.split(/[ -]/);
    const grouped = groups.length === 1 || groups.every((g, i) => g.length <= 6 && g.length >= (i === groups.length - 1 ? 3 : 4));
    return separators.size <= 1 && grouped && CARD_PREFIX.test(digits) && luhn(digits) ? whole(m) : undefined;
  },
};

const iban: Detector = {
  id: 'iban',
  label: 'IBAN',
  pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:(?: [A-Z0-9]{4})+(?: [A-Z0-9]{1,3})?|[A-Z0-9]{11,30})(?![A-Za-z0-9])/g,
  hint: hasDigit,
  accept: (m) => {
    // The spaced form may run into a following four-letter word: drop trailing groups until it checks out.
    let text = m[0];
    for (;;) {
      if (validIban(text.replace(/ /g, ''))) return [m.index, m.index + text.length];
      const cut = text.lastIndexOf(' ');
      if (cut < 15) return undefined;
      text = text.slice(0, cut);
    }
  },
};

const phone: Detector = {
  id: 'phone',
  label: 'PHONE',
  pattern: new RegExp(
    // Not inside a run of numbers (a list, an account number in groups).
    String.raw`(?<![\w+.\-/:]|\d[ .-])(?:` +
      // International (E.164 with optional separators): +44 20 7946 0958, +1 (415) 555-2671, +4915112345678
      String.raw`\+\d[\d ().-]{5,22}\d` +
      // (area) number: (415) 555-2671, (020) 7946 0958
      String.raw`|\(\d{2,5}\)[ .-]?\d{3,4}[ .-]?\d{3,4}` +
      // North American 3-3-4 with one separator style: 415-555-2671
      String.raw`|[2-9]\d{2}([.\- ])\d{3}\1\d{4}` +
      // Trunk-prefixed national: 020 7946 0958, 07700 900123, 030-1234567
      String.raw`|0\d{1,4}[ -]\d{3,4}[ -]?\d{3,4}` +
      // Pairs: 06 12 34 56 78, 06.12.34.56.78
      String.raw`|0[1-9]([ .-])\d{2}\2\d{2}\2\d{2}\2\d{2}` +
      String.raw`)(?![\w-]|[ .,:]\d)`,
    'g',
  ),
  hint: hasDigit,
  accept: (m) => {
    const text = m[0];
    const digits = text.replace(/\D/g, '').length;
    if (digits < 7 || digits > 15) return undefined;
    if (text.startsWith('+') && (digits < 8 || /[ ().-]{3}|\.\./.test(text) || count(text, '(') !== count(text, ')'))) return undefined;
    return whole(m);
  },
};

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

const BUILTIN: Readonly<Record<RedactionDetectorId, readonly Detector[]>> = {
  'private-key': [privateKey],
  jwt: [jwt],
  'api-key': [knownKeys, assignedKeys],
  email: [email],
  card: [card],
  iban: [iban],
  phone: [phone],
};

/** The detectors to run, built-ins in their fixed order first, then custom ones in the given order. */
export function compileDetectors(where: string, selection: readonly (RedactionDetectorId | CustomRedactionDetector)[]): Detector[] {
  const builtins = new Set<RedactionDetectorId>();
  const custom: Detector[] = [];
  const ids = new Set<string>();
  selection.forEach((entry, i) => {
    if (typeof entry === 'string') {
      if (!(REDACTION_DETECTORS as readonly string[]).includes(entry)) {
        throw new TypeError(`${where}[${i}] must be one of ${REDACTION_DETECTORS.map((d) => JSON.stringify(d)).join(', ')} or a custom detector, got ${JSON.stringify(entry)}`);
      }
      builtins.add(entry);
      return;
    }
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`${where}[${i}] must be a detector id or { id, pattern }`);
    if (typeof entry.id !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(entry.id)) throw new TypeError(`${where}[${i}].id must be kebab-case, got ${JSON.stringify(entry.id)}`);
    if (ids.has(entry.id) || (REDACTION_DETECTORS as readonly string[]).includes(entry.id)) throw new TypeError(`${where}[${i}].id ${JSON.stringify(entry.id)} is already taken`);
    if (!(entry.pattern instanceof RegExp)) throw new TypeError(`${where}[${i}].pattern must be a RegExp`);
    if (entry.validate !== undefined && typeof entry.validate !== 'function') throw new TypeError(`${where}[${i}].validate must be a function`);
    const label = entry.label ?? entry.id.toUpperCase().replace(/-/g, '_');
    if (!/^[A-Z][A-Z0-9_]*$/.test(label)) throw new TypeError(`${where}[${i}].label must be SCREAMING_SNAKE, got ${JSON.stringify(label)}`);
    ids.add(entry.id);
    const validate = entry.validate;
    const flags = entry.pattern.flags.includes('g') ? entry.pattern.flags : `${entry.pattern.flags}g`;
    custom.push({
      id: entry.id,
      label,
      pattern: new RegExp(entry.pattern.source, flags.replace('y', '')),
      ...(validate === undefined ? {} : { accept: (m: RegExpExecArray) => (validate(m[0]) ? whole(m) : undefined) }),
    });
  });
  return [...REDACTION_DETECTORS.filter((id) => builtins.has(id)).flatMap((id) => BUILTIN[id]), ...custom];
}

/**
 * Applies `detectors` one after the other to `text`, replacing each confirmed span with `replace(detector, span)`.
 * Returns `text` itself when nothing was found.
 */
export function redactText(text: string, detectors: readonly Detector[], replace: (detector: Detector, secret: string) => string): string {
  let current = text;
  for (const detector of detectors) {
    if (detector.hint !== undefined && !detector.hint(current)) continue;
    const pattern = detector.pattern;
    pattern.lastIndex = 0;
    let out = '';
    let last = 0;
    let changed = false;
    let m: RegExpExecArray | null;
    while ((m = pattern.exec(current)) !== null) {
      if (m[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      const span = detector.accept === undefined ? whole(m) : detector.accept(m);
      if (span === undefined) continue;
      out += current.slice(last, span[0]) + replace(detector, current.slice(span[0], span[1]));
      last = span[1];
      changed = true;
      pattern.lastIndex = span[1];
    }
    if (changed) current = out + current.slice(last);
  }
  return current;
}
