/**
 * IAM policy documents of the controllers a cluster runs, as plain data (no cdktf), each as narrow as
 * its upstream documents it. They reach pods through EKS Pod Identity (identity.ts).
 */

export interface PolicyStatement {
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/**
 * Trust for EKS Pod Identity (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html):
 * `sts:TagSession` because the agent tags each session with the cluster, namespace and service account.
 */
export const POD_IDENTITY_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    },
  ],
});

/**
 * external-secrets, read-only, on the named secrets only: the second statement of ESO's recommended
 * policy (external-secrets docs/provider/aws-secrets-manager.md), without `ListSecrets` /
 * `BatchGetSecretValue` on `*`, which only `dataFrom.find` needs. Secrets Manager appends a random
 * 6-character suffix to each ARN, hence `-??????`.
 */
export function externalSecretsStatements(
  region: string,
  accountId: string,
  keys: readonly string[],
): PolicyStatement[] {
  return [
    {
      Effect: 'Allow',
      Action: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetResourcePolicy',
        'secretsmanager:GetSecretValue',
        'secretsmanager:ListSecretVersionIds',
      ],
      Resource: keys.map((key) => `arn:aws:secretsmanager:${region}:${accountId}:secret:${key}-??????`),
    },
  ];
}

/**
 * cluster-autoscaler: the minimal policy of kubernetes/autoscaler cluster-autoscaler/cloudprovider/
 * aws/README.md §"IAM Policy" (plus DescribeTags for auto-discovery and DescribeLaunchTemplateVersions
 * for launch-template groups, as it says), with the two writes limited to this cluster's groups: EKS
 * tags a managed node group's Auto Scaling group `k8s.io/cluster-autoscaler/<cluster> = owned`.
 */
export function clusterAutoscalerStatements(eksName: string): PolicyStatement[] {
  return [
    {
      Effect: 'Allow',
      Action: [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeScalingActivities',
        'autoscaling:DescribeTags',
        'ec2:DescribeImages',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:GetInstanceTypesFromInstanceRequirements',
        'eks:DescribeNodegroup',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${eksName}`]: 'owned' } },
    },
  ];
}

/** The tag keys the AWS Load Balancer Controller puts on what it creates. */
const LBC_TAGS = ['ingress.k8s.aws/cluster', 'service.k8s.aws/cluster'] as const;

/**
 * AWS Load Balancer Controller. Written after the official policy,
 * kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json (v2.17.1): read-only
 * describes on `*`; security groups, load balancers and target groups changed or deleted only when
 * they carry the controller's cluster tag; created only with it. Compare with that file on each
 * controller upgrade (it grows with new features: WAF, Shield, listener attributes).
 */
export function loadBalancerControllerStatements(): PolicyStatement[] {
  const tagged = (key: string): PolicyStatement['Condition'] => ({
    Null: { [`aws:ResourceTag/${key}`]: 'false' },
  });
  return [
    {
      Effect: 'Allow',
      Action: [
        'acm:DescribeCertificate',
        'acm:ListCertificates',
        'cognito-idp:DescribeUserPoolClient',
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeCoipPools',
        'ec2:DescribeInstances',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeRouteTables',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeTags',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeVpcs',
        'ec2:GetCoipPoolUsage',
        'ec2:GetSecurityGroupsForVpc',
        'elasticloadbalancing:Describe*',
        'iam:GetServerCertificate',
        'iam:ListServerCertificates',
        'shield:DescribeProtection',
        'shield:GetSubscriptionState',
        'waf-regional:GetWebACL',
        'waf-regional:GetWebACLForResource',
        'wafv2:GetWebACL',
        'wafv2:GetWebACLForResource',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      Effect: 'Allow',
      Action: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:CreateSecurityGroup',
        'ec2:RevokeSecurityGroupIngress',
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:SetWebAcl',
        'waf-regional:AssociateWebACL',
        'waf-regional:DisassociateWebACL',
        'wafv2:AssociateWebACL',
        'wafv2:DisassociateWebACL',
        'shield:CreateProtection',
        'shield:DeleteProtection',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: 'arn:aws:ec2:*:*:security-group/*',
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
        Null: { 'aws:RequestTag/ingress.k8s.aws/cluster': 'false' },
      },
    },
    ...LBC_TAGS.map((key): PolicyStatement => ({
      Effect: 'Allow',
      Action: [
        'ec2:CreateTags',
        'ec2:DeleteTags',
        'ec2:DeleteSecurityGroup',
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:RemoveTags',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:DeregisterTargets',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:RegisterTargets',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
      ],
      Resource: '*',
      Condition: tagged(key),
    })),
    {
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:CreateLoadBalancer',
        'elasticloadbalancing:CreateTargetGroup',
      ],
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [...LBC_TAGS] } },
    },
  ];
}

/** EBS CSI driver: AWS's managed policy, as the add-on's documentation requires. */
export const EBS_CSI_POLICY_ARN = 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy';
