import { absences } from '../matrix/placement.ts';
import { load, type GlobalOptions } from './context.ts';
import { formatMatrixTable } from './format.ts';

export async function lsCommand(options: GlobalOptions & { readonly json?: boolean }): Promise<number> {
  const { definition, resolved } = await load(options);
  if (options.json) console.log(JSON.stringify(resolved.targets, null, 2));
  else {
    console.log(formatMatrixTable(resolved));
    // Say where each app is not, and why: residency and placement leave apps out silently otherwise.
    const absent = absences(definition, resolved);
    if (absent.length > 0)
      console.log(`not placed:\n${absent.map((a) => `  ${a.app} on ${a.target}: ${a.reason}`).join('\n')}`);
  }
  return 0;
}
