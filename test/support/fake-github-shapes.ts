/**
 * The fake GitHub's JSON shapes: typed response builders, one per OpenAPI schema the bot reads
 * (users, teams, repositories, labels, pull requests, comments, statuses, check runs).
 */
import type {
  CheckRun,
  CheckRunRecord,
  CommentState,
  CommitStatus,
  FullRepository,
  IssueComment,
  Label,
  LabelState,
  PullRequest,
  PullRequestSimple,
  PullState,
  RepoState,
  Schema,
  StatusRecord,
} from './fake-github-types.ts';
import type { FakeStore } from './fake-github-store.ts';

export type Shapes = ReturnType<typeof createShapes>;

export function createShapes(store: FakeStore) {
  const { htmlBase, newId, resolve, refreshHead } = store;
  // ----- JSON shapes (typed by the OpenAPI description) ------------------------------------------------

  function accountId(name: string): number {
    let id = store.accountIds.get(name);
    if (id === undefined) {
      id = newId();
      store.accountIds.set(name, id);
    }
    return id;
  }

  function user(name: string, type = name.endsWith('[bot]') ? 'Bot' : 'User'): Schema<'simple-user'> {
    const id = accountId(name);
    const url = `${store.apiBase}/users/${name}`;
    return {
      login: name,
      id,
      node_id: Buffer.from(`04:User${id}`).toString('base64'),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url,
      html_url: `${htmlBase}/${name}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type,
      site_admin: false,
      user_view_type: 'public',
    };
  }

  function teamSimple(repo: RepoState, slug: string): Schema<'team-simple'> {
    const id = accountId(`team:${repo.owner}/${slug}`);
    const url = `${store.apiBase}/organizations/${accountId(repo.owner)}/team/${id}`;
    return {
      id,
      node_id: Buffer.from(`04:Team${id}`).toString('base64'),
      url,
      html_url: `${htmlBase}/orgs/${repo.owner}/teams/${slug}`,
      name: slug,
      slug,
      description: null,
      privacy: 'closed',
      notification_setting: 'notifications_enabled',
      permission: 'pull',
      members_url: `${url}/members{/member}`,
      repositories_url: `${url}/repos`,
      type: 'organization',
    };
  }

  function team(repo: RepoState, slug: string): Schema<'team'> {
    return { ...teamSimple(repo, slug), parent: null };
  }

  function repoUrls(repo: RepoState) {
    const url = `${store.apiBase}/repos/${repo.fullName}`;
    const html = `${htmlBase}/${repo.fullName}`;
    return {
      url,
      html_url: html,
      archive_url: `${url}/{archive_format}{/ref}`,
      assignees_url: `${url}/assignees{/user}`,
      blobs_url: `${url}/git/blobs{/sha}`,
      branches_url: `${url}/branches{/branch}`,
      collaborators_url: `${url}/collaborators{/collaborator}`,
      comments_url: `${url}/comments{/number}`,
      commits_url: `${url}/commits{/sha}`,
      compare_url: `${url}/compare/{base}...{head}`,
      contents_url: `${url}/contents/{+path}`,
      contributors_url: `${url}/contributors`,
      deployments_url: `${url}/deployments`,
      downloads_url: `${url}/downloads`,
      events_url: `${url}/events`,
      forks_url: `${url}/forks`,
      git_commits_url: `${url}/git/commits{/sha}`,
      git_refs_url: `${url}/git/refs{/sha}`,
      git_tags_url: `${url}/git/tags{/sha}`,
      git_url: `git://${htmlBase.replace(/^https?:\/\//, '')}/${repo.fullName}.git`,
      issue_comment_url: `${url}/issues/comments{/number}`,
      issue_events_url: `${url}/issues/events{/number}`,
      issues_url: `${url}/issues{/number}`,
      keys_url: `${url}/keys{/key_id}`,
      labels_url: `${url}/labels{/name}`,
      languages_url: `${url}/languages`,
      merges_url: `${url}/merges`,
      milestones_url: `${url}/milestones{/number}`,
      notifications_url: `${url}/notifications{?since,all,participating}`,
      pulls_url: `${url}/pulls{/number}`,
      releases_url: `${url}/releases{/id}`,
      ssh_url: `git@${htmlBase.replace(/^https?:\/\//, '')}:${repo.fullName}.git`,
      stargazers_url: `${url}/stargazers`,
      statuses_url: `${url}/statuses/{sha}`,
      subscribers_url: `${url}/subscribers`,
      subscription_url: `${url}/subscription`,
      tags_url: `${url}/tags`,
      teams_url: `${url}/teams`,
      trees_url: `${url}/git/trees{/sha}`,
      clone_url: `${html}.git`,
      hooks_url: `${url}/hooks`,
      svn_url: html,
    };
  }

  function repoCommon(repo: RepoState) {
    const openIssues = [...repo.pulls.values()].filter((pull) => pull.state === 'open').length;
    return {
      ...repoUrls(repo),
      id: repo.id,
      node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
      name: repo.name,
      full_name: repo.fullName,
      owner: user(repo.owner, 'Organization'),
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      description: null,
      fork: false,
      mirror_url: null,
      homepage: null,
      language: 'TypeScript',
      forks_count: 0,
      forks: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 0,
      default_branch: repo.defaultBranch,
      open_issues_count: openIssues,
      open_issues: openIssues,
      topics: [],
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: false,
      has_discussions: false,
      archived: false,
      disabled: false,
      license: null,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      allow_merge_commit: true,
      allow_squash_merge: true,
      allow_rebase_merge: true,
      delete_branch_on_merge: false,
      pushed_at: repo.createdAt,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
    };
  }

  function repository(repo: RepoState): Schema<'repository'> {
    return repoCommon(repo);
  }

  function fullRepository(repo: RepoState): FullRepository {
    return { ...repoCommon(repo), subscribers_count: 0, network_count: 0 };
  }

  function minimalRepository(repo: RepoState): Schema<'minimal-repository'> {
    return repoCommon(repo);
  }

  function label(repo: RepoState, state: LabelState): Label {
    return {
      id: state.id,
      node_id: Buffer.from(`08:Label${state.id}`).toString('base64'),
      url: `${store.apiBase}/repos/${repo.fullName}/labels/${encodeURIComponent(state.name)}`,
      name: state.name,
      description: state.description,
      color: state.color,
      default: false,
    };
  }

  function labelsOf(repo: RepoState, pull: PullState): Label[] {
    return pull.labels.flatMap((name) => {
      const state = repo.labels.get(name.toLowerCase());
      return state ? [label(repo, state)] : [];
    });
  }

  function pullLinks(repo: RepoState, pull: PullState) {
    const api = `${store.apiBase}/repos/${repo.fullName}`;
    const url = `${api}/pulls/${pull.number}`;
    const html = `${htmlBase}/${repo.fullName}/pull/${pull.number}`;
    const urls = {
      url,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${pull.number}`,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${pull.number}/comments`,
      statuses_url: `${api}/statuses/${pull.headSha}`,
    };
    return {
      ...urls,
      _links: {
        self: { href: urls.url },
        html: { href: urls.html_url },
        issue: { href: urls.issue_url },
        comments: { href: urls.comments_url },
        review_comments: { href: urls.review_comments_url },
        review_comment: { href: urls.review_comment_url },
        commits: { href: urls.commits_url },
        statuses: { href: urls.statuses_url },
      },
    };
  }

  async function pullCommon(repo: RepoState, pull: PullState) {
    await refreshHead(repo, pull);
    const baseSha = (await resolve(repo, pull.baseRef)) ?? '';
    const author = user(pull.author);
    const owner = user(repo.owner, 'Organization');
    return {
      ...pullLinks(repo, pull),
      id: pull.id,
      node_id: Buffer.from(`011:PullRequest${pull.id}`).toString('base64'),
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: author,
      body: pull.body,
      milestone: null,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      closed_at: pull.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: pull.reviewers.map((name) => user(name)),
      head: {
        label: `${repo.owner}:${pull.headRef}`,
        ref: pull.headRef,
        sha: pull.headSha,
        user: owner,
        repo: repository(repo),
      },
      base: {
        label: `${repo.owner}:${pull.baseRef}`,
        ref: pull.baseRef,
        sha: baseSha,
        user: owner,
        repo: repository(repo),
      },
      author_association: 'CONTRIBUTOR' as const,
      auto_merge: null,
      draft: pull.draft,
    };
  }

  async function pullRequest(repo: RepoState, pull: PullState): Promise<PullRequest> {
    const comments = repo.comments.filter((comment) => comment.issueNumber === pull.number).length;
    return {
      ...(await pullCommon(repo, pull)),
      labels: labelsOf(repo, pull),
      requested_teams: pull.teams.map((slug) => teamSimple(repo, slug)),
      merged: pull.merged,
      mergeable: pull.state === 'open' ? true : null,
      rebaseable: pull.state === 'open' ? true : null,
      mergeable_state: pull.state === 'open' ? 'clean' : 'unknown',
      merged_by: pull.mergedBy === null ? null : user(pull.mergedBy),
      comments,
      review_comments: 0,
      maintainer_can_modify: pull.maintainerCanModify,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  async function pullRequestSimple(repo: RepoState, pull: PullState): Promise<PullRequestSimple> {
    return {
      ...(await pullCommon(repo, pull)),
      labels: labelsOf(repo, pull).map((entry) => ({ ...entry, description: entry.description ?? '' })),
      requested_teams: pull.teams.map((slug) => team(repo, slug)),
    };
  }

  function issueComment(repo: RepoState, comment: CommentState): IssueComment {
    const api = `${store.apiBase}/repos/${repo.fullName}`;
    return {
      id: comment.id,
      node_id: Buffer.from(`012:IssueComment${comment.id}`).toString('base64'),
      url: `${api}/issues/comments/${comment.id}`,
      html_url: `${htmlBase}/${repo.fullName}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
      issue_url: `${api}/issues/${comment.issueNumber}`,
      body: comment.body,
      user: user(comment.author),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: 'CONTRIBUTOR',
    };
  }

  function statusBase(repo: RepoState, record: StatusRecord) {
    return {
      url: `${store.apiBase}/repos/${repo.fullName}/statuses/${record.sha}`,
      avatar_url: user(record.creator).avatar_url,
      id: record.id,
      node_id: Buffer.from(`013:StatusContext${record.id}`).toString('base64'),
      state: record.state,
      description: record.description,
      target_url: record.targetUrl,
      context: record.context,
      created_at: record.createdAt,
      updated_at: record.createdAt,
    };
  }

  function commitStatus(repo: RepoState, record: StatusRecord): CommitStatus {
    return { ...statusBase(repo, record), creator: user(record.creator) };
  }

  function checkRun(repo: RepoState, record: CheckRunRecord): CheckRun {
    const api = `${store.apiBase}/repos/${repo.fullName}`;
    return {
      id: record.id,
      head_sha: record.sha,
      node_id: Buffer.from(`08:CheckRun${record.id}`).toString('base64'),
      external_id: '',
      url: `${api}/check-runs/${record.id}`,
      html_url: `${htmlBase}/${repo.fullName}/runs/${record.id}`,
      details_url: record.detailsUrl,
      status: record.status,
      conclusion: record.conclusion,
      started_at: record.startedAt,
      completed_at: record.completedAt,
      output: {
        title: null,
        summary: null,
        text: null,
        annotations_count: 0,
        annotations_url: `${api}/check-runs/${record.id}/annotations`,
      },
      name: record.name,
      check_suite: { id: record.id + 1_000_000 },
      app: null,
      pull_requests: [],
    };
  }

  return {
    accountId,
    user,
    teamSimple,
    team,
    repoUrls,
    repoCommon,
    repository,
    fullRepository,
    minimalRepository,
    label,
    labelsOf,
    pullLinks,
    pullCommon,
    pullRequest,
    pullRequestSimple,
    issueComment,
    statusBase,
    commitStatus,
    checkRun,
  };
}
