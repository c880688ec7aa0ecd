export { keyValueTable, printJson, textTable, writeFileAtomic } from './output.js';
export { buildProgram } from './program.js';
export type { RegistrySource } from './registry.js';
export { projectRegistry } from './registry.js';
