/** Generated stacks as JSON for the terraform tests, and the few test-only edits the moto runs need. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compose } from '../../../src/generators/index.ts';
import { terraformGenerator } from '../../../src/generators/terraform/index.ts';
import type { MatrixDefinition } from '../../../src/matrix/index.ts';
import { resolveFixture } from './fixture.ts';

/** A resource's arguments; tests compare them, so their values stay `unknown`. */
export interface ResourceJson {
  readonly [argument: string]: unknown;
  lifecycle?: { ignore_changes: string[] };
}

/** The parts of a generated main.tf.json the tests read. */
export interface StackJson {
  readonly '//': string;
  readonly terraform: {
    readonly backend: { readonly s3: Readonly<Record<string, unknown>> };
    readonly required_providers: unknown;
    readonly required_version: string;
  };
  readonly provider: { readonly aws: readonly Readonly<Record<string, unknown>>[] };
  resource: Record<string, Record<string, ResourceJson>>;
  output: Record<string, { readonly value: string; readonly description: string }>;
}

/** The generated main.tf.json of `scope` (`env/aws/region`), parsed. */
export function generatedStack(matrix: MatrixDefinition, scope: string): StackJson {
  const file = compose(resolveFixture(matrix), { generators: [terraformGenerator] }).get(
    `terraform/${scope}/main.tf.json`,
  );
  if (!file) throw new Error(`the matrix has no stack ${scope}`);
  return JSON.parse(file.content) as StackJson;
}

export function writeStack(dir: string, stack: StackJson): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf.json'), `${JSON.stringify(stack, null, 2)}\n`);
}

/**
 * Tests only: moto invents a `remote_access` block on node groups, so a second plan would replace
 * them. Real EKS does not; the generated stacks stay as they are.
 */
export function ignoreMotoRemoteAccess(stack: StackJson): StackJson {
  const copy = structuredClone(stack);
  for (const group of Object.values(copy.resource.aws_eks_node_group ?? {}))
    group.lifecycle = { ignore_changes: [...(group.lifecycle?.ignore_changes ?? []), 'remote_access'] };
  return copy;
}

const COMPUTE = ['aws_eks_cluster', 'aws_eks_node_group', 'aws_iam_role', 'aws_iam_role_policy_attachment'];

/**
 * The network half of a generated stack (tests only): destroying EKS in moto waits a random 0–60 s
 * inside the provider, so destroy is exercised on a stack without it.
 */
export function networkOnly(stack: StackJson): StackJson {
  const copy = structuredClone(stack);
  const removed = new Set<string>();
  for (const type of COMPUTE)
    for (const name of Object.keys(copy.resource[type] ?? {})) removed.add(`${type}.${name}`);
  for (const type of COMPUTE) delete copy.resource[type];
  // Whatever refers to a removed resource (launch templates, add-ons, KMS grants, log groups…) goes too,
  // until nothing left refers to anything removed.
  const refersToRemoved = (value: unknown): boolean => {
    const text = JSON.stringify(value);
    return [...removed].some((address) => text.includes(`${address}.`) || text.includes(`"${address}"`));
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const [type, byName] of Object.entries(copy.resource))
      for (const [name, body] of Object.entries(byName))
        if (refersToRemoved(body)) {
          delete byName[name];
          removed.add(`${type}.${name}`);
          changed = true;
        }
  }
  for (const [type, byName] of Object.entries(copy.resource))
    if (Object.keys(byName).length === 0) delete copy.resource[type];
  copy.output = Object.fromEntries(
    Object.entries(copy.output).filter(([, output]) => !refersToRemoved(output.value)),
  );
  return copy;
}

/**
 * What moto 5.2.1 cannot apply: EKS access entries and Pod Identity (not implemented), EKS add-ons
 * (CreateAddon answers 404), and the IAM OIDC provider (moto gives every cluster the same issuer URL,
 * so a second cluster in the shared moto collides). The applied variant leaves them out, with what
 * points at them; `terraform validate` still checks them in the generated stacks.
 */
export const MOTO_MISSING_TYPES = [
  'aws_eks_access_entry',
  'aws_eks_access_policy_association',
  'aws_eks_pod_identity_association',
  'aws_eks_addon',
  'aws_iam_openid_connect_provider',
] as const;

/** Tests only: the stack as moto can apply it (see MOTO_MISSING_TYPES and ignoreMotoRemoteAccess). */
export function motoVariant(stack: StackJson): StackJson {
  const copy = ignoreMotoRemoteAccess(stack);
  const missing = (text: string): boolean => MOTO_MISSING_TYPES.some((type) => text.includes(`${type}.`));
  for (const type of MOTO_MISSING_TYPES) delete copy.resource[type];
  // moto's DescribeCluster does not echo these back, so a second plan would replace the cluster.
  for (const cluster of Object.values(copy.resource.aws_eks_cluster ?? {}))
    (cluster as Record<string, unknown>).lifecycle = {
      ...(cluster.lifecycle as object | undefined),
      ignore_changes: ['access_config', 'encryption_config', 'upgrade_policy'],
    };
  // moto adds a `launch-template` tag specification of its own, so a second plan would update the
  // launch templates in place. Real EC2 keeps the ones we send.
  for (const template of Object.values(copy.resource.aws_launch_template ?? {}))
    (template as Record<string, unknown>).lifecycle = {
      ...(template.lifecycle as object | undefined),
      ignore_changes: ['tag_specifications'],
    };
  for (const byName of Object.values(copy.resource))
    for (const body of Object.values(byName)) {
      const dependsOn = body.depends_on as string[] | undefined;
      if (dependsOn)
        (body as Record<string, unknown>).depends_on = dependsOn.filter((address) => !missing(`${address}.`));
    }
  copy.output = Object.fromEntries(
    Object.entries(copy.output).filter(([, output]) => !missing(output.value)),
  );
  return copy;
}
