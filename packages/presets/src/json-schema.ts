// A small JSON Schema (2020-12 subset) validator: what the config file's schema uses, with every issue reported at
// its JSON path (`$.interceptors[1].options.rate`) in words a user can act on.

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** The keywords this validator understands; anything else in a schema (`description`, `$id`, …) is documentation. */
export interface JsonSchema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly $comment?: string;
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly deprecated?: boolean;
  readonly readOnly?: boolean;
  readonly writeOnly?: boolean;
  readonly type?: JsonType | readonly JsonType[];
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  /** `false`: no other keys; a schema: what other keys' values must be. @defaultValue true */
  readonly additionalProperties?: boolean | JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
}

export interface SchemaIssue {
  /** Where, as a JSON path: `$`, `$.preset`, `$.interceptors[0].options.rate`. */
  readonly path: string;
  readonly message: string;
}

/** Every way `value` breaks `schema`, in document order; empty when it conforms. */
export function validateJson(schema: JsonSchema, value: unknown, path = '$'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  check(schema, value, path, issues);
  return issues;
}

function check(schema: JsonSchema, value: unknown, path: string, issues: SchemaIssue[]): void {
  if (schema.anyOf !== undefined) {
    const results = schema.anyOf.map((branch) => validateJson(branch, value, path));
    if (results.some((result) => result.length === 0)) return;
    // An object or array that only one branch takes by type: what is wrong inside it is the useful message. For a
    // plain value (7 against an enum of names or an integer ≤ 4) every alternative is.
    const container = typeof value === 'object' && value !== null;
    const ofItsType = container ? schema.anyOf.flatMap((branch, index) => (branch.type !== undefined && matchesType(branch.type, value) ? [results[index] as SchemaIssue[]] : [])) : [];
    if (ofItsType.length === 1) issues.push(...(ofItsType[0] as SchemaIssue[]));
    else issues.push({ path, message: `expected ${schema.anyOf.map(describeSchema).join(' or ')}, got ${describeValue(value)}` });
    return;
  }
  if (schema.type !== undefined && !matchesType(schema.type, value)) {
    issues.push({ path, message: `expected ${describeSchema(schema)}, got ${describeValue(value)}` });
    return;
  }
  if (schema.enum !== undefined && !schema.enum.includes(value as string)) {
    const hint = typeof value === 'string' ? suggest(value, schema.enum.filter((v): v is string => typeof v === 'string')) : '';
    issues.push({ path, message: `expected one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}${hint}` });
    return;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) issues.push({ path, message: `expected a number ≥ ${schema.minimum}, got ${value}` });
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) issues.push({ path, message: `expected a number > ${schema.exclusiveMinimum}, got ${value}` });
    if (schema.maximum !== undefined && value > schema.maximum) issues.push({ path, message: `expected a number ≤ ${schema.maximum}, got ${value}` });
  }
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength) {
    issues.push({ path, message: schema.minLength === 1 ? 'expected a non-empty string' : `expected at least ${schema.minLength} characters, got ${value.length}` });
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) issues.push({ path, message: `expected at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}, got ${value.length}` });
    if (schema.items !== undefined) value.forEach((item, index) => check(schema.items as JsonSchema, item, `${path}[${index}]`, issues));
  }
  if (isObject(value)) checkObject(schema, value, path, issues);
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, path: string, issues: SchemaIssue[]): void {
  const properties = schema.properties ?? {};
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) issues.push({ path: childPath(path, key), message: 'is required' });
  }
  for (const [key, child] of Object.entries(value)) {
    const own = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (own !== undefined) {
      check(own, child, childPath(path, key), issues);
    } else if (schema.additionalProperties === false) {
      const known = Object.keys(properties);
      issues.push({ path: childPath(path, key), message: `unknown property ${JSON.stringify(key)}${suggest(key, known)}; expected one of: ${known.join(', ')}` });
    } else if (typeof schema.additionalProperties === 'object') {
      check(schema.additionalProperties, child, childPath(path, key), issues);
    }
  }
}

/** Keywords this validator checks values against. */
const CHECKED = ['type', 'enum', 'minimum', 'exclusiveMinimum', 'maximum', 'minLength', 'items', 'minItems', 'properties', 'required', 'additionalProperties', 'anyOf'];
/** Keywords that only document (JSON Schema annotations): allowed, never checked. */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);
const TYPES = new Set<string>(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/**
 * What in `schema` this validator would not enforce: a keyword it does not check (`pattern`, `oneOf`, …) or an
 * unknown `type`. A schema with one of these would accept values its author meant to refuse, so it is refused.
 */
export function unsupportedInSchema(schema: unknown, path = '#'): string[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [`${path}: a schema must be an object`];
  const problems: string[] = [];
  const record = schema as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!CHECKED.includes(key) && !ANNOTATIONS.has(key)) problems.push(`${path}: "${key}" is not supported (supported: ${CHECKED.join(', ')})`);
  }
  const type = record['type'];
  for (const name of type === undefined ? [] : Array.isArray(type) ? type : [type]) {
    if (typeof name !== 'string' || !TYPES.has(name)) problems.push(`${path}/type: ${JSON.stringify(name)} is not a JSON type (${[...TYPES].join(', ')})`);
  }
  if (record['items'] !== undefined) problems.push(...unsupportedInSchema(record['items'], `${path}/items`));
  if (typeof record['additionalProperties'] === 'object') problems.push(...unsupportedInSchema(record['additionalProperties'], `${path}/additionalProperties`));
  const properties = record['properties'];
  if (typeof properties === 'object' && properties !== null) {
    for (const [key, child] of Object.entries(properties)) problems.push(...unsupportedInSchema(child, `${path}/properties/${key}`));
  }
  if (Array.isArray(record['anyOf'])) record['anyOf'].forEach((branch, index) => problems.push(...unsupportedInSchema(branch, `${path}/anyOf/${index}`)));
  return problems;
}

function matchesType(type: JsonType | readonly JsonType[], value: unknown): boolean {
  return typeof type === 'string' ? isType(type, value) : type.some((t) => isType(t, value));
}

function isType(type: JsonType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'null':
      return value === null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `$.a`, `$.a[0]`, `$["odd key"]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const ARTICLE: Record<JsonType, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function describeSchema(schema: JsonSchema): string {
  if (schema.enum !== undefined) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const types = schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : [...schema.type];
  const base = types.map((t) => (t === 'array' && schema.items?.type !== undefined && typeof schema.items.type === 'string' ? `an array of ${schema.items.type}s` : ARTICLE[t])).join(' or ') || 'a value';
  const bounds: string[] = [];
  if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) bounds.push(`≤ ${schema.maximum}`);
  return bounds.length ? `${base} ${bounds.join(' and ')}` : base;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}

/** ` (did you mean "rate-limit"?)` when one candidate is within two edits, else nothing. */
export function suggest(input: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined ? '' : ` (did you mean ${JSON.stringify(best)}?)`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
