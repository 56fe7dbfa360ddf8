import { readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../src/output/tree.ts';
import { copyProject, type ProjectCopy } from '../support/project-copy.ts';
import { envmatrix } from './run.ts';

let project: ProjectCopy;
beforeAll(async () => {
  project = await copyProject();
  const first = await envmatrix(project.root, 'synth');
  expect(first, first.stderr).toMatchObject({ code: 0 });
});
afterAll(() => project.remove());

describe('envmatrix CLI', () => {
  it('--help lists every command with a description and examples', async () => {
    const { code, stdout } = await envmatrix(project.root, '--help');
    expect(code).toBe(0);
    for (const command of ['synth', 'diff', 'validate', 'explain', 'ls'])
      expect(stdout).toMatch(new RegExp(`\\n  ${command}\\b.* {2,}\\S`));
    expect(stdout).toContain('$ envmatrix explain prod/aws/us-east-1/main api scaling.min');
  });

  it.each([
    ['an unknown option', ['synth', '--frobnicate'], "error: unknown option '--frobnicate'"],
    ['an unknown command', ['synthesize'], "error: unknown command 'synthesize'"],
    ['a missing argument', ['explain', 'prod/aws/us-east-1/main'], "error: missing required argument 'app'"],
    ['a missing required option', ['affected'], "error: required option '--base <rev>' not specified"],
  ])('exits 2 on %s, as the exit-code table in the README says', async (_what, args, message) => {
    const { code, stderr } = await envmatrix(project.root, ...args);
    expect(stderr).toContain(message);
    expect(code).toBe(2);
  });

  it('--version prints the package version and exits 0', async () => {
    const { code, stdout } = await envmatrix(project.root, '--version');
    expect({ code, stdout }).toEqual({ code: 0, stdout: '0.1.0\n' });
  });

  it('synth --check passes on a fresh synth, and a second synth writes nothing', async () => {
    expect(await envmatrix(project.root, 'synth', '--check')).toMatchObject({
      code: 0,
      stdout: 'generated/ is up to date.\n',
    });
    const again = await envmatrix(project.root, 'synth');
    expect(again.stdout).toMatch(/^generated\/ is up to date: \d+ files, nothing to write\.\n$/);
  });

  it('synth --check exits 1 and lists stale, missing and extra files', async () => {
    const copy = await copyProject();
    try {
      await envmatrix(copy.root, 'synth');
      const file = join(copy.root, 'generated/values/dev/aws/us-east-1/main.json');
      await writeFile(file, `${await readFile(file, 'utf8')} `);
      await writeFile(join(copy.root, 'generated/extra.yaml'), 'a: 1\n');
      const { code, stderr } = await envmatrix(copy.root, 'synth', '--check');
      expect(code).toBe(1);
      expect(stderr).toBe(
        'generated/ is out of date: run `npm run synth` and commit the result.\n' +
          'stale — content differs from a fresh synth (1):\n  generated/values/dev/aws/us-east-1/main.json\n' +
          'extra — a fresh synth does not write them (1):\n  generated/extra.yaml\n',
      );
    } finally {
      await copy.remove();
    }
  });

  it('an invalid matrix: validate and synth exit 1 with every problem, and generated/ is untouched', async () => {
    const copy = await copyProject();
    try {
      await envmatrix(copy.root, 'synth');
      const before = await readTree(join(copy.root, 'generated'));
      const pins = join(copy.root, 'src/environments/releases/prod.json');
      const pinned = JSON.parse(await readFile(pins, 'utf8')) as {
        apps: Record<string, { tag: string; digest?: string }>;
      };
      delete pinned.apps.api!.digest;
      pinned.apps.wrker = pinned.apps.worker!;
      delete pinned.apps.worker;
      await writeFile(pins, JSON.stringify(pinned));
      const validate = await envmatrix(copy.root, 'validate');
      expect(validate.code).toBe(1);
      expect(validate.stderr).toContain('The matrix has ');
      expect(validate.stderr).toContain(
        '[src/environments/releases/prod.json apps.wrker] pin for unknown app "wrker"',
      );
      expect(validate.stderr).toContain(
        '[prod/aws/us-east-1/main/api] pin 1.4.2 has no digest, and prod requires one (src/environments/releases/prod.json)',
      );
      expect(validate.stderr).toContain(
        '[prod/aws/us-east-1/main/worker] no pin in src/environments/releases/prod.json (src/apps/worker.ts:',
      );
      expect(validate.stderr).toContain(
        'fix: add "digest": "sha256:…" to api in src/environments/releases/prod.json',
      );
      const synth = await envmatrix(copy.root, 'synth');
      expect(synth.code).toBe(1);
      expect(synth.stderr).toBe(validate.stderr);
      expect(await readTree(join(copy.root, 'generated'))).toEqual(before);
    } finally {
      await copy.remove();
    }
  });

  it('explain prints the value and the layers that set it', async () => {
    const { code, stdout } = await envmatrix(
      project.root,
      'explain',
      'prod/aws/eu-west-1/main',
      'api',
      'scaling.min',
    );
    expect(code).toBe(0);
    // The TypeScript lines of the calls that set the values (the CLI maps the matrix modules' frames
    // back to their source; without that these would be lines of tsx's output).
    const lineOf = (file: string, text: string) =>
      readFileSync(join(project.root, file), 'utf8')
        .split('\n')
        .findIndex((line) => line.includes(text)) + 1;
    const matrixLine = lineOf('src/environments/index.ts', 'export default defineMatrix(');
    const apiLine = lineOf('src/apps/api.ts', 'export const api = defineApp(');
    expect(Math.min(matrixLine, apiLine)).toBeGreaterThan(1);
    expect(stdout).toBe(
      [
        'prod/aws/eu-west-1/main api scaling.min = 6',
        `    6 — set by environment (src/environments/index.ts:${matrixLine} (overrides[0]))`,
        `      over app 2 (src/apps/api.ts:${apiLine})`,
        '',
      ].join('\n'),
    );
  });

  it('explain with an unknown target is a usage error (exit 2)', async () => {
    const { code, stderr } = await envmatrix(
      project.root,
      'explain',
      'prod/aws/mars-1/main',
      'api',
      'replicas',
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^envmatrix: unknown target "prod\/aws\/mars-1\/main"; targets are: dev\/aws\/us-east-1\/main, /,
    );
  });

  it('pin writes --migrate-digest into the pin, and the migration Job runs by it; a wrong one writes nothing', async () => {
    const copy = await copyProject({ withGenerated: true });
    try {
      const api = join(copy.root, 'src/apps/api.ts');
      const image = 'ghcr.io/acme/api-migrations';
      const source = await readFile(api, 'utf8');
      expect(source).toContain("migrate: { command: ['./migrate', 'up'] },");
      await writeFile(
        api,
        source.replace(
          "migrate: { command: ['./migrate', 'up'] },",
          `migrate: { command: ['./migrate', 'up'], image: '${image}' },`,
        ),
      );
      // prod requires digests: what it runs now gets its migration digest first, as validation asks.
      const prodFile = join(copy.root, 'src/environments/releases/prod.json');
      const prod = JSON.parse(await readFile(prodFile, 'utf8')) as { apps: Record<string, object> };
      prod.apps.api = { ...prod.apps.api, migrateDigest: `sha256:${'1'.repeat(64)}` };
      await writeFile(prodFile, `${JSON.stringify(prod, null, 2)}\n`);
      const devFile = join(copy.root, 'src/environments/releases/dev.json');
      const before = await readFile(devFile, 'utf8');
      const pin = (digest: string) =>
        envmatrix(
          copy.root,
          'pin',
          '--env',
          'dev',
          '--app',
          'api',
          '--tag',
          '1.7.0',
          '--migrate-digest',
          digest,
        );
      const wrong = await pin('sha256:123');
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toBe(
        'envmatrix: --migrate-digest "sha256:123" is not sha256: followed by 64 lowercase hex digits\n',
      );
      expect(await readFile(devFile, 'utf8')).toBe(before);
      const migrateDigest = `sha256:${'2'.repeat(64)}`;
      const right = await pin(migrateDigest);
      expect(right.code, right.stderr).toBe(0);
      const dev = JSON.parse(await readFile(devFile, 'utf8')) as { apps: Record<string, unknown> };
      expect(dev.apps.api).toEqual({ tag: '1.7.0', migrateDigest });
      const manifest = await readFile(
        join(copy.root, 'generated/k8s/dev/aws/us-east-1/main/api/manifest.yaml'),
        'utf8',
      );
      expect(manifest).toContain(`image: ${image}:1.7.0@${migrateDigest}`);
    } finally {
      await copy.remove();
    }
  });

  it.each(['synth', 'ls'])(
    'a --root that does not exist is a usage error in %s (exit 2), not a bug',
    async (command) => {
      const missing = join(project.root, 'no-such-project');
      const { code, stderr } = await envmatrix(project.root, '--root', missing, command);
      expect(code).toBe(2);
      expect(stderr).toBe(
        `envmatrix: --root ${missing}: no such folder\n    fix: pass the project folder, the one that holds src/environments (the default is the working directory)\n`,
      );
    },
  );

  it('ls prints every target with engine, wave and pinned versions', async () => {
    const { stdout } = await envmatrix(project.root, 'ls');
    expect(stdout).toMatch(
      /│ prod +│ onprem +│ dc1 +│ main +│ flux +│ 2 +│ 3 +│ [^│]+│ api 1\.4\.2 @, report 1\.0\.0 @, web 2\.0\.1 @ +│/,
    );
    expect(stdout).toContain('promotion order: dev → staging → prod');
  });

  it('diff shows nothing on a current tree', async () => {
    expect(await envmatrix(project.root, 'diff')).toMatchObject({
      code: 0,
      stdout: 'No changes: generated/ already matches the matrix.\n',
    });
  });
});

describe('envmatrix CLI guard rails (issue 11)', () => {
  it('finding 1: synth --only one target leaves the environment files, and so every other target, as they were', async () => {
    const copy = await copyProject({ withGenerated: true });
    try {
      // worker leaves gcp: the staging ApplicationSet would drop the Application of another cluster.
      const worker = join(copy.root, 'src/apps/worker.ts');
      await writeFile(
        worker,
        (await readFile(worker, 'utf8')).replace(
          "exclude: [{ cloud: 'onprem' }]",
          "exclude: [{ cloud: 'onprem' }, { cloud: 'gcp' }]",
        ),
      );
      const before = await readTree(join(copy.root, 'generated'));
      const only = await envmatrix(copy.root, 'synth', '--only', 'staging/aws/us-east-1/main');
      expect(only).toMatchObject({
        code: 0,
        stdout: 'generated/ is up to date (staging/aws/us-east-1/main): 101 files, nothing to write.\n',
        stderr:
          'note: --only staging/aws/us-east-1/main left 3 file(s) outside it as they were, though the matrix changes them:\n' +
          '  generated/FLEET.md\n' +
          '  generated/argocd/staging/applicationset.yaml\n' +
          '  generated/argocd/staging/project.yaml\n' +
          '  run synth without --only to update them; synth --check reports them until then.\n',
      });
      expect(await readTree(join(copy.root, 'generated'))).toEqual(before);
    } finally {
      await copy.remove();
    }
  });

  it('finding 2: --only that matches no target exits 2 and names the closest targets, in synth and diff', async () => {
    expect(await envmatrix(project.root, 'synth', '--only', 'prod/aws/us-east-1/mian')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'envmatrix: --only prod/aws/us-east-1/mian matches no target. Closest: prod/aws/us-east-1/main, dev/aws/us-east-1/main, prod/aws/eu-west-1/main.\n' +
        '    fix: give an environment or a target id, or a prefix of one (`envmatrix ls` lists every target)\n',
    });
    const diff = await envmatrix(project.root, 'diff', '--only', 'prod/gcp/nowhere');
    expect(diff.code).toBe(2);
    expect(diff.stderr).toMatch(/^envmatrix: --only prod\/gcp\/nowhere matches no target\. Closest: /);
  });

  it(
    'finding 4: plain synth repairs a hand edit; synth --check reads every file',
    { timeout: 180_000 },
    async () => {
      const copy = await copyProject({ withGenerated: true });
      try {
        expect((await envmatrix(copy.root, 'synth')).code).toBe(0);
        const file = join(copy.root, 'generated/values/dev/aws/us-east-1/main.json');
        const original = await readFile(file, 'utf8');
        await writeFile(file, original.replace('"LOG_LEVEL": "debug"', '"LOG_LEVEL": "trace"'));
        expect(await envmatrix(copy.root, 'synth', '--check')).toMatchObject({ code: 1 });
        const repair = await envmatrix(copy.root, 'synth');
        expect(repair.code).toBe(0);
        expect(repair.stdout).toMatch(/^synth: 0 added, 1 changed, 0 removed; /);
        expect(await readFile(file, 'utf8')).toBe(original);
        expect(await envmatrix(copy.root, 'synth', '--check')).toMatchObject({ code: 0 });
      } finally {
        await copy.remove();
      }
    },
  );

  it(
    'finding 5: three synths at once on one project take turns; none crashes and the tree ends consistent',
    { timeout: 180_000 },
    async () => {
      const copy = await copyProject({ withGenerated: true });
      try {
        const pins = join(copy.root, 'src/environments/releases/dev.json');
        await writeFile(pins, (await readFile(pins, 'utf8')).replace(/"tag": "[^"]+"/, '"tag": "9.9.9"'));
        const runs = await Promise.all([1, 2, 3].map(() => envmatrix(copy.root, 'synth')));
        for (const run of runs) {
          expect(run.code, run.stderr).toBe(0);
          expect(run.stderr).not.toMatch(/ENOENT|Error|bug/);
        }
        // Exactly one of them wrote; the others waited, then found the tree current.
        expect(runs.filter((run) => run.stdout.startsWith('synth: ')).length).toBe(1);
        expect(await envmatrix(copy.root, 'synth', '--check')).toMatchObject({ code: 0 });
        expect((await readdir(copy.root)).filter((name) => name.startsWith('generated.'))).toEqual([]);
      } finally {
        await copy.remove();
      }
    },
  );
});
