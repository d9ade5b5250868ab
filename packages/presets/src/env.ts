// fromEnv(): preset options from environment variables (the names MCP servers already use), each value checked and
// a bad one reported with the variable's name and what it should be.
import { ConfigError } from './config-error.js';
import type { SchemaIssue } from './json-schema.js';
import type { PresetOptions } from './presets.js';

type Env = Readonly<Record<string, string | undefined>>;
type Settings = Record<string, Record<string, unknown> | false>;

export interface EnvVariable {
  readonly name: string;
  /** What it sets, for the docs: `logging.level`. */
  readonly sets: string;
  /** What a valid value looks like, used in the error message. */
  readonly expected: string;
  readonly description: string;
  /** The parsed value, or `undefined` when the text is not valid. */
  readonly parse: (text: string) => unknown;
  readonly apply: (value: never, settings: Settings) => void;
}

const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };
const LEVELS: Record<string, string> = { debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error' };

const parseBoolean = (text: string): boolean | undefined => BOOLEANS[text.toLowerCase()];
const parseNumber = (min: number, inclusive: boolean) => (text: string): number | undefined => {
  if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && (inclusive ? value >= min : value > min) ? value : undefined;
};
const parseInteger = (min: number, max = Number.MAX_SAFE_INTEGER) => (text: string): number | undefined => {
  const value = Number(text);
  return /^\+?\d+$/.test(text) && Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
};
/** The longest delay a Node timer holds (2^31 − 1 ms, about 24.8 days); `timeout` rejects anything longer. */
const MAX_TIMER_MS = 2_147_483_647;
/** A rate whose default burst (2 × rate) is still a finite number of requests. */
const parseRate = (text: string): number | undefined => {
  const rate = parseNumber(0, false)(text);
  return rate !== undefined && Number.isFinite(rate * 2) ? rate : undefined;
};

/** Sets `settings[member][option] = value`, unless the member was turned off. */
const set = (member: string, option: string) => (value: unknown, settings: Settings): void => {
  const current = settings[member];
  if (current === false) return;
  settings[member] = { ...current, [option]: value };
};

/** The variables `fromEnv()` reads, in the order they are applied. */
export const ENV_VARIABLES: readonly EnvVariable[] = [
  {
    name: 'LOG_LEVEL',
    sets: 'logging.level',
    expected: 'one of debug, info, warn (or warning), error; case-insensitive',
    description: 'Lowest level logged.',
    parse: (text) => LEVELS[text.toLowerCase()],
    apply: set('logging', 'level'),
  },
  { name: 'LOG_INCLUDE_PAYLOADS', sets: 'logging.includePayloads', expected: 'true or false (also 1/0, yes/no, on/off)', description: 'Log params, results and errors (redacted, truncated).', parse: parseBoolean, apply: set('logging', 'includePayloads') },
  { name: 'LOG_MAX_PAYLOAD_LENGTH', sets: 'logging.maxPayloadLength', expected: 'a whole number of characters ≥ 1, e.g. 1000', description: 'Longest payload field logged.', parse: parseInteger(1), apply: set('logging', 'maxPayloadLength') },
  {
    name: 'RATE_LIMIT_PER_SECOND',
    sets: 'rateLimit.rate (and burst = 2 × rate unless RATE_LIMIT_BURST is set)',
    expected: 'a number of requests per second > 0, e.g. 50 or 0.5',
    description: 'Requests per second each client may send (token bucket).',
    parse: parseRate,
    apply: (rate: number, settings) => {
      set('rateLimit', 'rate')(rate, settings);
      set('rateLimit', 'burst')(Math.max(1, Math.ceil(rate * 2)), settings);
    },
  },
  { name: 'RATE_LIMIT_BURST', sets: 'rateLimit.burst', expected: 'a number of requests ≥ 1, e.g. 100', description: 'Requests a client may send at once after a quiet spell.', parse: parseNumber(1, true), apply: set('rateLimit', 'burst') },
  { name: 'SLOW_REQUEST_THRESHOLD_MS', sets: 'timing.slowThresholdMs', expected: 'a number of milliseconds ≥ 0, e.g. 5000', description: 'Requests slower than this are logged as warnings.', parse: parseNumber(0, true), apply: set('timing', 'slowThresholdMs') },
  {
    name: 'REQUEST_TIMEOUT_MS',
    sets: 'timeout.defaultMs',
    expected: 'a whole number of milliseconds from 0 (no deadline) to 2147483647, e.g. 30000',
    description: 'Deadline of every request.',
    parse: parseInteger(0, MAX_TIMER_MS),
    apply: set('timeout', 'defaultMs'),
  },
  {
    name: 'RETRY_MAX_ATTEMPTS',
    sets: 'retry.maxAttempts',
    expected: 'a whole number ≥ 1 (1: never retry), e.g. 3',
    description: 'Attempts per request this side sends, the first included: a client\'s calls (on a server it adds retry for the requests the server sends, such as sampling).',
    parse: parseInteger(1),
    apply: set('retry', 'maxAttempts'),
  },
  {
    name: 'MASK_ERRORS',
    sets: 'errorHandling.mode (true: production, false: development)',
    expected: 'true or false (also 1/0, yes/no, on/off)',
    description: 'Hide internal error details from peers.',
    parse: parseBoolean,
    apply: (mask: boolean, settings) => set('errorHandling', 'mode')(mask ? 'production' : 'development', settings),
  },
  {
    name: 'MCP_TRACING',
    sets: 'tracing (true adds it to a preset without it, false removes it)',
    expected: 'true or false (also 1/0, yes/no, on/off)',
    description: 'Trace with OpenTelemetry (needs an SDK, e.g. startTelemetry()).',
    parse: parseBoolean,
    apply: (on: boolean, settings) => {
      if (!on) settings['tracing'] = false;
      else if (settings['tracing'] === undefined) settings['tracing'] = {};
    },
  },
  { name: 'TRACE_PAYLOADS', sets: 'tracing.recordPayloads', expected: 'true or false (also 1/0, yes/no, on/off)', description: 'Put tool arguments and results on spans (may hold personal data).', parse: parseBoolean, apply: set('tracing', 'recordPayloads') },
];

/**
 * Preset options from environment variables (see {@link ENV_VARIABLES}); unset or empty variables change nothing.
 * Throws a {@link ConfigError} naming every variable whose value is not valid and what it should be.
 *
 * @example
 * const chain = createChain(production(fromEnv()));
 * // LOG_LEVEL=debug RATE_LIMIT_PER_SECOND=20 node server.js
 */
export function fromEnv(env: Env = process.env): PresetOptions {
  if (typeof env !== 'object' || env === null) throw new TypeError('fromEnv: env must be an object of variables, e.g. process.env');
  const settings: Settings = {};
  const issues: SchemaIssue[] = [];
  for (const variable of ENV_VARIABLES) {
    const raw: unknown = env[variable.name];
    if (raw !== undefined && typeof raw !== 'string') {
      issues.push({ path: variable.name, message: `expected a string (environment variables are text): ${variable.expected}, got ${typeof raw === 'object' ? (raw === null ? 'null' : 'an object') : `the ${typeof raw} ${String(raw)}`}` });
      continue;
    }
    const text = raw === undefined ? '' : raw.trim();
    if (text === '') continue;
    const value = variable.parse(text);
    if (value === undefined) issues.push({ path: variable.name, message: `expected ${variable.expected}, got ${JSON.stringify(raw)}` });
    else variable.apply(value as never, settings);
  }
  if (issues.length > 0) throw new ConfigError('environment', issues);
  return settings as PresetOptions;
}
