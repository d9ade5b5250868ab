// Copy-on-write traversal of JSON values: rewrites strings at any depth and rebuilds only the objects and arrays on
// the path to a change, so originals (which the SDK or the peer may still hold) are never touched. Also the dot-path
// tries used by `allowFields`.

/** A node of a dot-path trie: `*` matches any one key or array index. */
export interface FieldTrie {
  readonly children: Map<string, FieldTrie>;
  star: FieldTrie | undefined;
  /** A path ends here: this subtree is left alone. */
  terminal: boolean;
}

const newNode = (): FieldTrie => ({ children: new Map(), star: undefined, terminal: false });

/** Compiles dot paths (`params.arguments.email`, `result.content.*.text`) into a trie. Throws on an empty segment. */
export function compileFieldPaths(where: string, paths: readonly string[]): FieldTrie {
  const root = newNode();
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.some((s) => s.length === 0)) throw new TypeError(`${where} has an empty segment in ${JSON.stringify(path)}`);
    let node = root;
    for (const segment of segments) {
      if (segment === '*') node = node.star ??= newNode();
      else {
        let child = node.children.get(segment);
        if (child === undefined) node.children.set(segment, (child = newNode()));
        node = child;
      }
    }
    node.terminal = true;
  }
  return root;
}

/** The trie nodes reached from `nodes` through `key`; undefined when no path continues there. */
export function descend(nodes: readonly FieldTrie[] | undefined, key: string): FieldTrie[] | undefined {
  if (nodes === undefined) return undefined;
  let next: FieldTrie[] | undefined;
  for (const node of nodes) {
    const child = node.children.get(key);
    if (child !== undefined) (next ??= []).push(child);
    if (node.star !== undefined) (next ??= []).push(node.star);
  }
  return next;
}

const isTerminal = (nodes: readonly FieldTrie[] | undefined): boolean => nodes !== undefined && nodes.some((n) => n.terminal);

/** Rewrites one string; `sensitive` is true when it sits below a secret key (its whole value is a secret). */
export type StringRewriter = (text: string, sensitive: boolean) => string;

export interface WalkOptions {
  /** Paths left untouched (a trie positioned at the value being walked). */
  readonly allow?: readonly FieldTrie[] | undefined;
  /** True for keys whose whole value is secret: strings below them reach the rewriter with `sensitive: true`. */
  readonly isSensitiveKey?: ((key: string) => boolean) | undefined;
  /** Keys skipped at the top level of the walked value (e.g. `_meta`). */
  readonly skipTopLevel?: ReadonlySet<string> | undefined;
}

/**
 * Returns `value` with every string (at any depth, in objects and arrays) passed through `rewrite`. Objects and
 * arrays are copied only when something below them changed; otherwise the same reference comes back. Binary
 * payloads (`data`/`blob` beside a string `mimeType`, as in MCP image, audio and blob contents) are not scanned.
 */
export function mapStrings(value: unknown, rewrite: StringRewriter, options: WalkOptions = {}): unknown {
  const { isSensitiveKey, skipTopLevel } = options;
  const walk = (node: unknown, allow: readonly FieldTrie[] | undefined, sensitive: boolean, top: boolean): unknown => {
    if (typeof node === 'string') return rewrite(node, sensitive);
    if (typeof node !== 'object' || node === null) return node;
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        const child = allow === undefined ? undefined : descend(allow, String(i));
        if (isTerminal(child)) continue;
        const item: unknown = node[i];
        const next = walk(item, child, sensitive, false);
        if (next !== item) (copy ??= node.slice())[i] = next;
      }
      return copy ?? node;
    }
    const record = node as Record<string, unknown>;
    const binary = typeof record['mimeType'] === 'string';
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      if (top && skipTopLevel?.has(key)) continue;
      if (binary && (key === 'data' || key === 'blob')) continue;
      const child = allow === undefined ? undefined : descend(allow, key);
      if (isTerminal(child)) continue;
      const item = record[key];
      const next = walk(item, child, sensitive || (isSensitiveKey?.(key) ?? false), false);
      if (next !== item) (copy ??= { ...record })[key] = next;
    }
    return copy ?? node;
  };
  if (isTerminal(options.allow)) return value;
  return walk(value, options.allow, false, true);
}
