// A whole chain declared in a JSON file: a preset to start from, then interceptors to override, remove or add, each
// by its registered name. Checked against a schema first; every mistake is reported at its JSON path.
import { readFile } from 'node:fs/promises';
import { Priority, type Interceptor, type Side } from '@mcp-interceptors/core';
import { ConfigError } from './config-error.js';
import { fromEnv } from './env.js';
import { findJsonFault } from './json-position.js';
import { childPath, suggest, validateJson, type JsonSchema } from './json-schema.js';
import { buildMembers, mergeOptions, type MemberPlan } from './member-plan.js';
import { applyPresetOptions, memberKey, PRESET_NAMES, presetPlan, type PresetName } from './presets.js';
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
      return;
    }
    const priority = typeof entry.priority === 'string' ? Priority[entry.priority] : entry.priority;
    if (member < 0) plan.push({ name: entry.use, options: entry.options && { ...entry.options }, priority });
    else plan[member] = { ...(plan[member] as MemberPlan), options: entry.options ? mergeOptions(plan[member]?.options, entry.options) : plan[member]?.options, priority };
  });
  if (issues.length > 0) throw new ConfigError(source, issues);
  if (options.env !== undefined) plan = applyPresetOptions(plan, fromEnv(options.env), 'fromEnv');

  try {
    return plan.map((member) => buildMembers([member], source, registry)[0] as Interceptor);
  } catch (error) {
    throw factoryIssue(error, plan, entries, source);
  }
}

/**
 * Reads a JSON config file and builds its chain (see {@link chainFromConfig}); errors name the file.
 *
 * @example
 * const chain = createChain(await loadConfig('./mcp-chain.json', { env: process.env }));
 */
export async function loadConfig(path: string, options: ConfigOptions = {}): Promise<Interceptor[]> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`loadConfig: path must be a non-empty string, got ${JSON.stringify(path)}`);
  const text = await readFile(path, 'utf8');
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    const fault = findJsonFault(text);
    const where = fault === undefined ? (error as Error).message : `${fault.problem} at line ${fault.line}, column ${fault.column}`;
    throw new ConfigError(path, [{ path: '$', message: `not valid JSON: ${where}` }]);
  }
  return chainFromConfig(config, { ...options, source: options.source ?? path });
}

/** A factory's own TypeError/RangeError (`rateLimit.rate must be …`) at the JSON path of the option it names. */
function factoryIssue(error: unknown, plan: readonly MemberPlan[], entries: readonly ChainConfigEntry[], source: string): unknown {
  if (!(error instanceof TypeError || error instanceof RangeError)) return error;
  const match = /^(\w+)((?:\.\w+|\[\d+\])*)[ :]/.exec(error.message);
  const member = match ? plan.find((m) => memberKey(m.name) === match[1] || m.name === match[1]) : undefined;
  const index = member ? entries.findIndex((entry) => entry.use === member.name) : -1;
  if (index < 0) return new ConfigError(source, [{ path: '$', message: error.message }]);
  const option = match?.[2] ?? '';
  return new ConfigError(source, [{ path: `$.interceptors[${index}].options${option}`, message: error.message }]);
}
