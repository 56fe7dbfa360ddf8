/**
 * The GCP and Azure model rules: version tables judged against an injected clock, ranges checked
 * across clouds within an environment, per-cloud block sizes, and settings, with exact messages.
 */
import { describe, expect, it } from 'vitest';
import { checkAksVersion, supportedAksVersions } from '../../../src/matrix/clouds/azure/versions.ts';
import { azureInfrastructureAt } from '../../../src/matrix/clouds/azure/index.ts';
import { awsInfrastructure } from '../../../src/matrix/clouds/aws/index.ts';
import { gcpInfrastructureAt } from '../../../src/matrix/clouds/gcp/index.ts';
import { checkGkeVersion } from '../../../src/matrix/clouds/gcp/versions.ts';
import { validateInfrastructure } from '../../../src/matrix/infrastructure-validation.ts';
import { aws, azure, gcp } from '../../../src/matrix/index.ts';
import type { MatrixDefinition } from '../../../src/matrix/index.ts';
import { resolveMatrix } from '../../../src/matrix/resolve.ts';
import { MULTI_CLOUD_TERRAFORM, multiCloudFixture } from './gcp-azure-fixture.ts';

const day = (iso: string) => (): Date => new Date(`${iso}T12:00:00Z`);

/** `[path] message | fix` of the infrastructure rules, with every cloud judged on `today`. */
function problems(matrix: MatrixDefinition, today = day('2026-11-30')): string[] {
  const clouds = [awsInfrastructure, gcpInfrastructureAt(today), azureInfrastructureAt(today)];
  return validateInfrastructure(matrix, resolveMatrix(matrix, {}), clouds).map(
    (i) => `[${i.path}] ${i.message.replace(/\(test\/[^)]*\)/, '(…)')} | ${i.fix}`,
  );
}

describe('GKE and AKS version tables', () => {
  it('follow the AKS calendar: 1.34 is supported through November 2026 and not a day later', () => {
    expect(supportedAksVersions(day('2026-11-30')())).toEqual(['1.34', '1.35', '1.36', '1.37']);
    expect(checkAksVersion('1.34', day('2026-11-30')())).toEqual({ ok: true });
    expect(checkAksVersion('1.34', day('2026-12-01')())).toEqual({
      ok: false,
      message:
        'kubernetesVersion 1.34 reached AKS end of life in 2026-11 (supported on 2026-12-01: 1.35, 1.36, 1.37)',
      fix: 'set kubernetesVersion to one of 1.35, 1.36, 1.37 (source: https://learn.microsoft.com/azure/aks/supported-kubernetes-versions)',
    });
    expect(checkAksVersion('1.37', day('2026-09-15')()).ok).toBe(false);
  });

  it('check GKE minors per release channel, and ask for a table refresh past its review date', () => {
    expect(checkGkeVersion('1.37', 'RAPID', day('2026-11-30')())).toEqual({ ok: true });
    expect(checkGkeVersion('1.37', 'REGULAR', day('2026-11-30')())).toMatchObject({
      ok: false,
      message:
        'kubernetesVersion 1.37 is not offered in the GKE REGULAR channel (it offers 1.34, 1.35, 1.36 as of 2026-11-30)',
    });
    expect(checkGkeVersion('1.35', 'REGULAR', day('2027-04-01')())).toMatchObject({
      ok: false,
      message:
        'the GKE version table (src/matrix/clouds/gcp/versions.ts, as of 2026-11-30) is past its review date 2027-03-31',
    });
  });

  it('report the default 1.30 on GKE and AKS clusters with the fix, judged on the injected day', () => {
    const matrix = multiCloudFixture({
      clusters: () => [
        gcp('prod', 'europe-west1', { network: { vpcCidr: '10.40.0.0/16' } }),
        azure('prod', 'westeurope', { kubernetesVersion: '1.34', network: { vpcCidr: '10.50.0.0/16' } }),
      ],
    });
    expect(problems(matrix, day('2026-11-30'))).toEqual([
      '[clusters[0] prod/gcp/europe-west1/main] kubernetesVersion 1.30 is not offered in the GKE STABLE channel (it offers 1.34, 1.35 as of 2026-11-30) | set kubernetesVersion to one of 1.34, 1.35 (source: https://cloud.google.com/kubernetes-engine/docs/release-notes (Current versions))',
    ]);
    expect(problems(matrix, day('2026-12-01'))).toHaveLength(2);
  });
});

describe('GKE and AKS networks', () => {
  it('accepts the fixture', () => {
    expect(problems(multiCloudFixture())).toEqual([]);
  });

  it('reports blocks that overlap across clouds within an environment, but not across environments', () => {
    const matrix = multiCloudFixture({
      clusters: () => [
        aws('prod', 'us-east-1', { network: { vpcCidr: '10.40.0.0/16' } }),
        gcp('prod', 'europe-west1', { kubernetesVersion: '1.35', network: { vpcCidr: '10.40.0.0/17' } }),
        azure('prod', 'westeurope', { kubernetesVersion: '1.35', network: { vpcCidr: '10.40.128.0/18' } }),
        azure('dev', 'westeurope', { kubernetesVersion: '1.35', network: { vpcCidr: '10.40.0.0/16' } }),
      ],
    });
    expect(problems(matrix)).toEqual([
      '[clusters[1] prod/gcp/europe-west1/main] network.vpcCidr 10.40.0.0/17 overlaps 10.40.0.0/16 of prod/aws/us-east-1/main (…); the VPCs of one environment must not overlap, so they can be peered | give prod/gcp/europe-west1/main a range no other prod cluster uses, e.g. 10.0.0.0/16',
      '[clusters[2] prod/azure/westeurope/main] network.vpcCidr 10.40.128.0/18 overlaps 10.40.0.0/16 of prod/aws/us-east-1/main (…); the VPCs of one environment must not overlap, so they can be peered | give prod/azure/westeurope/main a range no other prod cluster uses, e.g. 10.0.0.0/16',
    ]);
  });

  it('asks GKE for at least a /19 block and AKS for at least a /18 (room for the pod ranges), and a network', () => {
    const matrix = multiCloudFixture({
      clusters: () => [
        gcp('prod', 'europe-west1', { kubernetesVersion: '1.35', network: { vpcCidr: '10.40.0.0/20' } }),
        azure('prod', 'westeurope', { kubernetesVersion: '1.35', network: { vpcCidr: '10.50.0.0/19' } }),
        azure('dev', 'westeurope', { kubernetesVersion: '1.35' }),
      ],
    });
    expect(problems(matrix)).toEqual([
      "[clusters[0] prod/gcp/europe-west1/main] network.vpcCidr 10.40.0.0/20 is a /20; a GKE cluster's block is /16 to /19 (half of it is the pod range, a /24 per node) | use a /16, or at least a /19",
      "[clusters[1] prod/azure/westeurope/main] network.vpcCidr 10.50.0.0/19 is a /19; an AKS cluster's block is /16 to /18 (half of it is the overlay pod range, a /24 per node) | use a /16, or at least a /18",
      "[clusters[2] dev/azure/westeurope/main] has no network.vpcCidr, which its Terraform stack needs | add network: { vpcCidr: '10.0.0.0/16' } to the cluster (any range no other dev cluster uses)",
    ]);
  });
});

describe('terraform.gcp and terraform.azure settings', () => {
  it('reports bad names, channels, ids and unknown environments at their paths, with the fix', () => {
    const matrix = multiCloudFixture({
      terraform: {
        ...MULTI_CLOUD_TERRAFORM,
        gcp: {
          state: { bucket: 'Bad_Bucket', prefix: '/x' },
          project: { prod: 'acme-platform-prod', qa: 'x' },
          releaseChannel: 'FAST' as never,
        },
        azure: {
          state: { storageAccount: 'Acme-State', container: 'tf--state', resourceGroup: 'rg.' },
          subscriptionId: 'not-a-guid',
        },
      },
      clusters: () => [],
    });
    expect(problems(matrix)).toEqual([
      '[terraform.gcp.state.bucket] "Bad_Bucket" is not a GCS bucket name | use 3–63 lowercase letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
      '[terraform.gcp.state.prefix] "/x" is not a state prefix | write folder names joined by "/", without a leading or trailing "/", e.g. "platform/envmatrix"',
      '[terraform.gcp.project.qa] names unknown environment "qa" | use one of: dev, prod',
      '[terraform.gcp.project.qa] "x" is not a GCP project id | use 6–30 lowercase letters, digits and "-", starting with a letter',
      '[terraform.gcp.releaseChannel] "FAST" is not a GKE release channel | use one of RAPID, REGULAR, STABLE, EXTENDED',
      '[terraform.azure.state.storageAccount] "Acme-State" is not a storage account name | use 3–24 lowercase letters and digits',
      '[terraform.azure.state.container] "tf--state" is not a blob container name | use 3–63 lowercase letters, digits and single "-", starting and ending with a letter or digit',
      '[terraform.azure.state.resourceGroup] "rg." is not a resource group name | use 1–90 letters, digits, "_", "-", ".", "(" and ")", not ending in "."',
      '[terraform.azure.subscriptionId] "not-a-guid" is not a subscription id | write the subscription GUID, e.g. 00000000-0000-0000-0000-000000000000',
    ]);
  });

  it('reports a GKE cluster whose environment has no project', () => {
    const matrix = multiCloudFixture({
      terraform: {
        ...MULTI_CLOUD_TERRAFORM,
        gcp: { state: { bucket: 'acme-tf' }, project: { prod: 'acme-platform-prod' } },
      },
      clusters: () => [
        gcp('dev', 'europe-west1', { kubernetesVersion: '1.35', network: { vpcCidr: '10.11.0.0/16' } }),
      ],
    });
    expect(problems(matrix)).toEqual([
      '[clusters[0] dev/gcp/europe-west1/main] has no GCP project: terraform.gcp.project names none for dev | add dev to terraform.gcp.project, or give one project id for every environment',
    ]);
  });
});
