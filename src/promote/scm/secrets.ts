/**
 * Keeping the token out of everything the bot says. Credentials travel only in request headers (Octokit)
 * and in environment-supplied git config (http.extraHeader); as a second line of defence, every error
 * message built from a remote's answer goes through `redact`.
 */

export const REDACTED = '***';

/** `text` with every secret (and its base64 basic-auth form) replaced by `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    const forms = [
      secret,
      Buffer.from(`x-access-token:${secret}`).toString('base64'),
      encodeURIComponent(secret),
    ];
    for (const form of forms) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** The `Authorization` header git sends when given a token, as actions/checkout does. */
export function basicAuthorization(token: string): string {
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
}
