/**
 * The report page: one self-contained HTML file. The grid, pipeline and history are rendered here as
 * semantic HTML (readable with scripts off, by screen readers and on phones); the inline script adds
 * the filters and the compare view over the same data, embedded as JSON. A Content-Security-Policy of
 * `default-src 'none'` makes the browser refuse any network request the page might try, so it works
 * from a file or any static host (GitHub Pages) and leaks nothing.
 */
import { formatInstant } from '../../promote/gates.ts';
import { formatSeconds } from '../../matrix/duration.ts';
import type { PendingPromotion, ReportData, ReportEnvironment, ReportTarget } from '../report-data.ts';
import type { PromotionEvent } from '../history.ts';

export interface ReportAssets {
  readonly css: string;
  readonly js: string;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** JSON inside <script>: `<` escaped so no value can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function gridSection(data: ReportData): string {
  const options = (values: readonly string[]) =>
    [`<option value="">All</option>`, ...values.map((v) => `<option>${escapeHtml(v)}</option>`)].join('');
  const distinct = (pick: (t: ReportTarget) => string) => [...new Set(data.targets.map(pick))];
  const head = data.apps
    .map((app) => `<th scope="col" data-app="${escapeHtml(app)}">${escapeHtml(app)}</th>`)
    .join('');
  const rows = data.targets
    .map((t) => {
      // Inline elements only, and as few as will do: 5,000 cells must parse, style and lay out fast.
      const cells = t.cells
        .map((cell) => {
          if (!cell) return '<td class="none"><span class="sr">not placed</span>—</td>';
          const digest = cell.digest ? escapeHtml(cell.digest.slice(0, 14)) : 'no digest';
          return `<td>${escapeHtml(cell.tag)}<small>${digest}\n${escapeHtml(cell.strategy)} · ${escapeHtml(cell.replicas)} · ${escapeHtml(t.engine)}</small></td>`;
        })
        .join('');
      return (
        `<tr data-env="${escapeHtml(t.env)}" data-cloud="${escapeHtml(t.cloud)}" data-region="${escapeHtml(t.region)}" data-target="${escapeHtml(t.id)}">` +
        `<th scope="row"><span class="target">${escapeHtml(t.id)}</span>` +
        `<span class="meta">${escapeHtml(t.cloud)} · ${escapeHtml(t.region)} · ${escapeHtml(t.engine)} · wave ${t.wave}</span></th>${cells}</tr>`
      );
    })
    .join('\n');
  return `<section id="fleet" aria-labelledby="fleet-h">
<h2 id="fleet-h">Fleet</h2>
<form id="filters" class="filters" role="search" aria-label="Filter the fleet">
<label>Environment <select name="env">${options(data.environments.map((e) => e.name))}</select></label>
<label>Cloud <select name="cloud">${options(distinct((t) => t.cloud))}</select></label>
<label>Region <select name="region">${options(distinct((t) => t.region).sort())}</select></label>
<label>App <select name="app">${options(data.apps)}</select></label>
<button type="reset">Show all</button>
</form>
<p id="fleet-status" role="status">${data.targets.length} clusters, ${data.apps.length} apps.</p>
<div class="scroll" role="region" aria-labelledby="fleet-caption" tabindex="0">
<table class="fleet" style="width: ${14 + 9.5 * data.apps.length}rem">
<caption id="fleet-caption">Each app on each cluster: version, digest, then strategy · replicas · engine</caption>
<colgroup><col class="cluster">${'<col>'.repeat(data.apps.length)}</colgroup>
<thead><tr><th scope="col">Cluster</th>${head}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>
</section>`;
}

function gateList(p: PendingPromotion): string {
  const mark = { pass: '✔ passed', block: '✖ blocks', skip: '– not checked' } as const;
  return `<ul class="gates">${p.gates
    .map(
      (g) =>
        `<li class="gate ${g.status}"><strong>${g.gate}</strong> ${mark[g.status]}: ${escapeHtml(g.evidence)}</li>`,
    )
    .join('')}</ul>`;
}

function pendingItem(p: PendingPromotion): string {
  const wave = p.waved ? ` (wave ${p.wave})` : '';
  const holding = p.gates.filter((g) => g.status === 'block').map((g) => g.gate);
  const status =
    p.status === 'ready'
      ? '<span class="badge ready">ready</span>'
      : `<span class="badge blocked">held by ${escapeHtml(holding.join(', '))}</span>` +
        (p.clearsAt ? ` <span class="clears">clears ${escapeHtml(formatInstant(p.clearsAt))}</span>` : '');
  return `<li><details><summary><strong>${escapeHtml(p.app)}</strong> ${escapeHtml(p.fromTag ?? '(new)')} → ${escapeHtml(p.toTag)}${wave} ${status}</summary>${gateList(p)}</details></li>`;
}

function stageItem(data: ReportData, env: ReportEnvironment): string {
  const stage = data.stages.find((s) => s.env === env.name);
  const versions = (stage?.versions ?? [])
    .map((v) => {
      const tags = v.tags
        .map((t) =>
          v.tags.length > 1 ? `${escapeHtml(t.tag)} (wave ${t.waves.join(', ')})` : escapeHtml(t.tag),
        )
        .join(' / ');
      const ahead = stage?.ahead.some((a) => a.app === v.app)
        ? ` <span class="badge ahead" title="runs a release ${escapeHtml(env.promotesTo ?? '')} does not yet">ahead</span>`
        : '';
      return `<li><span class="app">${escapeHtml(v.app)}</span> ${tags}${ahead}</li>`;
    })
    .join('');
  const incoming = data.pending.filter((p) => p.to === env.name);
  const policy = [
    env.soak ? `soak ${escapeHtml(env.soak)}` : 'no soak',
    env.freeze.status === 'none' ? 'no freeze windows' : escapeHtml(env.freeze.evidence),
  ].join(' · ');
  return `<li class="stage" data-env="${escapeHtml(env.name)}">
<h3>${escapeHtml(env.name)}</h3>
<p class="meta">${policy}</p>
<ul class="versions" aria-label="Versions ${escapeHtml(env.name)} runs">${versions}</ul>
${
  incoming.length > 0
    ? `<h4>Pending into ${escapeHtml(env.name)}</h4><ul class="pending">${incoming.map(pendingItem).join('')}</ul>`
    : env.name === data.environments[0]?.name
      ? ''
      : `<p class="meta">Nothing pending into ${escapeHtml(env.name)}.</p>`
}
</li>`;
}

function pipelineSection(data: ReportData): string {
  return `<section id="pipeline" aria-labelledby="pipeline-h">
<h2 id="pipeline-h">Promotion pipeline</h2>
<p>As of ${escapeHtml(formatInstant(data.asOf))}, from the promotion planner run offline (health gates need the code host and show as not checked).</p>
<ol class="pipeline">
${data.environments.map((env) => stageItem(data, env)).join('\n')}
</ol>
</section>`;
}

function compareSection(data: ReportData): string {
  const targets = data.targets.map((t) => `<option>${escapeHtml(t.id)}</option>`).join('');
  const apps = [
    '<option value="">Every app</option>',
    ...data.apps.map((a) => `<option>${escapeHtml(a)}</option>`),
  ].join('');
  return `<section id="compare" aria-labelledby="compare-h">
<h2 id="compare-h">Compare two clusters</h2>
<p>Effective values side by side. <em>Intended</em>: an override layer of the matrix sets it. <em>Unexpected</em>: a pin that lags, or a value no override explains. <code>envmatrix compare</code> also compares the rendered objects.</p>
<form id="compare-form" class="filters">
<label>Cluster A <select name="a">${targets}</select></label>
<label>Cluster B <select name="b">${targets}</select></label>
<label>App <select name="app">${apps}</select></label>
<button type="submit">Compare</button>
</form>
<div id="compare-result" aria-live="polite"></div>
</section>`;
}

function prLink(repo: string, pr: number): string {
  const base = /^https:\/\/github\.com\/([^/]+\/[^/.]+)(\.git)?$/.exec(repo);
  return base ? `<a href="https://github.com/${escapeHtml(base[1]!)}/pull/${pr}">#${pr}</a>` : `#${pr}`;
}

function historyRows(repo: string, events: readonly PromotionEvent[]): string {
  return events
    .map(
      (e) =>
        `<tr><td><time datetime="${escapeHtml(e.at)}">${escapeHtml(formatInstant(e.at))}</time></td><td>${escapeHtml(e.app)}</td>` +
        `<td>${escapeHtml(e.from ?? '(new)')} → ${escapeHtml(e.to ?? '(removed)')}</td><td>${e.wave ?? 'all'}</td>` +
        `<td><code>${escapeHtml(e.sha.slice(0, 7))}</code></td><td>${e.pr !== undefined ? prLink(repo, e.pr) : '—'}</td></tr>`,
    )
    .join('\n');
}

/** Newest pin changes shown per environment; the page stays fast however long the history. */
export const HISTORY_ROWS = 50;

function historySection(data: ReportData): string {
  const first = data.environments[0]?.name ?? '';
  const last = data.environments[data.environments.length - 1]?.name ?? '';
  const tables = data.environments
    .map((env) => {
      const events = data.history.events[env.name] ?? [];
      return `<h3 id="history-${escapeHtml(env.name)}">${escapeHtml(env.name)}</h3>${
        events.length === 0
          ? '<p>No pin changes in the history read.</p>'
          : `<div class="scroll" role="region" aria-labelledby="history-${escapeHtml(env.name)}" tabindex="0"><table><caption class="sr">Promotions into ${escapeHtml(env.name)}, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">App</th><th scope="col">From → to</th><th scope="col">Wave</th><th scope="col">Commit</th><th scope="col">PR</th></tr></thead>
<tbody>${historyRows(data.repo, events.slice(0, HISTORY_ROWS))}</tbody></table></div>${
              events.length > HISTORY_ROWS
                ? `<p class="meta">${events.length - HISTORY_ROWS} older changes are not shown: <code>git log -- src/environments/releases/${escapeHtml(env.name)}.json</code> has them.</p>`
                : ''
            }`
      }`;
    })
    .join('\n');
  const lead = data.history.leadTimes
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.app)}</td><td>${escapeHtml(l.tag)}</td><td><time datetime="${escapeHtml(l.firstAt)}">${escapeHtml(formatInstant(l.firstAt))}</time></td>` +
        `<td>${l.lastAt ? `<time datetime="${escapeHtml(l.lastAt)}">${escapeHtml(formatInstant(l.lastAt))}</time>` : 'not yet'}</td>` +
        `<td>${l.seconds !== undefined ? escapeHtml(formatSeconds(l.seconds)) : '—'}</td></tr>`,
    )
    .join('\n');
  return `<section id="history" aria-labelledby="history-h">
<h2 id="history-h">Promotion history</h2>
${tables}
<h3 id="lead-h">Lead time from ${escapeHtml(first)} to ${escapeHtml(last)}</h3>
${
  data.history.leadTimes.length === 0
    ? '<p>No releases in the history read.</p>'
    : `<div class="scroll" role="region" aria-labelledby="lead-h" tabindex="0"><table><caption class="sr">Lead time per release</caption>
<thead><tr><th scope="col">App</th><th scope="col">Release</th><th scope="col">In ${escapeHtml(first)}</th><th scope="col">In every wave of ${escapeHtml(last)}</th><th scope="col">Lead time</th></tr></thead>
<tbody>${lead}</tbody></table></div>`
}
</section>`;
}

/** What the script needs beyond the HTML: the filters read the rows' data attributes, compare reads values. */
function scriptData(data: ReportData): unknown {
  return { apps: data.apps, targets: data.targets.map((t) => t.id), values: data.values };
}

export function renderReportPage(data: ReportData, assets: ReportAssets): string {
  const title = `Fleet report — ${data.repo.replace(/^https:\/\/github\.com\//, '').replace(/\.git$/, '')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="generator" content="envmatrix">
<title>${escapeHtml(title)}</title>
<style>
${assets.css}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${data.targets.length} clusters · ${data.apps.length} apps · promotion order ${data.environments.map((e) => escapeHtml(e.name)).join(' → ')} · as of ${escapeHtml(formatInstant(data.asOf))}</p>
<nav aria-label="Sections"><ul><li><a href="#fleet">Fleet</a></li><li><a href="#pipeline">Pipeline</a></li><li><a href="#compare">Compare</a></li><li><a href="#history">History</a></li></ul></nav>
</header>
<main id="main">
${gridSection(data)}
${pipelineSection(data)}
${compareSection(data)}
${historySection(data)}
</main>
<footer><p class="meta">Generated by envmatrix from git; no server, no network requests.</p></footer>
<script type="application/json" id="report-data">${scriptJson(scriptData(data))}</script>
<script>
${assets.js}</script>
</body>
</html>
`;
}
