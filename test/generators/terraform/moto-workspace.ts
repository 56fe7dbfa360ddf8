/**
 * The set-up the terraform-against-moto tests share: a state bucket (and optional DynamoDB lock table) in
 * the run's moto, a fixture matrix whose terraform settings point every service at moto, one generated
 * stack written to a temp dir, and a `tf` runner that records timings. Names carry a random suffix because
 * moto is shared by every test file of the run. Call it inside a describe block: it registers the hooks.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { MatrixDefinition } from '../../../src/matrix/index.ts';
import { createBucket, createLockTable, getObject, useMoto } from '../../support/moto.ts';
import { runTerraform, terraformEnv, type TerraformResult } from '../../support/terraform.ts';
import { terraformFixture } from './fixture.ts';
import type { StackJson } from './stack-files.ts';
import { generatedStack, writeStack } from './stack-files.ts';

export const SLOW = 240_000;

export interface MotoWorkspaceOptions {
  /** Shown with the timings, e.g. `EKS stack`. */
  readonly label: string;
  /** The environment whose us-east-1 stack is tested. */
  readonly env: 'dev' | 'prod';
  /** Also lock through a DynamoDB table. @default false */
  readonly lockTable?: boolean;
  /** Test-only edits to the generated stack before it is written. @default none */
  readonly adjust?: (stack: StackJson) => StackJson;
}

export interface MotoWorkspace {
  readonly envs: { readonly dev: string; readonly prod: string };
  readonly bucket: string;
  readonly table: string;
  /** The state key of the tested stack. */
  readonly key: string;
  /** Set once the hooks ran. */
  endpoint: string;
  stack: StackJson | undefined;
  tf(args: readonly string[]): Promise<TerraformResult>;
  /** Replace the stack's main.tf.json (a later commit of the same stack). */
  write(stack: StackJson): void;
  /** `type.name` of every resource in the remote state. */
  stateResources(): Promise<string[]>;
}

export function useMotoWorkspace(options: MotoWorkspaceOptions): MotoWorkspace {
  const suffix = randomBytes(3).toString('hex');
  const envs = { dev: `dev-${suffix}`, prod: `prod-${suffix}` };
  const timings: string[] = [];
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  let release: () => Promise<void> = async () => {};
  const workspace: MotoWorkspace = {
    envs,
    bucket: `envmatrix-e2e-${suffix}`,
    table: `envmatrix-locks-${suffix}`,
    key: `envmatrix/${envs[options.env]}/aws/us-east-1/terraform.tfstate`,
    endpoint: '',
    stack: undefined,
    async tf(args) {
      const result = await runTerraform(dir, args, { env });
      timings.push(`${args[0]} ${result.durationMs} ms`);
      return result;
    },
    write(stack) {
      workspace.stack = stack;
      writeStack(dir, stack);
    },
    async stateResources() {
      const state = JSON.parse(
        (await getObject(workspace.endpoint, workspace.bucket, workspace.key)) ?? '{}',
      ) as {
        resources?: { type: string; name: string }[];
      };
      return (state.resources ?? []).map((r) => `${r.type}.${r.name}`);
    },
  };

  beforeAll(async () => {
    let endpoint: string;
    ({ endpoint, release } = await useMoto());
    workspace.endpoint = endpoint;
    await createBucket(endpoint, workspace.bucket);
    if (options.lockTable) await createLockTable(endpoint, workspace.table);
    const matrix: MatrixDefinition = terraformFixture({
      envs,
      terraform: {
        state: {
          bucket: workspace.bucket,
          region: 'us-east-1',
          ...(options.lockTable && { lockTable: workspace.table }),
        },
        costCentre: 'e2e',
        endpoints: {
          ...(options.lockTable && { dynamodb: endpoint }),
          ec2: endpoint,
          eks: endpoint,
          iam: endpoint,
          kms: endpoint,
          logs: endpoint,
          s3: endpoint,
          sts: endpoint,
        },
        emulator: true,
      },
    });
    const generated = generatedStack(matrix, `${envs[options.env]}/aws/us-east-1`);
    workspace.stack = options.adjust ? options.adjust(generated) : generated;
    dir = mkdtempSync(join(tmpdir(), 'envmatrix-tf-moto-'));
    writeStack(dir, workspace.stack);
    // No AWS_ENDPOINT_URL: terraform reaches moto only through the stack's own endpoints.
    env = terraformEnv({ moto: endpoint, endpointUrl: false });
  });

  afterAll(async () => {
    if (timings.length > 0) console.info(`terraform against moto (${options.label}): ${timings.join(', ')}`);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await release();
  });

  return workspace;
}
