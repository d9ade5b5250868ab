import { describe, expect, it } from 'vitest';
import { randomUuid } from './uuid.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomUuid', () => {
  it('makes distinct version-4 UUIDs, across several draws of random bytes', () => {
    const ids = Array.from({ length: 1000 }, () => randomUuid());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every hex digit in every free position (the bytes land where they should)', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let n = 0; n < 2000; n++) [...randomUuid()].forEach((c, i) => seen[i]?.add(c));
    const sizes = seen.map((s) => s.size);
    // Dashes at 8, 13, 18, 23; the version digit at 14; four variant digits at 19; 16 hex digits elsewhere.
    expect(sizes).toEqual(Array.from({ length: 36 }, (_, i) => ([8, 13, 18, 23, 14].includes(i) ? 1 : i === 19 ? 4 : 16)));
  });
});
