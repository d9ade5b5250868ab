// A whole chain declared in a JSON file: a preset to start from, then interceptors to override, remove or add, each
// by its registered name. Checked against a schema first; every mistake is reported at its JSON path.
import { readFile } from 'node:fs/promises';
import { Priority, type Interceptor, type Side } from '@mcp-interceptors/core';
import { ConfigError } from './config-error.js';
import { fromEnv } from './env.js';
import { findJsonFault } from './json-position.js';
import { childPath, suggest, validateJson, type JsonSchema, type SchemaIssue } from './json-schema.js';
import { buildMembers, mergeOptions, NotAnInterceptorError, type MemberPlan } from './member-plan.js';
import { applyPresetOptions, memberKey, PRESET_NAMES, presetPlan, type PresetName, type PresetOptions } from './presets.js';
import { createRegistry, type InterceptorRegistry } from './registry.js';

/** The shape of a config file (see {@link CONFIG_SCHEMA}). */
export interface ChainConfig {
  readonly $schema?: string;
  /** The preset to start from. @defaultValue none: the chain is exactly `interceptors` */
  readonly preset?: PresetName;
  /** @defaultValue 'server' */
  readonly side?: Side;
  readonly interceptors?: readonly ChainConfigEntry[];
}

export interface ChainConfigEntry {
  /** A registered name: a built-in (`rate-limit`) or one of yours. */
  readonly use: string;
  /** For a preset member, merged onto the preset's options; otherwise the factory's options. */
  readonly options?: Record<string, unknown>;
  /** `Critical`, `High`, `Normal`, `Low`, `Lowest` (or 0–4). @defaultValue the interceptor's own */
  readonly priority?: keyof typeof Priority | Priority;
  /** `false` removes a preset member. @defaultValue true */
  readonly enabled?: boolean;
}

export interface ConfigOptions {
  /** Where `use` names are looked up. @defaultValue the built-ins (`createRegistry()`) */
  readonly registry?: InterceptorRegistry;
  /** Apply `fromEnv(env)` on top of the file (the environment wins). @defaultValue not applied */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Names the input in errors. @defaultValue 'config' (`loadConfig`: the file's path) */
  readonly source?: string;
}

const PRIORITY_NAMES = ['Critical', 'High', 'Normal', 'Low', 'Lowest'] as const;

/** The file's structure. Each entry's `options` are then checked against the schema its interceptor registered. */
export const CONFIG_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'mcp-interceptors chain',
  type: 'object',
  properties: {
    $schema: { type: 'string' },
    preset: { enum: [...PRESET_NAMES] },
    side: { enum: ['server', 'client'] },
    interceptors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['use'],
        properties: {
          use: { type: 'string', minLength: 1 },
          options: { type: 'object' },
          priority: { anyOf: [{ enum: [...PRIORITY_NAMES] }, { type: 'integer', minimum: 0, maximum: 4 }] },
          enabled: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

/**
 * Builds the interceptors a config object declares. Throws a {@link ConfigError} listing every mistake at its JSON
 * path: unknown keys, names no interceptor is registered under, options of the wrong type or rejected by the factory.
 *
 * @example
 * const chain = createChain(chainFromConfig({ preset: 'production', interceptors: [{ use: 'rate-limit', options: { rate: 100 } }] }));
 */
export function chainFromConfig(config: unknown, options: ConfigOptions = {}): Interceptor[] {
  const registry = options.registry ?? createRegistry();
  const source = options.source ?? 'config';
  const issues = validateJson(CONFIG_SCHEMA, config);
  if (issues.length > 0) throw new ConfigError(source, issues);
  const { preset, side = 'server', interceptors: entries = [] } = config as ChainConfig;

  let plan: MemberPlan[] = preset === undefined ? [] : presetPlan(preset, side);
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const at = childPath(childPath('$', 'interceptors'), index);
    const registration = registry.get(entry.use);
    if (registration === undefined) {
      issues.push({ path: `${at}.use`, message: `no interceptor is registered as ${JSON.stringify(entry.use)}${suggest(entry.use, registry.names())}; registered: ${registry.names().join(', ')}` });
      return;
    }
    const first = seen.get(entry.use);
    if (first !== undefined) issues.push({ path: `${at}.use`, message: `${JSON.stringify(entry.use)} is already configured at $.interceptors[${first}]; configure each interceptor once` });
    seen.set(entry.use, index);
    if (entry.options !== undefined) issues.push(...validateJson(registration.options, entry.options, `${at}.options`));
    const member = plan.findIndex((m) => m.name === entry.use);
    if (entry.enabled === false) {
      if (member < 0) issues.push({ path: `${at}.enabled`, message: `${JSON.stringify(entry.use)} is not a member of ${preset === undefined ? 'the chain' : `the ${preset} preset`}, so there is nothing to remove` });
      else plan.splice(member, 1);
      for (const key of ['options', 'priority'] as const) {
        if (entry[key] !== undefined) issues.push({ path: `${at}.${key}`, message: `has no effect: "enabled": false removes ${JSON.stringify(entry.use)}; drop "${key}" or "enabled"` });
      }
      return;
    }
    const priority = typeof entry.priority === 'string' ? Priority[entry.priority] : entry.priority;
    if (member < 0) plan.push({ name: entry.use, options: entry.options && { ...entry.options }, priority });
    else plan[member] = { ...(plan[member] as MemberPlan), options: entry.options ? mergeOptions(plan[member]?.options, entry.options, entry.use) : plan[member]?.options, priority };
  });
  if (issues.length > 0) throw new ConfigError(source, issues);
  if (options.env !== undefined) plan = applyPresetOptions(plan, envFor(plan, fromEnv(options.env), preset !== undefined), 'fromEnv');

  // Each member on its own, so that every factory's complaint is reported, each at its entry.
  const built: Interceptor[] = [];
  for (const member of plan) {
    try {
      built.push(...buildMembers([member], source, registry));
    } catch (error) {
      issues.push(factoryIssue(error, member, entries));
    }
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  return built;
}

/**
 * The environment's settings for this plan: over a preset they tune, add and remove members as with the presets;
 * without one the chain is exactly the file's entries, so only the members it lists are tuned.
 */
function envFor(plan: readonly MemberPlan[], settings: PresetOptions, overPreset: boolean): PresetOptions {
  if (overPreset) return settings;
  const listed = new Set(plan.map((member) => memberKey(member.name)));
  return Object.fromEntries(Object.entries(settings).filter(([key]) => listed.has(key))) as PresetOptions;
}

/**
 * Reads a JSON config file and builds its chain (see {@link chainFromConfig}); errors name the file.
 *
 * @example
 * const chain = createChain(await loadConfig('./mcp-chain.json', { env: process.env }));
 */
export async function loadConfig(path: string, options: ConfigOptions = {}): Promise<Interceptor[]> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`loadConfig: path must be a non-empty string, got ${JSON.stringify(path)}`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [{ path: '$', message: `cannot be read: ${(error as Error).message}` }]);
  }
  // Editors on Windows may start a UTF-8 file with a byte order mark; it is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    const fault = findJsonFault(text);
    const where = fault === undefined ? (error as Error).message : `${fault.problem} at line ${fault.line}, column ${fault.column}`;
    throw new ConfigError(path, [{ path: '$', message: `not valid JSON: ${where}` }]);
  }
  // JSON.parse keeps the last of two equal keys without a word; in a config that hides a mistake.
  const duplicate = findJsonFault(text, { duplicateKeys: true });
  if (duplicate !== undefined) throw new ConfigError(path, [{ path: '$', message: `${duplicate.problem} at line ${duplicate.line}, column ${duplicate.column}` }]);
  return chainFromConfig(config, { ...options, source: options.source ?? path });
}

/**
 * A factory's complaint, at the JSON path of the entry that configured the member: its own TypeError/RangeError
 * (`rateLimit.rate must be …`) at the option it names, anything else at the entry's options. A preset member the
 * file does not list is reported at `$.preset`.
 */
function factoryIssue(error: unknown, member: MemberPlan, entries: readonly ChainConfigEntry[]): SchemaIssue {
  const index = entries.findIndex((entry) => entry.use === member.name);
  const at = index < 0 ? '$.preset' : `$.interceptors[${index}]`;
  if (error instanceof NotAnInterceptorError) return { path: index < 0 ? at : `${at}.use`, message: error.message };
  const message = error instanceof Error ? error.message : describeThrown(error);
  if (!(error instanceof TypeError || error instanceof RangeError)) return { path: index < 0 ? at : `${at}.options`, message: `${JSON.stringify(member.name)} failed to build: ${message}` };
  if (index < 0) return { path: at, message };
  const match = /^(\w+)((?:\.\w+|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*)[ :]/.exec(message);
  const option = match !== null && (match[1] === memberKey(member.name) || match[1] === member.name) ? (match[2] ?? '') : '';
  return { path: `${at}.options${option}`, message };
}

/** What a factory threw that is not an Error, in words (some values cannot even be turned into a string). */
function describeThrown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return `a value that is not an Error (${typeof value})`;
  }
}
