/**
 * CI gate over a saved plan: `terraform show -json plan.tfplan > plan.json`, then
 * `node bin/run-ts.js scripts/tf-plan-risk.ts plan.json [--allow]`. Lists every delete and replacement
 * (src/generators/terraform/plan-risk.ts, the classifier the promotion risk section uses) and exits 1
 * when there are any, unless --allow (the PR carries the allow label).
 */
import { readFileSync } from 'node:fs';
import {
  describeDestructiveChange,
  destructiveChangesInPlan,
} from '../src/generators/terraform/plan-risk.ts';
import { terraformForceNewArguments } from '../src/generators/terraform/clouds.ts';

const [file, flag] = process.argv.slice(2);
if (!file) {
  console.error('usage: tf-plan-risk.ts <plan.json> [--allow]');
  process.exit(2);
}
// Force-new arguments of every cloud: an update whose argument follows a replaced resource counts too.
const changes = destructiveChangesInPlan(
  JSON.parse(readFileSync(file, 'utf8')) as unknown,
  terraformForceNewArguments(),
);
for (const change of changes) console.log(describeDestructiveChange(change));
if (changes.length === 0) console.log('no deletes or replacements');
else if (flag === '--allow') console.log(`${changes.length} destructive change(s) allowed by label`);
else {
  console.error(`${changes.length} destructive change(s): add the allow-destroy label to the PR if intended`);
  process.exit(1);
}
