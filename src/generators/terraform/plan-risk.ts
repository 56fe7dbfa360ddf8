/**
 * Which Terraform changes destroy something: deletes and replacements (delete then create, or create
 * then delete). One classifier for two inputs — a plan (`terraform show -json plan`, in CI) and two
 * versions of a stack's main.tf.json (the promotion risk section, which has no state) — so CI and the
 * promotion PR flag the same addresses the same way. Pure: no terraform, no cdktf.
 */

export type DestructiveKind = 'delete' | 'replace';

export interface DestructiveChange {
  /** `aws_vpc.main`, or `module.x.aws_vpc.main` in a plan. */
  readonly address: string;
  readonly kind: DestructiveKind;
  /** Why it is replaced, when known: the attribute that forces it, or Terraform's action reason. */
  readonly reason?: string;
}

/** A change as `terraform show -json` writes it under `resource_changes[]`. */
export interface PlanResourceChange {
  readonly address: string;
  readonly change: { readonly actions: readonly string[] };
  readonly action_reason?: string;
}

/** Terraform's actions for one resource, classified. */
export function classifyActions(actions: readonly string[]): DestructiveKind | undefined {
  if (actions.includes('delete')) return actions.includes('create') ? 'replace' : 'delete';
  return undefined;
}

/** A resource of `terraform show -json`'s `configuration.root_module`, with what its arguments refer to. */
interface PlanConfigResource {
  readonly address: string;
  readonly type: string;
  readonly expressions?: Readonly<Record<string, unknown>>;
}

/** Every address an expression (or nested block of them) refers to: `references` at any depth. */
function referencesIn(expression: unknown): string[] {
  if (Array.isArray(expression)) return expression.flatMap(referencesIn);
  if (expression === null || typeof expression !== 'object') return [];
  return Object.entries(expression).flatMap(([key, value]) =>
    key === 'references' && Array.isArray(value) ? (value as string[]) : referencesIn(value),
  );
}

/**
 * The deletes and replacements of a plan, in plan order. With `forceNew`, a resource Terraform only
 * updates is a replacement too when a force-new argument of it refers to a replaced or deleted resource
 * (the rule destructiveChangesInConfig applies to configuration diffs). The provider may allow the
 * update while the service does not: aws 5.25+ updates an EKS cluster's subnet_ids in place
 * (hashicorp/terraform-provider-aws#34209), but EKS accepts new subnets only in the cluster's own VPC
 * (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html), so a VPC range change plans an
 * update that fails at apply and in fact needs a new cluster.
 */
export function destructiveChangesInPlan(
  showJson: unknown,
  forceNew: ForceNewArguments = {},
): DestructiveChange[] {
  const plan = showJson as {
    resource_changes?: readonly PlanResourceChange[];
    configuration?: { root_module?: { resources?: readonly PlanConfigResource[] } };
  } | null;
  const changes = plan?.resource_changes ?? [];
  const found = new Map<string, DestructiveChange>();
  for (const change of changes) {
    const kind = classifyActions(change.change.actions);
    if (kind)
      found.set(change.address, {
        address: change.address,
        kind,
        ...(change.action_reason && { reason: change.action_reason }),
      });
  }
  const config = new Map((plan?.configuration?.root_module?.resources ?? []).map((r) => [r.address, r]));
  const follows = (reference: string, address: string): boolean =>
    reference === address || reference.startsWith(`${address}.`);
  for (let grew = true; grew;) {
    grew = false;
    for (const change of changes) {
      const resource = config.get(change.address);
      if (found.has(change.address) || !resource || !change.change.actions.includes('update')) continue;
      for (const argument of forceNew[resource.type] ?? []) {
        const references = referencesIn(resource.expressions?.[argument]);
        const via = [...found.values()].find((c) => references.some((r) => follows(r, c.address)));
        if (via) {
          found.set(change.address, {
            address: change.address,
            kind: 'replace',
            reason: `${argument} follows ${via.address}, which is ${via.kind === 'delete' ? 'deleted' : 'replaced'}; Terraform plans an update the service refuses`,
          });
          grew = true;
          break;
        }
      }
    }
  }
  const order = changes.map((c) => c.address);
  return [...found.values()].sort((a, b) => order.indexOf(a.address) - order.indexOf(b.address));
}

/** Resource arguments whose change makes the provider replace the resource, by resource type. */
export type ForceNewArguments = Readonly<Record<string, readonly string[]>>;

type Resources = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

/** `type.name` → arguments, from a Terraform JSON configuration (main.tf.json). */
export function configResources(config: unknown): Map<string, Readonly<Record<string, unknown>>> {
  const map = new Map<string, Readonly<Record<string, unknown>>>();
  const resource = (config as { resource?: Record<string, Record<string, Record<string, unknown>>> } | null)
    ?.resource;
  for (const [type, byName] of Object.entries(resource ?? {}))
    for (const [name, body] of Object.entries(byName)) map.set(`${type}.${name}`, body);
  return map;
}

/**
 * What a configuration change will destroy, without state: removed resources are deleted; a resource
 * is replaced when a force-new argument changes, or when it points (`${address.…}`) through one at a
 * resource that is replaced (a subnet of a replaced VPC is replaced too). Repeated to a fixed point.
 */
export function destructiveChangesInConfig(
  before: Resources,
  after: Resources,
  forceNew: ForceNewArguments,
): DestructiveChange[] {
  const found = new Map<string, DestructiveChange>();
  for (const address of before.keys())
    if (!after.has(address)) found.set(address, { address, kind: 'delete' });
  let grew = true;
  while (grew) {
    grew = false;
    for (const [address, body] of after) {
      const old = before.get(address);
      if (!old || found.has(address)) continue;
      const type = address.slice(0, address.indexOf('.'));
      for (const argument of forceNew[type] ?? []) {
        const now = JSON.stringify(body[argument]);
        const changed = now !== JSON.stringify(old[argument]);
        const via = [...found.values()].find(
          (c) => c.kind === 'replace' && now?.includes(`\${${c.address}.`),
        );
        if (changed || via) {
          const reason = changed ? `${argument} changes` : `${argument} follows ${via!.address}`;
          found.set(address, { address, kind: 'replace', reason });
          grew = true;
          break;
        }
      }
    }
  }
  const order = [...before.keys()];
  return [...found.values()].sort((a, b) => order.indexOf(a.address) - order.indexOf(b.address));
}

/** One line per change, as CI and the promotion PR show it. */
export function describeDestructiveChange(change: DestructiveChange): string {
  const verb = change.kind === 'delete' ? 'destroys' : 'replaces';
  return `terraform ${verb} ${change.address}${change.reason ? ` (${change.reason})` : ''}`;
}
