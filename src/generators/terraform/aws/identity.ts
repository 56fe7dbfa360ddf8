/**
 * Workload identity of a cluster: its OIDC provider (IRSA, and the issuer Argo CD and other tools read
 * from the outputs) and one role per controller the README relies on, handed to its service account
 * through EKS Pod Identity (agent add-on in eks.ts, associations here). Each role holds only what its
 * controller documents (policies.ts); external-secrets gets a role only when apps name Secrets Manager
 * keys, and then only those keys.
 */
import type { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association/index.js';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import type { TerraformStack } from 'cdktf';
import { addResource, logicalName } from '../names.ts';
import { addRole } from './eks.ts';
import type { ClusterPlan } from './plan.ts';
import type { AwsRoleKind } from '../../../matrix/clouds/aws/index.ts';
import {
  clusterAutoscalerStatements,
  EBS_CSI_POLICY_ARN,
  externalSecretsStatements,
  loadBalancerControllerStatements,
  policyDocument,
  POD_IDENTITY_TRUST,
  type PolicyStatement,
} from './policies.ts';

/** Where each controller runs: the namespaces and service accounts of their Helm charts and add-on. */
export interface ControllerIdentity {
  readonly role: Exclude<AwsRoleKind, 'cluster' | 'nodes' | 'flow-logs'>;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly statements?: readonly PolicyStatement[];
  readonly policyArns?: readonly string[];
}

export function controllerIdentities(
  plan: ClusterPlan,
  region: string,
  accountId: string,
): ControllerIdentity[] {
  return [
    ...(plan.secretKeys.length > 0
      ? [
          {
            role: 'eso' as const,
            namespace: 'external-secrets',
            serviceAccount: 'external-secrets',
            statements: externalSecretsStatements(region, accountId, plan.secretKeys),
          },
        ]
      : []),
    {
      role: 'autoscaler',
      namespace: 'kube-system',
      serviceAccount: 'cluster-autoscaler',
      statements: clusterAutoscalerStatements(plan.eksName),
    },
    {
      role: 'lbc',
      namespace: 'kube-system',
      serviceAccount: 'aws-load-balancer-controller',
      statements: loadBalancerControllerStatements(),
    },
    {
      role: 'ebs-csi',
      namespace: 'kube-system',
      // The EBS CSI add-on's controller (docs: add-ons-aws-ebs-csi-driver).
      serviceAccount: 'ebs-csi-controller-sa',
      policyArns: [EBS_CSI_POLICY_ARN],
    },
  ];
}

export interface ClusterIdentityResources {
  readonly oidcProvider: IamOpenidConnectProvider;
}

export function addIdentity(
  stack: TerraformStack,
  plan: ClusterPlan,
  region: string,
  cluster: EksCluster,
  account: DataAwsCallerIdentity,
): ClusterIdentityResources {
  const name = (...parts: string[]): string => logicalName(plan.name, ...parts);
  const oidcProvider = addResource(stack, IamOpenidConnectProvider, name(), {
    url: cluster.identity.get(0).oidc.get(0).issuer,
    clientIdList: ['sts.amazonaws.com'],
  });
  for (const controller of controllerIdentities(plan, region, account.accountId)) {
    const id = name(controller.role.replaceAll('-', '_'));
    const { role } = addRole(
      stack,
      id,
      plan.roles[controller.role],
      POD_IDENTITY_TRUST,
      controller.policyArns ?? [],
    );
    if (controller.statements)
      addResource(stack, IamRolePolicy, id, {
        name: controller.serviceAccount,
        role: role.name,
        policy: policyDocument(controller.statements),
      });
    addResource(stack, EksPodIdentityAssociation, id, {
      clusterName: cluster.name,
      namespace: controller.namespace,
      serviceAccount: controller.serviceAccount,
      roleArn: role.arn,
    });
  }
  return { oidcProvider };
}
