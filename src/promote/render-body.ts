/**
 * The PR a reviewer decides from: title, body (templates/pr-body.hbs) and commit message, all pure
 * functions of the plan. The body stays under the code host's limit (CodeHostProfile.bodyLimit) by
 * summarizing in steps (diffs, then file lists, then long tables) rather than being cut mid-table.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { formatSeconds } from '../matrix/duration.ts';
import type { Pin } from '../matrix/types.ts';
import { describeSource, formatInstant, passesAt } from './gates.ts';
import { renderMarker, TRAILERS } from './naming.ts';
import type { AppPromotion, GateResult, PromotionPlan, RiskKind, TargetChange } from './types.ts';

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

function shortDigest(pin: Pin | undefined): string {
  return pin?.digest ? `\`${pin.digest.slice(0, 19)}…\`` : '—';
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
      `${p.app}: ${versionChange(p)}${p.to.digest ? ` (${p.to.digest})` : ''} from ${describeSource(p.source)}`,
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

function gateCell(gates: readonly GateResult[], name: GateResult['gate']): string {
  const gate = gates.find((g) => g.gate === name);
  return gate ? cell(`${ICONS[gate.status]} ${gate.evidence}`) : '—';
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

function rollbackCommands(plan: PlanDraft, maxRows: number): string[] {
  const waveFlag = multiWave(plan) ? ` --wave ${plan.request.wave}` : '';
  const commands = plan.promotions
    .filter((p) => p.from)
    .map(
      (p) =>
        `envmatrix pin --env ${plan.request.to}${waveFlag} --app ${p.app} --tag ${p.from!.tag}${p.from!.digest ? ` --digest ${p.from!.digest}` : ''}`,
    );
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
  const rendered = plan.changes.map((change) => {
    const files = level.fileList ? take(change.files, level.maxRows) : { shown: [], more: 0 };
    const patches: { fence: string; patch: string }[] = [];
    for (const file of change.files) {
      if (file.patch.length <= patchBudget) {
        patches.push({ fence: fenceFor(file.patch), patch: file.patch });
        patchBudget -= file.patch.length;
      } else patchesOmitted++;
    }
    return {
      scope: change.scope,
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
  const riskReviewers = [
    ...plan.riskReviewers.users.map((u) => `@${u}`),
    ...plan.riskReviewers.teams.map((t) => `team ${t}`),
  ];
  return template({
    from,
    to,
    waveFlag,
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
      digest: shortDigest(p.to),
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
        evidence: cell(
          blocking.map((g) => g.evidence).join('; ') || 'held back by --atomic: another app is blocked',
        ),
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
