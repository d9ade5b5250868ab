// Where a JSON text stops being valid, as line and column. Node 20's JSON.parse errors carry no position, so after a
// failed parse this walks the text with a small recursive-descent reader (RFC 8259 grammar) to find the first fault.
// It can also find a key given twice in one object, which JSON.parse accepts silently (the last one wins).

export interface JsonFault {
  readonly line: number;
  readonly column: number;
  readonly problem: string;
}

export interface JsonFaultOptions {
  /** Count a key given twice in one object as a fault. @defaultValue false (RFC 8259 allows it) */
  readonly duplicateKeys?: boolean;
}

/** The first syntax fault of `text`, or `undefined` if it is valid JSON. */
export function findJsonFault(text: string, options: JsonFaultOptions = {}): JsonFault | undefined {
  let i = 0;
  const fail = (problem: string): never => {
    throw Object.assign(new Error(problem), { at: i });
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (literal: string): void => {
    if (text.startsWith(literal, i)) i += literal.length;
    else fail(i >= text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[i])}`);
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('unescaped control character in a string');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('bad escape in a string');
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (match === null || match[0] === '' || match[0] === '-') fail(`unexpected ${JSON.stringify(text[i])}`);
    i += (match as RegExpExecArray)[0].length;
  };
  const list = (close: string, item: () => void): void => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[i] === ',') {
        i++;
        space();
        continue;
      }
      expect(close);
      return;
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      const keys = options.duplicateKeys === true ? new Set<string>() : undefined;
      list('}', () => {
        if (text[i] !== '"') fail(i >= text.length ? 'unexpected end of input' : `expected a property name, got ${JSON.stringify(text[i])}`);
        const start = i;
        string();
        if (keys !== undefined) {
          const key = JSON.parse(text.slice(start, i)) as string;
          if (keys.has(key)) {
            i = start;
            fail(`the key ${JSON.stringify(key)} given twice in one object (only the last would count)`);
          }
          keys.add(key);
        }
        space();
        expect(':');
        value();
      });
    } else if (c === '[') list(']', value);
    else if (c === '"') string();
    else if (c === 't') expect('true');
    else if (c === 'f') expect('false');
    else if (c === 'n') expect('null');
    else if (c !== undefined && /[-\d]/.test(c)) number();
    else fail(c === undefined ? 'unexpected end of input' : `unexpected ${JSON.stringify(c)}`);
  };
  try {
    value();
    space();
    if (i < text.length) fail(`unexpected ${JSON.stringify(text[i])} after the value`);
    return undefined;
  } catch (error) {
    // The reader recurses once per nesting level: a text nested deeper than the stack allows is reported, not thrown.
    if ((error as { at?: unknown }).at === undefined) return position(text, i, 'nested too deeply to read');
    return position(text, (error as { at: number }).at, (error as Error).message);
  }
}

function position(text: string, at: number, problem: string): JsonFault {
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n'), problem };
}
