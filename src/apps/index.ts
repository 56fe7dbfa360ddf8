import { api } from './api.ts';
import { report } from './report.ts';
import { web } from './web.ts';
import { worker } from './worker.ts';

/** Every app in the matrix. Add an app: a file beside this one, then list it here. */
export const apps = [api, report, web, worker];
