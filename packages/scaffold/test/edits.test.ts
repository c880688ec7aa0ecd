import { describe, expect, it } from 'vitest';
import { addIndexToConfig, addReference, newConfigText, ScaffoldError } from '../src/index.js';

const SPEC = './packages/index-demo/src/index.js';

const CANONICAL = `/**
 * Header comment mentioning indexes: [ and ] on purpose.
 */
import { builtinIndexes, defineConfig } from '@vmakit/registry';

export default defineConfig({
  indexes: [...builtinIndexes],
});
`;

describe('addIndexToConfig', () => {
  it('adds one import and appends the plug-in to a one-line list', () => {
    const out = addIndexToConfig(CANONICAL, 'vmakit.config.ts', 'demoPlugin', SPEC);
    expect(out).toBe(
      CANONICAL.replace(
        "from '@vmakit/registry';\n",
        "from '@vmakit/registry';\nimport { demoPlugin } from './packages/index-demo/src/index.js';\n",
      ).replace('[...builtinIndexes]', '[...builtinIndexes, demoPlugin]'),
    );
  });

  it('keeps relative imports sorted and breaks a list that no longer fits on one line', () => {
    let text = CANONICAL;
    for (const name of ['zeta', 'alpha', 'middle-one', 'bravo-tree', 'charlie-tree', 'delta-tree']) {
      const plugin = `${name.replace(/-(.)/g, (_, c: string) => c.toUpperCase())}Plugin`;
      text = addIndexToConfig(text, 'vmakit.config.ts', plugin, `./packages/index-${name}/src/index.js`);
    }
    const imports = text.split('\n').filter((l) => l.startsWith('import {'));
    expect(imports.map((l) => /'(.*)'/.exec(l)![1])).toEqual([
      '@vmakit/registry',
      './packages/index-alpha/src/index.js',
      './packages/index-bravo-tree/src/index.js',
      './packages/index-charlie-tree/src/index.js',
      './packages/index-delta-tree/src/index.js',
      './packages/index-middle-one/src/index.js',
      './packages/index-zeta/src/index.js',
    ]);
    expect(text).toContain(
      [
        '  indexes: [',
        '    ...builtinIndexes,',
        '    zetaPlugin,',
        '    alphaPlugin,',
        '    middleOnePlugin,',
        '    bravoTreePlugin,',
        '    charlieTreePlugin,',
        '    deltaTreePlugin,',
        '  ],',
      ].join('\n'),
    );
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(110);
  });

  it('inserts a line into a multi-line list with comments', () => {
    const text = `import { builtinIndexes, defineConfig } from '@vmakit/registry';

export default defineConfig({
  indexes: [
    ...builtinIndexes,
    // mine below
    somePlugin
  ],
});
`;
    const out = addIndexToConfig(text, 'vmakit.config.ts', 'demoPlugin', SPEC);
    expect(out).toContain('    somePlugin,\n    demoPlugin,\n  ],');
  });

  it('refuses shapes it cannot edit safely, with the line to add by hand', () => {
    const refuse = (text: string, why: RegExp) => {
      let caught: unknown;
      try {
        addIndexToConfig(text, 'vmakit.config.ts', 'demoPlugin', SPEC);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ScaffoldError);
      expect((caught as ScaffoldError).code).toBe('cannot-edit');
      expect((caught as ScaffoldError).exitCode).toBe(5);
      expect((caught as Error).message).toMatch(why);
      expect((caught as Error).message).toContain(`import { demoPlugin } from '${SPEC}';`);
    };
    refuse(
      "import { defineConfig } from '@vmakit/registry';\nexport default defineConfig({});\n",
      /no `indexes/,
    );
    refuse(
      'export default { indexes: [a], other: { indexes: [b] } };\n',
      /more than one `indexes: \[ \.\.\. \]` list/,
    );
    refuse('export default { indexes: [a, (b] };\n', /not closed/);
    refuse("import { x } from 'y';\nconst indexes = [];\n", /no `export default/);
    refuse(CANONICAL.replace('[...builtinIndexes]', '[...builtinIndexes, demoPlugin]'), /already mentions/);
    // Words in comments and strings are not code.
    refuse("// indexes: [a]\nexport default { note: 'indexes: [b]' };\n", /no `indexes/);
  });

  it('writes a new configuration when there is none', () => {
    const text = newConfigText('demoPlugin', SPEC);
    expect(text).toContain("import { demoPlugin } from './packages/index-demo/src/index.js';");
    expect(text).toContain('indexes: [...builtinIndexes, demoPlugin],');
    expect(addIndexToConfig(text, 'x', 'otherPlugin', './packages/index-other/src/index.js')).toContain(
      '[...builtinIndexes, demoPlugin, otherPlugin]',
    );
  });
});

describe('addReference', () => {
  const SOLUTION = `${JSON.stringify(
    {
      files: [],
      references: [{ path: 'packages/core' }, { path: 'packages/index-maple' }, { path: 'packages/cli' }],
    },
    null,
    2,
  )}\n`;

  it('adds the package after the other index packages, printed as Biome prints JSON', () => {
    const out = JSON.parse(addReference(SOLUTION, 'tsconfig.json', 'packages/index-demo'));
    expect(out.references.map((r: { path: string }) => r.path)).toEqual([
      'packages/core',
      'packages/index-maple',
      'packages/index-demo',
      'packages/cli',
    ]);
  });

  it('refuses JSON with comments, no references, or the package already there', () => {
    expect(() => addReference(`// c\n${SOLUTION}`, 'tsconfig.json', 'packages/index-demo')).toThrow(
      /not plain JSON/,
    );
    expect(() => addReference('{"files": []}', 'tsconfig.json', 'packages/index-demo')).toThrow(
      /no "references"/,
    );
    expect(() => addReference(SOLUTION, 'tsconfig.json', 'packages/index-maple')).toThrow(
      /already references/,
    );
  });
});
