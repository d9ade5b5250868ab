// Test support (not published): an OTLP/HTTP receiver on a loopback port. It accepts every POST, keeps the bodies by
// path, and decodes the OTLP/JSON trace payloads (the default encoding of exporter-trace-otlp-http).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status: { code?: number; message?: string };
  events?: Array<{ name: string; attributes: OtlpAttribute[] }>;
  links?: Array<{ traceId: string; spanId: string }>;
}

export interface ReceivedSpan extends OtlpSpan {
  /** `service.name` of the resource the span came with. */
  service: string | undefined;
  scope: { name: string; version?: string };
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: what OTEL_EXPORTER_OTLP_ENDPOINT should say. */
  readonly endpoint: string;
  /** Requests received, in order: path and content type. */
  readonly requests: Array<{ path: string; contentType: string | undefined; body: Buffer }>;
  /** Every span of every JSON `/v1/traces` request. */
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

interface TracesPayload {
  resourceSpans: Array<{
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: Array<{ scope: { name: string; version?: string }; spans: OtlpSpan[] }>;
  }>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpReceiver['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    spans: () =>
      requests
        .filter((r) => r.path === '/v1/traces' && r.contentType?.startsWith('application/json'))
        .flatMap((r) => (JSON.parse(r.body.toString('utf8')) as TracesPayload).resourceSpans)
        .flatMap((rs) => {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
          return rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ ...span, service, scope: ss.scope })));
        }),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The attributes of an OTLP span as a plain map (string, int, bool and double values). */
export function attributeMap(attributes: readonly OtlpAttribute[]): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const { key, value } of attributes) map[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue));
  return map;
}
