import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createChain } from '../chain.js';
import { Priority, type Interceptor } from '../interceptor.js';
import type { JsonRpcResultResponse } from '../jsonrpc.js';
import { connectPair } from '../test-support/pair.js';
import { runRequest } from '../testing.js';
import { redaction, RedactionFindingsKey, type RedactionOptions } from './redaction.js';

/** Runs `text` as a tool argument through a server-side redaction chain and returns what the handler received. */
async function redactArg(text: string, options: RedactionOptions = {}): Promise<string> {
  const { handled } = await runRequest(createChain([redaction(options)]), 'tools/call', { name: 't', arguments: { text } });
  return (handled[0]?.params?.['arguments'] as { text: string }).text;
}

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '1234567890', name: 'Ada' })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;

describe('redaction detectors', () => {
  it.each([
    ['mail bob.smith+tag@example.co.uk today', 'mail [REDACTED:EMAIL] today'],
    ['<ada@lovelace.org>', '<[REDACTED:EMAIL]>'],
  ])('redacts emails: %s', async (input, expected) => {
    expect(await redactArg(input)).toBe(expected);
  });

  it.each(['user@localhost is not an address', 'an @ sign alone', 'twitter handle @someone'])('leaves non-emails: %s', async (input) => {
    expect(await redactArg(input)).toBe(input);
  });

  it.each([
    ['call +44 20 7946 0958 now', 'call [REDACTED:PHONE] now'],
    ['call +1 (415) 555-2671.', 'call [REDACTED:PHONE].'],
    ['call +4915112345678', 'call [REDACTED:PHONE]'],
    ['call (415) 555-2671', 'call [REDACTED:PHONE]'],
    ['call 415-555-2671', 'call [REDACTED:PHONE]'],
    ['call 415.555.2671', 'call [REDACTED:PHONE]'],
    ['ring 020 7946 0958', 'ring [REDACTED:PHONE]'],
    ['mobile 07700 900123', 'mobile [REDACTED:PHONE]'],
    ['tél 06 12 34 56 78', 'tél [REDACTED:PHONE]'],
  ])('redacts phone numbers: %s', async (input, expected) => {
    expect(await redactArg(input)).toBe(expected);
  });

  it.each([
    'on 2024-01-15 at 12:30:45',
    'date 15.01.2024',
    'order 1234567890',
    'at 1700000000000 ms',
    'host 192.168.100.200',
    'version 1.2.3 of 4.5.6',
    'ssn-like 123-45-6789',
    'values 100 200 3000 4000',
    'ISBN 978-3-16-148410-0',
    'range 10-20, page 300',
  ])('leaves numbers, dates and ids alone: %s', async (input) => {
    expect(await redactArg(input)).toBe(input);
  });

  it.each([
    ['pay 4111 1111 1111 1111 ok', 'pay [REDACTED:CARD:****1111] ok'],
    ['pay 4111-1111-1111-1111', 'pay [REDACTED:CARD:****1111]'],
    ['pay 5500000000000004', 'pay [REDACTED:CARD:****0004]'],
    ['amex 3782 822463 10005', 'amex [REDACTED:CARD:****0005]'],
  ])('redacts cards that pass Luhn: %s', async (input, expected) => {
    expect(await redactArg(input)).toBe(expected);
  });

  it.each([
    'fails Luhn 4111 1111 1111 1112',
    'mixed separators 4111-1111 1111 1111',
    'no card network 1234 5678 9012 3452',
    'timestamp 1700000000000000',
  ])('leaves card-shaped numbers that are not cards: %s', async (input) => {
    expect(await redactArg(input)).toBe(input);
  });

  it('can mask the whole card', async () => {
    expect(await redactArg('4111 1111 1111 1111', { keepCardLast4: false })).toBe('[REDACTED:CARD]');
  });

  it.each([
    ['iban DE89 3704 0044 0532 0130 00.', 'iban [REDACTED:IBAN].'],
    ['iban GB82WEST12345698765432', 'iban [REDACTED:IBAN]'],
    ['BE68 5390 0754 7034 THEN more', '[REDACTED:IBAN] THEN more'],
  ])('redacts IBANs whose checksum holds: %s', async (input, expected) => {
    expect(await redactArg(input)).toBe(expected);
  });

  it.each(['bad checksum DE89 3704 0044 0532 0130 01', 'bad length DE89370400440532013', 'no such country ZZ89370400440532013000'])(
    'leaves IBAN-shaped text that fails: %s',
    async (input) => {
      expect(await redactArg(input)).toBe(input);
    },
  );

  it.each([
    ['openai sk-proj-Abcdefghijklmnop1234567890', 'openai [REDACTED:API_KEY]'],
    ['github ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'github [REDACTED:API_KEY]'],
    ['slack xoxb-123456789012-abcdefghijKL', 'slack [REDACTED:API_KEY]'],
    ['aws AKIAIOSFODNN7EXAMPLE', 'aws [REDACTED:API_KEY]'],
    ['stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'stripe [REDACTED:API_KEY]'],
    ['config api_key=9f8e7d6c5b4a39281716aBcD', 'config api_key=[REDACTED:API_KEY]'],
    ['{"secret": "Zx9Qw8Er7Ty6Ui5Op4As"}', '{"secret": "[REDACTED:API_KEY]"}'],
    ['Authorization: Bearer 0a1b2c3d4e5f6g7h8i9j0k', 'Authorization: Bearer [REDACTED:API_KEY]'],
  ])('redacts API keys: %s', async (input, expected) => {
    expect(await redactArg(input)).toBe(expected);
  });

  it.each(['risk-management-framework-for-teams', 'sk-short', 'key=aaaaaaaaaaaaaaaaaaaaaaaa', 'api_key=changeme', 'the primary key=customer_identifier_name'])(
    'leaves key-shaped text with no secret: %s',
    async (input) => {
      expect(await redactArg(input)).toBe(input);
    },
  );

  it('redacts JWTs whose header has alg', async () => {
    expect(await redactArg(`token ${JWT} end`)).toBe('token [REDACTED:JWT] end');
    const noAlg = `${b64url({ typ: 'JWT' })}.${b64url({ sub: '1' })}.signature`;
    expect(await redactArg(`token ${noAlg}`)).toBe(`token ${noAlg}`);
    expect(await redactArg('file eyeballs.example.txt')).toBe('file eyeballs.example.txt');
  });

  it('redacts PEM private keys, even unterminated ones, but not public keys', async () => {
    const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc=\n-----END RSA PRIVATE KEY-----';
    expect(await redactArg(`key:\n${key}\ndone`)).toBe('key:\n[REDACTED:PRIVATE_KEY]\ndone');
    expect(await redactArg('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk')).toBe('[REDACTED:PRIVATE_KEY]');
    const code = 'if (pem.indexOf("-----BEGIN PRIVATE KEY-----") !== 0) throw new TypeError("not a key")';
    expect(await redactArg(code)).toBe(code);
    const pub = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh\n-----END PUBLIC KEY-----';
    expect(await redactArg(pub)).toBe(pub);
  });

  it('redacts the values of sensitive keys whatever they look like, and only strings', async () => {
    const { handled } = await runRequest(createChain([redaction()]), 'tools/call', {
      name: 't',
      arguments: { user: 'ada', password: 'hunter2', auth: { apiKey: 'x', retries: 3 }, maxTokens: 'many' },
    });
    expect(handled[0]?.params?.['arguments']).toEqual({
      user: 'ada',
      password: '[REDACTED:SECRET]',
      auth: { apiKey: '[REDACTED:SECRET]', retries: 3 },
      maxTokens: 'many',
    });
  });

  it('applies only the selected detectors, plus custom ones', async () => {
    const options: RedactionOptions = { detectors: ['email', { id: 'employee-id', pattern: /EMP-\d{6}/, validate: (m) => !m.endsWith('000000') }], sensitiveKeys: false };
    expect(await redactArg('bob@example.com 4111 1111 1111 1111 EMP-123456 EMP-000000', options)).toBe(
      '[REDACTED:EMAIL] 4111 1111 1111 1111 [REDACTED:EMPLOYEE_ID] EMP-000000',
    );
  });
});

describe('redaction modes', () => {
  it('hash: salted, stable for equal values, different per salt', async () => {
    const a = await redactArg('bob@example.com and bob@example.com', { mode: 'hash', salt: 's1' });
    const [first, second] = a.split(' and ');
    expect(first).toMatch(/^\[EMAIL:hash:[0-9a-f]{16}\]$/);
    expect(second).toBe(first);
    expect(await redactArg('bob@example.com', { mode: 'hash', salt: 's2' })).not.toBe(first);
  });

  it('tokenize: same value same token, detokenize restores it in strings and JSON values', async () => {
    const redact = redaction({ mode: 'tokenize' });
    const chain = createChain([redact]);
    const { handled } = await runRequest(chain, 'tools/call', { name: 't', arguments: { to: 'bob@example.com', cc: ['bob@example.com', 'call 415-555-2671'] } });
    const args = handled[0]?.params?.['arguments'] as { to: string; cc: string[] };
    expect(args.to).toMatch(/^\[EMAIL:tok_[a-z2-7]{16}\]$/);
    expect(args.cc[0]).toBe(args.to);
    expect(args.cc[1]).toMatch(/^call \[PHONE:tok_[a-z2-7]{16}\]$/);
    expect(redact.detokenize(`mail ${args.to}`)).toBe('mail bob@example.com');
    expect(redact.detokenize(args)).toEqual({ to: 'bob@example.com', cc: ['bob@example.com', 'call 415-555-2671'] });
    expect(redact.detokenize('[EMAIL:tok_aaaaaaaaaaaaaaaa]')).toBe('[EMAIL:tok_aaaaaaaaaaaaaaaa]');
  });

  it('tokenize: results are tokenized for the client and tokens sent back are restored before the handler', async () => {
    const redact = redaction({ mode: 'tokenize', directions: ['response'] });
    const restore: Interceptor = {
      name: 'restore-tokens',
      priority: Priority.Low,
      onRequest(request) {
        if (request.params) request.params = redact.detokenize(request.params);
      },
    };
    const chain = createChain([redact, restore]);
    const first = await runRequest(chain, 'tools/call', { name: 'find' }, { handler: () => ({ content: [{ type: 'text', text: 'found ann@example.com' }] }) });
    const shown = ((first.response as JsonRpcResultResponse).result['content'] as Array<{ text: string }>)[0]?.text as string;
    expect(shown).toMatch(/^found \[EMAIL:tok_[a-z2-7]{16}\]$/);
    const second = await runRequest(chain, 'tools/call', { name: 'mail', arguments: { to: shown.slice('found '.length) } });
    expect(second.handled[0]?.params?.['arguments']).toEqual({ to: 'ann@example.com' });
  });

  it('tokenize: the vault is bounded and forgets the least recently used token', async () => {
    const redact = redaction({ mode: 'tokenize', vaultSize: 2 });
    const chain = createChain([redact]);
    const tokens: string[] = [];
    for (const text of ['a1@example.com', 'a2@example.com', 'a3@example.com']) {
      const { handled } = await runRequest(chain, 'tools/call', { name: 't', arguments: { text } });
      tokens.push((handled[0]?.params?.['arguments'] as { text: string }).text);
    }
    expect(redact.detokenize(tokens[0])).toBe(tokens[0]);
    expect(redact.detokenize(tokens[2])).toBe('a3@example.com');
  });
});

describe('redaction scope', () => {
  const result = { content: [{ type: 'text', text: 'owner bob@example.com' }], structuredContent: { owner: 'bob@example.com', card: '4111111111111111' } };

  it('redacts results (text, structuredContent, error data) and never changes the originals', async () => {
    const chain = createChain([redaction()]);
    const params = { name: 't', arguments: { text: 'me@example.com' } };
    const handlerResult = structuredClone(result);
    const { response, handled, ctx } = await runRequest(chain, 'tools/call', params, { handler: () => handlerResult });
    expect(response).toMatchObject({
      result: {
        content: [{ type: 'text', text: 'owner [REDACTED:EMAIL]' }],
        structuredContent: { owner: '[REDACTED:EMAIL]', card: '[REDACTED:CARD:****1111]' },
      },
    });
    expect(params.arguments.text).toBe('me@example.com');
    expect(handlerResult).toEqual(result);
    expect(handled[0]?.params?.['arguments']).toEqual({ text: '[REDACTED:EMAIL]' });
    expect(ctx.metadata.get(RedactionFindingsKey)).toEqual({ request: 1, response: 3, byDetector: { email: 3, card: 1 } });
    expect(chain.metrics.snapshot().counters).toEqual(
      expect.arrayContaining([
        { name: 'redaction.findings', labels: { method: 'tools/call', detector: 'email', part: 'request' }, value: 1 },
        { name: 'redaction.findings', labels: { method: 'tools/call', detector: 'email', part: 'response' }, value: 2 },
        { name: 'redaction.findings', labels: { method: 'tools/call', detector: 'card', part: 'response' }, value: 1 },
      ]),
    );
  });

  it('redacts error messages and data', async () => {
    const chain = createChain([
      redaction(),
      { name: 'failing', onRequest: () => ({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'no user bob@example.com', data: { phone: '415-555-2671' } } }) },
    ]);
    const { response } = await runRequest(chain, 'tools/call', { name: 't' });
    expect(response).toMatchObject({ error: { code: -32000, message: 'no user [REDACTED:EMAIL]', data: { phone: '[REDACTED:PHONE]' } } });
  });

  it('leaves allow-listed tools alone in both directions', async () => {
    const chain = createChain([redaction({ allowTools: ['crm_lookup'] })]);
    const { response, handled, ctx } = await runRequest(chain, 'tools/call', { name: 'crm_lookup', arguments: { email: 'bob@example.com' } }, { handler: () => result });
    expect(handled[0]?.params?.['arguments']).toEqual({ email: 'bob@example.com' });
    expect(response).toMatchObject({ result });
    expect(ctx.metadata.get(RedactionFindingsKey)).toBeUndefined();
  });

  it('leaves allow-listed fields alone, with * for any key or index', async () => {
    const chain = createChain([redaction({ allowFields: ['params.arguments.recipient', 'result.content.*.text'] })]);
    const { response, handled } = await runRequest(chain, 'tools/call', { name: 'send', arguments: { recipient: 'bob@example.com', body: 'cc ann@example.com' } }, { handler: () => result });
    expect(handled[0]?.params?.['arguments']).toEqual({ recipient: 'bob@example.com', body: 'cc [REDACTED:EMAIL]' });
    expect(response).toMatchObject({ result: { content: [{ text: 'owner bob@example.com' }], structuredContent: { owner: '[REDACTED:EMAIL]' } } });
  });

  it('scans only the chosen directions and methods, and never _meta', async () => {
    const chain = createChain([redaction({ directions: ['response'] })]);
    const { response, handled } = await runRequest(chain, 'tools/call', { name: 't', arguments: { to: 'bob@example.com' }, _meta: { note: 'ann@example.com' } }, { handler: () => result });
    expect(handled[0]?.params).toEqual({ name: 't', arguments: { to: 'bob@example.com' }, _meta: { note: 'ann@example.com' } });
    expect(response).toMatchObject({ result: { structuredContent: { owner: '[REDACTED:EMAIL]' } } });

    const listed = { tools: [{ name: 'mail', description: 'Writes to bob@example.com', inputSchema: { type: 'object' } }] };
    const list = await runRequest(createChain([redaction()]), 'tools/list', {}, { handler: () => listed });
    expect(list.response).toMatchObject({ result: listed });
  });

  it('does not scan image data or blobs', async () => {
    const data = 'AAAA4111111111111111AAAA';
    const chain = createChain([redaction()]);
    const { response } = await runRequest(chain, 'resources/read', { uri: 'file:///x' }, { handler: () => ({ contents: [{ uri: 'file:///x', mimeType: 'image/png', blob: data }] }) });
    expect(response).toMatchObject({ result: { contents: [{ blob: data }] } });
  });

  it('rejects bad options naming the option', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['nope', /redaction: options must be an object/],
      [{ mode: 'erase' }, /redaction\.mode must be one of/],
      [{ mode: 'hash' }, /redaction\.salt is required/],
      [{ mode: 'hash', salt: '' }, /redaction\.salt must be a non-empty string/],
      [{ detectors: 'email' }, /redaction\.detectors must be an array/],
      [{ detectors: ['ssn'] }, /redaction\.detectors\[0\] must be one of/],
      [{ detectors: [{ id: 'Bad Id', pattern: /x/ }] }, /redaction\.detectors\[0\]\.id must be kebab-case/],
      [{ detectors: [{ id: 'email', pattern: /x/ }] }, /redaction\.detectors\[0\]\.id "email" is already taken/],
      [{ detectors: [{ id: 'x', pattern: 'x' }] }, /redaction\.detectors\[0\]\.pattern must be a RegExp/],
      [{ detectors: [{ id: 'x', pattern: /x/, validate: 1 }] }, /redaction\.detectors\[0\]\.validate must be a function/],
      [{ detectors: [{ id: 'x', pattern: /x/, label: 'lower' }] }, /redaction\.detectors\[0\]\.label must be SCREAMING_SNAKE/],
      [{ sensitiveKeys: 'password' }, /redaction\.sensitiveKeys must be an array of strings/],
      [{ allowTools: [1] }, /redaction\.allowTools must be an array of strings/],
      [{ allowFields: ['arguments.email'] }, /redaction\.allowFields paths start with/],
      [{ allowFields: ['params..email'] }, /redaction\.allowFields has an empty segment/],
      [{ directions: ['inbound'] }, /redaction\.directions must be a non-empty array/],
      [{ directions: [] }, /redaction\.directions must be a non-empty array/],
      [{ methods: 'tools/call' }, /redaction\.methods must be an array of strings/],
      [{ keepCardLast4: 'yes' }, /redaction\.keepCardLast4 must be a boolean/],
      [{ vaultSize: 0 }, /redaction\.vaultSize must be a positive integer/],
      [{ priority: 9 }, /redaction\.priority must be a Priority/],
    ];
    for (const [options, message] of bad) expect(() => redaction(options as RedactionOptions), JSON.stringify(options)).toThrow(message);
  });
});

describe('redaction through a real client and server', () => {
  it('the echo tool receives redacted text and the client receives redacted results', async () => {
    const pair = await connectPair({
      serverChain: [redaction()],
      setup: (server) =>
        server.registerTool('profile', { outputSchema: { email: z.string(), card: z.string() } }, async () => {
          pair.handlerCalls.push('profile');
          const structuredContent = { email: 'ann@example.com', card: '5500 0000 0000 0004' };
          return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
        }),
    });
    const echoed = await pair.client.callTool({ name: 'echo', arguments: { text: 'mail bob@example.com, key AKIAIOSFODNN7EXAMPLE' } });
    expect(pair.handlerCalls).toEqual(['echo:mail [REDACTED:EMAIL], key [REDACTED:API_KEY]']);
    expect(echoed.content).toEqual([{ type: 'text', text: 'mail [REDACTED:EMAIL], key [REDACTED:API_KEY]' }]);

    const profile = await pair.client.callTool({ name: 'profile', arguments: {} });
    expect(profile.structuredContent).toEqual({ email: '[REDACTED:EMAIL]', card: '[REDACTED:CARD:****0004]' });
    expect(profile.content).toEqual([{ type: 'text', text: '{"email":"[REDACTED:EMAIL]","card":"[REDACTED:CARD:****0004]"}' }]);
    const frames = JSON.stringify(pair.wire.clientReceived);
    expect(frames).not.toContain('ann@example.com');
    expect(frames).not.toContain('5500 0000 0000 0004');
    await pair.close();
  });
});
