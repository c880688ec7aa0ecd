/**
 * The page-table index helpers use floor arithmetic instead of `%` (speed); they must give exactly
 * what `%` gives for every page number a 64-bit address can have (oracle: `%` itself).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mod512, pgdIndexOfVpn, pmdIndexOfVpn, pteIndexOfVpn, pudIndexOfVpn } from '../src/page-table.js';

const vpn = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, 511, 512, 2 ** 35 - 1, 2 ** 36 - 1, 2 ** 52 - 1, 2 ** 52, Number.MAX_SAFE_INTEGER),
);

describe('table indexes', () => {
  it('mod512 and the index helpers equal the % formulas', () => {
    fc.assert(
      fc.property(vpn, (v) => {
        expect(mod512(v)).toBe(v % 512);
        expect(pteIndexOfVpn(v)).toBe(v % 512);
        expect(pmdIndexOfVpn(v)).toBe(Math.floor(v / 512) % 512);
        expect(pudIndexOfVpn(v)).toBe(Math.floor(v / 262144) % 512);
        expect(pgdIndexOfVpn(v)).toBe(Math.floor(v / 134217728) % 512);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});
