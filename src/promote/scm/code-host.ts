/**
 * What a code host plugin provides (GitHub today; GitLab would be one more). The promotion code and the
 * CLI see only this and the neutral Scm interface (scm.ts); everything host-specific — its environment
 * variables, credentials, error wording, body limits, compare links and bot identity — lives in the
 * plugin. src/promote/scm/hosts.ts registers the plugins and picks one from the environment.
 */
import type { GitCredentials } from './secrets.ts';
import type { CodeHostOperations, CommitIdentity } from './scm.ts';

/** What the planner needs to know about the host, without talking to it (dry runs, tests). */
export interface CodeHostProfile {
  /** Registry key, e.g. `github`. */
  readonly id: string;
  /** For messages, e.g. `GitHub`. */
  readonly displayName: string;
  /** The longest PR body the planner writes (the host's limit minus a margin). */
  readonly bodyLimit: number;
  /** Who the bot commits as, unless ENVMATRIX_BOT_NAME and ENVMATRIX_BOT_EMAIL say otherwise. */
  readonly botIdentity: CommitIdentity;
  /** A link to the source changes between two image tags, when the image says where its source lives. */
  compareUrl(image: string, fromTag: string | undefined, toTag: string): string | undefined;
}

/** The command-line flags every code host understands. */
export interface CodeHostFlags {
  /** The repository, in the host's notation (GitHub: owner/name). */
  readonly repo?: string;
  /** The host's API root (self-hosted installations). */
  readonly apiUrl?: string;
  /** The branch promotions start from. @default 'main' */
  readonly base?: string;
}

/** Flags and environment, read by the plugin: nothing checked yet. */
export interface CodeHostSettings {
  readonly token?: string;
  readonly repository?: string;
  readonly apiUrl: string;
  readonly base: string;
}

export interface CodeHostConnection {
  readonly repository: string;
  readonly token: string;
  readonly apiUrl: string;
  /** Where the adapter's own warnings go (rate limits waited out, deprecations). */
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export interface CodeHostPlugin {
  readonly profile: CodeHostProfile;
  /** Read the settings from flags first, then the host's own environment variables. */
  settings(flags: CodeHostFlags, env: NodeJS.ProcessEnv): CodeHostSettings;
  /**
   * Check a token before any call; undefined when it looks usable, else what is wrong with it
   * (never the token itself).
   */
  checkToken(token: string): string | undefined;
  /** The messages for what is missing, naming the host's variables: `what` is the command. */
  readonly messages: {
    missingToken(what: string): string;
    missingRepository(what: string): string;
    /** A dry run without credentials: what it could not check and how to let it. */
    readonly offline: string;
    /** Where the user fixes the git credentials, e.g. 'the token (GITHUB_TOKEN)'. */
    readonly credentialsHint: string;
  };
  /**
   * The CI run this process is part of, from the host's CI variables (optional: a host without CI
   * leaves it out); undefined outside CI or when a
   * variable is missing or malformed (it goes into a PR body as a link).
   */
  runUrl?(env: NodeJS.ProcessEnv): string | undefined;
  /** How git authenticates to the host with `token` over HTTPS. */
  gitCredentials(token: string): GitCredentials;
  /** The adapter for pull requests and commit health. */
  connect(connection: CodeHostConnection): CodeHostOperations;
}
