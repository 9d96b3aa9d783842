/** @beckon/core: pure domain logic. No I/O, no clock, no randomness: those are passed in. */
export { validateEvent, utf8Length } from './ingest/validate-event.js';
export type { ValidEvent, ValidationResult, EventLimits } from './ingest/validate-event.js';
export { sessionize, visitHasEnded } from './ingest/sessionize.js';
export type {
  SessionizeContext,
  SessionizeResult,
  EventWrites,
  IdentityWrite,
  CategorizeInput,
} from './ingest/sessionize.js';
export { identityKey } from './ingest/visit-state.js';
export type { VisitState, PageState, AssociationState, IdentityKey } from './ingest/visit-state.js';
export { validateCategory, compileCategories } from './categories/category.js';
export type { Categorizer, CategoryValidation } from './categories/category.js';
export { validateDsl, DSL_MAX_BYTES, DSL_TIMER_MIN_MS, DSL_TIMER_MAX_MS } from './dsl/validate-dsl.js';
export type { DslIssue } from './dsl/validate-dsl.js';
// The rules engine and the SCXML interpreter have their own entry points: `@beckon/core/rules`, `@beckon/core/scxml`.
