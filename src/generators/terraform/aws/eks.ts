/**
 * A cluster's compute: the EKS control plane with its IAM role, and managed node groups — an on-demand
 * baseline and a spot group over several instance types, sized by the environment's split — with the
 * role their nodes run as.
 */
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import type { TerraformStack } from 'cdktf';
import { addResource, logicalName } from '../names.ts';
import type { ClusterNetworkResources } from './network.ts';
import type { ClusterPlan } from './plan.ts';

/** AWS-managed policies each role needs, as EKS documents them. */
const CLUSTER_POLICIES = ['AmazonEKSClusterPolicy'] as const;
const NODE_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryReadOnly',
] as const;

function trustPolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

function addRole(
  stack: TerraformStack,
  name: string,
  roleName: string,
  service: string,
  policies: readonly string[],
): { role: IamRole; attachments: IamRolePolicyAttachment[] } {
  const role = addResource(stack, IamRole, name, { name: roleName, assumeRolePolicy: trustPolicy(service) });
  const attachments = policies.map((policy) =>
    addResource(stack, IamRolePolicyAttachment, `${name}_${policy}`, {
      role: role.name,
      policyArn: `arn:aws:iam::aws:policy/${policy}`,
    }),
  );
  return { role, attachments };
}

export interface ClusterComputeResources {
  readonly cluster: EksCluster;
}

export function addCompute(
  stack: TerraformStack,
  plan: ClusterPlan,
  network: ClusterNetworkResources,
): ClusterComputeResources {
  const name = (...parts: string[]): string => logicalName(plan.name, ...parts);
  const controlPlane = addRole(
    stack,
    name('cluster'),
    plan.roles.cluster,
    'eks.amazonaws.com',
    CLUSTER_POLICIES,
  );
  const nodes = addRole(stack, name('nodes'), plan.roles.nodes, 'ec2.amazonaws.com', NODE_POLICIES);

  const cluster = addResource(stack, EksCluster, name(), {
    name: plan.eksName,
    version: plan.kubernetesVersion,
    roleArn: controlPlane.role.arn,
    vpcConfig: {
      // Public subnets too, so EKS can place internet-facing load balancers' network interfaces.
      subnetIds: [...network.privateSubnets, ...network.publicSubnets].map((subnet) => subnet.id),
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
    },
    // Without the policy attached first, EKS cannot create the cluster's network interfaces, and a
    // destroy would detach it while the cluster still needs it.
    dependsOn: controlPlane.attachments,
  });

  for (const group of plan.nodeGroups) {
    addResource(stack, EksNodeGroup, name(group.kind.replace('-', '_')), {
      clusterName: cluster.name,
      nodeGroupName: `${plan.name}-${group.kind}`,
      nodeRoleArn: nodes.role.arn,
      // Nodes stay private; they reach the internet through the NAT gateways.
      subnetIds: network.privateSubnets.map((subnet) => subnet.id),
      capacityType: group.capacityType,
      instanceTypes: [...group.instanceTypes],
      scalingConfig: { minSize: group.min, maxSize: group.max, desiredSize: group.desired },
      // The cluster autoscaler owns the node count once the group exists; applying the matrix again
      // must not undo its decisions.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      dependsOn: nodes.attachments,
    });
  }
  return { cluster };
}
