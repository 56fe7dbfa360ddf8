/**
 * The fake GitHub's route toolkit: errors in GitHub's shapes (404, 400, 422 validation failed), request
 * body validators, route templates and their matcher, fault matching, and time helpers.
 */
import type { FaultMatch, ValidationErrorBody, ValidationErrorItem } from './fake-github-types.ts';

// ---------------------------------------------------------------------------------------------------
// Errors in GitHub's shapes
// ---------------------------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

export const DOCS = 'https://docs.github.com/rest';

export function notFound(docs = DOCS): ApiError {
  return new ApiError(404, { message: 'Not Found', documentation_url: docs, status: '404' });
}

/** GitHub's answer when the body fails its JSON schema (missing field, wrong type, bad enum). */
export function invalidRequest(detail: string, docs: string): ApiError {
  const body: ValidationErrorBody = {
    message: `Invalid request.\n\n${detail}`,
    documentation_url: docs,
    status: '422',
  };
  return new ApiError(422, body);
}

/** GitHub's answer when the body is well-formed but the request is refused ("Validation Failed"). */
export function validationFailed(errors: ValidationErrorItem[], docs: string): ApiError {
  const body: ValidationErrorBody = {
    message: 'Validation Failed',
    errors,
    documentation_url: docs,
    status: '422',
  };
  return new ApiError(422, body);
}

export type JsonObject = Record<string, unknown>;

export function asObject(body: unknown, docs: string): JsonObject {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest(`${JSON.stringify(body)} is not an object.`, docs);
  }
  return body as JsonObject;
}

export function optionalString(body: JsonObject, field: string, docs: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw invalidRequest(`For 'properties/${field}', ${JSON.stringify(value)} is not a string.`, docs);
  }
  return value;
}

export function requiredString(body: JsonObject, field: string, docs: string): string {
  const value = optionalString(body, field, docs);
  if (value === undefined) throw invalidRequest(`"${field}" wasn't supplied.`, docs);
  return value;
}

export function optionalNullableString(
  body: JsonObject,
  field: string,
  docs: string,
): string | null | undefined {
  return body[field] === null ? null : optionalString(body, field, docs);
}

export function optionalBoolean(body: JsonObject, field: string, docs: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    throw invalidRequest(`For 'properties/${field}', ${JSON.stringify(value)} is not a boolean.`, docs);
  }
  return value;
}

export function optionalStringArray(body: JsonObject, field: string, docs: string): string[] | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalidRequest(
      `For 'properties/${field}', ${JSON.stringify(value)} is not an array of strings.`,
      docs,
    );
  }
  return value as string[];
}

export function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  field: string,
  docs: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidRequest(
      `For 'properties/${field}', ${JSON.stringify(value)} is not one of ${JSON.stringify(allowed)}.`,
      docs,
    );
  }
  return value as T;
}

// ---------------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------------

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Context {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly path: string;
}

export interface Route {
  readonly template: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handle: (ctx: Context) => Promise<Reply> | Reply;
}

export function route(template: string, handle: Route['handle']): Route {
  const [method, path] = template.split(' ') as [string, string];
  const names: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { template, method, pattern: new RegExp(`^${source}$`), names, handle };
}

export function matchRoute(routes: readonly Route[], method: string, path: string) {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, index) => (params[name] = decodeURIComponent(match[index + 1] ?? '')));
    return { route: candidate, params };
  }
  return undefined;
}

export function faultMatches(
  fault: FaultMatch,
  method: string,
  path: string,
  template: string | undefined,
): boolean {
  if (fault.route !== undefined && fault.route !== template) return false;
  if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
  if (typeof fault.path === 'string' && fault.path !== path) return false;
  if (fault.path instanceof RegExp && !fault.path.test(path)) return false;
  return true;
}

export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toIso(value: string | Date | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  return typeof value === 'string' ? value : isoSeconds(value);
}

export const FULL_SHA = /^[0-9a-f]{40}$/;
