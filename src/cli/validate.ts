import { load, type GlobalOptions } from './context.ts';

export async function validateCommand(options: GlobalOptions): Promise<number> {
  const { resolved } = await load(options);
  const apps = new Set(resolved.targets.flatMap((t) => t.apps.map((a) => a.name)));
  console.log(
    `The matrix is valid: ${resolved.environments.length} environments, ${resolved.targets.length} targets, ${apps.size} apps.`,
  );
  return 0;
}
