/**
 * Structure, clusters: each names a known environment, cloud, region, zones and engine, once; and each
 * spans the zones its environment's policy asks for.
 */
import type { MatrixIssue } from '../errors.ts';
import { CLOUDS, regionInfo } from '../regions.ts';
import { clusterName, clusterZones, targetId } from '../resolve.ts';
import { nameIssue, type ValidationInput } from './rule.ts';

const ENGINES = ['argocd', 'flux'];

export function validateClusters({ matrix, resolved }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const envs = Object.keys(matrix.environments);
  const seen = new Map<string, string>();
  matrix.clusters.forEach((spec, index) => {
    const name = clusterName(spec);
    const id = targetId(spec.env, spec.cloud, spec.region, name);
    const path = `clusters[${index}] ${id}`;
    const at = (message: string, fix: string): void => {
      issues.push({ path, message, source: spec.source, fix });
    };
    issues.push(...nameIssue('cluster', name, path, spec.source));
    if (!envs.includes(spec.env))
      at(
        `unknown environment "${spec.env}"`,
        `use one of: ${envs.join(', ')}, or add "${spec.env}" to environments`,
      );
    if (!CLOUDS.includes(spec.cloud)) {
      at(`unknown cloud "${String(spec.cloud)}"`, `use one of: ${CLOUDS.join(', ')}`);
    } else if (spec.cloud === 'onprem') {
      issues.push(...nameIssue('on-prem site', spec.region, path, spec.source));
    } else if (!regionInfo(spec.cloud, spec.region)) {
      at(
        `"${spec.region}" is not a ${spec.cloud} region`,
        `use a ${spec.cloud} region from src/matrix/regions.ts`,
      );
    } else if (spec.zones) {
      const known = regionInfo(spec.cloud, spec.region)?.zones ?? [];
      for (const zone of spec.zones.filter((z) => !known.includes(z)))
        at(`zone "${zone}" is not in ${spec.region}`, `use zones of ${spec.region}: ${known.join(', ')}`);
    }
    if (spec.engine !== undefined && !ENGINES.includes(spec.engine))
      at(
        `unknown engine "${String(spec.engine)}"`,
        'use "argocd" or "flux" (a cluster has exactly one engine)',
      );
    if (spec.wave !== undefined && !(Number.isInteger(spec.wave) && spec.wave >= 0))
      at(
        `wave ${spec.wave} is not a whole number ≥ 0`,
        'number waves 0, 1, 2… in the order they receive a release',
      );
    const first = seen.get(id);
    if (first)
      at(
        `duplicate cluster ${id} (also defined at ${first})`,
        'give one of them another name with { name: "…" }',
      );
    else seen.set(id, spec.source);
  });
  // High availability: every cluster of an environment spans the zones its policy asks for.
  for (const target of resolved.targets) {
    const env = resolved.environments.find((e) => e.name === target.env);
    if (!env) continue;
    const spec = matrix.clusters.find(
      (c) => targetId(c.env, c.cloud, c.region, clusterName(c)) === target.id,
    );
    const zoneCount = spec ? clusterZones(spec).length : target.zones.length;
    if (zoneCount < env.policy.minZones) {
      issues.push({
        path: target.id,
        message: `spans ${zoneCount} zone${zoneCount === 1 ? '' : 's'} < policy minimum ${env.policy.minZones}`,
        ...(spec && { source: spec.source }),
        fix: `list at least ${env.policy.minZones} zones in the cluster's zones`,
      });
    }
  }
  return issues;
}
