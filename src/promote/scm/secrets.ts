/**
 * Keeping the token out of everything the bot says. Credentials travel only in request headers (the
 * code-host adapter) and in environment-supplied git config (http.extraHeader); as a second line of
 * defence, every error message built from a remote's answer goes through `redact`. Which user name a
 * token travels with over git is the code host's business (GitHub: `x-access-token`), so callers pass
 * every form of a secret they handed out (`basicAuthorization` returns the header's encoded form too).
 */

export const REDACTED = '***';

/** `text` with every secret (and its URL-encoded form) replaced by `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of [secret, encodeURIComponent(secret)]) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** Basic-auth credentials for git over HTTPS, as the code host expects them. */
export interface GitCredentials {
  readonly username: string;
  readonly password: string;
}

/** The base64 `user:password` a basic-auth header carries: a secret as much as the password. */
export function basicAuthToken(credentials: GitCredentials): string {
  return Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
}

/** The `Authorization` header git sends, as actions/checkout does. */
export function basicAuthorization(credentials: GitCredentials): string {
  return `AUTHORIZATION: basic ${basicAuthToken(credentials)}`;
}

/** Every form of `credentials` that must never be printed. */
export function credentialSecrets(credentials: GitCredentials | undefined): string[] {
  return credentials ? [credentials.password, basicAuthToken(credentials)] : [];
}
