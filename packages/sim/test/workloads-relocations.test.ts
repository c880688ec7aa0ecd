import { describe, expect, it } from 'vitest';
import { Relocations } from '../src/workloads/trace-relocations.js';

describe('trace relocations', () => {
  it('translate inside relocated kernel ranges only', () => {
    const r = new Relocations();
    r.add(0x10000, 0x4000, 0x90000);
    expect(r.translate(0x10000)).toBe(0x90000);
    expect(r.translate(0x13fff)).toBe(0x93fff);
    expect(r.translate(0x14000)).toBe(0x14000);
    expect(r.translate(0xffff)).toBe(0xffff);
    // An unaligned length covers its last partial page, as mmap does.
    r.add(0x20000, 0x1001, 0x30000);
    expect(r.translate(0x21fff)).toBe(0x31fff);
    expect(r.size).toBe(2);
  });

  it('a partial munmap keeps the rest of a relocated mapping relocated (glibc trims its arena)', () => {
    const r = new Relocations();
    r.add(0x100000, 0x8000, 0x900000);
    r.clear(0x100000, 0x2000);
    r.clear(0x106000, 0x2000);
    expect(r.size).toBe(1);
    expect(r.translate(0x101000)).toBe(0x101000);
    expect(r.translate(0x102000)).toBe(0x902000);
    expect(r.translate(0x105fff)).toBe(0x905fff);
    expect(r.translate(0x106000)).toBe(0x106000);
    r.clear(0x103000, 0x1000);
    expect(r.size).toBe(2);
    expect(r.translate(0x103000)).toBe(0x103000);
    expect(r.translate(0x104000)).toBe(0x904000);
  });

  it('a mapping put back at the kernel address replaces its relocation', () => {
    const r = new Relocations();
    r.add(0x100000, 0x2000, 0x900000);
    r.add(0x100000, 0x2000, 0x100000);
    expect(r.size).toBe(0);
    expect(r.translate(0x100000)).toBe(0x100000);
  });
});
