/**
 * The envmatrix command line. The only place that prints for users and sets the exit code: commands
 * call library functions, which throw the errors from src/matrix/errors.ts.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { affectedCommand } from './affected.ts';
import { diffCommand } from './diff.ts';
import { explainCommand } from './explain.ts';
import { lsCommand } from './ls.ts';
import { reportError } from './report-error.ts';
import { synthCommand } from './synth.ts';
import { validateCommand } from './validate.ts';

const program = new Command()
  .name('envmatrix')
  .description(
    'Synthesize a typed environment matrix into Kubernetes, Argo CD, Flux and Terraform, and promote releases.',
  )
  .option('--root <dir>', 'project root (holds src/environments and generated/)', process.cwd())
  .option('--matrix <file>', 'matrix module, relative to the root', 'src/environments/index.ts')
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Examples:
  $ envmatrix synth                                   write generated/ from the matrix
  $ envmatrix synth --check                           exit 1 if generated/ is not what synth would write
  $ envmatrix synth --only prod/aws/us-east-1/main    synth one target, leave the rest as it is
  $ envmatrix diff --only staging                     show what a synth would change, as unified diffs
  $ envmatrix validate                                list every problem in the matrix
  $ envmatrix explain prod/aws/us-east-1/main api scaling.min
  $ envmatrix ls                                      the matrix as a table
  $ envmatrix affected --base origin/main --json      targets and Terraform stacks changed since main`,
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
  .action(async (options, command) => {
    process.exitCode = await synthCommand(command.optsWithGlobals());
    void options;
  });

program
  .command('diff')
  .description('show what a synth would change, as unified diffs grouped by environment, target and app')
  .option('--only <selector>', 'only an environment or target')
  .option('--stat', 'list files with +/- line counts instead of full diffs')
  .action(async (_options, command) => {
    process.exitCode = await diffCommand(command.optsWithGlobals());
  });

program
  .command('validate')
  .description('check the matrix and pins; print every problem with its path, source and fix')
  .action(async (_options, command) => {
    process.exitCode = await validateCommand(command.optsWithGlobals());
  });

program
  .command('explain')
  .description('print an app value on a target and the layers that set and overrode it')
  .argument('<target>', 'target id: env/cloud/region/cluster, e.g. prod/aws/us-east-1/main')
  .argument('<app>', 'app name')
  .argument('<path>', 'value path, e.g. scaling.min, resources.cpu, image.tag, strategy')
  .action(async (target, app, path, _options, command) => {
    process.exitCode = await explainCommand(command.optsWithGlobals(), target, app, path);
  });

program
  .command('ls')
  .description('print the matrix: every target with cloud, region, engine, wave and pinned app versions')
  .addOption(new Option('--json', 'print the resolved targets as JSON'))
  .action(async (_options, command) => {
    process.exitCode = await lsCommand(command.optsWithGlobals());
  });

program
  .command('affected')
  .description(
    'list the targets and Terraform stacks whose generated output differs between a git revision and the working tree',
  )
  .requiredOption('--base <rev>', 'git revision to compare with: a branch, tag or commit SHA')
  .option('--json', 'print the result as JSON (for CI)')
  .action(async (_options, command) => {
    process.exitCode = await affectedCommand(command.optsWithGlobals());
  });

try {
  await program.parseAsync();
} catch (error) {
  process.exitCode = reportError(error);
}
