// prompt-injection-guard: scores tool arguments and the content tools, resources and prompts return against weighted
// rules, and blocks (-31008 BLOCKED_CONTENT) or sanitizes what reaches the threshold.
import type { InterceptorContext } from '../context.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import * as check from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject } from '../jsonrpc.js';
import { createKey, type MetadataKey } from '../metadata.js';
import { PROMPT_INJECTION_RULE_IDS, builtinRules, compileUserRule, sanitize, scanText, type CompiledRule, type PromptInjectionRule, type TextScan } from './prompt-injection-guard-rules.js';
import { mapStrings } from './redaction-walk.js';

/** Where injected text arrives; each names a method, the part of the exchange and the keys scanned in it. */
export const PROMPT_INJECTION_FIELDS = Object.freeze({
  /** `tools/call` request: `params.arguments`. */
  'tool-arguments': { method: 'tools/call', part: 'request', keys: ['arguments'] },
  /** `prompts/get` request: `params.arguments`. */
  'prompt-arguments': { method: 'prompts/get', part: 'request', keys: ['arguments'] },
  /** `sampling/createMessage` request (server → client): `params.messages`, `params.systemPrompt`. */
  'sampling-messages': { method: 'sampling/createMessage', part: 'request', keys: ['messages', 'systemPrompt'] },
  /** `tools/call` result: `result.content` (text, embedded resources), `result.structuredContent`. */
  'tool-results': { method: 'tools/call', part: 'response', keys: ['content', 'structuredContent'] },
  /** `resources/read` result: `result.contents`. */
  'resource-contents': { method: 'resources/read', part: 'response', keys: ['contents'] },
  /** `prompts/get` result: `result.messages`, `result.description`. */
  'prompt-messages': { method: 'prompts/get', part: 'response', keys: ['messages', 'description'] },
  /** `tools/list` result: `result.tools` (tool poisoning through descriptions); blocking fails the whole list. */
  'tool-descriptions': { method: 'tools/list', part: 'response', keys: ['tools'] },
} as const);
export type PromptInjectionField = keyof typeof PROMPT_INJECTION_FIELDS;
type Part = 'request' | 'response';

export interface PromptInjectionGuardOptions {
  /** Rules added to the built-in set; one with a built-in's id replaces it (e.g. to change its weight). @defaultValue none */
  readonly rules?: readonly PromptInjectionRule[];
  /** Built-in rule ids to turn off. @defaultValue none */
  readonly disableRules?: readonly string[];
  /** Score (sum of the weights of the rules that matched) at which `action` is taken. @defaultValue 1 */
  readonly threshold?: number;
  /** `block`: answer with -31008 BLOCKED_CONTENT; `sanitize`: replace matched spans with `[removed]`. @defaultValue 'block' */
  readonly action?: 'block' | 'sanitize';
  /** Hosts whose URLs in markdown images/links are trusted: `docs.example.com`, `*.example.com` (subdomains). @defaultValue none */
  readonly allowedUrlHosts?: readonly string[];
  /** What is scanned (see {@link PROMPT_INJECTION_FIELDS}). @defaultValue ['tool-arguments', 'tool-results', 'resource-contents', 'prompt-messages'] */
  readonly fields?: readonly PromptInjectionField[];
  /** @defaultValue Priority.Normal */
  readonly priority?: Priority;
}

/** What the guard found in one part of an exchange. */
export interface PromptInjectionVerdict {
  readonly score: number;
  /** Ids of the rules that matched. */
  readonly rules: readonly string[];
  readonly action: 'none' | 'blocked' | 'sanitized';
}

export interface PromptInjectionFindings {
  request?: PromptInjectionVerdict;
  response?: PromptInjectionVerdict;
}

/** `ctx.metadata` key with what the guard found (set only when some rule matched, even below the threshold). */
export const PromptInjectionFindingsKey: MetadataKey<PromptInjectionFindings> = createKey<PromptInjectionFindings>('prompt-injection.findings');

const DEFAULT_FIELDS: readonly PromptInjectionField[] = ['tool-arguments', 'tool-results', 'resource-contents', 'prompt-messages'];

/**
 * Guards against prompt injection: scores the chosen fields against weighted rules and, at `threshold`, blocks the
 * message (a request never reaches the handler; a response is replaced by the error, same id) or sanitizes it.
 *
 * @example
 * promptInjectionGuard({
 *   threshold: 1,
 *   allowedUrlHosts: ['docs.example.com'],
 *   rules: [{ id: 'wire-money', pattern: /wire \$?\d+ to/i, weight: 0.7 }],
 * });
 */
export function promptInjectionGuard(options: PromptInjectionGuardOptions = {}): Interceptor {
  check.optionsObject('promptInjectionGuard', options);
  const hostAllowed = hostMatcher(check.stringList('promptInjectionGuard.allowedUrlHosts', options.allowedUrlHosts, []));
  const rules = resolveRules(options, hostAllowed);
  const threshold = check.positiveNumber('promptInjectionGuard.threshold', options.threshold, 1);
  const action = check.oneOf('promptInjectionGuard.action', options.action, ['block', 'sanitize'], 'block');
  const fields = check.stringList('promptInjectionGuard.fields', options.fields, DEFAULT_FIELDS);
  const plan = new Map<string, Partial<Record<Part, string[]>>>();
  for (const field of fields) {
    const spec = (PROMPT_INJECTION_FIELDS as Record<string, (typeof PROMPT_INJECTION_FIELDS)[PromptInjectionField] | undefined>)[field];
    if (spec === undefined) throw new TypeError(`promptInjectionGuard.fields has an unknown field ${JSON.stringify(field)} (${Object.keys(PROMPT_INJECTION_FIELDS).join(', ')})`);
    const entry = plan.get(spec.method) ?? {};
    entry[spec.part] = [...new Set([...(entry[spec.part] ?? []), ...spec.keys])];
    plan.set(spec.method, entry);
  }
  const priority = check.priority('promptInjectionGuard.priority', options.priority, Priority.Normal);

  const inspect = (container: JsonObject, keys: readonly string[], part: Part, ctx: InterceptorContext): void => {
    // One pass finds every span; each distinct string is scanned once.
    const scans = new Map<string, TextScan | undefined>();
    const hits = new Map<CompiledRule, number>();
    const collect = (text: string): string => {
      if (text.length < 4 || scans.has(text)) return text;
      const scan = scanText(text, rules);
      scans.set(text, scan);
      if (scan !== undefined) for (const rule of scan.hits) hits.set(rule, (hits.get(rule) ?? 0) + 1);
      return text;
    };
    for (const key of keys) if (container[key] !== undefined) mapStrings(container[key], collect);
    if (hits.size === 0) return;

    const matched = new Set<string>();
    let score = 0;
    for (const [rule, count] of hits) {
      if (count < (rule.minMatches ?? 1)) continue;
      matched.add(rule.id);
      score += rule.weight;
      ctx.metrics.increment('prompt_injection.detections', { method: ctx.method, part, rule: rule.id });
    }
    if (matched.size === 0) return;
    score = Math.round(score * 1000) / 1000;
    const ids = [...matched];
    const over = score >= threshold;
    const verdict: PromptInjectionVerdict = { score, rules: ids, action: over ? (action === 'block' ? 'blocked' : 'sanitized') : 'none' };
    const findings = ctx.metadata.get(PromptInjectionFindingsKey) ?? {};
    findings[part] = verdict;
    ctx.metadata.set(PromptInjectionFindingsKey, findings);
    if (!over) return;
    ctx.metrics.increment('prompt_injection.actions', { method: ctx.method, part, action: verdict.action });
    if (action === 'block') {
      const where = part === 'request' ? 'the request' : 'the result';
      throw new InterceptorError(ErrorCode.BlockedContent, `Blocked content: possible prompt injection in ${where}`, { reason: 'BLOCKED_CONTENT', score, rules: ids });
    }
    const clean = (text: string): string => {
      const scan = scans.get(text);
      return scan === undefined ? text : sanitize(scan, matched);
    };
    for (const key of keys) if (container[key] !== undefined) container[key] = mapStrings(container[key], clean);
  };

  return {
    name: 'prompt-injection-guard',
    priority,
    shouldExecute: (ctx) => ctx.kind === 'request' && plan.has(ctx.method),
    onRequest(request, ctx) {
      const keys = plan.get(request.method)?.request;
      if (keys !== undefined && request.params !== undefined) inspect(request.params, keys, 'request', ctx);
    },
    onResponse(response, ctx) {
      const keys = plan.get(ctx.method)?.response;
      if (keys !== undefined && 'result' in response) inspect(response.result, keys, 'response', ctx);
    },
  };
}

function resolveRules(options: PromptInjectionGuardOptions, hostAllowed: (url: string) => boolean): CompiledRule[] {
  const disabled = new Set(check.stringList('promptInjectionGuard.disableRules', options.disableRules, []));
  for (const id of disabled) {
    if (!PROMPT_INJECTION_RULE_IDS.includes(id)) throw new TypeError(`promptInjectionGuard.disableRules has an unknown rule ${JSON.stringify(id)}`);
  }
  if (options.rules !== undefined && !Array.isArray(options.rules)) throw new TypeError('promptInjectionGuard.rules must be an array');
  const custom = (options.rules ?? []).map((rule, i) => compileUserRule(`promptInjectionGuard.rules[${i}]`, rule));
  const ids = new Set<string>();
  for (const rule of custom) {
    if (ids.has(rule.id)) throw new TypeError(`promptInjectionGuard.rules has the id ${JSON.stringify(rule.id)} twice`);
    ids.add(rule.id);
  }
  return [...builtinRules(hostAllowed).filter((rule) => !disabled.has(rule.id) && !ids.has(rule.id)), ...custom];
}

/** Exact hosts and `*.suffix` wildcards (subdomains only), compared lower-case. */
function hostMatcher(hosts: readonly string[]): (url: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const host of hosts) {
    if (!/^(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*$/i.test(host)) {
      throw new TypeError(`promptInjectionGuard.allowedUrlHosts entries are host names like "docs.example.com" or "*.example.com", got ${JSON.stringify(host)}`);
    }
    if (host.startsWith('*.')) suffixes.push(host.slice(1).toLowerCase());
    else exact.add(host.toLowerCase());
  }
  return (url) => {
    let host: string;
    try {
      host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
    } catch {
      return false;
    }
    return exact.has(host) || suffixes.some((suffix) => host.endsWith(suffix));
  };
}
