export type { CompareSelection, Unit } from './compare/plan.js';
export { planCompare } from './compare/plan.js';
export type { Shard } from './options.js';
export { parseCpus, parseShard } from './options.js';
export { keyValueTable, printJson, textTable, writeFileAtomic } from './output.js';
export { buildProgram } from './program.js';
export type { RegistrySource } from './registry.js';
export { projectRegistry } from './registry.js';
export { safeJsonText, safeName, terminalSafe } from './terminal.js';
