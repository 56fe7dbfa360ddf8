/**
 * The fake GitHub's in-memory state: repositories, pull requests, comments, labels, statuses and check
 * runs, with the lookups and list helpers the routes share.
 */
import type {
  FakeGitHubOptions,
  Fault,
  LabelState,
  PullState,
  RecordedCall,
  RepoSeed,
  RepoState,
  StatusRecord,
  StatusSeed,
} from './fake-github-types.ts';
import { DOCS, FULL_SHA, invalidRequest, isoSeconds, notFound, toIso } from './fake-github-routing.ts';
import type { Context, JsonObject, Reply } from './fake-github-routing.ts';

/** The state and helpers every route module reads and writes. */
export type FakeStore = ReturnType<typeof createStore>;

export function createStore(options: FakeGitHubOptions) {
  const login = options.login ?? 'envmatrix-bot';
  const htmlBase = (options.htmlBaseUrl ?? 'https://github.com').replace(/\/$/, '');
  const now = (): string => isoSeconds(options.now?.() ?? new Date());
  const repos = new Map<string, RepoState>();
  const calls: RecordedCall[] = [];
  const faults: { fault: Fault; remaining: number }[] = [];
  const accountIds = new Map<string, number>();
  let nextId = 1000;
  const newId = (): number => nextId++;

  // ----- state helpers ------------------------------------------------------------------------------

  function addRepo(seed: string | RepoSeed): void {
    const full = typeof seed === 'string' ? { fullName: seed } : seed;
    const [owner, name, extra] = full.fullName.split('/');
    if (!owner || !name || extra !== undefined)
      throw new Error(`Repository must be "owner/name": ${full.fullName}`);
    if (repos.has(full.fullName.toLowerCase())) throw new Error(`Repository ${full.fullName} already exists`);
    repos.set(full.fullName.toLowerCase(), {
      id: newId(),
      owner,
      name,
      fullName: `${owner}/${name}`,
      defaultBranch: full.defaultBranch ?? 'main',
      private: full.private ?? false,
      createdAt: now(),
      branches: new Map(Object.entries(full.branches ?? {})),
      collaborators: full.collaborators ? new Set(full.collaborators) : undefined,
      teams: full.teams ? new Set(full.teams) : undefined,
      nextNumber: 1,
      pulls: new Map(),
      comments: [],
      labels: new Map(),
      statuses: [],
      checkRuns: [],
    });
  }
  for (const seed of options.repos ?? []) addRepo(seed);

  function repoNamed(fullName: string | undefined): RepoState {
    if (fullName === undefined) {
      if (repos.size !== 1) throw new Error(`Name the repository: the fake holds ${repos.size}`);
      return [...repos.values()][0] as RepoState;
    }
    const repo = repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`Unknown repository ${fullName}`);
    return repo;
  }

  function repoFromParams(params: Readonly<Record<string, string>>): RepoState {
    const repo = repos.get(`${params.owner}/${params.repo}`.toLowerCase());
    if (!repo) throw notFound(`${DOCS}/repos/repos#get-a-repository`);
    return repo;
  }

  async function resolve(repo: RepoState, ref: string): Promise<string | undefined> {
    const resolved = await options.resolveRef?.(repo.fullName, ref);
    if (resolved) return resolved;
    const branch = ref.replace(/^refs\/heads\//, '');
    return repo.branches.get(branch) ?? (FULL_SHA.test(ref) ? ref : undefined);
  }

  function pullOf(repo: RepoState, number: string | number): PullState {
    const pull = repo.pulls.get(Number(number));
    if (!pull) throw notFound(`${DOCS}/pulls/pulls#get-a-pull-request`);
    return pull;
  }

  /** Open PRs follow their branch; closed ones keep the head they closed with. */
  async function refreshHead(repo: RepoState, pull: PullState): Promise<void> {
    if (pull.state !== 'open') return;
    pull.headSha = (await resolve(repo, pull.headRef)) ?? pull.headSha;
  }

  // ----- list helpers -----------------------------------------------------------------------------------

  /** Page a list as GitHub does (`per_page` ≤ 100, `page` from 1) with a `Link` header Octokit follows. */
  function paginate<T>(items: readonly T[], ctx: Context): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Math.max(Number(ctx.query.get('per_page') ?? 30) || 30, 1), 100);
    const page = Math.max(Number(ctx.query.get('page') ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (n: number, rel: string): string => {
      const query = new URLSearchParams(ctx.query);
      query.set('page', String(n));
      return `<${store.apiBase}${ctx.path}?${query.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    return {
      items: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    };
  }

  function ensureLabel(repo: RepoState, name: string): LabelState {
    const key = name.toLowerCase();
    let state = repo.labels.get(key);
    if (!state) {
      // Adding an unknown label to an issue creates it, as on GitHub.
      state = { id: newId(), name, color: 'ededed', description: null };
      repo.labels.set(key, state);
    }
    return state;
  }

  function labelNames(body: JsonObject, docs: string): string[] {
    const value = body.labels;
    if (!Array.isArray(value)) throw invalidRequest(`"labels" wasn't supplied.`, docs);
    return value.map((entry: unknown) => {
      if (typeof entry === 'string' && entry.trim() !== '') return entry;
      if (typeof entry === 'object' && entry !== null && typeof (entry as JsonObject).name === 'string') {
        return (entry as { name: string }).name;
      }
      throw invalidRequest(`For 'items', ${JSON.stringify(entry)} is not a label name.`, docs);
    });
  }

  function openPullForHead(repo: RepoState, headRef: string, except?: number): PullState | undefined {
    return [...repo.pulls.values()].find(
      (pull) => pull.state === 'open' && pull.headRef === headRef && pull.number !== except,
    );
  }

  function latestPerContext(records: readonly StatusRecord[]): StatusRecord[] {
    const latest = new Map<string, StatusRecord>();
    for (const record of records) latest.set(record.context, record); // records are in creation order
    return [...latest.values()].sort((a, b) => b.id - a.id);
  }

  function recordStatus(repo: RepoState, sha: string, seed: StatusSeed, creator: string): StatusRecord {
    const record: StatusRecord = {
      id: newId(),
      sha,
      state: seed.state,
      context: seed.context ?? 'default',
      description: seed.description ?? null,
      targetUrl: seed.targetUrl ?? null,
      creator,
      createdAt: toIso(seed.createdAt, now()),
    };
    repo.statuses.push(record);
    return record;
  }

  // ----- handlers ---------------------------------------------------------------------------------------

  const created = (body: unknown, location?: string): Reply => ({
    status: 201,
    body,
    headers: location ? { location } : {},
  });

  const store = {
    options,
    /** Set once the server listens. */
    apiBase: 'http://127.0.0.1',
    login,
    htmlBase,
    now,
    repos,
    calls,
    faults,
    newId,
    addRepo,
    repoNamed,
    repoFromParams,
    resolve,
    pullOf,
    refreshHead,
    paginate,
    ensureLabel,
    labelNames,
    openPullForHead,
    latestPerContext,
    recordStatus,
    created,
    accountIds,
  };
  return store;
}
