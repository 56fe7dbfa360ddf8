/**
 * Issue 14, finding 6 in memory: the classifier of destructive changes, as CI runs it over a plan and
 * as the promotion risk section runs it over two versions of a stack; and the committed lock files,
 * which must match what terraform writes from the offline mirror.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compose } from '../../../src/generators/index.ts';
import { terraformGenerator } from '../../../src/generators/terraform/index.ts';
import {
  classifyActions,
  configResources,
  describeDestructiveChange,
  destructiveChangesInConfig,
  destructiveChangesInPlan,
} from '../../../src/generators/terraform/plan-risk.ts';
import { awsStacks } from '../../../src/generators/terraform/aws/index.ts';
import { assessRisks } from '../../../src/promote/risk.ts';
import { aws } from '../../../src/matrix/index.ts';
import { findProviderMirror, terraformAvailable } from '../../support/terraform.ts';
import { resolveFixture, terraformFixture } from './fixture.ts';

function files(vpcCidr: string): Map<string, string> {
  const matrix = terraformFixture({
    clusters: (envs) => [
      aws(envs.dev, 'us-east-1', { zones: ['us-east-1a', 'us-east-1b'], network: { vpcCidr } }),
    ],
  });
  const composed = compose(resolveFixture(matrix), { generators: [terraformGenerator] });
  return new Map([...composed].map(([path, file]) => [path, file.content]));
}
const MAIN = 'terraform/dev/aws/us-east-1/main.tf.json';

describe('the plan-risk classifier', () => {
  it('classifies terraform actions: delete, replace either way round, and nothing else', () => {
    expect(classifyActions(['delete'])).toBe('delete');
    expect(classifyActions(['delete', 'create'])).toBe('replace');
    expect(classifyActions(['create', 'delete'])).toBe('replace');
    expect(classifyActions(['update'])).toBeUndefined();
    expect(classifyActions(['create'])).toBeUndefined();
    expect(classifyActions(['no-op'])).toBeUndefined();
  });

  it('lists the deletes and replacements of a terraform show -json plan', () => {
    const plan = {
      resource_changes: [
        {
          address: 'aws_vpc.main',
          change: { actions: ['delete', 'create'] },
          action_reason: 'replace_because_cannot_update',
        },
        { address: 'aws_eks_cluster.main', change: { actions: ['update'] } },
        { address: 'aws_eip.main_nat', change: { actions: ['delete'] } },
      ],
    };
    expect(destructiveChangesInPlan(plan).map(describeDestructiveChange)).toEqual([
      'terraform replaces aws_vpc.main (replace_because_cannot_update)',
      'terraform destroys aws_eip.main_nat',
    ]);
    expect(destructiveChangesInPlan({})).toEqual([]);
  });

  it('counts an update whose force-new argument follows a replaced resource as a replacement', () => {
    // What aws 5.100 plans for a VPC range change: subnets replaced, the cluster updated in place
    // (subnet_ids is updatable), although EKS takes new subnets only in the cluster's own VPC.
    const plan = {
      resource_changes: [
        { address: 'aws_subnet.main_private_a', change: { actions: ['delete', 'create'] } },
        { address: 'aws_eks_cluster.main', change: { actions: ['update'] } },
        { address: 'aws_cloudwatch_log_group.main', change: { actions: ['update'] } },
      ],
      configuration: {
        root_module: {
          resources: [
            {
              address: 'aws_eks_cluster.main',
              type: 'aws_eks_cluster',
              expressions: {
                vpc_config: [
                  {
                    subnet_ids: { references: ['aws_subnet.main_private_a.id', 'aws_subnet.main_private_a'] },
                  },
                ],
              },
            },
            {
              address: 'aws_cloudwatch_log_group.main',
              type: 'aws_cloudwatch_log_group',
              expressions: { tags: { references: ['aws_subnet.main_private_a.id'] } },
            },
          ],
        },
      },
    };
    expect(
      destructiveChangesInPlan(plan, awsStacks.forceNewArguments).map(describeDestructiveChange),
    ).toEqual([
      'terraform replaces aws_subnet.main_private_a',
      'terraform replaces aws_eks_cluster.main (vpc_config follows aws_subnet.main_private_a, which is replaced; Terraform plans an update the service refuses)',
    ]);
    // Without force-new arguments, only Terraform's own actions count.
    expect(destructiveChangesInPlan(plan).map((c) => c.address)).toEqual(['aws_subnet.main_private_a']);
  });

  it('sees a VPC range change replace the VPC, its subnets, NAT gateways, the cluster and its node groups', () => {
    const before = configResources(JSON.parse(files('10.10.0.0/16').get(MAIN)!));
    const after = configResources(JSON.parse(files('10.40.0.0/16').get(MAIN)!));
    const replaced = destructiveChangesInConfig(before, after, awsStacks.forceNewArguments!).map(
      (c) => c.address,
    );
    expect(replaced).toEqual(
      expect.arrayContaining([
        'aws_vpc.main',
        'aws_subnet.main_public_us-east-1a',
        'aws_subnet.main_private_us-east-1b',
        'aws_nat_gateway.main_us-east-1a',
        'aws_eks_cluster.main',
        'aws_eks_node_group.main_on_demand',
        'aws_eks_node_group.main_spot',
        'aws_flow_log.main_flow_logs',
      ]),
    );
    expect(replaced).not.toContain('aws_kms_key.main_secrets');
  });

  it('flags the same replacements in the promotion risk section (old main flagged only removed resources)', () => {
    const risks = assessRisks([
      {
        path: MAIN,
        scope: 'dev/aws/us-east-1',
        before: files('10.10.0.0/16').get(MAIN),
        after: files('10.40.0.0/16').get(MAIN),
      },
    ]);
    const details = risks.filter((r) => r.kind === 'deletion').map((r) => r.detail);
    expect(details).toContain('terraform replaces aws_vpc.main (cidr_block changes)');
    expect(details.filter((d) => d.startsWith('terraform replaces aws_eks_cluster.main '))).toHaveLength(1);
  });
});

const terraform = terraformAvailable();
const mirror = findProviderMirror();

describe.skipIf(!terraform.available || !mirror)('committed lock files', () => {
  it('match what terraform providers lock writes from the offline mirror', () => {
    const stack = files('10.10.0.0/16');
    const committed = stack.get('terraform/dev/aws/us-east-1/.terraform.lock.hcl');
    const dir = mkdtempSync(join(tmpdir(), 'envmatrix-lock-'));
    try {
      writeFileSync(join(dir, 'main.tf.json'), stack.get(MAIN)!);
      execFileSync('terraform', ['providers', 'lock', `-fs-mirror=${mirror!}`, '-platform=linux_amd64'], {
        cwd: dir,
        stdio: 'pipe',
      });
      expect(committed).toBe(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
