/**
 * The PR a reviewer decides from: title, body (templates/pr-body.hbs) and commit message, all pure
 * functions of the plan. The body stays under the code host's limit (CodeHostProfile.bodyLimit) by
 * summarizing in steps (diffs, then file lists, then long tables) rather than being cut mid-table.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { formatSeconds } from '../matrix/duration.ts';
import type { Pin } from '../matrix/types.ts';
import { describeSource, formatInstant, passesAt, shortDigest, shortSha } from './gates.ts';
import { labelOnlyMove, type VersionMove } from './label-only.ts';
import { renderMarker, TRAILERS } from './naming.ts';
import type {
  AppPromotion,
  FileChange,
  GateResult,
  ManualStep,
  PromotionPlan,
  RiskKind,
  TargetChange,
  Trigger,
} from './types.ts';

/** Everything the renderers read: the plan without its rendered text. */
export type PlanDraft = Omit<PromotionPlan, 'title' | 'body' | 'commitMessage'>;

const TITLE_LIMIT = 200;

const template = Handlebars.compile(
  readFileSync(new URL('./templates/pr-body.hbs', import.meta.url), 'utf8'),
  { noEscape: true, strict: false },
);

const RISK_LABELS: Record<RiskKind, string> = {
  deletion: 'Deleted',
  namespace: 'Namespace move',
  crd: 'CRD',
  rbac: 'RBAC',
  'network-policy': 'NetworkPolicy loosened',
  'persistent-volume': 'Volume claim',
  service: 'Service',
  strategy: 'Strategy',
  migration: 'Migration',
  downgrade: 'Downgrade',
  'new-app': 'New app',
  drift: 'Stale generated/',
};

const ICONS: Record<GateResult['status'], string> = { pass: '✅', block: '⛔', skip: '➖' };

/** A Markdown table cell: no line breaks, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function pinDigests(pin: Pin | undefined): string {
  const migration = pin?.migrateDigest ? ` (migration \`${shortDigest(pin.migrateDigest)}\`)` : '';
  return pin?.digest ? `\`${shortDigest(pin.digest)}\`${migration}` : migration.trim() || '—';
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function changeSummary(change: Pick<TargetChange, 'files' | 'additions' | 'deletions'>): string {
  // A manifest.yaml changes per object: count it once, and say how many of its objects changed.
  const files = new Set(change.files.map((file) => file.path)).size;
  const objects = change.files.filter((file) => file.object !== undefined).length;
  const ofWhich = objects > 0 ? ` (${plural(objects, 'object')})` : '';
  return change.files.length === 0
    ? 'no change'
    : `${plural(files, 'file')}${ofWhich}, +${change.additions} −${change.deletions}`;
}

/** `aws/us-east-1` (plus the cluster when it is not `main`) for titles. */
function shortTarget(id: string): string {
  const [, cloud, region, cluster] = id.split('/');
  return [cloud, region, cluster === 'main' ? undefined : cluster].filter(Boolean).join('/');
}

function multiWave(plan: PlanDraft): boolean {
  return plan.waves.length > 1;
}

function waveSuffix(plan: PlanDraft): string {
  if (!multiWave(plan)) return '';
  return ` (wave ${plan.request.wave}: ${plan.targets.map((t) => shortTarget(t.id)).join(', ')})`;
}

function versionChange(promotion: AppPromotion): string {
  return promotion.from ? `${promotion.from.tag} → ${promotion.to.tag}` : promotion.to.tag;
}

/** What the PR moves: the promotions, or while every app is blocked (on hold), what it would move. */
function moving(plan: PlanDraft): readonly AppPromotion[] {
  return plan.promotions.length > 0 ? plan.promotions : plan.blocked;
}

export function renderTitle(plan: PlanDraft): string {
  const { to } = plan.request;
  const apps = moving(plan);
  const prefix = plan.promotions.length > 0 ? 'Promote' : 'On hold: promote';
  const title = `${prefix} ${apps.map((p) => `${p.app} ${versionChange(p)}`).join(', ')} to ${to}${waveSuffix(plan)}`;
  if (title.length <= TITLE_LIMIT) return title;
  const short = `${prefix} ${plural(apps.length, 'app')} from ${plan.request.from} to ${to}${waveSuffix(plan)}`;
  return short.length <= TITLE_LIMIT ? short : `${short.slice(0, TITLE_LIMIT - 1)}…`;
}

export function renderCommitMessage(plan: PlanDraft): string {
  const { from, to, wave } = plan.request;
  const subject = `Promote ${plan.promotions.map((p) => `${p.app} ${p.to.tag}`).join(', ')} to ${to}${multiWave(plan) ? ` (wave ${wave})` : ''}`;
  const lines = plan.promotions.map(
    (p) =>
      `${p.app}: ${versionChange(p)}${p.to.digest ? ` (${p.to.digest})` : ''}${p.to.migrateDigest ? ` (migration image ${p.to.migrateDigest})` : ''} from ${describeSource(p.source)}`,
  );
  const trailers = [
    `${TRAILERS.from}: ${from}`,
    `${TRAILERS.apps}: ${plan.promotions.map((p) => `${p.app}@${p.to.tag}`).join(' ')}`,
    ...(multiWave(plan) ? [`${TRAILERS.wave}: ${wave}`] : []),
    `${TRAILERS.plan}: ${plan.marker.hash}`,
  ];
  const shortSubject =
    subject.length <= 72
      ? subject
      : `Promote ${plural(plan.promotions.length, 'app')} to ${to}${multiWave(plan) ? ` (wave ${wave})` : ''}`;
  return `${shortSubject}\n\n${lines.join('\n')}\n\n${trailers.join('\n')}\n`;
}

interface Level {
  /** Characters of unified diff to include in total. */
  readonly patchChars: number;
  /** List files per target (false: counts only). */
  readonly fileList: boolean;
  /** Rows per table. */
  readonly maxRows: number;
}

const LEVELS: readonly Level[] = [
  { patchChars: 30_000, fileList: true, maxRows: Number.POSITIVE_INFINITY },
  { patchChars: 0, fileList: true, maxRows: Number.POSITIVE_INFINITY },
  { patchChars: 0, fileList: false, maxRows: Number.POSITIVE_INFINITY },
  { patchChars: 0, fileList: false, maxRows: 50 },
  { patchChars: 0, fileList: false, maxRows: 10 },
];

function take<T>(items: readonly T[], max: number): { shown: T[]; more: number } {
  return { shown: items.slice(0, max), more: Math.max(0, items.length - max) };
}

/**
 * A link target safe inside Markdown `[…](…)`: http(s) only, without credentials (a status URL is
 * someone else's text, and nothing secret goes into a PR), parentheses and pipes escaped.
 */
export function safeLink(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  url.username = '';
  url.password = '';
  return url.href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\|/g, '%7C');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A gate's evidence as a table cell, each name in `links` (a health context, a PR number) linked where
 * it starts an item of the evidence, so the reviewer opens the run that proved it.
 */
export function linkedEvidence(gate: Pick<GateResult, 'evidence' | 'links'>): string {
  let text = cell(gate.evidence);
  const links = Object.entries(gate.links ?? {}).sort(([a], [b]) => b.length - a.length);
  for (const [label, raw] of links) {
    const url = safeLink(raw);
    if (!url) continue;
    const at = new RegExp(`(^|[,;] )${escapeRegExp(cell(label))}(?=[: ])`);
    text = text.replace(at, (_match, lead: string) => `${lead}[${cell(label)}](${url})`);
  }
  return text;
}

function gateCell(gates: readonly GateResult[], name: GateResult['gate']): string {
  const gate = gates.find((g) => g.gate === name);
  return gate ? `${ICONS[gate.status]} ${linkedEvidence(gate)}` : '—';
}

/** `Evaluated at … on main at abc1234, from workflow run …`: when the figures above were true. */
export function evaluatedLine(
  at: string,
  base: string,
  trigger: Trigger,
  /** What is time-dependent in this body. */
  figures = 'Soak, health and freeze are',
): string {
  const commit = trigger.commit ? ` on \`${base}\` at \`${shortSha(trigger.commit)}\`` : '';
  const url = trigger.runUrl ? safeLink(trigger.runUrl) : undefined;
  const run = url ? `, by [this workflow run](${url})` : '';
  return `_Evaluated at ${formatInstant(at)}${commit}${run}. ${figures} as of then; the bot updates this description when the plan changes._`;
}

function manualIntro(steps: readonly ManualStep[], env: string, soak?: string): string {
  const apps = [...new Set(steps.map((step) => step.app))];
  return `${apps.map((app) => `**${app}**`).join(', ')} ${apps.length === 1 ? 'is a blue-green app' : 'are blue-green apps'} without auto-promotion in ${env}: once the merge is synced, the new version waits on the preview Service.${soak ? ` ${soak}` : ''} Check it, then switch traffic on each cluster:`;
}

/** The relabelled objects of a target: one line instead of one diff each. */
function relabelledLine(
  files: readonly { file: FileChange; move: VersionMove }[],
  listObjects: boolean,
  maxRows: number,
): string | undefined {
  if (files.length === 0) return undefined;
  const moves = [...new Set(files.map(({ move }) => `${move.app} ${move.from} → ${move.to}`))];
  const objects = take(
    files.map(({ file }) => file.object!),
    maxRows,
  );
  const list = listObjects
    ? `: ${objects.shown.join(', ')}${objects.more > 0 ? `, … and ${objects.more} more` : ''}`
    : '';
  return `${plural(files.length, 'object')} change only their \`app.kubernetes.io/version\` label (${moves.join(', ')})${list}`;
}

function fenceFor(patch: string): string {
  let fence = '```';
  while (patch.includes(fence)) fence += '`';
  return fence;
}

function mermaidGraph(plan: PlanDraft): string {
  const apps = [...plan.promotions, ...plan.blocked].map((p) => p.app).sort();
  const shown = apps.slice(0, 6);
  const more = apps.length - shown.length;
  const promoted = new Map(plan.promotions.map((p) => [p.app, p]));
  const lines = ['graph LR'];
  plan.pipeline.forEach((stage, index) => {
    const name = stage.wave === undefined ? stage.env : `${stage.env} wave ${stage.wave}`;
    const versions = shown.map((app) => {
      const promotion = stage.current ? promoted.get(app) : undefined;
      const tag = stage.versions[app] ?? '—';
      return promotion && promotion.from?.tag !== promotion.to.tag
        ? `${app} ${tag} → ${promotion.to.tag}`
        : `${app} ${tag}`;
    });
    if (more > 0) versions.push(`+${more} more`);
    const label = [name, ...versions].join('<br/>').replace(/"/g, '#quot;');
    lines.push(`  s${index}["${label}"]${stage.current ? ':::current' : ''}`);
  });
  for (let index = 1; index < plan.pipeline.length; index++) lines.push(`  s${index - 1} --> s${index}`);
  lines.push('  classDef current stroke-width:3px');
  return lines.join('\n');
}

/** The `envmatrix pin` flags that write `pin` back as it is. */
function pinFlags(pin: Pin): string {
  return [
    `--tag ${pin.tag}`,
    ...(pin.digest ? [`--digest ${pin.digest}`] : []),
    ...(pin.migrateDigest ? [`--migrate-digest ${pin.migrateDigest}`] : []),
  ].join(' ');
}

function rollbackCommands(plan: PlanDraft, maxRows: number): string[] {
  const waveFlag = multiWave(plan) ? ` --wave ${plan.request.wave}` : '';
  const commands = plan.promotions
    .filter((p) => p.from)
    .map((p) => `envmatrix pin --env ${plan.request.to}${waveFlag} --app ${p.app} ${pinFlags(p.from!)}`);
  if (commands.length === 0)
    return ['# every app in this PR is new to the environment: revert the merge commit'];
  const { shown, more } = take(commands, maxRows);
  return more > 0 ? [...shown, `# … and ${more} more apps: revert the merge commit instead`] : shown;
}

function bodyAt(plan: PlanDraft, level: Level, host: BodyHost): string {
  const { from, to, wave } = plan.request;
  const waveFlag = multiWave(plan) ? ` --wave ${wave}` : '';
  const risks = take(plan.risks, level.maxRows);
  const changes = take(moving(plan), level.maxRows);
  const gateRows = take(plan.promotions, level.maxRows);
  const blocked = take(plan.blocked, level.maxRows);
  const byScope = new Map(plan.changes.map((change) => [change.scope, change]));
  let patchBudget = level.patchChars;
  let patchesOmitted = 0;
  const moves: VersionMove[] = plan.promotions.flatMap((p) =>
    p.from && p.from.tag !== p.to.tag ? [{ app: p.app, from: p.from.tag, to: p.to.tag }] : [],
  );
  const rendered = plan.changes.map((change) => {
    const relabelled: { file: FileChange; move: VersionMove }[] = [];
    const shown: FileChange[] = [];
    for (const file of change.files) {
      const move = labelOnlyMove(file, moves);
      if (move) relabelled.push({ file, move });
      else shown.push(file);
    }
    const files = level.fileList ? take(shown, level.maxRows) : { shown: [], more: 0 };
    const patches: { fence: string; patch: string }[] = [];
    for (const file of shown) {
      if (file.patch.length <= patchBudget) {
        patches.push({ fence: fenceFor(file.patch), patch: file.patch });
        patchBudget -= file.patch.length;
      } else patchesOmitted++;
    }
    return {
      scope: change.scope,
      relabelled: relabelledLine(relabelled, level.fileList, level.maxRows),
      files: files.shown.map((f) => ({ ...f, path: `generated/${f.path}` })),
      filesMore: level.fileList ? files.more : 0,
      patches,
    };
  });
  const totalFiles = plan.changes.reduce((n, c) => n + c.files.length, 0);
  const total = {
    files: plan.changes.flatMap((c) => c.files),
    additions: plan.changes.reduce((n, c) => n + c.additions, 0),
    deletions: plan.changes.reduce((n, c) => n + c.deletions, 0),
  };
  const sourceEnvs = [...new Set(moving(plan).map((p) => describeSource(p.source)))];
  const where =
    `from **${sourceEnvs.join('**, **') || from}** to **${to}**` +
    (multiWave(plan)
      ? `, wave **${wave}** of ${plan.waves.length} (${plan.targets.map((t) => shortTarget(t.id)).join(', ')})`
      : '');
  const headline =
    plan.promotions.length > 0
      ? `Promotes **${plural(plan.promotions.length, 'app')}** ${where}.`
      : `⛔ **On hold**: every app this PR would promote ${where} is blocked by a gate (see Gates). The branch keeps its last content; do not merge until the gates pass.`;
  const laterWaves =
    plan.laterWaves.length === 0
      ? undefined
      : `Later waves get their own PRs, each once the previous wave is merged${plan.soakSeconds > 0 ? ` and has soaked ${formatSeconds(plan.soakSeconds)}` : ''}: ` +
        plan.laterWaves
          .map((w) => `wave ${w.wave} (${w.targets.map((t) => `\`${t}\``).join(', ')})`)
          .join(', ') +
        '.';
  const sharedGates = (['order', 'freeze'] as const).flatMap((name) => {
    const gate = moving(plan)[0]?.gates.find((g) => g.gate === name);
    return gate ? [{ gate: name, icon: ICONS[gate.status], evidence: gate.evidence }] : [];
  });
  const stage = multiWave(plan) ? `${to} wave ${wave}` : to;
  const later =
    plan.laterWaves.length > 0
      ? `, and wave${plan.laterWaves.length === 1 ? '' : 's'} ${plan.laterWaves.map((w) => w.wave).join(' and ')} do not get them,`
      : '';
  const closeNote = `close this PR to stop these versions: the bot does not propose them to ${stage} again${later} until a new pin moves ${sourceEnvs.join(', ') || from}, or \`envmatrix promote --from ${from} --to ${to}${waveFlag} --resume\` runs.`;
  const riskReviewers = [
    ...plan.riskReviewers.users.map((u) => `@${u}`),
    ...plan.riskReviewers.teams.map((t) => `team ${t}`),
  ];
  return template({
    assessed: true,
    from,
    to,
    waveFlag,
    evaluated: evaluatedLine(plan.evaluatedAt, plan.base, plan.trigger),
    manual: plan.afterMerge.map((step) => step.command),
    manualIntro: manualIntro(
      plan.afterMerge,
      to,
      plan.laterWaves.length > 0 && plan.soakSeconds > 0
        ? `Wave ${plan.laterWaves[0]!.wave}'s ${formatSeconds(plan.soakSeconds)} soak counts from the merge, not from the switch, so switch soon after the sync.`
        : undefined,
    ),
    closeNote,
    risks: risks.shown.map((risk) => ({
      ...risk,
      label: RISK_LABELS[risk.kind],
      path: risk.path ? `generated/${risk.path}` : undefined,
    })),
    riskMore: risks.more,
    riskReviewers: plan.risks.length > 0 && riskReviewers.length > 0 ? riskReviewers.join(', ') : undefined,
    headline,
    changes: changes.shown.map((p) => ({
      app: p.app,
      from: p.from ? cell(p.from.tag) : '(new)',
      to: cell(p.to.tag),
      digest: pinDigests(p.to),
      link: p.compareUrl ? `[${cell(p.from?.tag ?? '')}…${cell(p.to.tag)}](${p.compareUrl})` : '—',
    })),
    changesMore: changes.more,
    targets: plan.targets.map((t) => ({
      ...t,
      summary: changeSummary(byScope.get(t.id) ?? { files: [], additions: 0, deletions: 0 }),
    })),
    laterWaves,
    drift: plan.drift,
    driftList:
      take(plan.drift, 10)
        .shown.map((p) => `\`generated/${p}\``)
        .join(', ') + (plan.drift.length > 10 ? ', …' : ''),
    renderedSummary: totalFiles === 0 ? 'no files' : changeSummary(total),
    rendered,
    patchesOmitted,
    hostName: host.displayName,
    sharedGates,
    gateRows: gateRows.shown.map((p) => ({
      app: p.app,
      digest: gateCell(p.gates, 'digest'),
      soak: gateCell(p.gates, 'soak'),
      health: gateCell(p.gates, 'health'),
    })),
    gateRowsMore: gateRows.more,
    blocked: blocked.shown.map((p) => {
      const blocking = p.gates.filter((g) => g.status === 'block');
      const at = passesAt(p.gates);
      return {
        app: p.app,
        to: cell(versionChange(p)),
        gates: blocking.map((g) => g.gate).join(', ') || 'atomic',
        evidence:
          blocking.map((g) => linkedEvidence(g)).join('; ') ||
          'held back by --atomic: another app is blocked',
        passesAt: at ? formatInstant(at) : '—',
      };
    }),
    blockedMore: blocked.more,
    upToDate: plan.upToDate.join(', '),
    mermaid: mermaidGraph(plan),
    rollback: rollbackCommands(plan, level.maxRows),
    marker: renderMarker(plan.marker),
  });
}

/** What the body needs of the code host (CodeHostProfile): its name and its size limit. */
export interface BodyHost {
  readonly displayName: string;
  readonly bodyLimit: number;
}

/** The PR body: the most detailed rendering that fits under the code host's limit. */
export function renderBody(plan: PlanDraft, host: BodyHost): string {
  const limit = host.bodyLimit;
  for (const level of LEVELS) {
    const body = bodyAt(plan, level, host);
    if (body.length <= limit) return body;
  }
  const marker = renderMarker(plan.marker);
  const body = bodyAt(plan, LEVELS[LEVELS.length - 1]!, host);
  return `${body.slice(0, limit - marker.length - 40)}\n\n… (cut to fit)\n\n${marker}\n`;
}

/** What a pin PR's body says: the same template as a promotion, without the rendered diff. */
export interface PinBodyInput {
  readonly env: string;
  readonly app: string;
  readonly from?: Pin;
  readonly to: Pin;
  /** `prod wave 0`, or the environment. */
  readonly where: string;
  /** The waves the pin writes, and every wave the app runs in. */
  readonly written: readonly number[];
  readonly waves: readonly number[];
  /** The waves after those written, and their targets. */
  readonly laterWaves: readonly { readonly wave: number; readonly targets: readonly string[] }[];
  readonly soakSeconds: number;
  readonly targets: readonly { readonly id: string; readonly wave: number; readonly engine: string }[];
  readonly digest: GateResult;
  readonly freeze?: GateResult;
  /** The --override-freeze reason, when the freeze blocked and was overridden. */
  readonly overridden?: string;
  readonly compareUrl?: string;
  readonly afterMerge: readonly ManualStep[];
  /** Set when the gates were evaluated (a push): when, on which base commit, from which run. */
  readonly evaluation?: { readonly at: string; readonly base: string; readonly trigger: Trigger };
  readonly marker: string;
}

export function renderPinBody(input: PinBodyInput): string {
  const { env, app, from, to, where } = input;
  const waveFlag = input.written.length === 1 && input.waves.length > 1 ? ` --wave ${input.written[0]}` : '';
  // Both digests a reviewer approves, the migration image's too (it runs with the database's rights).
  const digests = [
    ...(to.digest ? [`\`${shortDigest(to.digest)}\``] : []),
    ...(to.migrateDigest ? [`migrations \`${shortDigest(to.migrateDigest)}\``] : []),
  ];
  const version = `${to.tag}${digests.length > 0 ? ` (${digests.join(', ')})` : ''}`;
  const freeze = input.freeze;
  const sharedGates = [
    ...(freeze
      ? [
          input.overridden
            ? {
                gate: 'freeze',
                icon: '⚠️',
                evidence: `**overridden**: ${cell(input.overridden)} (${cell(freeze.evidence)})`,
              }
            : { gate: 'freeze', icon: ICONS[freeze.status], evidence: cell(freeze.evidence) },
        ]
      : []),
    { gate: 'digest', icon: ICONS[input.digest.status], evidence: cell(input.digest.evidence) },
  ];
  const later = input.laterWaves;
  return template({
    assessed: false,
    headline: `Pins **${app}** to **${version}** in **${where}**${from ? ` (was ${from.tag})` : ''}. Validated against the matrix and ${env}'s policy by \`envmatrix pin\`; generated/ is synthed in this PR.`,
    evaluated: input.evaluation
      ? evaluatedLine(input.evaluation.at, input.evaluation.base, input.evaluation.trigger, 'The freeze is')
      : '',
    changes: [
      {
        app,
        from: from ? cell(from.tag) : '(new)',
        to: cell(to.tag),
        digest: pinDigests(to),
        link: input.compareUrl ? `[${cell(from?.tag ?? '')}…${cell(to.tag)}](${input.compareUrl})` : '—',
      },
    ],
    targets: input.targets,
    laterWaves:
      later.length === 0
        ? undefined
        : `Later waves follow through \`envmatrix promote\`, each once the wave before it is merged${input.soakSeconds > 0 ? ` and has soaked ${formatSeconds(input.soakSeconds)}` : ''}: ` +
          later.map((w) => `wave ${w.wave} (${w.targets.map((t) => `\`${t}\``).join(', ')})`).join(', ') +
          '.',
    sharedGates,
    manual: input.afterMerge.map((step) => step.command),
    manualIntro: manualIntro(input.afterMerge, env),
    closeNote: `close this PR: ${where} keeps what it runs${later.length > 0 ? `, and nothing moves on to wave${later.length === 1 ? '' : 's'} ${later.map((w) => w.wave).join(' and ')}` : ''}.`,
    rollback: from
      ? [`envmatrix pin --env ${env}${waveFlag} --app ${app} ${pinFlags(from)}`]
      : [`# ${app} is new to ${env}: revert the merge commit`],
    marker: input.marker,
  });
}
