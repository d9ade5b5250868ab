// The scored rules of the prompt-injection guard: the built-in set (instruction overrides, jailbreaks, chat-template
// tokens, hidden text, encoded instructions, exfiltration URLs), user rules, and scanning text into scored spans.
import { Buffer } from 'node:buffer';

/** A rule of your own, or a replacement for a built-in one (same `id`). */
export interface PromptInjectionRule {
  /** Kebab-case; reported in `data.rules`. */
  readonly id: string;
  /** A string is compiled case-insensitively. */
  readonly pattern: RegExp | string;
  /** Added to the score once when the rule matches anywhere in the scanned content. */
  readonly weight: number;
}

export interface CompiledRule {
  readonly id: string;
  readonly weight: number;
  readonly pattern: RegExp;
  /** Confirms a match (e.g. the URL's host is not allow-listed). */
  readonly accept?: (match: RegExpExecArray) => boolean;
  /** Matches needed (across the scanned content) before the rule counts. */
  readonly minMatches?: number;
  /** A hidden-character rule: matched on the raw text, its characters removed before other rules run and on sanitize. */
  readonly strip?: boolean;
}

export interface Span {
  readonly rule: CompiledRule;
  readonly start: number;
  readonly end: number;
}

/** Phrases that instruct a model; also what decoded base64 is checked against. */
const INSTRUCTION_RULES: ReadonlyArray<readonly [string, number, RegExp]> = [
  [
    'ignore-previous-instructions',
    1,
    /\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+|these\s+|those\s+)?(?:previous|prior|above|earlier|preceding|former|original|initial|system)\s+(?:instructions?|directions?|prompts?|rules|guidelines|messages|context|commands)\b/gi,
  ],
  ['new-instructions', 0.6, /\b(?:from\s+now\s+on,?\s+you\s+(?:will|must|are|shall|should)|(?:new|updated|real|actual)\s+(?:system\s+)?instructions?\s*:)/gi],
  ['you-are-now', 0.5, /\byou\s+are\s+now\s+(?:a|an|the|my|in|no\s+longer|acting|playing|free|unrestricted|jailbroken|DAN)\b/gi],
  ['system-prompt', 0.4, /\b(?:system|developer)\s+(?:prompt|message)s?\b/gi],
  [
    'prompt-leak',
    0.8,
    /\b(?:reveal|show|print|repeat|output|leak|display|disclose|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:(?:system|initial|hidden|original|secret)\s+)?(?:prompt|instructions)\b/gi,
  ],
  [
    'role-play-jailbreak',
    0.8,
    /\b(?:DAN\s+mode|do\s+anything\s+now|developer\s+mode\s+(?:enabled|on)|jailbr(?:eak|oken)|(?:pretend|act|behave|role-?play)\s+(?:to\s+be\s+|as\s+(?:if\s+you\s+(?:are|were)\s+)?|like\s+)(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|evil|rogue|jailbroken|DAN)\b)/gi,
  ],
  ['no-restrictions', 0.4, /\b(?:without|ignore|bypass|disable)\s+(?:any\s+|all\s+|your\s+)?(?:restrictions|limitations|filters|safety\s+guidelines|content\s+polic(?:y|ies)|guardrails)\b/gi],
  ['conceal-from-user', 0.7, /\b(?:(?:do\s+not|don'?t|never)\s+(?:tell|inform|notify|alert|mention\s+(?:this\s+)?to|show\s+(?:this\s+)?to|reveal\s+(?:this\s+)?to)|without\s+(?:telling|informing|notifying))\s+(?:the\s+)?user\b/gi],
  ['chat-template-tokens', 1, /<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|start_header_id|end_header_id|eot_id|begin_of_text)\|>|\[\/?INST\]|<<\/?SYS>>/g],
];

const INSTRUCTION_TESTS: readonly RegExp[] = INSTRUCTION_RULES.map(([, , pattern]) => new RegExp(pattern.source, 'i'));
/** A comment addressed to a model, or about credentials; not build-tool markers like `prettier-ignore`. */
const HIDDEN_COMMENT_WORDS =
  /(?<![\w-])(?:AI|LLM|assistant|agent|chatbot|model|instructions?|(?:ignore|disregard|forget)\s+(?:all|any|the|your|previous|prior|above)|you\s+(?:must|should|will|are\s+to)|reveal|exfiltrate|secrets?|passwords?|api[\s_-]?keys?|credentials?)(?![\w-])/i;
const BASE64_MAX = 16_384;

/** True when decoded bytes are mostly printable text that carries an instruction. */
function decodesToInstruction(blob: string): boolean {
  if (blob.length > BASE64_MAX) return false;
  const text = Buffer.from(blob, /[-_]/.test(blob) ? 'base64url' : 'base64').toString('latin1');
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 10 || c === 13 || c === 9) printable++;
  }
  if (printable < text.length * 0.9) return false;
  return INSTRUCTION_TESTS.some((pattern) => pattern.test(text));
}

/** The built-in rules, bound to the URL allow-list. */
export function builtinRules(hostAllowed: (url: string) => boolean): CompiledRule[] {
  const urlOutside = (m: RegExpExecArray): boolean => !hostAllowed(m[1] as string);
  return [
    ...INSTRUCTION_RULES.map(([id, weight, pattern]) => ({ id, weight, pattern })),
    { id: 'fake-role-header', weight: 0.3, pattern: /(?:^|\n)[ \t]*(?:#{1,3}[ \t]*)?(?:system|assistant)[ \t]*:/gi },
    { id: 'instruction-tags', weight: 0.5, pattern: /<\/?(?:important|system|instructions?|admin)>/gi },
    { id: 'hidden-html-comment', weight: 0.8, pattern: /<!--[\s\S]*?-->/g, accept: (m) => HIDDEN_COMMENT_WORDS.test(m[0]) },
    // Zero-width characters used to hide or split words. ZWJ/ZWNJ count only between ASCII letters: emoji
    // sequences and Indic/Persian scripts use them legitimately.
    {
      id: 'invisible-characters',
      weight: 0.6,
      pattern: /[\u200B\u2060\u180E\u2061-\u2064]|(?<!^)\uFEFF|(?<=[A-Za-z])[\u200C\u200D](?=[A-Za-z])/g,
      minMatches: 3,
      strip: true,
    },
    // Unicode tag characters spell invisible ASCII ("ASCII smuggling"); flag emoji (🏴 + tags) are left alone.
    { id: 'unicode-tag-smuggling', weight: 1, pattern: /(?<![\u{1F3F4}\u{E0000}-\u{E007F}])[\u{E0000}-\u{E007F}]+/gu, strip: true },
    {
      id: 'encoded-instructions',
      weight: 1,
      pattern: /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])/g,
      accept: (m) => decodesToInstruction(m[0]),
    },
    // Images load without a click: one whose URL carries a query string can send data out. Plain images (badges,
    // screenshots in a fetched page) are not flagged.
    {
      id: 'markdown-image-exfiltration',
      weight: 0.5,
      pattern: /!\[[^\]\n]{0,300}\]\(\s*<?(https?:\/\/[^\s)>]*\?[^\s)>]*=[^\s)>]*)[^)\n]{0,300}\)|<img\b[^>]{0,300}?\bsrc\s*=\s*["']?(https?:\/\/[^\s"'>]*\?[^\s"'>]*=[^\s"'>]*)[^>]*>/gi,
      accept: (m) => !hostAllowed((m[1] ?? m[2]) as string),
    },
    { id: 'markdown-link-exfiltration', weight: 0.2, pattern: /(?<!!)\[[^\]\n]{0,300}\]\(\s*<?(https?:\/\/[^\s)>]*\?[^\s)>]*=[^\s)>]*)[^)\n]{0,300}\)/gi, accept: urlOutside },
    {
      id: 'exfiltration-url-template',
      weight: 0.6,
      pattern: /(https?:\/\/[^\s)"'<>]+?[?&][^\s)"'<>=]+=(?:\{[^}\s]*\}|\$\{?\w+\}?|<[A-Za-z_ ]+>|\[[A-Z_ ]+\]|%7B[^\s%]*%7D))/gi,
      accept: urlOutside,
    },
    {
      id: 'sensitive-file-access',
      weight: 0.5,
      pattern: /~\/\.ssh\/|\bid_(?:rsa|ed25519)\b|\.aws\/credentials|\/etc\/(?:passwd|shadow)\b|\bclaude_desktop_config\.json\b|\bmcp\.json\b/gi,
    },
  ];
}

/** The ids of the built-in rules (for `disableRules`). */
export const PROMPT_INJECTION_RULE_IDS: readonly string[] = Object.freeze(builtinRules(() => true).map((r) => r.id));

/** Compiles user rules; throws a TypeError/RangeError naming the bad field. */
export function compileUserRule(where: string, rule: PromptInjectionRule): CompiledRule {
  if (typeof rule !== 'object' || rule === null) throw new TypeError(`${where} must be an object`);
  if (typeof rule.id !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(rule.id)) throw new TypeError(`${where}.id must be kebab-case, got ${JSON.stringify(rule.id)}`);
  if (typeof rule.weight !== 'number' || !Number.isFinite(rule.weight) || rule.weight <= 0) {
    throw new RangeError(`${where}.weight must be a positive finite number, got ${String(rule.weight)}`);
  }
  let pattern: RegExp;
  if (typeof rule.pattern === 'string' && rule.pattern.length > 0) pattern = new RegExp(rule.pattern, 'gi');
  else if (rule.pattern instanceof RegExp) pattern = new RegExp(rule.pattern.source, rule.pattern.flags.replace(/[gy]/g, '') + 'g');
  else throw new TypeError(`${where}.pattern must be a RegExp or a non-empty string`);
  return { id: rule.id, weight: rule.weight, pattern };
}

/** What one string holds: the text with hidden characters removed, the spans found in it, and every rule hit. */
export interface TextScan {
  readonly clean: string;
  readonly spans: readonly Span[];
  readonly hits: readonly CompiledRule[];
}

/**
 * Scans one string. Hidden-character rules (`strip`) run on the raw text, and their characters are removed before
 * the other rules run, so `i\u200Bgnore previous instructions` is still read as an instruction. Undefined when
 * nothing matched and nothing was hidden.
 */
export function scanText(text: string, rules: readonly CompiledRule[]): TextScan | undefined {
  let hits: CompiledRule[] | undefined;
  let clean = text;
  for (const rule of rules) {
    if (rule.strip !== true) continue;
    rule.pattern.lastIndex = 0;
    const found = text.match(rule.pattern);
    if (found === null) continue;
    hits ??= [];
    for (let i = 0; i < found.length; i++) hits.push(rule);
    clean = clean.replace(rule.pattern, '');
  }
  let spans: Span[] | undefined;
  for (const rule of rules) {
    if (rule.strip === true) continue;
    const pattern = rule.pattern;
    pattern.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = pattern.exec(clean)) !== null) {
      if (m[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      if (rule.accept !== undefined && !rule.accept(m)) continue;
      (spans ??= []).push({ rule, start: m.index, end: m.index + m[0].length });
      (hits ??= []).push(rule);
    }
  }
  return hits === undefined && clean === text ? undefined : { clean, spans: spans ?? [], hits: hits ?? [] };
}

/** The clean text with the spans of `matched` rules replaced by `[removed]` (overlapping spans merge). */
export function sanitize(scan: TextScan, matched: ReadonlySet<string>): string {
  const live = scan.spans.filter((s) => matched.has(s.rule.id)).sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const span of live) {
    if (span.start >= cursor) out += `${scan.clean.slice(cursor, span.start)}[removed]`;
    cursor = Math.max(cursor, span.end);
  }
  return out + scan.clean.slice(cursor);
}
