import { explain } from '../matrix/explain.ts';
import { load, type GlobalOptions } from './context.ts';
import { formatExplanation } from './format.ts';

export async function explainCommand(
  options: GlobalOptions,
  target: string,
  app: string,
  path: string,
): Promise<number> {
  const { definition, resolved } = await load(options);
  console.log(formatExplanation(explain(resolved, target, app, path, definition)));
  return 0;
}
