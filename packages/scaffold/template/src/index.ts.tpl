export { __indexExports__ } from './__name__-index.js';
export { __nameCamel__Plugin } from './plugin.js';
