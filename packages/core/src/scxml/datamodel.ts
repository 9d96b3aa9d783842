/**
 * The ECMAScript data model as the interpreter sees it: a scope object plus compiled, cached evaluations that turn
 * every failure (syntax or runtime) into an `ExecutionError` carrying the document line, so the caller can raise
 * `error.execution` and stop the current block of executable content.
 */
import { SYSTEM_VARIABLES } from './events.js';
import { compileFast, FALLBACK } from './fast-expressions.js';
import type { DataNode, DataScope, Evaluator, ScxmlDocument, SourceResolver } from './types.js';

/** A failure while running executable content; becomes `error.execution`. */
export class ExecutionError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly sendid?: string,
  ) {
    super(message);
  }
}

const NO_FAST = new Error('no shortcut');

type Compiled = ((scope: DataScope) => unknown) | ((scope: DataScope, value: unknown) => void) | Error;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const ROOT_IDENTIFIER = /^\s*([A-Za-z_$][\w$]*)/;

/** Compiles through `evaluator` once per document and source text. */
export class DataModel {
  /** One map per kind (expression, script, assignment, shortcut), keyed by source text. */
  private readonly cache: Map<string, Compiled>[];

  constructor(
    readonly doc: ScxmlDocument,
    readonly evaluator: Evaluator,
    readonly scope: DataScope,
  ) {
    let cache = doc.cache.get(evaluator) as Map<string, Compiled>[] | undefined;
    if (!cache) {
      cache = [new Map(), new Map(), new Map(), new Map()];
      doc.cache.set(evaluator, cache);
    }
    this.cache = cache;
  }

  private compiled(kind: 0 | 1 | 2, source: string): Compiled {
    const cache = this.cache[kind]!;
    let fn = cache.get(source);
    if (fn === undefined) {
      try {
        if (kind === 0) fn = this.evaluator.expression(source);
        else if (kind === 1) fn = this.evaluator.script(source);
        else fn = this.evaluator.assignment(source);
      } catch (err) {
        fn = err instanceof Error ? err : new Error(String(err));
      }
      cache.set(source, fn);
    }
    return fn;
  }

  /** Evaluates an expression (common shapes without the evaluator, see fast-expressions.ts). */
  eval(source: string, line: number): unknown {
    const fast = this.fast(source);
    if (fast) {
      try {
        return fast(this.scope);
      } catch (err) {
        if (err !== FALLBACK) throw new ExecutionError(`"${source}" failed: ${messageOf(err)}`, line);
      }
    }
    const fn = this.compiled(0, source);
    if (fn instanceof Error) throw new ExecutionError(`cannot compile "${source}": ${fn.message}`, line);
    try {
      return (fn as (s: DataScope) => unknown)(this.scope);
    } catch (err) {
      throw new ExecutionError(`"${source}" failed: ${messageOf(err)}`, line);
    }
  }

  private fast(source: string): ((scope: DataScope) => unknown) | undefined {
    const cache = this.cache[3]!;
    let fn = cache.get(source);
    if (fn === undefined) {
      fn = compileFast(source) ?? NO_FAST;
      cache.set(source, fn);
    }
    return fn === NO_FAST ? undefined : (fn as (scope: DataScope) => unknown);
  }

  /** Evaluates a condition; errors propagate so the caller can raise `error.execution` and treat it as false. */
  cond(source: string, line: number): boolean {
    return Boolean(this.eval(source, line));
  }

  /** Runs a script block. */
  run(source: string, line: number): void {
    const fn = this.compiled(1, source);
    if (fn instanceof Error) throw new ExecutionError(`cannot compile script: ${fn.message}`, line);
    try {
      (fn as (s: DataScope) => void)(this.scope);
    } catch (err) {
      throw new ExecutionError(`script failed: ${messageOf(err)}`, line);
    }
  }

  /** Assigns to a location that must already exist and must not be a system variable. */
  assign(location: string, value: unknown, line: number): void {
    const simple = IDENTIFIER.test(location);
    const root = simple ? location : ROOT_IDENTIFIER.exec(location)?.[1];
    if (root === undefined) throw new ExecutionError(`"${location}" is not a location`, line);
    if (SYSTEM_VARIABLES.has(root)) throw new ExecutionError(`${root} is read-only`, line);
    if (!(root in this.scope)) throw new ExecutionError(`"${root}" is not declared`, line);
    if (simple) {
      this.scope[location] = value;
      return;
    }
    const fn = this.compiled(2, location);
    if (fn instanceof Error) throw new ExecutionError(`"${location}" is not a location: ${fn.message}`, line);
    try {
      (fn as (s: DataScope, v: unknown) => void)(this.scope, value);
    } catch (err) {
      throw new ExecutionError(`cannot assign "${location}": ${messageOf(err)}`, line);
    }
  }

  /** Declares (or overwrites) a plain variable, as `<foreach item>` does for a new name. */
  declare(name: string, value: unknown, line: number): void {
    if (!IDENTIFIER.test(name)) throw new ExecutionError(`"${name}" is not a valid variable name`, line);
    if (SYSTEM_VARIABLES.has(name)) throw new ExecutionError(`${name} is read-only`, line);
    this.scope[name] = value;
  }

  /**
   * Initializes one `<data>`: `expr`, then `src`, then inline content (JSON, else an expression, else text).
   * A failure leaves the variable `undefined` and is rethrown for `error.execution`.
   */
  initData(
    d: DataNode,
    resolver: SourceResolver | undefined,
    override: Map<string, unknown> | undefined,
  ): void {
    if (override?.has(d.id)) {
      this.scope[d.id] = override.get(d.id);
      return;
    }
    this.scope[d.id] = undefined;
    if (d.expr !== undefined) this.scope[d.id] = this.eval(d.expr, d.line);
    else if (d.src !== undefined) {
      const text = resolver?.text?.(d.src);
      if (text === undefined) throw new ExecutionError(`cannot load data src "${d.src}"`, d.line);
      this.scope[d.id] = this.inline(text, d.line);
    } else if (d.text !== undefined) this.scope[d.id] = this.inline(d.text, d.line);
  }

  /** Reads inline content the ECMAScript way: JSON when it parses, else an expression, else the text itself. */
  inline(text: string, line: number): unknown {
    const trimmed = text.trim();
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      try {
        return this.eval(trimmed, line);
      } catch {
        return text.replace(/\s+/g, ' ').trim();
      }
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
