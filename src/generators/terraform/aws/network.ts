/**
 * A cluster's network: its VPC, a public and a private subnet per zone, an internet gateway for the
 * public subnets, and NAT gateways for the private ones (one per zone when the environment's policy
 * asks for `natPerZone`, so a zone outage cannot cut the others off; one per VPC otherwise, which is
 * cheaper).
 */
import { Eip } from '@cdktf/provider-aws/lib/eip/index.js';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway/index.js';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway/index.js';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association/index.js';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table/index.js';
import { Route } from '@cdktf/provider-aws/lib/route/index.js';
import { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import type { TerraformStack } from 'cdktf';
import { addResource, logicalName } from '../names.ts';
import type { ClusterPlan } from './plan.ts';

export interface ClusterNetworkResources {
  readonly vpc: Vpc;
  readonly publicSubnets: readonly Subnet[];
  readonly privateSubnets: readonly Subnet[];
}

/** Where every internet-bound packet goes. */
const ANYWHERE = '0.0.0.0/0';

export function addNetwork(
  stack: TerraformStack,
  cluster: ClusterPlan,
  env: string,
): ClusterNetworkResources {
  const name = (...parts: string[]): string => logicalName(cluster.name, ...parts);
  const tags = (...parts: string[]): Record<string, string> => ({
    Name: [env, cluster.name, ...parts].join('-'),
  });

  const vpc = addResource(stack, Vpc, name(), {
    cidrBlock: cluster.vpcCidr,
    // EKS needs DNS in the VPC: nodes find the API server and each other by name.
    enableDnsSupport: true,
    enableDnsHostnames: true,
    tags: tags(),
  });
  const internetGateway = addResource(stack, InternetGateway, name(), { vpcId: vpc.id, tags: tags() });

  const publicSubnets = cluster.subnets.map(({ zone, publicCidr }) =>
    addResource(stack, Subnet, name('public', zone), {
      vpcId: vpc.id,
      availabilityZone: zone,
      cidrBlock: publicCidr,
      // Where the AWS Load Balancer Controller puts internet-facing load balancers.
      tags: { ...tags('public', zone), 'kubernetes.io/role/elb': '1' },
    }),
  );
  const privateSubnets = cluster.subnets.map(({ zone, privateCidr }) =>
    addResource(stack, Subnet, name('private', zone), {
      vpcId: vpc.id,
      availabilityZone: zone,
      cidrBlock: privateCidr,
      // Where it puts internal load balancers.
      tags: { ...tags('private', zone), 'kubernetes.io/role/internal-elb': '1' },
    }),
  );

  const publicRoutes = addResource(stack, RouteTable, name('public'), {
    vpcId: vpc.id,
    tags: tags('public'),
  });
  addResource(stack, Route, name('public', 'internet'), {
    routeTableId: publicRoutes.id,
    destinationCidrBlock: ANYWHERE,
    gatewayId: internetGateway.id,
  });
  publicSubnets.forEach((subnet, index) =>
    addResource(stack, RouteTableAssociation, name('public', cluster.subnets[index]!.zone), {
      subnetId: subnet.id,
      routeTableId: publicRoutes.id,
    }),
  );

  const natZones = cluster.natPerZone ? cluster.subnets : cluster.subnets.slice(0, 1);
  const natGateways = natZones.map(({ zone }, index) => {
    const address = addResource(stack, Eip, name('nat', zone), { domain: 'vpc', tags: tags('nat', zone) });
    return addResource(stack, NatGateway, name(zone), {
      allocationId: address.id,
      subnetId: publicSubnets[index]!.id,
      tags: tags('nat', zone),
      // AWS: a NAT gateway only passes traffic once the VPC's internet gateway is attached.
      dependsOn: [internetGateway],
    });
  });

  // A route table per zone even with one NAT gateway, so turning natPerZone on only re-points routes.
  privateSubnets.forEach((subnet, index) => {
    const zone = cluster.subnets[index]!.zone;
    const routes = addResource(stack, RouteTable, name('private', zone), {
      vpcId: vpc.id,
      tags: tags('private', zone),
    });
    addResource(stack, Route, name('private', zone, 'nat'), {
      routeTableId: routes.id,
      destinationCidrBlock: ANYWHERE,
      natGatewayId: (natGateways[index] ?? natGateways[0]!).id,
    });
    addResource(stack, RouteTableAssociation, name('private', zone), {
      subnetId: subnet.id,
      routeTableId: routes.id,
    });
  });

  return { vpc, publicSubnets, privateSubnets };
}
