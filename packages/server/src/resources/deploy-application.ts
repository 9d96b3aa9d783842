/**
 * Turns an uploaded application folder into a deployment (compat.md §5, §9). The upload is the folder as a map
 * of relative paths to base64 bytes: `resources/**` become modifiable resources, `dsl/domain-model.xml` is
 * validated and becomes the DSL (also served as the resource `dsl/domain-model.xml`), and everything else
 * (categories, rules, strategies) is handed to the caller's hook.
 */
import { BeckonError } from '@beckon/protocol';

/** One problem in a DSL file (same shape as `@beckon/core`'s `DslIssue`). */
export interface DslIssue {
  line: number;
  column: number;
  message: string;
}

/** An application upload split by destination. */
export interface ParsedApplication {
  resources: Map<string, Buffer>;
  dsl?: string;
  /** Files outside `resources/` and `dsl/` (e.g. `categories.json`, `rules/*.rules`, `strategies/*.scxml`). */
  other: Map<string, Buffer>;
}

/** The 400 answer to an application whose DSL is invalid. */
export class InvalidDslError extends Error {
  readonly issues: DslIssue[];
  constructor(issues: DslIssue[]) {
    super('dsl/domain-model.xml is invalid');
    this.issues = issues;
  }
}

export const DSL_FILE = 'dsl/domain-model.xml';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** @throws BeckonError invalidParameter when the application name is not `^[A-Za-z0-9_.-]{1,64}$`. */
export function checkApplicationName(name: string): void {
  if (!NAME.test(name) || name === '.' || name === '..') {
    throw new BeckonError('invalidParameter', 'name must match ^[A-Za-z0-9_.-]{1,64}$');
  }
}

function checkPath(path: string): void {
  if (!path || path.startsWith('/') || /\.\.|\/\/|\\|\0/.test(path) || path.length > 512) {
    throw new BeckonError('invalidField', `files: invalid path ${JSON.stringify(path.slice(0, 80))}`);
  }
}

/**
 * Splits and checks an upload.
 * @throws BeckonError invalidField for bad paths or base64; InvalidDslError when the DSL does not validate.
 */
export function parseApplication(
  files: Record<string, string>,
  validateDsl: (xml: string) => DslIssue[],
): ParsedApplication {
  const resources = new Map<string, Buffer>();
  const other = new Map<string, Buffer>();
  let dsl: string | undefined;
  for (const [path, encoded] of Object.entries(files)) {
    checkPath(path);
    if (!BASE64.test(encoded)) throw new BeckonError('invalidField', `files.${path}: not base64`);
    const bytes = Buffer.from(encoded, 'base64');
    if (path === DSL_FILE) {
      dsl = bytes.toString('utf8');
      const issues = validateDsl(dsl);
      if (issues.length) throw new InvalidDslError(issues);
      resources.set(DSL_FILE, bytes);
    } else if (path.startsWith('resources/')) {
      checkPath(path.slice('resources/'.length));
      resources.set(path.slice('resources/'.length), bytes);
    } else {
      other.set(path, bytes);
    }
  }
  return dsl === undefined ? { resources, other } : { resources, dsl, other };
}
