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

/** The deletes and replacements of a plan, in plan order. */
export function destructiveChangesInPlan(showJson: unknown): DestructiveChange[] {
  const changes =
    (showJson as { resource_changes?: readonly PlanResourceChange[] } | null)?.resource_changes ?? [];
  return changes.flatMap((change) => {
    const kind = classifyActions(change.change.actions);
    if (!kind) return [];
    return [{ address: change.address, kind, ...(change.action_reason && { reason: change.action_reason }) }];
  });
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
