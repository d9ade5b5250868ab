// redaction: finds secrets and PII in request params and response results (any string at any depth) and masks,
// hashes or tokenizes them, returning new objects so nothing the SDK or the peer holds is changed.
import { createHmac } from 'node:crypto';
import type { InterceptorContext } from '../context.js';
import * as check from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject, JsonRpcErrorObject } from '../jsonrpc.js';
import { createKey, type MetadataKey } from '../metadata.js';
import { sensitiveKeyMatcher, type SensitiveKeys } from '../sensitive-keys.js';
import { compileDetectors, REDACTION_DETECTORS, redactText, type CustomRedactionDetector, type Detector, type RedactionDetectorId } from './redaction-detectors.js';
import { TokenVault } from './redaction-vault.js';
import { compileFieldPaths, descend, mapStrings, type WalkOptions } from './redaction-walk.js';

export type RedactionMode = 'mask' | 'hash' | 'tokenize';
/** Which part of an exchange is scanned: the request's `params` or the response's `result` (and `error`). */
export type RedactionPart = 'request' | 'response';

/** The methods whose params and results carry user content. */
export const REDACTION_METHODS: readonly string[] = Object.freeze([
  'tools/call',
  'resources/read',
  'prompts/get',
  'sampling/createMessage',
  'elicitation/create',
]);

export interface RedactionOptions {
  /**
   * `mask`: `[REDACTED:EMAIL]`; `hash`: `[EMAIL:hash:<16 hex of HMAC-SHA256(salt, value)>]` (equal values stay
   * equal, so they can still be correlated); `tokenize`: `[EMAIL:tok_<16 chars>]`, reversible with `detokenize()`.
   * @defaultValue 'mask'
   */
  readonly mode?: RedactionMode;
  /** The HMAC key of hash mode; required there. Keep it secret, or the hashes of guessable values can be reversed. */
  readonly salt?: string;
  /**
   * Built-in detectors by id (`'private-key'`, `'jwt'`, `'api-key'`, `'email'`, `'card'`, `'iban'`, `'phone'`) and
   * custom ones (`{ id, pattern, validate? }`). Built-ins run in that fixed order, then custom ones in the given order.
   * @defaultValue every built-in detector
   */
  readonly detectors?: readonly (RedactionDetectorId | CustomRedactionDetector)[];
  /**
   * Strings under these keys are secrets whatever they look like (label `SECRET`): extra key names added to
   * `DEFAULT_SENSITIVE_KEYS`, or a matcher; `false` turns key-based redaction off.
   * @defaultValue `DEFAULT_SENSITIVE_KEYS` (password, token, api_key, secret, …)
   */
  readonly sensitiveKeys?: SensitiveKeys | false;
  /** Tools (`tools/call` by name) whose arguments and results pass unchanged. @defaultValue none */
  readonly allowTools?: readonly string[];
  /**
   * Dot paths left unchanged, from the frame: `params.arguments.email`, `result.structuredContent.owner`,
   * `result.content.*.text` (`*` is any key or index), `error.message`. A path keeps its whole subtree.
   * @defaultValue none
   */
  readonly allowFields?: readonly string[];
  /** Which parts are scanned. @defaultValue ['request', 'response'] */
  readonly directions?: readonly RedactionPart[];
  /** The methods scanned. @defaultValue {@link REDACTION_METHODS} */
  readonly methods?: readonly string[];
  /** Mask mode shows a card's last four digits: `[REDACTED:CARD:****1111]`. @defaultValue true */
  readonly keepCardLast4?: boolean;
  /** Tokens remembered by tokenize mode; the least recently used is forgotten first. @defaultValue 10_000 */
  readonly vaultSize?: number;
  /** @defaultValue Priority.Normal */
  readonly priority?: Priority;
}

/** The redaction interceptor, with the reverse of tokenize mode for the side allowed to see the originals. */
export interface RedactionInterceptor extends Interceptor {
  /**
   * Replaces the tokens this interceptor issued (and still remembers) with the original values, in a string or in
   * every string of a JSON value (a copy; the input is not changed). Unknown tokens stay as they are.
   */
  detokenize<T>(value: T): T;
}

/** What one exchange had redacted: counts per part and per detector (`sensitive-key` for key-based findings). */
export interface RedactionFindings {
  request: number;
  response: number;
  readonly byDetector: Record<string, number>;
}

/** `ctx.metadata` key holding the {@link RedactionFindings} of the exchange (set only when something was found). */
export const RedactionFindingsKey: MetadataKey<RedactionFindings> = createKey<RedactionFindings>('redaction.findings');

const SENSITIVE_LABEL = 'SECRET';
const SENSITIVE_ID = 'sensitive-key';
const SKIP_META: ReadonlySet<string> = new Set(['_meta']);

/**
 * Redacts secrets and PII (emails, phone numbers, Luhn-valid cards, checksum-valid IBANs, API keys, JWTs, PEM private
 * keys, values of sensitive keys) in request params and response results. Counts findings in `ctx.metrics`
 * (`redaction.findings`) and `ctx.metadata` ({@link RedactionFindingsKey}).
 *
 * @example
 * const redact = redaction({ mode: 'tokenize', allowFields: ['params.arguments.recipient'] });
 * const chain = createChain([redact]);
 * redact.detokenize('[EMAIL:tok_…]'); // the original address, for the authorised side
 */
export function redaction(options: RedactionOptions = {}): RedactionInterceptor {
  check.optionsObject('redaction', options);
  const mode = check.oneOf<RedactionMode>('redaction.mode', options.mode, ['mask', 'hash', 'tokenize'], 'mask');
  const salt = options.salt === undefined ? undefined : check.string('redaction.salt', options.salt, '');
  if (mode === 'hash' && salt === undefined) throw new TypeError('redaction.salt is required when redaction.mode is "hash"');
  if (options.detectors !== undefined && !Array.isArray(options.detectors)) throw new TypeError('redaction.detectors must be an array');
  const detectors = compileDetectors('redaction.detectors', options.detectors ?? REDACTION_DETECTORS);
  const isSensitiveKey = sensitiveMatcher(options.sensitiveKeys);
  const allowTools = new Set(check.stringList('redaction.allowTools', options.allowTools, []));
  const allowFields = check.stringList('redaction.allowFields', options.allowFields, []);
  const bad = allowFields.find((path) => !/^(?:params|result|error)(?:\.|$)/.test(path));
  if (bad !== undefined) throw new TypeError(`redaction.allowFields paths start with "params.", "result." or "error.", got ${JSON.stringify(bad)}`);
  const directions = check.stringList('redaction.directions', options.directions, ['request', 'response']);
  const badDirection = directions.find((d) => d !== 'request' && d !== 'response');
  if (badDirection !== undefined || directions.length === 0) {
    throw new TypeError(`redaction.directions must be a non-empty array of "request" and "response", got ${JSON.stringify(directions)}`);
  }
  const methods = new Set(check.stringList('redaction.methods', options.methods, REDACTION_METHODS));
  const keepCardLast4 = check.boolean('redaction.keepCardLast4', options.keepCardLast4, true);
  const vault = new TokenVault(check.positiveInt('redaction.vaultSize', options.vaultSize, 10_000));
  const priority = check.priority('redaction.priority', options.priority, Priority.Normal);

  const scanRequests = directions.includes('request');
  const scanResponses = directions.includes('response');
  const trie = allowFields.length > 0 ? [compileFieldPaths('redaction.allowFields', allowFields)] : undefined;
  const walkOptions = (root: string): WalkOptions => ({ allow: descend(trie, root), isSensitiveKey, skipTopLevel: SKIP_META });
  const paramsWalk = walkOptions('params');
  const resultWalk = walkOptions('result');
  const errorWalk: WalkOptions = { allow: descend(trie, 'error'), isSensitiveKey };
  // Per instance, so two redaction interceptors in one chain do not share the allow-listed flag.
  const Skipped = createKey<boolean>('redaction.skipped');

  const replacement = (label: string, secret: string, isCard: boolean): string => {
    if (mode === 'tokenize') return vault.tokenize(label, secret);
    if (mode === 'hash') return `[${label}:hash:${createHmac('sha256', salt as string).update(secret).digest('hex').slice(0, 16)}]`;
    if (isCard && keepCardLast4) return `[REDACTED:${label}:****${secret.replace(/\D/g, '').slice(-4)}]`;
    return `[REDACTED:${label}]`;
  };

  // The walk is synchronous, so one tally per instance (reset before each walk) avoids a closure per message.
  let tally: Record<string, number> | undefined;
  const found = (id: string): void => {
    tally ??= {};
    tally[id] = (tally[id] ?? 0) + 1;
  };
  const onDetect = (detector: Detector, secret: string): string => {
    found(detector.id);
    return replacement(detector.label, secret, detector.id === 'card');
  };
  const rewrite = (text: string, sensitive: boolean): string => {
    if (sensitive) {
      if (text.length === 0 || isOwnMarker(text)) return text;
      found(SENSITIVE_ID);
      return replacement(SENSITIVE_LABEL, text, false);
    }
    return text.length < 6 ? text : redactText(text, detectors, onDetect);
  };
  const scan = <T>(value: T, walk: WalkOptions): T => mapStrings(value, rewrite, walk) as T;

  const record = (ctx: InterceptorContext, part: RedactionPart): void => {
    const counts = tally;
    tally = undefined;
    if (counts === undefined) return;
    let findings = ctx.metadata.get(RedactionFindingsKey);
    if (findings === undefined) ctx.metadata.set(RedactionFindingsKey, (findings = { request: 0, response: 0, byDetector: {} }));
    for (const [detector, n] of Object.entries(counts)) {
      findings[part] += n;
      findings.byDetector[detector] = (findings.byDetector[detector] ?? 0) + n;
      ctx.metrics.increment('redaction.findings', { method: ctx.method, detector, part }, n);
    }
  };

  return {
    name: 'redaction',
    priority,
    shouldExecute: (ctx) => ctx.kind === 'request' && methods.has(ctx.method),
    onRequest(request, ctx) {
      const params = request.params;
      if (allowTools.size > 0 && request.method === 'tools/call' && allowTools.has(params?.['name'] as string)) {
        ctx.metadata.set(Skipped, true);
        return;
      }
      if (!scanRequests || params === undefined) return;
      tally = undefined;
      request.params = scan<JsonObject>(params, paramsWalk);
      record(ctx, 'request');
    },
    onResponse(response, ctx) {
      if (!scanResponses || ctx.metadata.get(Skipped) === true) return;
      tally = undefined;
      if ('result' in response) response.result = scan<JsonObject>(response.result, resultWalk);
      else response.error = scan<JsonRpcErrorObject>(response.error, errorWalk);
      record(ctx, 'response');
    },
    detokenize: <T>(value: T): T => (typeof value === 'string' ? (vault.restore(value) as T) : (mapStrings(value, (text) => vault.restore(text)) as T)),
  };
}

function sensitiveMatcher(value: SensitiveKeys | false | undefined): ((key: string) => boolean) | undefined {
  if (value === false) return undefined;
  if (typeof value === 'function') return value;
  return sensitiveKeyMatcher(check.stringList('redaction.sensitiveKeys', value, []));
}

/** A value this interceptor already replaced (a response echoing a redacted request) is not redacted twice. */
function isOwnMarker(text: string): boolean {
  return /^\[(?:REDACTED:[A-Z0-9_]+(?::\*{4}\d{4})?|[A-Z0-9_]+:hash:[0-9a-f]{16}|[A-Z0-9_]+:tok_[a-z2-7]{16})\]$/.test(text);
}
