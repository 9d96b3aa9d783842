/**
 * Tokenizer of the rule text (spec/rules.md §3). It keeps 1-based line and column (columns in Unicode code points)
 * on every token so the parser can say where and what it expected. Keywords are plain identifiers here: the
 * parser decides which words are keywords where. A `/` right after the word `matches` starts a regex literal.
 */

export type TokenKind = 'ident' | 'word' | 'string' | 'number' | 'duration' | 'regex' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier, punctuation, decoded string, regex source or number text. */
  value: string;
  /** Duration in ms, number value. */
  num: number;
  /** Regex flags. */
  flags: string;
  line: number;
  column: number;
  /** UTF-16 offsets in the source, to detect adjacency (package names). */
  start: number;
  end: number;
}

/** A syntax error with its position. */
export class RuleSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

const PUNCT2 = ['==', '!=', '<=', '>='];
const PUNCT1 = '()[]{},.:|=<>+-*/';
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isIdentPart = (c: string | undefined): boolean => isIdentStart(c) || isDigit(c);

/** Splits `source` into tokens; the last one is `eof`. Throws {@link RuleSyntaxError}. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  const advance = (): void => {
    const code = source.charCodeAt(i);
    if (code === 10) {
      line++;
      column = 1;
      i++;
      return;
    }
    // a surrogate pair is one code point, one column
    i += code >= 0xd800 && code <= 0xdbff && i + 1 < source.length ? 2 : 1;
    column++;
  };
  const push = (
    kind: TokenKind,
    value: string,
    l: number,
    c: number,
    s: number,
    extra?: Partial<Token>,
  ): void => {
    tokens.push({ kind, value, num: 0, flags: '', line: l, column: c, start: s, end: i, ...extra });
  };
  while (i < source.length) {
    const c = source[i];
    const l = line;
    const col = column;
    const s = i;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v' || c === '\u00a0') {
      advance();
    } else if (c === '#' || (c === '/' && source[i + 1] === '/')) {
      while (i < source.length && source[i] !== '\n') advance();
    } else if (isIdentStart(c)) {
      while (isIdentPart(source[i])) advance();
      push('ident', source.slice(s, i), l, col, s);
    } else if (isDigit(c)) {
      while (isDigit(source[i])) advance();
      let isFloat = false;
      if (source[i] === '.' && isDigit(source[i + 1])) {
        isFloat = true;
        advance();
        while (isDigit(source[i])) advance();
      }
      const text = source.slice(s, i);
      const unit = /^(ms|s|m|h|d)(?![A-Za-z0-9_])/.exec(source.slice(i, i + 3));
      if (unit && !isFloat) {
        const u = unit[1] as string;
        for (let k = 0; k < u.length; k++) advance();
        push('duration', source.slice(s, i), l, col, s, { num: Number(text) * (DURATION_MS[u] as number) });
      } else {
        if (isIdentStart(source[i]) && !isFloat) {
          // a word that starts with digits: only valid as a package name label (`3com`)
          while (isIdentPart(source[i])) advance();
          push('word', source.slice(s, i), l, col, s);
        } else if (isIdentStart(source[i])) {
          throw new RuleSyntaxError(`invalid number '${text}${source[i]}'`, l, col);
        } else push('number', text, l, col, s, { num: Number(text) });
      }
    } else if (c === '"') {
      push('string', readString(), l, col, s);
    } else if (c === '/' && tokens.at(-1)?.kind === 'ident' && tokens.at(-1)?.value === 'matches') {
      readRegex(l, col, s);
    } else {
      const two = source.slice(i, i + 2);
      if (PUNCT2.includes(two)) {
        advance();
        advance();
        push('punct', two, l, col, s);
      } else if (c !== undefined && PUNCT1.includes(c)) {
        advance();
        push('punct', c, l, col, s);
      } else {
        const cp = String.fromCodePoint(source.codePointAt(i) ?? 0);
        throw new RuleSyntaxError(`unexpected character '${cp}'`, l, col);
      }
    }
  }
  tokens.push({ kind: 'eof', value: '', num: 0, flags: '', line, column, start: i, end: i });
  return tokens;

  function readString(): string {
    const l = line;
    const col = column;
    advance();
    let out = '';
    for (;;) {
      const ch = source[i];
      if (ch === undefined || ch === '\n') throw new RuleSyntaxError('unterminated string', l, col);
      if (ch === '"') {
        advance();
        return out;
      }
      if (ch === '\\') {
        const el = line;
        const ec = column;
        advance();
        const e = source[i];
        if (e === '"' || e === '\\') out += e;
        else if (e === 'n') out += '\n';
        else if (e === 't') out += '\t';
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 1, i + 5))) {
          out += String.fromCharCode(parseInt(source.slice(i + 1, i + 5), 16));
          for (let k = 0; k < 4; k++) advance();
        } else
          throw new RuleSyntaxError(
            `invalid escape '\\${e ?? ''}' (expected \\" \\\\ \\n \\t or \\uXXXX)`,
            el,
            ec,
          );
        advance();
      } else {
        const start = i;
        advance();
        out += source.slice(start, i);
      }
    }
  }

  function readRegex(l: number, col: number, s: number): void {
    advance();
    let body = '';
    let inClass = false;
    for (;;) {
      const ch = source[i];
      if (ch === undefined || ch === '\n') throw new RuleSyntaxError('unterminated regex', l, col);
      if (ch === '\\') {
        const start = i;
        advance();
        if (source[i] === undefined || source[i] === '\n')
          throw new RuleSyntaxError('unterminated regex', l, col);
        advance();
        body += source.slice(start, i);
        continue;
      }
      if (ch === '/' && !inClass) break;
      if (ch === '[') inClass = true;
      else if (ch === ']') inClass = false;
      const start = i;
      advance();
      body += source.slice(start, i);
    }
    advance();
    let flags = '';
    while (isIdentPart(source[i])) {
      flags += source[i];
      advance();
    }
    if (!/^[imsu]*$/.test(flags) || new Set(flags).size !== flags.length) {
      throw new RuleSyntaxError(`invalid regex flags '${flags}' (expected any of i, m, s, u)`, l, col);
    }
    push('regex', body, l, col, s, { flags });
  }
}
