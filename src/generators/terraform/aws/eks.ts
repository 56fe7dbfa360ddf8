/**
 * A cluster's compute: the EKS control plane (API authentication with access entries, private
 * endpoint, control-plane logs, secrets encrypted with its own KMS key, STANDARD upgrade policy) and
 * managed node groups — an on-demand baseline and a spot group, sized by the environment's split, on
 * the cluster's version, through a launch template (IMDSv2, encrypted gp3 root volume, tagged
 * instances and volumes) — with the roles control plane and nodes run as.
 * Hardening follows terraform-aws-modules/eks v21's defaults and the EKS Best Practices Guide.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon/index.js';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry/index.js';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association/index.js';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template/index.js';
import type { ITerraformDependable, TerraformStack } from 'cdktf';
import type { EksAddon as EksAddonName } from '../../../matrix/clouds/aws/versions.ts';
import { addResource, logicalName } from '../names.ts';
import type { ClusterNetworkResources } from './network.ts';
import { CLUSTER_ADMIN_POLICY, type ClusterPlan } from './plan.ts';

/** AWS-managed policies each role needs, as EKS documents them. */
const CLUSTER_POLICIES = ['AmazonEKSClusterPolicy'] as const;
const NODE_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryReadOnly',
] as const;
/** Security Hub EKS.8 and the EKS module's default: who called the API, and who was let in. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator'] as const;
/** Root volume of the AL2023 EKS AMI. */
const ROOT_DEVICE = '/dev/xvda';
const ROOT_VOLUME_GIB = 50;

function trustPolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

export function addRole(
  stack: TerraformStack,
  name: string,
  roleName: string,
  trust: string,
  policyArns: readonly string[],
): { role: IamRole; attachments: IamRolePolicyAttachment[] } {
  const role = addResource(stack, IamRole, name, { name: roleName, assumeRolePolicy: trust });
  const attachments = policyArns.map((arn) =>
    addResource(stack, IamRolePolicyAttachment, `${name}_${arn.split('/').at(-1)!}`, {
      role: role.name,
      policyArn: arn,
    }),
  );
  return { role, attachments };
}

const managed = (policy: string): string => `arn:aws:iam::aws:policy/${policy}`;

/**
 * Add-ons nodes need to become Ready (networking, service proxy, the Pod Identity agent) go in before
 * the node groups; the rest need running nodes (EKS reports them degraded until pods schedule).
 */
const BEFORE_NODES: readonly EksAddonName[] = ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent'];
const AFTER_NODES: readonly EksAddonName[] = ['coredns', 'aws-ebs-csi-driver'];

function addAddons(
  stack: TerraformStack,
  plan: ClusterPlan,
  cluster: EksCluster,
  addons: readonly EksAddonName[],
  dependsOn: readonly ITerraformDependable[],
): EksAddon[] {
  return addons.map((addon) =>
    addResource(stack, EksAddon, logicalName(plan.name, addon.replaceAll('-', '_')), {
      clusterName: cluster.name,
      addonName: addon,
      addonVersion: plan.addons[addon],
      // Clusters keep the self-managed vpc-cni, kube-proxy and coredns EKS installs at creation
      // (turning that off replaces a cluster); the managed add-on takes them over.
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      ...(dependsOn.length > 0 && { dependsOn: [...dependsOn] }),
    }),
  );
}

export interface ClusterComputeResources {
  readonly cluster: EksCluster;
  readonly nodeGroups: readonly EksNodeGroup[];
  readonly kmsKey: KmsKey;
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
    trustPolicy('eks.amazonaws.com'),
    CLUSTER_POLICIES.map(managed),
  );
  const nodes = addRole(
    stack,
    name('nodes'),
    plan.roles.nodes,
    trustPolicy('ec2.amazonaws.com'),
    NODE_POLICIES.map(managed),
  );

  // Secrets in etcd are encrypted with a key this account controls and can audit (envelope encryption).
  const kmsKey = addResource(stack, KmsKey, name('secrets'), {
    description: `Kubernetes secrets of EKS cluster ${plan.eksName}`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    lifecycle: { preventDestroy: plan.preventDestroy },
  });
  addResource(stack, KmsAlias, name('secrets'), {
    name: `alias/eks/${plan.eksName}`,
    targetKeyId: kmsKey.keyId,
  });

  // EKS writes to this group once logging is on; created first so it has a retention (EKS would make
  // one that keeps logs forever).
  const logGroup = addResource(stack, CloudwatchLogGroup, name('control_plane'), {
    name: `/aws/eks/${plan.eksName}/cluster`,
    retentionInDays: plan.logRetentionDays,
  });

  const cluster = addResource(stack, EksCluster, name(), {
    name: plan.eksName,
    version: plan.kubernetesVersion,
    roleArn: controlPlane.role.arn,
    vpcConfig: {
      // Public subnets too, so EKS can place internet-facing load balancers' network interfaces.
      subnetIds: [...network.privateSubnets, ...network.publicSubnets].map((subnet) => subnet.id),
      endpointPrivateAccess: true,
      endpointPublicAccess: plan.publicAccessCidrs.length > 0,
      ...(plan.publicAccessCidrs.length > 0 && { publicAccessCidrs: [...plan.publicAccessCidrs] }),
    },
    // Access entries only: who may do what is in Terraform, not in a ConfigMap, and whoever ran the
    // first apply gets nothing by being first (the CI role has its own entry).
    accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
    enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
    encryptionConfig: { resources: ['secrets'], provider: { keyArn: kmsKey.arn } },
    upgradePolicy: { supportType: plan.upgradeSupport },
    // Without the policy attached first, EKS cannot create the cluster's network interfaces, and a
    // destroy would detach it while the cluster still needs it.
    dependsOn: [...controlPlane.attachments, logGroup],
    lifecycle: { preventDestroy: plan.preventDestroy },
  });

  plan.accessEntries.forEach(({ name: entry, principalArn }) => {
    const access = addResource(stack, EksAccessEntry, name('access', entry), {
      clusterName: cluster.name,
      principalArn,
      type: 'STANDARD',
    });
    addResource(stack, EksAccessPolicyAssociation, name('access', entry), {
      clusterName: cluster.name,
      principalArn: access.principalArn,
      policyArn: CLUSTER_ADMIN_POLICY,
      accessScope: { type: 'cluster' },
    });
  });

  const baseAddons = addAddons(stack, plan, cluster, BEFORE_NODES, []);
  const nodeGroups = plan.nodeGroups.map((group) => {
    const id = name(group.kind.replace('-', '_'));
    const template = addResource(stack, LaunchTemplate, id, {
      name: `${plan.eksName}-${group.kind}`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: plan.metadataHopLimit,
      },
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE,
          ebs: {
            volumeType: 'gp3',
            volumeSize: ROOT_VOLUME_GIB,
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ],
      // The provider's default tags reach the launch template, not what EC2 launches from it: without
      // these, instances and volumes miss the cost-centre tag.
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({
        resourceType,
        tags: { ...plan.instanceTags },
      })),
    });
    return addResource(stack, EksNodeGroup, id, {
      clusterName: cluster.name,
      nodeGroupName: `${plan.name}-${group.kind}`,
      // Nodes follow the control plane: a version bump upgrades both, in that order.
      version: cluster.version,
      nodeRoleArn: nodes.role.arn,
      // Nodes stay private; they reach the internet through the NAT gateways.
      subnetIds: network.privateSubnets.map((subnet) => subnet.id),
      capacityType: group.capacityType,
      instanceTypes: [...group.instanceTypes],
      launchTemplate: { id: template.id, version: template.latestVersion.toString() },
      scalingConfig: { minSize: group.min, maxSize: group.max, desiredSize: group.desired },
      // The cluster autoscaler owns the node count once the group exists; applying the matrix again
      // must not undo its decisions.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      dependsOn: [...nodes.attachments, ...baseAddons],
    });
  });
  addAddons(stack, plan, cluster, AFTER_NODES, nodeGroups);
  return { cluster, nodeGroups, kmsKey };
}
