// Body previews for logs: parsed and redacted by key when JSON or a form, capped at a byte budget, never raw otherwise.
import { redactedJson, TRUNCATION_MARKER } from '@mcp-interceptors/core';
import type { Redactor } from './redact.js';

export interface BodyInput {
  readonly bytes?: Uint8Array | undefined;
  readonly parsed?: { readonly value: unknown } | undefined;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A log-safe preview of a body: the redacted JSON value when it fits in `maxBytes`, else its redacted text cut to
 * `maxBytes` and marked; a form body redacted by key; anything else only described (`[N bytes of image/png]`).
 */
export function previewBody(input: BodyInput, contentType: string | null | undefined, maxBytes: number, redactor: Redactor): unknown {
  const type = (contentType ?? '').toLowerCase();
  let parsed = input.parsed;
  const size = input.bytes?.byteLength;
  if (parsed === undefined && input.bytes !== undefined) {
    if (input.bytes.byteLength === 0) return undefined;
    if (type.includes('json') || type === '') {
      try {
        parsed = { value: JSON.parse(decoder.decode(input.bytes)) };
      } catch {
        // not JSON after all: described below
      }
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      return cut(redactor.form(decoder.decode(input.bytes)), maxBytes, size);
    }
  }
  if (parsed === undefined) return size === undefined ? undefined : `[${size} bytes${type === '' ? '' : ` of ${type.split(';')[0]}`}, not logged]`;
  // Core's redactedJson stops serialising once past the budget, so a large body costs only what is kept.
  let text = redactedJson(parsed.value, redactor.isSensitiveKey, { maxLength: maxBytes });
  const truncated = text.endsWith(TRUNCATION_MARKER);
  if (truncated) text = text.slice(0, -TRUNCATION_MARKER.length);
  if (!truncated && encoder.encode(text).byteLength <= maxBytes) return redactor.value(parsed.value);
  return cut(text, maxBytes, size, true);
}

/** `text` cut to `maxBytes` of UTF-8 and marked with the size of the whole body. */
function cut(text: string, maxBytes: number, size: number | undefined, alreadyCut = false): string {
  const bytes = encoder.encode(text);
  if (bytes.byteLength <= maxBytes && !alreadyCut) return text;
  return `${decoder.decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, '')}…[truncated, ${size ?? bytes.byteLength} bytes]`;
}

/** A stream body is parsed (for key redaction) from at most this much; a longer one is only described. */
const PARSE_BUDGET = 1024 * 1024;

/** The preview of a stream body (which must be a branch the caller owns: it is read, then released). */
export async function previewStream(stream: ReadableStream<Uint8Array>, contentType: string | null | undefined, maxBytes: number, redactor: Redactor): Promise<unknown> {
  const { bytes, complete } = await readPrefix(stream, PARSE_BUDGET);
  // A prefix of JSON cannot be redacted by key: it is only described.
  return complete ? previewBody({ bytes }, contentType, maxBytes, redactor) : `[more than ${PARSE_BUDGET} bytes, not logged]`;
}

/** Reads at most `maxBytes` from one branch of a tee'd stream and releases it; the other branch is untouched. */
async function readPrefix(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<{ bytes: Uint8Array; complete: boolean }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  try {
    while (size <= maxBytes) {
      const { done, value } = await reader.read();
      if (done) {
        complete = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    if (!complete) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes: out, complete };
}
