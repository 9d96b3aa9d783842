/**
 * The deployed strategies of a node: the built-in `default` plus those deployed with an application or through
 * `PUT /server/data/strategies/{name}`. Deploying runs the static checks and rejects a document with
 * `[{line, column, message}]`; invokes may reference other deployed strategies as `src="strategy:<name>"`.
 */
import { readFileSync } from 'node:fs';
import { checkStrategy, type ScxmlDocument, type SourceResolver } from '@beckon/core/scxml';

/** A rejected deployment's problems (errors only; warnings are returned beside a successful deploy). */
export interface StrategyProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Result of {@link StrategyCatalog.deploy}. */
export type DeployResult =
  | { readonly ok: true; readonly warnings: StrategyProblem[] }
  | { readonly ok: false; readonly errors: StrategyProblem[] };

/** Built-in strategies shipped with the server. */
export const BUILT_IN_STRATEGIES = {
  default: new URL('./strategies/default.scxml', import.meta.url),
} as const;

const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

/** Deployed strategy documents by name. */
export class StrategyCatalog {
  private readonly docs = new Map<string, { document: ScxmlDocument; text: string }>();

  /** Resolves `strategy:<name>` for `<invoke src>`. */
  readonly resolver: SourceResolver = {
    document: (src) => (src.startsWith('strategy:') ? this.docs.get(src.slice(9))?.document : undefined),
  };

  /** Creates a catalog holding the built-in strategies. */
  static withBuiltIns(): StrategyCatalog {
    const catalog = new StrategyCatalog();
    for (const [name, url] of Object.entries(BUILT_IN_STRATEGIES)) {
      const result = catalog.deploy(name, readFileSync(url, 'utf8'));
      if (!result.ok)
        throw new Error(`built-in strategy ${name} is invalid: ${JSON.stringify(result.errors)}`);
    }
    return catalog;
  }

  /** Checks and stores a strategy, replacing one of the same name. */
  deploy(name: string, text: string): DeployResult {
    if (!NAME.test(name))
      return { ok: false, errors: [{ line: 1, column: 1, message: `invalid strategy name "${name}"` }] };
    const { document, diagnostics } = checkStrategy(text);
    const strip = ({ line, column, message }: StrategyProblem): StrategyProblem => ({
      line,
      column,
      message,
    });
    const errors = diagnostics.filter((d) => d.severity === 'error').map(strip);
    if (!document || errors.length > 0) return { ok: false, errors };
    this.docs.set(name, { document, text });
    return { ok: true, warnings: diagnostics.map(strip) };
  }

  /** The compiled document of a deployed strategy. */
  get(name: string): ScxmlDocument | undefined {
    return this.docs.get(name)?.document;
  }

  /** The source text of a deployed strategy. */
  source(name: string): string | undefined {
    return this.docs.get(name)?.text;
  }

  /** Names of the deployed strategies. */
  names(): string[] {
    return [...this.docs.keys()].sort();
  }
}
