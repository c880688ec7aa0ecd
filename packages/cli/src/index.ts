export { printJson, textTable, writeFileAtomic } from './output.js';
export { buildProgram } from './program.js';
export type { Registry } from './registry.js';
export { builtinRegistry, indexByName, indexesByNames, referencePlugin } from './registry.js';
