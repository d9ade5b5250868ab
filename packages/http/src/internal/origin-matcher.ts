// Origin allow-lists: exact origins, `*` wildcards within one (`https://*.example.com`, `http://localhost:*`), or RegExps.

export type OriginPattern = string | RegExp;

/** Compiles an allow-list; `where` names the option in the TypeError for a malformed entry. */
export function originMatcher(where: string, patterns: readonly OriginPattern[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const regexps: RegExp[] = [];
  patterns.forEach((pattern, index) => {
    if (pattern instanceof RegExp) {
      regexps.push(pattern);
      return;
    }
    if (typeof pattern !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/i.test(pattern)) {
      throw new TypeError(`${where}[${index}] must be an origin like "https://app.example.com" (no path), a pattern with "*", or a RegExp; got ${JSON.stringify(pattern)}`);
    }
    const normal = pattern.toLowerCase();
    if (!normal.includes('*')) {
      exact.add(normal);
      return;
    }
    // `*` stands for one or more characters that cannot leave the host (no `/`), e.g. subdomains or a port.
    const source = normal.split('*').map(escapeRegExp).join('[^/?#\\s]+');
    regexps.push(new RegExp(`^${source}$`));
  });
  return (origin) => {
    const normal = origin.toLowerCase();
    if (exact.has(normal)) return true;
    for (const regexp of regexps) {
      regexp.lastIndex = 0;
      if (regexp.test(origin)) return true;
    }
    return false;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
