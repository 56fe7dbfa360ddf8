/**
 * Flux's post-build variable substitution, as the kustomize-controller runs it on every object a
 * Kustomization applies, so tests can say what a pod on a Flux cluster would see.
 *
 * A line-by-line port of fluxcd/pkg `envsubst` (a fork of drone/envsubst, MIT): the scanner
 * (envsubst/parse/scan.go), the parser (envsubst/parse/parse.go), the evaluator with strict mode
 * (envsubst/template.go, eval.go) and the string functions (envsubst/funcs.go); plus the per-object
 * rules of fluxcd/pkg kustomize/kustomize_varsub.go `SubstituteVariables`: skip an object labelled or
 * annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`, run only when there is a variable or
 * `substituteStrategy: Always`, strip newlines from values, check variable names, and read the result
 * back as YAML. Strict mode is the controller's default since the `StrictPostBuildSubstitutions` gate
 * was turned on (fluxcd/kustomize-controller CHANGELOG, docs/README.md). Read at fluxcd/pkg e2cfd1a
 * (envsubst v1.7.0, the version kustomize-controller's go.mod requires).
 *
 * Positions count UTF-16 units where Go counts bytes: identical for ASCII, which is all the tests use.
 */
import { parse } from 'yaml';

// ---- scan.go ----

const TOKEN = { illegal: 0, eof: 1, ident: 2, lbrack: 3, rbrack: 4 } as const;
type Token = (typeof TOKEN)[keyof typeof TOKEN];

const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;

const DOLLAR = 1;
const BACKSLASH = 2;
const ESCAPE_ALL = DOLLAR | BACKSLASH;

/** Go's `eof` rune. */
const EOF = null;
type Rune = string | typeof EOF;
type Accept = (r: string, i: number) => boolean;

class Scanner {
  buf = '';
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapeChars = 0;
  accept: Accept = () => false;

  init(buf: string): void {
    this.buf = buf;
    this.pos = 0;
    this.start = 0;
    this.width = 0;
  }

  read(): Rune {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    const r = String.fromCodePoint(this.buf.codePointAt(this.pos)!);
    this.width = r.length;
    this.pos += this.width;
    return r;
  }

  unread(): void {
    this.pos -= this.width;
  }

  /** Drops the character before `pos` (an escaping `$` or `\`) from the buffer. */
  skip(): void {
    this.buf = this.buf.slice(0, this.pos - 1) + this.buf.slice(this.pos);
  }

  peek(): Rune {
    const r = this.read();
    this.unread();
    return r;
  }

  string(): string {
    return this.buf.slice(this.start, this.pos);
  }

  scan(): Token {
    this.start = this.pos;
    const r = this.read();
    if (r === EOF) return TOKEN.eof;
    if (this.scanLbrack(r)) return TOKEN.lbrack;
    if (this.scanRbrack(r)) return TOKEN.rbrack;
    if (this.scanIdent(r)) return TOKEN.ident;
    return TOKEN.illegal;
  }

  scanIdent(first: string): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(first)) this.skip();
    else if (!this.accept(first, this.pos - this.start)) return false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        this.unread();
        break;
      }
      if (this.scanLbrack(r)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(r)) {
        this.skip();
        continue;
      }
      if (!this.accept(r, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }

  scanLbrack(r: string): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === '$') {
      if (this.read() === '{') return true;
      this.unread();
    }
    return false;
  }

  scanRbrack(r: string): boolean {
    if ((this.mode & SCAN_RBRACK) === 0) return false;
    return r === '}';
  }

  scanEscaped(r: string): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === '$' && (this.escapeChars & DOLLAR) !== 0 && this.peek() === '$') return true;
    if (r === '\\' && (this.escapeChars & BACKSLASH) !== 0) {
      const next = this.peek();
      return next === '/' || next === '\\';
    }
    return false;
  }
}

const acceptRune: Accept = () => true;
const acceptIdent: Accept = (r) => /^[\p{L}\p{Nd}_]$/u.test(r);
const acceptColon: Accept = (r) => r === ':';
const acceptOneHash: Accept = (r, i) => r === '#' && i === 1;
const acceptNotClosing: Accept = (r) => r !== '}';
const acceptHashFunc: Accept = (r, i) => r === '#' && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === '%' && i < 3;
const acceptDefaultFunc: Accept = (r, i) => (i === 1 && r === ':') || (i === 2 && '=-?+'.includes(r));
const acceptReplaceFunc: Accept = (r, i) => (i === 1 && r === '/') || (i === 2 && '/#%'.includes(r));
const acceptOneEqual: Accept = (r, i) => i === 1 && r === '=';
const acceptOneColon: Accept = (r, i) => i === 1 && r === ':';
const rejectColonClose: Accept = (r) => r !== ':' && r !== '}';
const acceptSlash: Accept = (r) => r === '/';
const acceptNotSlash: Accept = (r) => r !== '/';
const acceptCasingFunc: Accept = (r, i) => (r === ',' || r === '^') && i < 3;

// ---- node.go, parse.go ----

type Node =
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'func'; param: string; name: string; readonly args: Node[] }
  | { readonly type: 'list'; readonly nodes: readonly Node[] };

/** Go's `empty` sentinel: compared by identity. */
const EMPTY: Node = { type: 'text', value: '' };
const text = (value: string): Node => ({ type: 'text', value });
const func = (param: string, name = ''): Extract<Node, { type: 'func' }> => ({
  type: 'func',
  param,
  name,
  args: [],
});

/** The errors of parse.go, with their messages. */
export class EnvsubstError extends Error {
  override readonly name = 'EnvsubstError';
}
const badSubstitution = (): EnvsubstError => new EnvsubstError('bad substitution');
const missingClosingBrace = (): EnvsubstError => new EnvsubstError('missing closing brace');
const parseVariableName = (): EnvsubstError => new EnvsubstError('unable to parse variable name');
const parseFuncSubstitution = (): EnvsubstError =>
  new EnvsubstError('unable to parse substitution within function');
const parseDefaultFunction = (): EnvsubstError => new EnvsubstError('unable to parse default function');

class Parser {
  readonly scanner = new Scanner();

  parse(buf: string): Node {
    this.scanner.init(buf);
    return this.parseAny();
  }

  parseAny(): Node {
    const s = this.scanner;
    s.accept = acceptRune;
    s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
    s.escapeChars = DOLLAR;
    switch (s.scan()) {
      case TOKEN.ident: {
        const left = text(s.string());
        const right = this.parseAny();
        return right === EMPTY ? left : { type: 'list', nodes: [left, right] };
      }
      case TOKEN.eof:
        return EMPTY;
      case TOKEN.lbrack: {
        const left = this.parseFunc();
        const right = this.parseAny();
        return right === EMPTY ? left : { type: 'list', nodes: [left, right] };
      }
      default:
        throw badSubstitution();
    }
  }

  parseFunc(): Node {
    const s = this.scanner;
    s.escapeChars = ESCAPE_ALL;
    if (s.peek() === '#') return this.parseLenFunc();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== TOKEN.ident) throw parseVariableName();
    const name = s.string();
    switch (s.peek()) {
      case ':':
        return this.parseDefaultOrSubstr(name);
      case '=':
        return this.parseDefaultFunc(name);
      case ',':
      case '^':
        return this.parseCasingFunc(name);
      case '/':
        return this.parseReplaceFunc(name);
      case '#':
        return this.parseRemoveFunc(name, acceptHashFunc);
      case '%':
        return this.parseRemoveFunc(name, acceptPercentFunc);
    }
    s.accept = acceptIdent;
    s.mode = SCAN_RBRACK;
    if (s.scan() === TOKEN.rbrack) return func(name);
    throw missingClosingBrace();
  }

  parseParam(accept: Accept, mode: number): Node {
    const s = this.scanner;
    s.accept = accept;
    s.mode = mode | SCAN_LBRACK;
    switch (s.scan()) {
      case TOKEN.lbrack:
        return this.parseFunc();
      case TOKEN.ident:
      case TOKEN.rbrack:
        return text(s.string());
      default:
        throw parseFuncSubstitution();
    }
  }

  parseDefaultOrSubstr(name: string): Node {
    const s = this.scanner;
    s.read();
    const r = s.peek();
    s.unread();
    return r !== EOF && '=-?+'.includes(r) ? this.parseDefaultFunc(name) : this.parseSubstrFunc(name);
  }

  parseSubstrFunc(name: string): Node {
    const s = this.scanner;
    const node = func(name);
    s.accept = acceptOneColon;
    s.mode = SCAN_IDENT;
    if (s.scan() !== TOKEN.ident) throw badSubstitution();
    node.name = s.string();
    node.args.push(this.parseParam(rejectColonClose, SCAN_IDENT));
    s.accept = acceptColon;
    s.mode = SCAN_IDENT | SCAN_RBRACK;
    switch (s.scan()) {
      case TOKEN.rbrack:
        return node;
      case TOKEN.ident:
        break;
      default:
        throw badSubstitution();
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  parseRemoveFunc(name: string, accept: Accept): Node {
    const s = this.scanner;
    const node = func(name);
    s.accept = accept;
    s.mode = SCAN_IDENT;
    if (s.scan() !== TOKEN.ident) throw badSubstitution();
    node.name = s.string();
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }

  parseReplaceFunc(name: string): Node {
    const s = this.scanner;
    const node = func(name);
    s.accept = acceptReplaceFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== TOKEN.ident) throw badSubstitution();
    node.name = s.string();
    if (s.peek() === '/') node.args.push(text(''));
    else node.args.push(this.parseParam(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));
    s.accept = acceptSlash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== TOKEN.ident) throw badSubstitution();
    if (s.peek() === '}') {
      this.consumeRbrack();
      return node;
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.consumeRbrack();
    return node;
  }

  parseDefaultFunc(name: string): Node {
    const s = this.scanner;
    const node = func(name);
    s.accept = s.peek() === '=' ? acceptOneEqual : acceptDefaultFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== TOKEN.ident) throw parseDefaultFunction();
    node.name = s.string();
    for (;;) {
      if (s.peek() === '}') {
        this.consumeRbrack();
        return node;
      }
      node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    }
  }

  parseCasingFunc(name: string): Node {
    const s = this.scanner;
    const node = func(name);
    s.accept = acceptCasingFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== TOKEN.ident) throw badSubstitution();
    node.name = s.string();
    this.consumeRbrack();
    return node;
  }

  parseLenFunc(): Node {
    const s = this.scanner;
    const node = func('');
    s.accept = acceptOneHash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== TOKEN.ident) throw badSubstitution();
    node.name = s.string();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== TOKEN.ident) throw badSubstitution();
    node.param = s.string();
    this.consumeRbrack();
    return node;
  }

  consumeRbrack(): void {
    this.scanner.mode = SCAN_RBRACK;
    if (this.scanner.scan() !== TOKEN.rbrack) throw badSubstitution();
  }
}

// ---- funcs.go ----

type SubstituteFunc = (s: string, args: readonly string[]) => string;

/** Go's path.Match, as a RegExp (`*`, `?`, `[…]`, `\` escapes; `/` is never matched by a wildcard). */
function globRegExp(pattern: string): RegExp | undefined {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) return undefined;
      source += `\\${pattern[i]!}`;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return undefined;
      const body = pattern.slice(i + 1, end);
      source += `[${body.startsWith('^') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function trimShortest(s: string, pattern: string): string {
  const re = globRegExp(pattern);
  if (!re) return s;
  let shortest = '';
  for (let i = 0; i < s.length; i++)
    if (re.test(s.slice(0, s.length - i))) shortest = s.slice(0, s.length - i);
  return shortest !== '' && s.startsWith(shortest) ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, pattern: string): string {
  const re = globRegExp(pattern);
  if (!re) return s;
  for (let i = 0; i < s.length; i++) {
    const prefix = s.slice(0, s.length - i);
    if (re.test(prefix)) return s.slice(prefix.length);
  }
  return s;
}

const reverse = (s: string): string => [...s].reverse().join('');

function toSubstr(s: string, args: readonly string[]): string {
  if (args.length === 0) return s;
  const parsedPos = goAtoi(args[0]!);
  if (parsedPos === undefined) return s;
  let pos = parsedPos;
  if (pos < 0) pos = Math.max(0, s.length + pos);
  if (args.length === 1) return pos < s.length ? s.slice(pos) : '';
  const length = goAtoi(args[1]!);
  if (length === undefined) return s;
  if (pos + length >= s.length) return pos < s.length ? s.slice(pos) : '';
  return s.slice(pos, pos + length);
}

/** strconv.Atoi: an optional sign and decimal digits, nothing else. */
function goAtoi(value: string): number | undefined {
  return /^[+-]?\d+$/.test(value) ? Number(value) : undefined;
}

const toDefault: SubstituteFunc = (s, args) => (s.length === 0 && args.length > 0 ? args.join('') : s);

function lookupFunc(name: string, args: number): SubstituteFunc {
  switch (name) {
    case ',':
      return (s) => (s === '' ? s : s[0]!.toLowerCase() + s.slice(1));
    case ',,':
      return (s) => s.toLowerCase();
    case '^':
      return (s) => (s === '' ? s : s[0]!.toUpperCase() + s.slice(1));
    case '^^':
      return (s) => s.toUpperCase();
    case '#':
      return args === 0
        ? (s) => String(Buffer.byteLength(s))
        : (s, a) => (a.length !== 0 ? trimShortest(s, a[0]!) : s);
    case '##':
      return (s, a) => (a.length !== 0 ? trimLongest(s, a[0]!) : s);
    case '%':
      return (s, a) => (a.length !== 0 ? reverse(trimShortest(reverse(s), reverse(a[0]!))) : s);
    case '%%':
      return (s, a) => (a.length !== 0 ? reverse(trimLongest(reverse(s), reverse(a[0]!))) : s);
    case ':':
      return toSubstr;
    case '/#':
      return (s, a) => (a.length === 2 && s.startsWith(a[0]!) ? s.replace(a[0]!, () => a[1]!) : s);
    case '/%':
      return (s, a) =>
        a.length === 2 && s.endsWith(a[0]!) ? s.slice(0, s.length - a[0]!.length) + a[1]! : s;
    case '/':
      return (s, a) => (a.length === 0 ? s : goReplace(s, a[0]!, a[1] ?? '', 1));
    case '//':
      return (s, a) => (a.length === 0 ? s : goReplace(s, a[0]!, a[1] ?? '', -1));
    default:
      return toDefault;
  }
}

/** strings.Replace: n < 0 replaces all; an empty `old` matches before every character and at the end. */
function goReplace(s: string, old: string, replacement: string, n: number): string {
  if (old === '') {
    const parts = [...s];
    const limit = n < 0 ? parts.length + 1 : n;
    let out = '';
    let done = 0;
    for (let i = 0; i <= parts.length; i++) {
      if (done < limit) {
        out += replacement;
        done++;
      }
      out += parts[i] ?? '';
    }
    return out;
  }
  if (n < 0) return s.split(old).join(replacement);
  const at = s.indexOf(old);
  return at < 0 ? s : s.slice(0, at) + replacement + s.slice(at + old.length);
}

// ---- template.go, eval.go ----

/** Operators that supply their own value for an unset variable: exempt from strict mode. */
const DEFAULT_OPS = new Set(['-', '+', '=', '?', ':-', ':+', ':=', ':?']);

/** `mapping` returns the value and whether the variable exists (strict mode reads the latter). */
export type Mapping = (name: string) => readonly [value: string, exists: boolean];

function evaluate(node: Node, mapping: Mapping): string {
  switch (node.type) {
    case 'text':
      return node.value;
    case 'list':
      return node.nodes.map((n) => evaluate(n, mapping)).join('');
    case 'func': {
      const args = node.args.map((n) => evaluate(n, mapping));
      const [value, exists] = mapping(node.param);
      if (!exists && !DEFAULT_OPS.has(node.name))
        throw new EnvsubstError(`variable not set (strict mode): ${JSON.stringify(node.param)}`);
      return lookupFunc(node.name, args.length)(value, args);
    }
  }
}

/** envsubst.Eval: parse `s` and expand it with `mapping`. */
export function envsubstEval(s: string, mapping: Mapping): string {
  return evaluate(new Parser().parse(s), mapping);
}

// ---- kustomize/kustomize_varsub.go ----

export const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';
const VAR_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;

export interface PostBuild {
  readonly substitute?: Readonly<Record<string, string>>;
  readonly substituteStrategy?: 'WithVariables' | 'Always';
}

export interface SubstituteOptions {
  /** The `StrictPostBuildSubstitutions` feature gate. @default true (the controller's default) */
  readonly strict?: boolean;
}

interface ObjectMeta {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/**
 * One object as the kustomize-controller applies it: `yamlText` is the object as kustomize serialized
 * it (one document of `kustomize build`), `postBuild` the Kustomization's. Returns the object Flux
 * applies; throws EnvsubstError where the controller fails the reconciliation.
 */
export function substituteObject(
  yamlText: string,
  postBuild: PostBuild,
  options: SubstituteOptions = {},
): unknown {
  const object = parse(yamlText) as ObjectMeta;
  const disabled = (map: Record<string, string> | undefined): boolean => map?.[SUBSTITUTE_KEY] === 'disabled';
  if (disabled(object.metadata?.labels) || disabled(object.metadata?.annotations)) return object;
  const vars = new Map(
    Object.entries(postBuild.substitute ?? {}).map(([k, v]) => [k, v.replaceAll('\n', '')]),
  );
  if (vars.size === 0 && postBuild.substituteStrategy !== 'Always') return object;
  for (const name of vars.keys())
    if (!VAR_NAME.test(name))
      throw new EnvsubstError(
        `'${name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`,
      );
  const strict = options.strict ?? true;
  const output = envsubstEval(yamlText, (name) => {
    const value = vars.get(name);
    return strict ? [value ?? '', value !== undefined] : [value ?? '', true];
  });
  return parse(output) as unknown;
}
