// Writes the context's response to a node:http response: headers, then the body; a stream is piped with backpressure
// and flushed at once (SSE), and cancelled when the client goes away (so the SDK drops the stream).
import type { ServerResponse } from 'node:http';
import type { HttpResponseState } from '../http-context.js';

export async function writeNodeResponse(res: ServerResponse, response: HttpResponseState, method: string): Promise<void> {
  if (res.headersSent || res.destroyed) {
    cancel(response.body);
    return;
  }
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
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
  // Headers now, so an SSE client sees the stream open before the first event.
  res.flushHeaders();
  await pipe(body, res);
}

async function pipe(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  const onClose = (): void => {
    reader.cancel().catch(() => undefined);
  };
  res.on('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) break;
      if (!res.write(value)) await new Promise<void>((resolve) => {
        const go = (): void => {
          res.off('drain', go);
          res.off('close', go);
          resolve();
        };
        res.on('drain', go);
        res.on('close', go);
      });
    }
    if (!res.destroyed) res.end();
  } catch {
    // The stream failed mid-body: the status is already out, so the connection is the only thing left to cut.
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}

function cancel(body: HttpResponseState['body']): void {
  if (body instanceof ReadableStream && !body.locked) body.cancel().catch(() => undefined);
}
