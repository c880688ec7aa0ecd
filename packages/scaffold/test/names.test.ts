import { describe, expect, it } from 'vitest';
import { indexNames, ScaffoldError } from '../src/index.js';

describe('indexNames', () => {
  it('derives the package, folder and identifiers from a kebab-case name', () => {
    expect(indexNames('sdsl-rbtree')).toEqual({
      name: 'sdsl-rbtree',
      pascal: 'SdslRbtree',
      camel: 'sdslRbtree',
      packageName: '@vmakit/index-sdsl-rbtree',
      dir: 'packages/index-sdsl-rbtree',
      pluginExport: 'sdslRbtreePlugin',
    });
    expect(indexNames('b2-tree').pascal).toBe('B2Tree');
    expect(indexNames('x').camel).toBe('x');
  });

  it('refuses names that are not lowercase kebab-case, saying why', () => {
    const bad = ['', 'Demo', 'my_tree', '2tree', '-tree', 'tree-', 'my--tree', 'my tree', 'a/b', '../x', 'ü'];
    for (const name of bad) {
      expect(() => indexNames(name), name).toThrow(ScaffoldError);
    }
    expect(() => indexNames('MyTree')).toThrow(/lowercase kebab-case.*'my-tree'/);
    expect(() => indexNames('index-foo')).toThrow(/without the 'index-' prefix/);
    expect(() => indexNames('a'.repeat(41))).toThrow(/at most 40/);
    try {
      indexNames('Bad');
    } catch (err) {
      expect((err as ScaffoldError).code).toBe('invalid-name');
      expect((err as ScaffoldError).exitCode).toBe(2);
    }
  });
});
