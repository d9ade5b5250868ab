// Writes the context's response to a node:http response: headers, then the body; a stream is piped with backpressure
// (what is ready goes out with the headers, else they are flushed at once for SSE), and cancelled when the client
// goes away (so the SDK drops the stream).
import type { ServerResponse } from 'node:http';
import type { HttpResponseState } from '../http-context.js';

export async function writeNodeResponse(res: ServerResponse, response: HttpResponseState, method: string): Promise<void> {
  if (res.headersSent || res.destroyed) {
    cancel(response.body);
    return;
  }
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers.toRecord())) res.setHeader(name, value);
  const body = response.body;
  if (body === null || method === 'HEAD' || response.status === 204 || response.status === 304) {
    cancel(body);
    res.end();
    return;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    res.end(body);
    return;
  }
  await pipe(body, res);
}

type Chunk = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

/** The read's result if it settles within a couple of microtask turns, else undefined (the read stays pending). */
function readNow(read: Promise<Chunk>): Promise<Chunk | undefined> {
  return Promise.race([read, Promise.resolve().then(() => Promise.resolve(undefined))]);
}

async function pipe(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  const onClose = (): void => {
    reader.cancel().catch(() => undefined);
  };
  res.on('close', onClose);
  try {
    let read = reader.read();
    // What is ready now goes out with the headers in one write (a whole JSON-RPC response, usually); otherwise the
    // headers go alone, so an SSE client sees the stream open before its first event.
    const first = await readNow(read);
    if (first === undefined) {
      res.flushHeaders();
    } else if (first.done) {
      res.end();
      return;
    } else {
      read = reader.read();
      const second = await readNow(read);
      if (second?.done === true) {
        res.end(first.value);
        return;
      }
      res.write(first.value);
    }
    for (;;) {
      const { done, value } = await read;
      if (done || res.destroyed) break;
      read = reader.read();
      if (!res.write(value)) await drained(res);
    }
    if (!res.destroyed) res.end();
  } catch {
    // The stream failed mid-body: the status is already out, so the connection is the only thing left to cut.
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const go = (): void => {
      res.off('drain', go);
      res.off('close', go);
      resolve();
    };
    res.on('drain', go);
    res.on('close', go);
  });
}

function cancel(body: HttpResponseState['body']): void {
  if (body instanceof ReadableStream && !body.locked) body.cancel().catch(() => undefined);
}
