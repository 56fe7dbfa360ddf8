/* global document, performance, setTimeout */
// The report page's script: filters for the fleet grid and the compare view. Plain browser JavaScript,
// inlined into the page (no modules, no requests). The compare rules mirror src/fleet/compare.ts
// (classifyValue); the browser test checks both say the same for the example matrix.
(function () {
  'use strict';
  // Parsed on first use: the filters need none of it, and the values are most of its bytes.
  let parsed;
  const report = () => (parsed ??= JSON.parse(document.getElementById('report-data').textContent));
  const OVERRIDE_LAYERS = new Set(['app override', 'environment', 'cloud', 'region', 'cluster']);
  // As fleet/values.ts PIN_PATHS: the values a pin sets.
  const PIN_PATHS = new Set(['image.tag', 'image.digest', 'migrate.digest']);

  // ---- Filters ------------------------------------------------------------------------------------
  const filters = document.getElementById('filters');
  const status = document.getElementById('fleet-status');
  const rows = Array.from(document.querySelectorAll('table.fleet tbody tr'));
  const appRule = document.createElement('style');
  document.head.appendChild(appRule);
  const compareForm = document.getElementById('compare-form');
  const appNames = Array.from(filters.elements.app.options)
    .slice(1)
    .map((o) => o.value);

  function applyFilters() {
    const env = filters.elements.env.value;
    const cloud = filters.elements.cloud.value;
    const region = filters.elements.region.value;
    const app = filters.elements.app.value;
    let shown = 0;
    for (const row of rows) {
      const match =
        (!env || row.dataset.env === env) &&
        (!cloud || row.dataset.cloud === cloud) &&
        (!region || row.dataset.region === region);
      row.hidden = !match;
      if (match) shown++;
    }
    // One rule hides every other app's column: cheaper than touching thousands of cells.
    const column = app ? appNames.indexOf(app) + 2 : 0;
    appRule.textContent =
      column > 1 ? `.fleet tr > :not(:first-child):not(:nth-child(${column})) { display: none; }` : '';
    if (app) compareForm.elements.app.value = app;
    status.textContent =
      `Showing ${shown} of ${rows.length} clusters` + (app ? `, app ${app}.` : `, ${appNames.length} apps.`);
  }
  filters.addEventListener('change', applyFilters);
  filters.addEventListener('reset', () => setTimeout(applyFilters, 0));

  // ---- Compare ------------------------------------------------------------------------------------
  const VERSION = /^v?(\d+)\.(\d+)\.(\d+)/;
  function newestFirst(a, b) {
    const va = VERSION.exec(a);
    const vb = VERSION.exec(b);
    if (va && vb) {
      for (let i = 1; i <= 3; i++) {
        const diff = Number(vb[i]) - Number(va[i]);
        if (diff !== 0) return diff;
      }
      return a < b ? -1 : a > b ? 1 : 0;
    }
    if (va) return -1;
    if (vb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function valuesOf(target, app) {
    const { strings, cells } = report().values;
    const cell = cells[target][app];
    if (!cell) return undefined;
    const map = new Map();
    for (const [path, value, layer, source] of cell)
      map.set(strings[path], { value: strings[value], layer: strings[layer], source: strings[source] });
    return map;
  }

  const setBy = (id, v) => `${v.layer} (${v.source}) sets ${v.value} on ${id}`;

  function classify(path, a, b) {
    if (PIN_PATHS.has(path)) {
      if (a.value && b.value && path === 'image.tag') {
        const older = newestFirst(a.value.value, b.value.value) > 0 ? a : b;
        const newer = older === a ? b : a;
        return {
          group: 'unexpected',
          explanation: `${older.id} lags: it runs ${older.value.value} (${older.value.source}), ${newer.id} runs ${newer.value.value}`,
        };
      }
      const sides = [a, b].map(
        (s) => `${s.id} ${s.value ? `${s.value.value} (${s.value.source})` : 'has none'}`,
      );
      return { group: 'unexpected', explanation: `the pins differ: ${sides.join(', ')}` };
    }
    const overrides = [a, b].filter((s) => s.value && OVERRIDE_LAYERS.has(s.value.layer));
    const differ = a.value?.source !== b.value?.source || a.value?.layer !== b.value?.layer;
    if (overrides.length > 0 && differ)
      return { group: 'intended', explanation: overrides.map((s) => setBy(s.id, s.value)).join('; ') };
    const sides = [a, b].map((s) => (s.value ? setBy(s.id, s.value) : `${s.id} has no value`));
    return { group: 'unexpected', explanation: `no override explains it: ${sides.join('; ')}` };
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function compareApp(ta, tb, appIndex) {
    const data = report();
    const app = data.apps[appIndex];
    const idA = data.targets[ta];
    const idB = data.targets[tb];
    const section = document.createElement('section');
    section.className = 'compare-app';
    section.dataset.app = app;
    const heading = document.createElement('h3');
    heading.textContent = app;
    section.appendChild(heading);
    const left = valuesOf(ta, appIndex);
    const right = valuesOf(tb, appIndex);
    if (!left || !right) {
      if (!left && !right) return undefined;
      const p = document.createElement('p');
      p.textContent = `${app} is placed only on ${left ? idA : idB} (its placement says so).`;
      section.appendChild(p);
      return section;
    }
    const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
    const tagsDiffer = left.get('image.tag')?.value !== right.get('image.tag')?.value;
    const differences = [];
    for (const path of paths) {
      const va = left.get(path);
      const vb = right.get(path);
      if (va && vb && va.value === vb.value) continue;
      if (path !== 'image.tag' && PIN_PATHS.has(path) && tagsDiffer) continue;
      differences.push({ path, va, vb, ...classify(path, { id: idA, value: va }, { id: idB, value: vb }) });
    }
    const summary = document.createElement('p');
    const intended = differences.filter((d) => d.group === 'intended').length;
    summary.textContent =
      differences.length === 0
        ? `Nothing differs (${paths.length} values).`
        : `${differences.length} of ${paths.length} values differ: ${intended} intended, ${differences.length - intended} unexpected.`;
    section.appendChild(summary);
    if (differences.length === 0) return section;
    const scroll = document.createElement('div');
    scroll.className = 'scroll';
    const table = document.createElement('table');
    const caption = document.createElement('caption');
    caption.className = 'sr';
    caption.textContent = `${app}: values that differ between ${idA} and ${idB}`;
    table.appendChild(caption);
    const head = table.createTHead().insertRow();
    for (const title of ['Value', idA, idB, 'Group', 'Why']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = title;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const d of differences) {
      const tr = body.insertRow();
      tr.dataset.group = d.group;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = d.path;
      tr.append(
        th,
        cell(d.va ? d.va.value : '(none)'),
        cell(d.vb ? d.vb.value : '(none)'),
        cell(d.group, `group-${d.group}`),
        cell(d.explanation),
      );
    }
    scroll.appendChild(table);
    section.appendChild(scroll);
    return section;
  }

  const result = document.getElementById('compare-result');
  function runCompare(event) {
    if (event) event.preventDefault();
    const data = report();
    const ta = data.targets.indexOf(compareForm.elements.a.value);
    const tb = data.targets.indexOf(compareForm.elements.b.value);
    const app = compareForm.elements.app.value;
    const apps = app ? [data.apps.indexOf(app)] : data.apps.map((_, i) => i);
    const sections = apps.map((i) => compareApp(ta, tb, i)).filter(Boolean);
    result.replaceChildren(...sections);
    if (sections.length === 0) result.textContent = 'Neither cluster runs the app.';
  }
  compareForm.addEventListener('submit', runCompare);
  if (compareForm.elements.b.options.length > 1) compareForm.elements.b.selectedIndex = 1;

  // Layout is forced before the mark, so the benchmark's figure includes style and layout.
  void document.body.offsetHeight;
  performance.mark('envmatrix-report-ready');
})();
