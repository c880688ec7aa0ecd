import { describe, expect, it } from 'vitest';
import { DEFAULT_OPS, resolveOps } from '../src/conformance/index.js';

describe('resolveOps', () => {
  it('prefers VMAKIT_CONFORMANCE_OPS, then options.ops, then the default', () => {
    expect(resolveOps({}, {})).toBe(DEFAULT_OPS);
    expect(resolveOps({ ops: 500 }, {})).toBe(500);
    expect(resolveOps({ ops: 500 }, { VMAKIT_CONFORMANCE_OPS: '1_000_000' })).toBe(1_000_000);
    expect(resolveOps({ ops: 500 }, { VMAKIT_CONFORMANCE_OPS: ' ' })).toBe(500);
  });

  it('rejects malformed budgets with a clear message', () => {
    expect(() => resolveOps({}, { VMAKIT_CONFORMANCE_OPS: 'lots' })).toThrow(
      /VMAKIT_CONFORMANCE_OPS.*'lots'/,
    );
    expect(() => resolveOps({}, { VMAKIT_CONFORMANCE_OPS: '-5' })).toThrow(/positive integer/);
    expect(() => resolveOps({ ops: 0 }, {})).toThrow(/options\.ops/);
  });
});
