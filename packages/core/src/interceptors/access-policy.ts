// access-policy: allow/deny rules on tools, resources and prompts by the caller's roles and scopes (from ctx.auth).
// Denied calls never reach the handler; list results are filtered to what the caller may use.
import type { Direction, InterceptorContext } from '../context.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import * as check from '../internal/options.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonObject } from '../jsonrpc.js';
import { createKey } from '../metadata.js';

export type AccessKind = 'tool' | 'resource' | 'prompt';
export type AccessEffect = 'allow' | 'deny';

/**
 * One rule: what it covers (`tools`, `resources`, `prompts`: globs), whom (`roles`, `scopes`) and its effect.
 * In tool and prompt names `*` matches anything; in resource URIs `*` stops at `/` and `**` crosses it.
 */
export interface AccessRule {
  readonly effect: AccessEffect;
  /** Tool names, e.g. `['search', 'read_*']`. */
  readonly tools?: readonly string[];
  /** Resource URIs (resource templates are matched by their `uriTemplate` text), e.g. `['file:///public/**']`. */
  readonly resources?: readonly string[];
  /** Prompt names. */
  readonly prompts?: readonly string[];
  /** The caller needs at least one of these roles. @defaultValue any caller, authenticated or not */
  readonly roles?: readonly string[];
  /** The caller needs every one of these scopes (`auth.scopes`). @defaultValue any caller, authenticated or not */
  readonly scopes?: readonly string[];
}

export interface AccessPolicyOptions {
  /** Evaluated as: any matching `deny` wins, else any matching `allow`, else `defaultEffect`. */
  readonly rules: readonly AccessRule[];
  /**
   * What happens when no rule matches, for every kind or per kind (`{ prompt: 'allow' }`; unnamed kinds deny).
   * Deny by default, so a tool added to the server later is not exposed until a rule allows it.
   * @defaultValue 'deny'
   */
  readonly defaultEffect?: AccessEffect | { readonly [K in AccessKind]?: AccessEffect };
  /**
   * The caller's roles. May be async; a throw fails the request (-32603), never opens it.
   * @defaultValue `ctx.auth.extra.roles` (an array of strings, or one string)
   */
  readonly roles?: (ctx: InterceptorContext) => readonly string[] | undefined | Promise<readonly string[] | undefined>;
  /** Which exchanges are checked: `inbound` (requests this side receives, i.e. a server's). @defaultValue ['inbound'] */
  readonly directions?: readonly Direction[];
  /** @defaultValue Priority.High */
  readonly priority?: Priority;
}

interface Subject {
  readonly roles: ReadonlySet<string>;
  readonly scopes: ReadonlySet<string>;
}

type Matcher = (name: string) => boolean;

interface CompiledRule {
  readonly deny: boolean;
  readonly match: Matcher;
  readonly roles: readonly string[] | undefined;
  readonly scopes: readonly string[] | undefined;
}

const KINDS: readonly AccessKind[] = ['tool', 'resource', 'prompt'];
const FIELD: Readonly<Record<AccessKind, 'tools' | 'resources' | 'prompts'>> = { tool: 'tools', resource: 'resources', prompt: 'prompts' };
/** List methods: the array in the result and the key each item is matched by. */
const LISTS: ReadonlyMap<string, { kind: AccessKind; array: string; key: string }> = new Map([
  ['tools/list', { kind: 'tool', array: 'tools', key: 'name' }],
  ['resources/list', { kind: 'resource', array: 'resources', key: 'uri' }],
  ['resources/templates/list', { kind: 'resource', array: 'resourceTemplates', key: 'uriTemplate' }],
  ['prompts/list', { kind: 'prompt', array: 'prompts', key: 'name' }],
]);
const CALLS: ReadonlyMap<string, { kind: AccessKind; key: string }> = new Map([
  ['tools/call', { kind: 'tool', key: 'name' }],
  ['resources/read', { kind: 'resource', key: 'uri' }],
  ['resources/subscribe', { kind: 'resource', key: 'uri' }],
  ['prompts/get', { kind: 'prompt', key: 'name' }],
]);
const COMPLETE = 'completion/complete';

/**
 * Allows or denies tools, resources and prompts by the caller's roles and scopes. A denied `tools/call`,
 * `resources/read`, `resources/subscribe`, `prompts/get` or `completion/complete` is answered with -31005
 * `{ reason: 'ACCESS_DENIED', kind, name }`; `tools/list`, `resources/list`, `resources/templates/list` and
 * `prompts/list` results are filtered to what the caller may use.
 *
 * @example
 * accessPolicy({
 *   rules: [
 *     { effect: 'allow', tools: ['search', 'read_*'], roles: ['reader', 'admin'] },
 *     { effect: 'allow', tools: ['*'], roles: ['admin'] },
 *     { effect: 'deny', tools: ['drop_database'] },
 *     { effect: 'allow', resources: ['file:///public/**'] },
 *   ],
 * });
 */
export function accessPolicy(options: AccessPolicyOptions): Interceptor {
  check.optionsObject('accessPolicy', options);
  if (options === undefined || !Array.isArray(options.rules)) throw new TypeError('accessPolicy.rules must be an array of rules');
  const rules: Record<AccessKind, CompiledRule[]> = { tool: [], resource: [], prompt: [] };
  options.rules.forEach((rule, i) => compileRule(`accessPolicy.rules[${i}]`, rule, rules));
  const defaults = resolveDefaults(options.defaultEffect);
  const rolesOf = check.fn<NonNullable<AccessPolicyOptions['roles']>>('accessPolicy.roles', options.roles, defaultRoles);
  const directions = check.stringList('accessPolicy.directions', options.directions, ['inbound']);
  if (directions.length === 0 || directions.some((d) => d !== 'inbound' && d !== 'outbound')) {
    throw new TypeError(`accessPolicy.directions must be a non-empty array of "inbound" and "outbound", got ${JSON.stringify(directions)}`);
  }
  const priority = check.priority('accessPolicy.priority', options.priority, Priority.High);
  const SubjectKey = createKey<Subject>('access-policy.subject');

  const allowed = (kind: AccessKind, name: string, subject: Subject): boolean => {
    let allow = false;
    for (const rule of rules[kind]) {
      if (!rule.match(name) || !appliesTo(rule, subject)) continue;
      if (rule.deny) return false;
      allow = true;
    }
    return allow || defaults[kind] === 'allow';
  };

  const enforce = (ctx: InterceptorContext, kind: AccessKind, name: unknown, subject: Subject): void => {
    if (typeof name !== 'string') {
      throw new InterceptorError(ErrorCode.InvalidParams, `${ctx.method}: the ${kind} must be named by a string`, { reason: 'INVALID_PARAMS' });
    }
    if (allowed(kind, name, subject)) return;
    ctx.metrics.increment('access_policy.denied', { method: ctx.method, kind });
    throw new InterceptorError(ErrorCode.AccessDenied, `Access denied to ${kind} "${name}"`, { reason: 'ACCESS_DENIED', kind, name });
  };

  return {
    name: 'access-policy',
    priority,
    shouldExecute: (ctx) => ctx.kind === 'request' && directions.includes(ctx.direction) && (CALLS.has(ctx.method) || LISTS.has(ctx.method) || ctx.method === COMPLETE),
    onRequest(request, ctx) {
      const decide = (subject: Subject): void => {
        ctx.metadata.set(SubjectKey, subject);
        const params = request.params ?? {};
        const call = CALLS.get(request.method);
        if (call !== undefined) return enforce(ctx, call.kind, params[call.key], subject);
        if (request.method === COMPLETE) {
          // Completions reveal a prompt's or a resource template's argument values: same rule as using it.
          const ref = params['ref'] as JsonObject | undefined;
          if (ref?.['type'] === 'ref/prompt') return enforce(ctx, 'prompt', ref['name'], subject);
          if (ref?.['type'] === 'ref/resource') return enforce(ctx, 'resource', ref['uri'], subject);
        }
      };
      // Stay synchronous unless the roles function is async: most requests should not pay for a microtask.
      const roles = rolesOf(ctx);
      if (isThenable(roles)) return roles.then((resolved) => decide(subjectOf(ctx, resolved)));
      return decide(subjectOf(ctx, roles));
    },
    onResponse(response, ctx) {
      const list = LISTS.get(ctx.method);
      const subject = ctx.metadata.get(SubjectKey);
      if (list === undefined || subject === undefined || !('result' in response)) return;
      const items = response.result[list.array];
      if (!Array.isArray(items)) return;
      const kept = items.filter((item: unknown) => {
        const name = typeof item === 'object' && item !== null ? (item as JsonObject)[list.key] : undefined;
        return typeof name === 'string' && allowed(list.kind, name, subject);
      });
      if (kept.length === items.length) return;
      ctx.metrics.increment('access_policy.filtered', { method: ctx.method, kind: list.kind }, items.length - kept.length);
      response.result[list.array] = kept;
    },
  };
}

function appliesTo(rule: CompiledRule, subject: Subject): boolean {
  if (rule.roles !== undefined && !rule.roles.some((role) => subject.roles.has(role))) return false;
  if (rule.scopes !== undefined && !rule.scopes.every((scope) => subject.scopes.has(scope))) return false;
  return true;
}

function subjectOf(ctx: InterceptorContext, roles: readonly string[] | undefined): Subject {
  const scopes = ctx.auth?.scopes;
  return {
    roles: new Set(Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : []),
    scopes: new Set(Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : []),
  };
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

function defaultRoles(ctx: InterceptorContext): readonly string[] | undefined {
  const roles = ctx.auth?.extra?.['roles'];
  if (typeof roles === 'string') return [roles];
  return Array.isArray(roles) ? (roles as string[]) : undefined;
}

function compileRule(where: string, rule: AccessRule, into: Record<AccessKind, CompiledRule[]>): void {
  if (typeof rule !== 'object' || rule === null) throw new TypeError(`${where} must be an object`);
  const effect: unknown = rule.effect;
  if (effect !== 'allow' && effect !== 'deny') throw new TypeError(`${where}.effect must be "allow" or "deny", got ${JSON.stringify(effect) ?? 'nothing'}`);
  const roles = optionalList(`${where}.roles`, rule.roles);
  const scopes = optionalList(`${where}.scopes`, rule.scopes);
  let covered = false;
  for (const kind of KINDS) {
    const patterns = optionalList(`${where}.${FIELD[kind]}`, rule[FIELD[kind]]);
    if (patterns === undefined) continue;
    covered = true;
    into[kind].push({ deny: effect === 'deny', match: globMatcher(patterns, kind === 'resource'), roles, scopes });
  }
  if (!covered) throw new TypeError(`${where} must name tools, resources or prompts`);
}

function optionalList(where: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = check.stringList(where as `${string}.${string}`, value, []);
  if (list.length === 0 || list.some((s) => s.length === 0)) throw new TypeError(`${where} must be a non-empty array of non-empty strings`);
  return list;
}

function resolveDefaults(value: AccessPolicyOptions['defaultEffect']): Record<AccessKind, AccessEffect> {
  const effects: readonly AccessEffect[] = ['allow', 'deny'];
  if (value === undefined || typeof value === 'string') {
    const effect = check.oneOf('accessPolicy.defaultEffect', value, effects, 'deny');
    return { tool: effect, resource: effect, prompt: effect };
  }
  check.record('accessPolicy.defaultEffect', value);
  const unknown = Object.keys(value).find((k) => !(KINDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw new TypeError(`accessPolicy.defaultEffect has an unknown kind ${JSON.stringify(unknown)} (tool, resource, prompt)`);
  return {
    tool: check.oneOf('accessPolicy.defaultEffect.tool', value.tool, effects, 'deny'),
    resource: check.oneOf('accessPolicy.defaultEffect.resource', value.resource, effects, 'deny'),
    prompt: check.oneOf('accessPolicy.defaultEffect.prompt', value.prompt, effects, 'deny'),
  };
}

/** One matcher for a rule's patterns: exact names in a set, globs as one anchored RegExp. */
function globMatcher(patterns: readonly string[], pathLike: boolean): Matcher {
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const pattern of patterns) {
    if (!/[*?]/.test(pattern)) {
      exact.add(pattern);
      continue;
    }
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i] as string;
      if (ch === '*' && pattern[i + 1] === '*') {
        source += '.*';
        i++;
      } else if (ch === '*') source += pathLike ? '[^/]*' : '.*';
      else if (ch === '?') source += pathLike ? '[^/]' : '.';
      else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    globs.push(source);
  }
  const regex = globs.length > 0 ? new RegExp(`^(?:${globs.join('|')})$`, 's') : undefined;
  return (name) => exact.has(name) || (regex !== undefined && regex.test(name));
}
