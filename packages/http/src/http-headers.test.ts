import { describe, expect, it } from 'vitest';
import { HttpHeaders } from './http-headers.js';

describe('HttpHeaders', () => {
  it('is case-insensitive and joins repeated values, except Set-Cookie', () => {
    const headers = new HttpHeaders({ 'Content-Type': 'text/plain' });
    headers.append('Vary', 'Origin');
    headers.append('vary', 'Accept');
    headers.append('Set-Cookie', 'a=1');
    headers.append('set-cookie', 'b=2');
    expect(headers.get('content-type')).toBe('text/plain');
    expect(headers.get('VARY')).toBe('Origin, Accept');
    expect(headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(headers.has('Set-Cookie')).toBe(true);
    expect(headers.pairs()).toEqual([
      ['content-type', 'text/plain'],
      ['vary', 'Origin, Accept'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(headers.toRecord()).toEqual({ 'content-type': 'text/plain', vary: 'Origin, Accept', 'set-cookie': ['a=1', 'b=2'] });
    headers.delete('set-cookie');
    headers.set('Content-Type', 'application/json');
    expect(headers.get('set-cookie')).toBeNull();
    expect(headers.get('content-type')).toBe('application/json');
  });

  it('copies WHATWG Headers keeping each Set-Cookie, and feeds a Response', async () => {
    const source = new Headers({ 'x-a': '1' });
    source.append('set-cookie', 'a=1; Path=/');
    source.append('set-cookie', 'b=2');
    const headers = new HttpHeaders(source);
    expect(headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    const response = new Response(null, { headers: headers.pairs() });
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(response.headers.get('x-a')).toBe('1');
  });
});
