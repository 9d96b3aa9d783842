/**
 * The SCXML API of `@beckon/core`, reached by path until `packages/core/src/index.ts` re-exports
 * `./scxml/index.js` (owned by another change). Integrator: replace this file's body with
 * `export * from '@beckon/core'` or point the importers at `@beckon/core` directly.
 */
export * from '../../../core/src/scxml/index.js';
