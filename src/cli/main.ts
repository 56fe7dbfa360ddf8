/**
 * The envmatrix command line. The only place that prints for users and sets the exit code: commands
 * call library functions, which throw subclasses of EnvmatrixError (src/core/errors.ts).
 */
import { Command, Option } from '@commander-js/extra-typings';
import { resolve } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { reportError } from './report-error.ts';

// Each command's module is imported when the command runs: start-up stays light for the commands that
// do not need Octokit, simple-git or the generators' libraries.

const program = new Command()
  .name('envmatrix')
  .description(
    'Synthesize a typed environment matrix into Kubernetes, Argo CD, Flux and Terraform, and promote releases.',
  )
  .version(packageJson.version)
  .option('--root <dir>', 'project root (holds src/environments and generated/)', '.')
  .option('--matrix <file>', 'matrix module, relative to the root', 'src/environments/index.ts')
  .option('--verbose', 'print stack traces with errors; synth also says where the matrix came from')
  .showHelpAfterError()
  // Before any command's module loads: those require most of the CommonJS dependencies. After parsing,
  // because the cache lives in the project (--root); `--version` and `--help` never get here.
  .hook('preAction', async (command) => {
    const [{ enableCompileCache }, { defaultCacheDir }] = await Promise.all([
      import('./compile-cache.ts'),
      import('../output/project-paths.ts'),
    ]);
    enableCompileCache(defaultCacheDir(resolve(command.opts().root)));
  })
  // Usage errors (unknown option or command, missing argument) become exceptions instead of commander's
  // own process.exit(1), so reportError can give them exit code 2 as the README promises. Subcommands
  // created below inherit this.
  .exitOverride()
  .addHelpText(
    'after',
    `
Examples:
  $ envmatrix synth                                   write generated/ from the matrix
  $ envmatrix synth --check                           exit 1 if generated/ is not what synth would write
  $ envmatrix synth --only prod/aws/us-east-1/main    synth one target, leave the rest as it is
  $ envmatrix synth --watch                           synth again at every change to the matrix or its pins
  $ envmatrix diff --only staging                     show what a synth would change, as unified diffs
  $ envmatrix validate                                list every problem in the matrix
  $ envmatrix explain prod/aws/us-east-1/main api scaling.min
  $ envmatrix ls                                      the matrix as a table
  $ envmatrix compare staging/aws/us-east-1/main prod/aws/us-east-1/main api
  $ envmatrix report --out site                       a static page of the fleet, pipeline and history
  $ envmatrix affected --base origin/main --json      targets and Terraform stacks changed since main
  $ envmatrix diff --base origin/main --format markdown   the PR preview (--comment <pr>: sticky comment)
  $ envmatrix promote --from staging --to prod --dry-run   print the promotion PR without touching anything
  $ envmatrix promote --all                           open or update every promotion PR (GITHUB_TOKEN)
  $ envmatrix pin --env dev --app api --tag 1.6.0     pin a release in dev (--push: commit or PR)`,
  );

program
  .command('synth')
  .description('write generated/ from the matrix (atomically; prunes files no generator produces)')
  .option(
    '--check',
    'write nothing; exit 1 and list stale, missing and extra files if generated/ is not current',
  )
  .option('--only <selector>', 'only an environment or target: prod, prod/aws, prod/aws/us-east-1/main')
  .option('--allow-removals', 'allow removing more than 30% of an environment’s app deployments at once')
  .option('--no-cache', 'render every unit again instead of reusing node_modules/.cache/envmatrix')
  .option(
    '--watch',
    'synth, then again at every change to the matrix modules or the pins files, until Ctrl-C',
  )
  .action(async (options, command) => {
    process.exitCode = options.watch
      ? await (await import('./watch.ts')).watchSynth(command.optsWithGlobals())
      : await (await import('./synth.ts')).synthCommand(command.optsWithGlobals());
  });

program
  .command('diff')
  .description('show what a synth would change, as unified diffs grouped by environment, target and app')
  .option('--only <selector>', 'only an environment or target')
  .option('--stat', 'list files with +/- line counts instead of full diffs')
  .option('--base <rev>', 'instead: compare generated/ with generated/ at this git revision (the PR preview)')
  .addOption(new Option('--format <format>', 'with --base: the PR preview as Markdown').choices(['markdown']))
  .option('--comment <pr>', 'with --base: post the preview as one sticky comment on this PR (GITHUB_TOKEN)')
  .option('--repo <owner/name>', 'with --comment: GitHub repository (default: $GITHUB_REPOSITORY)')
  .option('--api-url <url>', 'with --comment: GitHub API URL (default: $GITHUB_API_URL)')
  .action(async (options, command) => {
    process.exitCode =
      options.base === undefined && options.format === undefined && options.comment === undefined
        ? await (await import('./diff.ts')).diffCommand(command.optsWithGlobals())
        : await (await import('./preview.ts')).previewCommand(command.optsWithGlobals());
  });

program
  .command('validate')
  .description('check the matrix and pins; print every problem with its path, source and fix')
  .action(async (_options, command) => {
    process.exitCode = await (await import('./validate.ts')).validateCommand(command.optsWithGlobals());
  });

program
  .command('explain')
  .description('print an app value on a target and the layers that set and overrode it')
  .argument('<target>', 'target id: env/cloud/region/cluster, e.g. prod/aws/us-east-1/main')
  .argument('<app>', 'app name')
  .argument('<path>', 'value path, e.g. scaling.min, resources.cpu, image.tag, strategy')
  .action(async (target, app, path, _options, command) => {
    process.exitCode = await (
      await import('./explain.ts')
    ).explainCommand(command.optsWithGlobals(), target, app, path);
  });

program
  .command('compare')
  .description(
    'show one app, or every app, on two targets side by side: values and rendered objects, intended vs unexpected differences',
  )
  .argument('<target-a>', 'target id, e.g. staging/aws/us-east-1/main')
  .argument('<target-b>', 'target id, e.g. prod/aws/us-east-1/main')
  .argument('[app]', 'only this app')
  .option('--json', 'print the comparison as JSON')
  .action(async (a, b, app, _options, command) => {
    process.exitCode = await (
      await import('./compare.ts')
    ).compareCommand(command.optsWithGlobals(), a, b, app);
  });

program
  .command('ls')
  .description('print the matrix: every target with cloud, region, engine, wave and pinned app versions')
  .addOption(new Option('--json', 'print the resolved targets as JSON'))
  .action(async (_options, command) => {
    process.exitCode = await (await import('./ls.ts')).lsCommand(command.optsWithGlobals());
  });

program
  .command('report')
  .description(
    'write a self-contained static page: fleet grid, promotion pipeline and gates, compare view, history',
  )
  .requiredOption('--out <dir>', 'folder to write index.html into')
  .addOption(new Option('--now <iso>', 'evaluate gates at this time (tests, what-if)').hideHelp())
  .action(async (_options, command) => {
    process.exitCode = await (await import('./report.ts')).reportCommand(command.optsWithGlobals());
  });

program
  .command('affected')
  .description(
    'list the targets and Terraform stacks whose generated output differs between a git revision and the working tree',
  )
  .requiredOption('--base <rev>', 'git revision to compare with: a branch, tag or commit SHA')
  .option('--json', 'print the result as JSON (for CI)')
  .action(async (_options, command) => {
    process.exitCode = await (await import('./affected.ts')).affectedCommand(command.optsWithGlobals());
  });

program
  .command('promote')
  .description(
    'open or update the promotion PR for each (from, to, wave): gates, pins, synth, risk-first PR body',
  )
  .option('--from <env>', 'source environment (default: the one promoting into --to)')
  .option('--to <env>', 'target environment (default: the one --from promotes to)')
  .option('--all', 'every edge of the promotion order')
  .option('--apps <list>', 'only these apps, comma-separated (never closes PRs)')
  .option('--wave <n>', 'only this wave of the target (default: every wave, each its own PR)')
  .option('--atomic', 'promote nothing when any app is blocked, and exit 1')
  .option('--resume', "propose again what a reviewer stopped by closing a wave's PR unmerged")
  .option('--dry-run', 'print the plan, PR title and body; touch nothing (works offline)')
  .option('--repo <owner/name>', 'GitHub repository (default: $GITHUB_REPOSITORY)')
  .option('--api-url <url>', 'GitHub API URL, for GHES (default: $GITHUB_API_URL or https://api.github.com)')
  .option('--base <branch>', 'branch promotions start from and PRs target', 'main')
  .addOption(new Option('--now <iso>', 'evaluate gates at this time (tests, what-if)').hideHelp())
  .action(async (_options, command) => {
    process.exitCode = await (await import('./promote.ts')).promoteCommand(command.optsWithGlobals());
  });

program
  .command('pin')
  .description(
    'pin an app release in an environment: validate, write the pins file, synth; --push commits or opens a PR',
  )
  .requiredOption('--env <env>', 'environment')
  .requiredOption('--app <app>', 'app')
  .requiredOption('--tag <tag>', 'image tag')
  .option('--digest <sha256>', 'image digest (required where the environment asks for one)')
  .option(
    '--migrate-digest <sha256>',
    "digest of the app's own migration image (migrate.image) at this tag (required there too)",
  )
  .option('--wave <n>', 'only this wave of the environment (e.g. to roll one wave back)')
  .option(
    '--push',
    'commit to the base branch or open a PR (as the environment says) instead of editing the checkout',
  )
  .option('--mode <mode>', 'with --push: commit or pr (default: pr when the environment has reviewers)')
  .option('--repo <owner/name>', 'GitHub repository (default: $GITHUB_REPOSITORY)')
  .option('--api-url <url>', 'GitHub API URL (default: $GITHUB_API_URL or https://api.github.com)')
  .option('--base <branch>', 'branch to commit to or open the PR against', 'main')
  .option('--all-waves', 'pin every wave at once (default: the first wave; promote moves the rest)')
  .option(
    '--override-freeze <reason>',
    'with --push: pin through a freeze; the reason goes in the commit and PR',
  )
  .addOption(new Option('--now <iso>', 'evaluate the freeze at this time (tests, what-if)').hideHelp())
  .action(async (_options, command) => {
    process.exitCode = await (await import('./pin.ts')).pinCommand(command.optsWithGlobals());
  });

try {
  await program.parseAsync();
} catch (error) {
  // Read --verbose from argv: a usage error can stop parsing before the option is recorded.
  process.exitCode = reportError(error, { verbose: process.argv.includes('--verbose') });
}
