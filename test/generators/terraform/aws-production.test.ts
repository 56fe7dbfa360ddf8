/**
 * Issue 14, findings 1–5 in memory: what a platform team needs before the first apply on real AWS.
 * Versions are judged against fixed dates, never the wall clock.
 */
import { describe, expect, it } from 'vitest';
import { compose } from '../../../src/generators/index.ts';
import { terraformGenerator } from '../../../src/generators/terraform/index.ts';
import { aws, defineApp } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import { MatrixError } from '../../../src/matrix/errors.ts';
import type { MatrixDefinition, TerraformSettings } from '../../../src/matrix/index.ts';
import {
  defaultEksVersion,
  eksSupport,
  EKS_ADDON_VERSIONS,
  EKS_VERSIONS,
} from '../../../src/matrix/clouds/aws/versions.ts';
import { FIXTURE_NOW, FIXTURE_TERRAFORM, resolveFixture, terraformFixture } from './fixture.ts';
import type { ResourceJson, StackJson } from './stack-files.ts';

function stack(scope: string, matrix: MatrixDefinition = terraformFixture()): StackJson {
  const file = compose(resolveFixture(matrix), { generators: [terraformGenerator] }).get(
    `terraform/${scope}/main.tf.json`,
  );
  if (!file) throw new Error(`no stack for ${scope}`);
  return JSON.parse(file.content) as StackJson;
}
const resourcesOf = (json: StackJson, type: string): Record<string, ResourceJson> =>
  json.resource[type] ?? {};

const ADMIN = 'arn:aws:iam::123456789012:role/platform-admin';
const CI = 'arn:aws:iam::123456789012:role/ci-terraform';
const HUB = 'arn:aws:iam::123456789012:role/argocd-hub';
const withEks = (
  eks: TerraformSettings['eks'],
  clusters?: Parameters<typeof terraformFixture>[0],
): MatrixDefinition => terraformFixture({ ...clusters, terraform: { ...FIXTURE_TERRAFORM, eks } });

/** The fixture with one cluster on `version`, checked at `now`. */
function checkVersion(version: string, now: Date): { warnings: string[]; errors: string[] } {
  const matrix = terraformFixture({
    clusters: (envs) => [
      aws(envs.dev, 'us-east-1', { kubernetesVersion: version, network: { vpcCidr: '10.10.0.0/16' } }),
    ],
  });
  try {
    const loaded = checkedMatrix(matrix, {}, [], { now });
    return { warnings: (loaded.warnings ?? []).map((w) => `${w.message} | ${w.fix}`), errors: [] };
  } catch (error) {
    if (!(error instanceof MatrixError)) throw error;
    return { warnings: [], errors: error.issues.map((i) => `${i.message} | ${i.fix}`) };
  }
}

describe('finding 1: Kubernetes versions follow the EKS calendar', () => {
  it('keeps a cited table whose rows are in order, standard support ending before extended', () => {
    const versions = EKS_VERSIONS.map((row) => row.version);
    expect(versions).toEqual(['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35']);
    for (const row of EKS_VERSIONS) expect(row.endOfStandardSupport < row.endOfExtendedSupport).toBe(true);
  });

  it('defaults to the newest version in standard support on the given date', () => {
    expect(defaultEksVersion(new Date('2026-11-30T00:00:00Z'))).toBe('1.35');
    expect(defaultEksVersion(new Date('2025-12-01T00:00:00Z'))).toBe('1.35');
    // Once 1.35 leaves standard support and the table was not refreshed, it is still the newest known.
    expect(defaultEksVersion(new Date('2027-04-01T00:00:00Z'))).toBe('1.35');
    const dev = resolveFixture().targets.find((t) => t.id === 'dev/aws/us-east-1/main');
    expect(dev?.kubernetesVersion).toBe('1.35');
  });

  it('refuses 1.30 on 2026-11-30: past extended support, where EKS refuses to create a cluster', () => {
    expect(eksSupport('1.30', FIXTURE_NOW).status).toBe('ended');
    expect(checkVersion('1.30', FIXTURE_NOW)).toEqual({
      warnings: [],
      errors: [
        'kubernetesVersion 1.30 is past EKS extended support (ended 2026-07-23); EKS refuses to create a cluster on it | set kubernetesVersion to 1.35 (in standard support), upgrading one minor at a time',
      ],
    });
  });

  it('warns inside extended support, and is silent inside standard support', () => {
    expect(checkVersion('1.33', FIXTURE_NOW)).toEqual({
      warnings: [
        'kubernetesVersion 1.33 is in EKS extended support (standard support ended 2026-07-29; extended ends 2027-07-29), which costs extra per cluster-hour | upgrade to 1.35, one minor at a time',
      ],
      errors: [],
    });
    expect(checkVersion('1.34', FIXTURE_NOW)).toEqual({ warnings: [], errors: [] });
    // The same 1.34 two days later: standard support ended on 2026-12-02.
    expect(checkVersion('1.34', new Date('2026-12-02T00:00:00Z')).warnings).toHaveLength(1);
  });

  it('refuses versions the table does not know, and known versions without pinned add-ons', () => {
    expect(checkVersion('1.99', FIXTURE_NOW).errors).toEqual([
      'kubernetesVersion 1.99 is not in the EKS version table (1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35) | use 1.35, or add 1.99 with its support dates to src/matrix/clouds/aws/versions.ts',
    ]);
    expect(checkVersion('1.32', new Date('2026-01-01T00:00:00Z')).errors).toEqual([
      'kubernetesVersion 1.32 has no pinned managed add-on versions | add a 1.32 row to EKS_ADDON_VERSIONS in src/matrix/clouds/aws/versions.ts (aws eks describe-addon-versions --kubernetes-version 1.32)',
    ]);
  });

  it('sets the STANDARD upgrade policy, and node groups and add-ons follow the cluster version', () => {
    const json = stack('prod/aws/us-east-1');
    expect(resourcesOf(json, 'aws_eks_cluster').main).toMatchObject({
      version: '1.34',
      upgrade_policy: { support_type: 'STANDARD' },
    });
    for (const group of Object.values(resourcesOf(json, 'aws_eks_node_group')))
      expect(group.version).toBe('${aws_eks_cluster.main.version}');
    const addons = Object.values(resourcesOf(json, 'aws_eks_addon')).map((a) => [
      a.addon_name,
      a.addon_version,
    ]);
    expect(Object.fromEntries(addons)).toEqual(EKS_ADDON_VERSIONS['1.34']);
  });
});

describe('finding 2: the cluster is reachable by the people and tools the matrix names', () => {
  const matrix = withEks({
    adminRoleArns: [ADMIN],
    ciRoleArn: CI,
    argocdHubRoleArn: HUB,
    environments: { dev: { adminRoleArns: [ADMIN, CI] } },
  });

  it('authenticates by the EKS API only, without making the creator admin', () => {
    expect(resourcesOf(stack('prod/aws/us-east-1', matrix), 'aws_eks_cluster').main?.access_config).toEqual({
      authentication_mode: 'API',
      bootstrap_cluster_creator_admin_permissions: false,
    });
  });

  it('gives admins, CI and the Argo CD hub an access entry with the cluster admin policy, each principal once', () => {
    const entries = (scope: string) =>
      Object.entries(resourcesOf(stack(scope, matrix), 'aws_eks_access_entry')).map(([n, e]) => [
        n,
        e.principal_arn,
      ]);
    expect(entries('prod/aws/us-east-1')).toEqual([
      ['main_access_admin_0', ADMIN],
      ['main_access_ci', CI],
      ['main_access_argocd_hub', HUB],
    ]);
    // dev lists CI among its admins: one entry for it.
    expect(entries('dev/aws/us-east-1')).toEqual([
      ['main_access_admin_0', ADMIN],
      ['main_access_admin_1', CI],
      ['main_access_argocd_hub', HUB],
    ]);
    const association = resourcesOf(stack('prod/aws/us-east-1', matrix), 'aws_eks_access_policy_association');
    expect(association.main_access_ci).toEqual({
      cluster_name: '${aws_eks_cluster.main.name}',
      principal_arn: '${aws_eks_access_entry.main_access_ci.principal_arn}',
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    });
  });

  it('gives the Argo CD hub no entry on Flux clusters', () => {
    const flux = withEks(
      { argocdHubRoleArn: HUB },
      {
        clusters: (envs) => [
          aws(envs.dev, 'us-east-1', { engine: 'flux', network: { vpcCidr: '10.10.0.0/16' } }),
        ],
      },
    );
    expect(resourcesOf(stack('dev/aws/us-east-1', flux), 'aws_eks_access_entry')).toEqual({});
  });

  it('rejects principals that are not role ARNs', () => {
    expect(() => resolveFixture(withEks({ ciRoleArn: 'ci' }))).toThrow(
      '[terraform.eks.ciRoleArn] "ci" is not an IAM role ARN',
    );
  });
});

describe('finding 3: controllers get their own least-privilege roles and managed add-ons', () => {
  const api = defineApp({
    name: 'api',
    image: 'ghcr.io/acme/api',
    secrets: [
      { name: 'db', store: 'aws-sm', key: 'api/db' },
      { name: 'vault-token', store: 'vault', key: 'api/token' },
    ],
  });
  const matrix = (): MatrixDefinition => ({
    ...terraformFixture({ terraform: { ...FIXTURE_TERRAFORM, eks: { secretsManagerStores: ['aws-sm'] } } }),
    apps: [api],
  });
  const prod = (): StackJson => {
    const files = compose(
      checkedMatrix(
        matrix(),
        { prod: { file: 'p', apps: { api: { tag: '1' } } }, dev: { file: 'd', apps: { api: { tag: '1' } } } },
        [],
        { now: FIXTURE_NOW },
      ).resolved,
      {
        generators: [terraformGenerator],
      },
    );
    return JSON.parse(files.get('terraform/prod/aws/us-east-1/main.tf.json')!.content) as StackJson;
  };

  it('associates a Pod Identity role with each controller’s service account', () => {
    const associations = Object.values(resourcesOf(prod(), 'aws_eks_pod_identity_association')).map((a) => [
      a.namespace,
      a.service_account,
      a.role_arn,
    ]);
    expect(associations).toEqual([
      ['external-secrets', 'external-secrets', '${aws_iam_role.main_eso.arn}'],
      ['kube-system', 'cluster-autoscaler', '${aws_iam_role.main_autoscaler.arn}'],
      ['kube-system', 'aws-load-balancer-controller', '${aws_iam_role.main_lbc.arn}'],
      ['kube-system', 'ebs-csi-controller-sa', '${aws_iam_role.main_ebs_csi.arn}'],
    ]);
    const trust = JSON.parse(String(resourcesOf(prod(), 'aws_iam_role').main_eso?.assume_role_policy)) as {
      Statement: { Principal: unknown; Action: unknown }[];
    };
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });
  });

  it('lets external-secrets read only the Secrets Manager keys apps name, and nothing when they name none', () => {
    const policy = JSON.parse(String(resourcesOf(prod(), 'aws_iam_role_policy').main_eso?.policy)) as {
      Statement: { Action: string[]; Resource: string[] }[];
    };
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]?.Resource).toEqual([
      'arn:aws:secretsmanager:us-east-1:${data.aws_caller_identity.current.account_id}:secret:api/db-??????',
    ]);
    expect(policy.Statement[0]?.Action).not.toContain('secretsmanager:ListSecrets');
    expect(resourcesOf(stack('prod/aws/us-east-1'), 'aws_iam_role').main_eso).toBeUndefined();
  });

  it('limits the autoscaler’s writes to this cluster’s node groups', () => {
    const policy = JSON.parse(String(resourcesOf(prod(), 'aws_iam_role_policy').main_autoscaler?.policy)) as {
      Statement: { Action: string[]; Condition?: unknown }[];
    };
    expect(policy.Statement[1]).toEqual({
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/prod-main': 'owned' } },
    });
  });

  it('installs vpc-cni, kube-proxy, the Pod Identity agent, coredns and EBS CSI as managed add-ons, coredns after nodes', () => {
    const addons = resourcesOf(stack('prod/aws/us-east-1'), 'aws_eks_addon');
    expect(Object.keys(addons)).toEqual([
      'main_vpc_cni',
      'main_kube_proxy',
      'main_eks_pod_identity_agent',
      'main_coredns',
      'main_aws_ebs_csi_driver',
    ]);
    expect(addons.main_coredns?.depends_on).toEqual([
      'aws_eks_node_group.main_on_demand',
      'aws_eks_node_group.main_spot',
    ]);
    expect(resourcesOf(stack('prod/aws/us-east-1'), 'aws_iam_openid_connect_provider').main).toEqual({
      url: '${aws_eks_cluster.main.identity[0].oidc[0].issuer}',
      client_id_list: ['sts.amazonaws.com'],
    });
  });
});

describe('finding 4: hardening is on', () => {
  it('keeps the API private unless the matrix lists CIDRs, and rejects 0.0.0.0/0', () => {
    const vpc = (json: StackJson) =>
      resourcesOf(json, 'aws_eks_cluster').main?.vpc_config as Record<string, unknown>;
    expect(vpc(stack('prod/aws/us-east-1'))).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: false,
    });
    expect(vpc(stack('prod/aws/us-east-1')).public_access_cidrs).toBeUndefined();
    const office = withEks({ environments: { dev: { publicAccessCidrs: ['203.0.113.0/24'] } } });
    expect(vpc(stack('dev/aws/us-east-1', office))).toMatchObject({
      endpoint_public_access: true,
      public_access_cidrs: ['203.0.113.0/24'],
    });
    expect(vpc(stack('prod/aws/us-east-1', office)).endpoint_public_access).toBe(false);
    expect(() => resolveFixture(withEks({ publicAccessCidrs: ['0.0.0.0/0'] }))).toThrow(
      '[terraform.eks.publicAccessCidrs[0]] 0.0.0.0/0 opens the Kubernetes API to the whole internet',
    );
  });

  it('logs api, audit and authenticator, kept 90 days in prod and 30 elsewhere', () => {
    const cluster = resourcesOf(stack('prod/aws/us-east-1'), 'aws_eks_cluster').main;
    expect(cluster?.enabled_cluster_log_types).toEqual(['api', 'audit', 'authenticator']);
    const retention = (scope: string) =>
      Object.values(resourcesOf(stack(scope), 'aws_cloudwatch_log_group')).map((g) => [
        g.name,
        g.retention_in_days,
      ]);
    expect(retention('prod/aws/us-east-1')).toEqual([
      ['/aws/vpc/prod-main/flow-logs', 90],
      ['/aws/eks/prod-main/cluster', 90],
    ]);
    expect(retention('dev/aws/us-east-1')).toEqual([
      ['/aws/vpc/dev-main/flow-logs', 30],
      ['/aws/eks/dev-main/cluster', 30],
    ]);
  });

  it('encrypts secrets with a rotated KMS key, logs VPC flows, and empties the default security group', () => {
    const json = stack('prod/aws/us-east-1');
    expect(resourcesOf(json, 'aws_kms_key').main_secrets).toMatchObject({ enable_key_rotation: true });
    expect(resourcesOf(json, 'aws_eks_cluster').main?.encryption_config).toEqual({
      resources: ['secrets'],
      provider: { key_arn: '${aws_kms_key.main_secrets.arn}' },
    });
    expect(resourcesOf(json, 'aws_flow_log').main_flow_logs).toMatchObject({
      vpc_id: '${aws_vpc.main.id}',
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
    });
    expect(resourcesOf(json, 'aws_default_security_group').main).toEqual({
      vpc_id: '${aws_vpc.main.id}',
      tags: { Name: 'prod-main-default' },
    });
  });
});

describe('finding 5: node groups follow the cluster, run a hardened launch template, and keep an on-demand floor', () => {
  it('requires IMDSv2 with hop limit 1 (2 where the matrix says), an encrypted gp3 root volume, and tags what EC2 launches', () => {
    const template = resourcesOf(stack('prod/aws/us-east-1'), 'aws_launch_template').main_spot;
    expect(template?.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
    });
    expect(template?.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: { volume_type: 'gp3', volume_size: 50, encrypted: 'true', delete_on_termination: 'true' },
      },
    ]);
    const specs = template?.tag_specifications as { resource_type: string; tags: Record<string, string> }[];
    expect(specs.map((s) => s.resource_type)).toEqual(['instance', 'volume', 'network-interface']);
    expect(specs[1]?.tags).toEqual({
      environment: 'prod',
      cloud: 'aws',
      region: 'us-east-1',
      'cost-centre': 'platform-1234',
      'managed-by': 'envmatrix',
      Name: 'prod-main-node',
    });
    const hop2 = withEks({ environments: { dev: { metadataHopLimit: 2 } } });
    const devTemplate = resourcesOf(stack('dev/aws/us-east-1', hop2), 'aws_launch_template').main_on_demand;
    expect((devTemplate?.metadata_options as Record<string, unknown>).http_put_response_hop_limit).toBe(2);
    expect(resourcesOf(stack('prod/aws/us-east-1'), 'aws_eks_node_group').main_spot?.launch_template).toEqual(
      {
        id: '${aws_launch_template.main_spot.id}',
        version: '${aws_launch_template.main_spot.latest_version}',
      },
    );
  });

  it('runs wholly on spot only when onDemandPercent is explicitly 0', () => {
    const groups = (matrix: MatrixDefinition) =>
      Object.keys(resourcesOf(stack('dev/aws/us-east-1', matrix), 'aws_eks_node_group'));
    expect(groups(terraformFixture())).toEqual(['main_on_demand', 'main_spot']);
    const allSpot = terraformFixture();
    const explicit: MatrixDefinition = {
      ...allSpot,
      environments: {
        ...allSpot.environments,
        dev: { ...allSpot.environments.dev, policy: { onDemandPercent: 0 } },
      },
    };
    expect(groups(explicit)).toEqual(['main_spot']);
  });
});
