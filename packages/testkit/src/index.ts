export { createReferenceIndex, ReferenceIndex } from './reference-index.js';
