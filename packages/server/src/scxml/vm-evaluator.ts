/**
 * The ECMAScript data model for deployed strategies: code is compiled inside one `node:vm` context (no Node APIs,
 * no `require`, no timers, no string code generation) and run against each session's scope object.
 *
 * Time budget. Starting a vm timeout costs a watchdog per call, far too much for the hot path, so the evaluator
 * looks at what it compiles: code without loops, function definitions, regular-expression calls, computed property
 * access or reflection cannot run for long, and is called directly. Once any source outside that set has been
 * compiled, every later evaluation of this evaluator runs under `timeoutMs`, so a script that loops forever (or a
 * function it defined) is stopped and raises `error.execution`. The isolation gives robustness, not security
 * (docs/strategies.md).
 */
import vm from 'node:vm';
import {
  assignmentBody,
  expressionBody,
  scriptBody,
  scriptScope,
  type DataScope,
  type Evaluator,
} from '@beckon/core/scxml';

/** Options of {@link createVmEvaluator}. */
export interface VmEvaluatorOptions {
  /** CPU budget in ms for one evaluation once the budget is in force (default 50). */
  readonly timeoutMs?: number;
}

/** Sources that might not terminate quickly (see the module comment). */
const UNBOUNDED =
  /\b(?:for|while|do|function|class|eval|Function|constructor|prototype|__proto__|import|async|await|yield|with)\b|=>|\[\s*[^\d\s\]]|\.\s*(?:test|exec|match|matchAll|replace|replaceAll|search|split|repeat|padStart|padEnd|fill)\s*\(/;

/** Whether `source` might loop or run long (exported for tests and `strategy check`). */
export const isUnbounded = (source: string): boolean => UNBOUNDED.test(source);

/** Creates an evaluator with its own vm context. Use one per document (or per set of trusted documents). */
export function createVmEvaluator(options: VmEvaluatorOptions = {}): Evaluator {
  const timeout = options.timeoutMs ?? 50;
  const context = vm.createContext(
    {},
    { codeGeneration: { strings: false, wasm: false }, name: 'beckon-strategy' },
  );
  const global = vm.runInContext('globalThis', context) as Record<string, unknown>;
  const isGlobal = (name: string): boolean => name in global;
  const runner = new vm.Script('__beckonCall()', { filename: 'strategy' });
  let budgeted = false;

  const compile = (params: string[], body: string, source: string): ((...args: unknown[]) => unknown) => {
    if (isUnbounded(source)) budgeted = true;
    return vm.compileFunction(body, params, { parsingContext: context }) as (...args: unknown[]) => unknown;
  };
  const call = (fn: (...args: unknown[]) => unknown, args: unknown[]): unknown => {
    if (!budgeted) return fn(...args);
    let result: unknown;
    global['__beckonCall'] = () => {
      result = fn(...args);
    };
    try {
      runner.runInContext(context, { timeout });
    } finally {
      delete global['__beckonCall'];
    }
    return result;
  };

  return {
    expression(source) {
      const fn = compile(['__s'], expressionBody(source), source);
      return (scope: DataScope) => call(fn, [scope]);
    },
    script(source) {
      const fn = compile(['__s'], scriptBody(source), source);
      return (scope: DataScope) => void call(fn, [scriptScope(scope, isGlobal)]);
    },
    assignment(location) {
      const fn = compile(['__s', '__v'], assignmentBody(location), location);
      return (scope: DataScope, value: unknown) => void call(fn, [scope, value]);
    },
  };
}
