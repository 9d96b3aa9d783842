/**
 * Validation of a rule package in JSON form (spec/rules.md §2, §4 static checks, §10 shapes). The same walk
 * checks both an AST that came from the text (errors then carry line:column through the parser's positions) and
 * one posted as JSON by the API (errors carry a JSON Pointer `path`), so the two forms can never accept different
 * packages. Unknown category names are warnings; everything else is an error that rejects the whole package.
 */
import type { RuleDiagnostic } from './ast.js';
import {
  channels,
  eventFields,
  exprRoots,
  functionArity,
  IDENT_RE,
  PACKAGE_NAME_RE,
  reservedWords,
} from './ast.js';
import type { SourcePos } from './parser.js';

export interface CheckOptions {
  /** Positions from the parser: errors then carry line/column instead of a path. */
  positions?: WeakMap<object, SourcePos>;
  /** Category names known to the application; other names give a warning. */
  knownCategories?: ReadonlySet<string>;
}

export interface CheckResult {
  errors: RuleDiagnostic[];
  warnings: RuleDiagnostic[];
}

const DAY = 86_400_000;
const NAMESPACES: Record<string, ReadonlySet<string>> = {
  visitor: new Set(['state', 'identityId', 'verified', 'visitCount']),
  visit: new Set(['pageCount', 'eventCount', 'durationSec', 'categories', 'open']),
  page: new Set(['url', 'title', 'categories', 'durationSec']),
};
const BINARY = new Set(['==', '!=', '<', '<=', '>', '>=', 'contains', '+', '-', '*', '/']);
const NUMBER_TEXT = /^[0-9]+(\.[0-9]+)?$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

interface Scope {
  /** Bare event fields are visible (inside `with`). */
  event: boolean;
  last: boolean;
  aliases: ReadonlySet<string>;
}

/** Checks a package AST (of unknown shape) and returns its errors and warnings. */
export function checkPackage(ast: unknown, opts: CheckOptions = {}): CheckResult {
  const errors: RuleDiagnostic[] = [];
  const warnings: RuleDiagnostic[] = [];
  let anchor: object | null = null;

  const report = (list: RuleDiagnostic[], ptr: string, message: string): void => {
    const pos = anchor ? opts.positions?.get(anchor) : undefined;
    list.push(pos ? { line: pos.line, column: pos.column, message } : { path: ptr, message });
  };
  const err = (ptr: string, message: string): void => report(errors, ptr, message);
  /** Runs `fn` with `node` as the position anchor when the parser knows where it is. */
  const within = (node: unknown, fn: () => void): void => {
    const saved = anchor;
    if (isObj(node) && opts.positions?.has(node)) anchor = node;
    fn();
    anchor = saved;
  };
  const duration = (v: unknown, ptr: string, max = DAY, what = 'duration'): void => {
    if (!isInt(v) || v < 1000 || v > max)
      err(ptr, `${what} must be between 1s and ${max === DAY ? '24h' : '30d'}`);
  };
  const bool = (v: unknown, ptr: string): void =>
    void (typeof v !== 'boolean' && err(ptr, 'expected a boolean'));

  const checkPath = (v: unknown, ptr: string, scope: Scope | null): void => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string')) {
      return err(ptr, 'a path is a non-empty list of strings');
    }
    const [root, second] = v as [string, string | undefined];
    if (!IDENT_RE.test(root) || reservedWords.has(root)) return err(ptr, `invalid path root '${root}'`);
    if (!scope) return;
    const text = v.join('.');
    if (scope.event && eventFields.has(root)) return;
    const ns = NAMESPACES[root];
    if (ns) {
      if (second === undefined || !ns.has(second)) err(ptr, `unknown fact '${text}'`);
      return;
    }
    if (root === 'fact') {
      if (second === undefined) err(ptr, "'fact' needs a name: fact.<name>");
      return;
    }
    if (root === 'last' && !scope.last) return err(ptr, "'last' is not visible inside 'with'");
    if (root === 'last' || scope.aliases.has(root)) {
      if (second !== undefined && !eventFields.has(second)) err(ptr, `unknown event field '${text}'`);
      return;
    }
    err(ptr, `unknown name '${root}'`);
  };

  const checkExpr = (e: unknown, ptr: string, scope: Scope): void =>
    within(e, () => {
      if (!isObj(e)) return err(ptr, 'expected an expression object');
      if ('lit' in e) {
        const v = e.lit;
        if (typeof v === 'number' && !NUMBER_TEXT.test(String(v))) {
          err(ptr, 'a number literal is finite, non-negative and written without exponent (use neg)');
        } else if (v !== null && !['string', 'number', 'boolean'].includes(typeof v))
          err(ptr, 'invalid literal');
        return;
      }
      if ('path' in e) return checkPath(e.path, `${ptr}/path`, scope);
      if ('list' in e) {
        if (!Array.isArray(e.list)) return err(ptr, 'list must be an array');
        return e.list.forEach((x, i) => checkExpr(x, `${ptr}/list/${i}`, scope));
      }
      if ('count' in e) {
        checkFilter(e.count, `${ptr}/count`, scope, false);
        if (e.distinct !== null)
          checkPath(e.distinct, `${ptr}/distinct`, { event: true, last: false, aliases: new Set() });
        return duration(e.withinMs, `${ptr}/withinMs`);
      }
      const args = e.args;
      if (!Array.isArray(args)) return err(ptr, 'expected args');
      if ('call' in e) {
        const arity = typeof e.call === 'string' ? functionArity[e.call] : undefined;
        if (arity === undefined) err(ptr, `unknown function '${String(e.call)}'`);
        else if (arity === -1 ? args.length === 0 : args.length !== arity) {
          err(ptr, `${String(e.call)}() takes ${arity === -1 ? 'at least 1 argument' : `${arity} argument`}`);
        }
      } else {
        const op = e.op;
        const n = op === 'not' || op === 'neg' || op === 'matches' ? 1 : op === 'and' || op === 'or' ? -1 : 2;
        if (
          typeof op !== 'string' ||
          !(BINARY.has(op) || ['in', 'and', 'or', 'not', 'neg', 'matches'].includes(op))
        ) {
          return err(ptr, `unknown operator '${String(op)}'`);
        }
        if (n === -1 ? args.length < 2 : args.length !== n)
          return err(ptr, `'${op}' takes ${n === -1 ? '2 or more' : n} arguments`);
        if ((op === 'and' || op === 'or') && args.some((a) => isObj(a) && a.op === op)) {
          return err(ptr, `nested '${op}' must be flattened into one node`);
        }
        if (op === 'in' && !(isObj(args[1]) && 'list' in args[1]))
          return err(`${ptr}/args/1`, "'in' needs a list");
        if (op === 'matches') checkRegex(e.regex, e.flags, ptr);
      }
      args.forEach((a, i) => checkExpr(a, `${ptr}/args/${i}`, scope));
    });

  const checkRegex = (src: unknown, flags: unknown, ptr: string): void => {
    if (typeof src !== 'string' || typeof flags !== 'string')
      return err(ptr, 'matches needs regex and flags strings');
    if (!/^[imsu]*$/.test(flags) || new Set(flags).size !== flags.length)
      return err(ptr, `invalid regex flags '${flags}'`);
    let inClass = false;
    for (let i = 0; i < src.length; i++) {
      const c = src[i];
      if (c === '\\') i++;
      else if (c === '\n') return err(ptr, 'a regex cannot contain a line break');
      else if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) return err(ptr, "a '/' in a regex must be escaped");
    }
    try {
      new RegExp(src, flags);
    } catch (x) {
      err(ptr, `invalid regex: ${(x as Error).message}`);
    }
  };

  const checkFilter = (
    f: unknown,
    ptr: string,
    scope: Scope,
    aliasAllowed: boolean,
    bind?: Set<string>,
  ): void =>
    within(f, () => {
      if (!isObj(f)) return err(ptr, 'expected a filter object');
      if (typeof f.event !== 'string' || f.event === '') err(`${ptr}/event`, 'event must be a name or "*"');
      if (!Array.isArray(f.categories) || !f.categories.every((c) => typeof c === 'string')) {
        err(`${ptr}/categories`, 'categories must be a list of strings');
      } else if (opts.knownCategories) {
        for (const c of f.categories as string[]) {
          if (!opts.knownCategories.has(c)) report(warnings, `${ptr}/categories`, `unknown category '${c}'`);
        }
      }
      if (f.with !== null)
        checkExpr(f.with, `${ptr}/with`, { event: true, last: false, aliases: scope.aliases });
      if (f.as === null) return;
      if (!aliasAllowed) return err(`${ptr}/as`, "'as' is not allowed on this filter");
      if (typeof f.as !== 'string' || !IDENT_RE.test(f.as) || reservedWords.has(f.as))
        return err(`${ptr}/as`, 'invalid alias');
      if (eventFields.has(f.as) || exprRoots.has(f.as))
        return err(`${ptr}/as`, `alias '${f.as}' is a reserved name`);
      if (bind?.has(f.as)) return err(`${ptr}/as`, `duplicate alias '${f.as}'`);
      bind?.add(f.as);
    });

  const checkPattern = (p: unknown, ptr: string, aliases: Set<string>, top: boolean): void =>
    within(p, () => {
      if (!isObj(p)) return err(ptr, 'expected a pattern object');
      const scope = (): Scope => ({ event: true, last: false, aliases: new Set(aliases) });
      switch (p.op) {
        case 'event':
          return checkFilter(p.filter, `${ptr}/filter`, scope(), true, aliases);
        case 'absence':
          checkFilter(p.filter, `${ptr}/filter`, scope(), true, aliases);
          checkFilter(p.absent, `${ptr}/absent`, scope(), false);
          return duration(p.forMs, `${ptr}/forMs`);
        case 'count':
          checkFilter(p.filter, `${ptr}/filter`, scope(), true, aliases);
          if (p.distinct !== null)
            checkPath(p.distinct, `${ptr}/distinct`, { event: true, last: false, aliases: new Set() });
          if (!isInt(p.min) || p.min < 1 || p.min > 1000)
            err(`${ptr}/min`, 'count must be between 1 and 1000');
          return duration(p.withinMs, `${ptr}/withinMs`);
        case 'sequence':
        case 'all': {
          if (!Array.isArray(p.steps) || p.steps.length === 0)
            return err(`${ptr}/steps`, 'steps must be a non-empty list');
          if (p.steps.length > 16) err(`${ptr}/steps`, 'at most 16 steps');
          p.steps.forEach((s, i) =>
            within(s, () => {
              const sp = `${ptr}/steps/${i}`;
              if (!isObj(s)) return err(sp, 'expected a step object');
              checkFilter(s.filter, `${sp}/filter`, scope(), true, aliases);
              const max = p.op === 'all' ? 64 : 1000;
              if (!isInt(s.times) || s.times < 1 || s.times > max)
                err(`${sp}/times`, `times must be between 1 and ${max}`);
            }),
          );
          if (p.unless !== null) checkFilter(p.unless, `${ptr}/unless`, scope(), false);
          return duration(p.withinMs, `${ptr}/withinMs`);
        }
        case 'idle':
        case 'dwell':
          return duration(p.forMs, `${ptr}/forMs`);
        case 'or':
          if (!top) return err(ptr, "nested 'or' must be flattened into one node");
          if (!Array.isArray(p.args) || p.args.length < 2)
            return err(`${ptr}/args`, "'or' needs 2 or more patterns");
          return p.args.forEach((a, i) => checkPattern(a, `${ptr}/args/${i}`, aliases, false));
        default:
          return err(`${ptr}/op`, `unknown pattern '${String(p.op)}'`);
      }
    });

  const checkData = (d: unknown, ptr: string, scope: Scope): void => {
    if (!isObj(d)) return err(ptr, 'data must be an object');
    for (const [k, v] of Object.entries(d)) {
      if (!IDENT_RE.test(k) || reservedWords.has(k)) err(`${ptr}/${k}`, `invalid key '${k}'`);
      checkExpr(v, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, scope);
    }
  };

  const checkAction = (a: unknown, ptr: string, scope: Scope): void =>
    within(a, () => {
      if (!isObj(a)) return err(ptr, 'expected an action object');
      if (a.do === 'engage') {
        if (!(channels as readonly unknown[]).includes(a.channel))
          err(`${ptr}/channel`, 'channel must be chat, callback or offer');
        if (typeof a.name !== 'string') err(`${ptr}/name`, 'name must be a string');
        if (a.queue !== null && typeof a.queue !== 'string')
          err(`${ptr}/queue`, 'queue must be a string or null');
        if (a.priority !== null && (!isInt(a.priority) || a.priority < 0 || a.priority > 100)) {
          err(`${ptr}/priority`, 'engagement priority must be between 0 and 100');
        }
        return checkData(a.data, `${ptr}/data`, scope);
      }
      if (a.do === 'setFact') {
        if (typeof a.name !== 'string' || !IDENT_RE.test(a.name) || reservedWords.has(a.name))
          err(`${ptr}/name`, 'invalid fact name');
        return checkExpr(a.value, `${ptr}/value`, scope);
      }
      if (a.do === 'emit') {
        if (typeof a.name !== 'string') err(`${ptr}/name`, 'name must be a string');
        return checkData(a.data, `${ptr}/data`, scope);
      }
      err(`${ptr}/do`, `unknown action '${String(a.do)}'`);
    });

  const checkRule = (r: unknown, ptr: string, names: Set<string>): void =>
    within(r, () => {
      if (!isObj(r)) return err(ptr, 'expected a rule object');
      if (typeof r.name !== 'string' || r.name === '')
        err(`${ptr}/name`, 'rule name must be a non-empty string');
      else if (names.has(r.name)) err(`${ptr}/name`, `duplicate rule name '${r.name}'`);
      else names.add(r.name);
      if (r.description !== null && typeof r.description !== 'string')
        err(`${ptr}/description`, 'expected a string or null');
      if (!isInt(r.priority) || r.priority < -1000 || r.priority > 1000)
        err(`${ptr}/priority`, 'priority must be between -1000 and 1000');
      bool(r.oncePerVisit, `${ptr}/oncePerVisit`);
      bool(r.disabled, `${ptr}/disabled`);
      if (r.cooldownMs !== null) duration(r.cooldownMs, `${ptr}/cooldownMs`, 30 * DAY, 'cooldown');
      const aliases = new Set<string>();
      checkPattern(r.when, `${ptr}/when`, aliases, true);
      const scope: Scope = { event: false, last: true, aliases };
      if (r.where !== null) checkExpr(r.where, `${ptr}/where`, scope);
      if (!Array.isArray(r.then) || r.then.length === 0)
        return err(`${ptr}/then`, "'then' needs at least one action");
      r.then.forEach((a, i) => checkAction(a, `${ptr}/then/${i}`, scope));
      const outputs = r.then.filter((a) => isObj(a) && (a.do === 'engage' || a.do === 'emit')).length;
      if (outputs > 1)
        err(`${ptr}/then`, "at most one 'engage' or 'emit' per rule (one actionable event per firing)");
    });

  within(ast, () => {
    if (!isObj(ast)) return err('', 'expected a package object');
    if (typeof ast.package !== 'string' || !PACKAGE_NAME_RE.test(ast.package)) {
      err(
        '/package',
        `invalid package name '${String(ast.package)}' (expected default or a reversed domain)`,
      );
    }
    if (!Array.isArray(ast.rules)) return err('/rules', 'rules must be a list');
    const names = new Set<string>();
    ast.rules.forEach((r, i) => checkRule(r, `/rules/${i}`, names));
  });
  return { errors, warnings };
}
