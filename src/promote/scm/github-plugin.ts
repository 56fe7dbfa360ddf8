/**
 * GitHub as a code host plugin: everything the bot knows about GitHub beyond the REST calls themselves
 * (those are in github.ts). GitHub Actions' conventions name the variables: GITHUB_TOKEN (or GH_TOKEN),
 * GITHUB_REPOSITORY and GITHUB_API_URL
 * (https://docs.github.com/actions/learn-github-actions/variables#default-environment-variables).
 */
import type { CodeHostPlugin, CodeHostProfile } from './code-host.ts';
import { DEFAULT_API_URL, GitHubCodeHost } from './github.ts';

/**
 * GitHub rejects PR bodies over 65,536 characters ("body is too long (maximum is 65536 characters)");
 * the planner keeps a margin for the hidden plan marker and rounding.
 */
export const GITHUB_BODY_LIMIT = 65_000;

export const githubProfile: CodeHostProfile = {
  id: 'github',
  displayName: 'GitHub',
  bodyLimit: GITHUB_BODY_LIMIT,
  // A GitHub App's bot user commits as `<app>[bot]` with a users.noreply.github.com address.
  botIdentity: { name: 'envmatrix[bot]', email: 'envmatrix[bot]@users.noreply.github.com' },
  /** `ghcr.io/<owner>/<repo>` → `https://github.com/<owner>/<repo>/compare/<from>...<to>`. */
  compareUrl(image, fromTag, toTag) {
    if (fromTag === undefined || fromTag === toTag) return undefined;
    const match = /^ghcr\.io\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(image);
    if (!match) return undefined;
    return `https://github.com/${match[1]}/${match[2]}/compare/${encodeURIComponent(fromTag)}...${encodeURIComponent(toTag)}`;
  },
};

export const github: CodeHostPlugin = {
  profile: githubProfile,
  settings: (flags, env) => ({
    token: env.GITHUB_TOKEN || env.GH_TOKEN || undefined,
    repository: flags.repo ?? env.GITHUB_REPOSITORY,
    apiUrl: flags.apiUrl ?? env.GITHUB_API_URL ?? DEFAULT_API_URL,
    base: flags.base ?? 'main',
  }),
  // A header value may hold only visible Latin-1 (RFC 9110 § 5.5); a pasted token often ends in a
  // newline, and fetch would refuse it only after the retries.
  checkToken: (token) =>
    /^[\x21-\x7e]+$/.test(token)
      ? undefined
      : 'GITHUB_TOKEN contains whitespace or a character outside ASCII',
  messages: {
    missingToken: (what) =>
      `${what} needs a GitHub token: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}, or a GitHub App token from actions/create-github-app-token), or use --dry-run`,
    missingRepository: (what) =>
      `${what} needs the repository: pass --repo owner/name or set GITHUB_REPOSITORY`,
    offline: '(offline: health gates not checked; set GITHUB_TOKEN and GITHUB_REPOSITORY to read them)',
    credentialsHint: 'the token (GITHUB_TOKEN)',
  },
  // GitHub Actions sets all three in every job; GITHUB_SERVER_URL is the GHES host there
  // (https://docs.github.com/actions/learn-github-actions/variables#default-environment-variables).
  runUrl: (env) => {
    const server = env.GITHUB_SERVER_URL;
    const repository = env.GITHUB_REPOSITORY;
    const run = env.GITHUB_RUN_ID;
    if (!server || !run || !/^\d+$/.test(run)) return undefined;
    if (!repository || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) return undefined;
    if (!/^https?:\/\/[^\s/?#@]+\/?$/.test(server)) return undefined;
    return `${server.replace(/\/$/, '')}/${repository}/actions/runs/${run}`;
  },
  // As actions/checkout does: the token is the password of the user `x-access-token`.
  gitCredentials: (token) => ({ username: 'x-access-token', password: token }),
  connect: (connection) =>
    new GitHubCodeHost({
      repository: connection.repository,
      token: connection.token,
      apiUrl: connection.apiUrl,
      ...(connection.log && { log: connection.log }),
    }),
};
