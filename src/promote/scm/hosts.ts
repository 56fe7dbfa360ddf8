/**
 * The code host registry and the factory that picks one from the environment. Adding a host (GitLab)
 * is one plugin module plus one line here; nothing outside src/promote/scm changes.
 */
import { UsageError } from '../../core/errors.ts';
import type { CodeHostFlags, CodeHostPlugin, CodeHostProfile, CodeHostSettings } from './code-host.ts';
import { CodeHostError } from './errors.ts';
import { github } from './github-plugin.ts';
import type { GitCredentials } from './secrets.ts';
import { basicAuthToken } from './secrets.ts';
import type { CodeHostOperations, CommitIdentity } from './scm.ts';

export const CODE_HOSTS: Readonly<Record<string, CodeHostPlugin>> = { github };

/** The host a run uses when ENVMATRIX_CODE_HOST does not name one. */
export const DEFAULT_CODE_HOST = 'github';

/** The default host's profile, for planning without an environment (tests, library use). */
export const defaultCodeHostProfile: CodeHostProfile = CODE_HOSTS[DEFAULT_CODE_HOST]!.profile;

/** A code host chosen and configured from flags and environment; nothing has been called yet. */
export interface CodeHostEnvironment {
  readonly profile: CodeHostProfile;
  readonly settings: CodeHostSettings;
  /** The bot's commit identity: ENVMATRIX_BOT_NAME and ENVMATRIX_BOT_EMAIL, else the host's. */
  readonly identity: CommitIdentity;
  /** Every form of the credentials that must never be printed. */
  readonly secrets: readonly string[];
  /** What the user fixes when git's credentials are refused. */
  readonly credentialsHint: string;
  /** The dry-run note when there are no credentials. */
  readonly offlineNote: string;
  /** The token, checked; throws naming the host's variable when it is missing or malformed. */
  requireToken(what: string): string;
  /** The repository; throws naming the host's flag and variable when it is missing. */
  requireRepository(what: string): string;
  /** How git authenticates with the token. */
  gitCredentials(token: string): GitCredentials;
  /** The adapter, when token and repository are set (dry runs read health only then). */
  connect(options?: {
    readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
    /** Connect without a repository (a direct commit never calls the host). */
    readonly repository?: string;
  }): CodeHostOperations;
  /** True when token and repository are both there. */
  readonly online: boolean;
  /** The CI run behind this process (the plugin reads the host's CI variables), for PR bodies. */
  readonly runUrl?: string;
}

/**
 * Pick and configure the code host: ENVMATRIX_CODE_HOST (default github), then the plugin reads its own
 * flags and variables. Throws a UsageError naming the registered hosts when the name is unknown.
 */
export function codeHostFromEnvironment(
  flags: CodeHostFlags,
  env: NodeJS.ProcessEnv = process.env,
  /** The registry; tests pass their own. */
  hosts: Readonly<Record<string, CodeHostPlugin>> = CODE_HOSTS,
): CodeHostEnvironment {
  const id = env.ENVMATRIX_CODE_HOST || DEFAULT_CODE_HOST;
  const plugin = hosts[id];
  if (!plugin) {
    throw new UsageError(
      `ENVMATRIX_CODE_HOST=${id} is not a code host envmatrix knows; use one of ${Object.keys(hosts).join(', ')}`,
    );
  }
  const settings = plugin.settings(flags, env);
  const { token } = settings;
  const runUrl = plugin.runUrl?.(env);
  const identity =
    env.ENVMATRIX_BOT_NAME && env.ENVMATRIX_BOT_EMAIL
      ? { name: env.ENVMATRIX_BOT_NAME, email: env.ENVMATRIX_BOT_EMAIL }
      : plugin.profile.botIdentity;
  const requireToken = (what: string): string => {
    if (!token) throw new UsageError(plugin.messages.missingToken(what));
    const problem = plugin.checkToken(token);
    if (problem) {
      throw new CodeHostError(
        plugin.profile.displayName,
        'invalid-input',
        'token check',
        undefined,
        problem,
        'copy the token again, without spaces or a line break',
      );
    }
    return token;
  };
  const requireRepository = (what: string): string => {
    if (!settings.repository) throw new UsageError(plugin.messages.missingRepository(what));
    return settings.repository;
  };
  return {
    profile: plugin.profile,
    settings,
    identity,
    secrets: token ? [token, basicAuthToken(plugin.gitCredentials(token))] : [],
    credentialsHint: plugin.messages.credentialsHint,
    offlineNote: plugin.messages.offline,
    requireToken,
    requireRepository,
    gitCredentials: (value) => plugin.gitCredentials(value),
    online: Boolean(token && settings.repository),
    ...(runUrl && { runUrl }),
    connect: (options = {}) =>
      plugin.connect({
        repository: options.repository ?? requireRepository('the code host'),
        token: requireToken('the code host'),
        apiUrl: settings.apiUrl,
        ...(options.log && { log: options.log }),
      }),
  };
}
