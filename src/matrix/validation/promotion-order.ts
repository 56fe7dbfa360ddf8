/**
 * Promotion order: `promotesTo` links the environments into one chain (dev → staging → prod) that
 * releases move along one step at a time. A cycle, or an environment off the chain, would leave a
 * release with no way in or no way on.
 */
import type { MatrixIssue } from '../errors.ts';
import { promotionOrder } from '../resolve.ts';
import type { ValidationInput } from './rule.ts';

export function validatePromotionOrder({ matrix }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const names = Object.keys(matrix.environments);
  if (names.length === 0) return issues;
  // A cycle: following promotesTo from some environment comes back to it.
  const reported = new Set<string>();
  for (const start of names) {
    const path: string[] = [];
    for (
      let name: string | undefined = start;
      name && names.includes(name);
      name = matrix.environments[name]?.promotesTo
    ) {
      const at = path.indexOf(name);
      if (at >= 0) {
        const cycle = path.slice(at);
        const key = [...cycle].sort().join(',');
        if (!reported.has(key) && cycle.length > 1) {
          reported.add(key);
          issues.push({
            path: 'environments',
            message: `promotion order has a cycle: ${[...cycle, name].join(' → ')}`,
            source: matrix.source,
            fix: 'remove promotesTo from the last environment of the order',
          });
        }
        break;
      }
      path.push(name);
    }
  }
  if (reported.size > 0) return issues;
  const order = promotionOrder(matrix.environments);
  const chain: string[] = [];
  for (
    let name: string | undefined = order[0];
    name && names.includes(name) && !chain.includes(name);
    name = matrix.environments[name]?.promotesTo
  ) {
    chain.push(name);
  }
  for (const name of names.filter((n) => !chain.includes(n))) {
    issues.push({
      path: `environments.${name}`,
      message: `environment "${name}" is unreachable in the promotion order ${chain.join(' → ')}`,
      source: matrix.source,
      fix: `make an environment promote to "${name}", or have "${name}" sit in the one chain that starts at "${chain[0]}"`,
    });
  }
  return issues;
}
