import { load, type GlobalOptions } from './context.ts';
import { formatMatrixTable } from './format.ts';

export async function lsCommand(options: GlobalOptions & { readonly json?: boolean }): Promise<number> {
  const { resolved } = await load(options);
  if (options.json) console.log(JSON.stringify(resolved.targets, null, 2));
  else console.log(formatMatrixTable(resolved));
  return 0;
}
