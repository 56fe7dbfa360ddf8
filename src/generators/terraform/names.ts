/**
 * Resource names in a stack. cdktf derives logical ids from construct paths and appends a hash when
 * the path has several parts; operators read `terraform plan` and write `terraform state` commands by
 * these names, so each resource gets a readable one instead: `aws_subnet.main_private_us-east-1a`.
 */
import type { TerraformResource, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * `<cluster>_<part>_<part>`. Terraform names may hold letters, digits, `_` and `-` but must not start
 * with a digit, which a DNS-label cluster name may.
 */
export function logicalName(cluster: string, ...parts: string[]): string {
  const prefix = /^[0-9]/.test(cluster) ? `cluster_${cluster}` : cluster;
  return [prefix, ...parts].join('_');
}

interface ResourceClass<Config, R extends TerraformResource> {
  readonly tfResourceType: string;
  new (scope: Construct, id: string, config: Config): R;
}

/**
 * Add a resource named `name`. The construct id carries the resource type too, because construct ids
 * are unique per scope while Terraform names are unique per type (a subnet and its route table
 * association share the name `main_public_us-east-1a`).
 */
export function addResource<Config, R extends TerraformResource>(
  stack: TerraformStack,
  kind: ResourceClass<Config, R>,
  name: string,
  config: Config,
): R {
  const resource = new kind(stack, `${kind.tfResourceType}.${name}`, config);
  resource.overrideLogicalId(name);
  return resource;
}
