/** The rule language and keyed rules engine (spec/rules.md): the public surface of `core/rules`. */
export type {
  Action,
  BinaryOp,
  Channel,
  Expr,
  Filter,
  Path,
  Pattern,
  Rule,
  RuleDiagnostic,
  RulePackage,
  Scalar,
  Step,
} from './ast.js';
export { reservedWords, PACKAGE_NAME_RE } from './ast.js';
export { RuleSyntaxError } from './lexer.js';
export { parseRuleText } from './parser.js';
export type { ParseResult, SourcePos } from './parser.js';
export { printRules, printRule, printExpr, printPattern, printDuration } from './printer.js';
export { checkPackage } from './check.js';
export { compileRules, canonicalJson } from './compile.js';
export type { CompiledPackage, CompiledRule, CompileOptions, CompileResult } from './compile.js';
export { actionableEventId } from './actionable.js';
export type { ActionableEvent, Engagement } from './actionable.js';
export { RuleEngine } from './engine.js';
export type { EngineEvent, RuleEngineOptions, RuleEngineStats } from './engine.js';
export type { VisitState, VisitorFacts, RuleEvent } from './visit-state.js';
export { hostOf } from './rule-set.js';
export { sha256Hex } from './sha256.js';
