/**
 * A local AWS API (Python moto) for tests: start `moto_server` on a free 127.0.0.1 port, wait until it
 * answers, and stop it by process group. Small unsigned-HTTP helpers create the S3 buckets and DynamoDB
 * tables a Terraform S3 backend needs, without an AWS SDK.
 *
 * moto does not check signatures (unless INITIAL_NO_AUTH_ACTION_COUNT is set), but it does read the
 * `Authorization` header: it routes JSON-protocol services (DynamoDB, …) by the credential scope, and it
 * treats a request without one as anonymous (S3 then answers 403 to GET and to overwriting an object).
 * So every helper sends a well-formed but unsigned SigV4 header.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { requireTool, which, type ToolCheck } from './tools.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared moto endpoint started by test/support/moto-global-setup.ts; undefined without it. */
    motoEndpoint: string | undefined;
  }
}

/** The fake credentials every moto client uses. moto accepts any; these make the intent obvious. */
export const MOTO_CREDENTIALS = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
  region: 'us-east-1',
} as const;

export interface MotoServer {
  /** `http://127.0.0.1:<port>`, the endpoint for every AWS service. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Kill the server's process group (SIGTERM, then SIGKILL) and wait for it to exit. Idempotent. */
  readonly stop: () => Promise<void>;
  /** Forget every resource in every service (`POST /moto-api/reset`). */
  readonly reset: () => Promise<void>;
}

export interface MotoCommand {
  readonly command: string;
  readonly args: readonly string[];
}

let cachedCommand: MotoCommand | null | undefined;

/** How to start moto here: `moto_server` on PATH, else `python3 -m moto.server` when moto imports. */
export function motoCommand(): MotoCommand | undefined {
  if (cachedCommand !== undefined) return cachedCommand ?? undefined;
  const motoServer = which('moto_server');
  if (motoServer) {
    cachedCommand = { command: motoServer, args: [] };
  } else {
    const python = which('python3');
    const importable =
      python !== undefined &&
      spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
    cachedCommand = python && importable ? { command: python, args: ['-m', 'moto.server'] } : null;
  }
  return cachedCommand ?? undefined;
}

/** Whether moto tests run: skips with a notice locally, throws under CI=true. */
export function motoAvailable(): ToolCheck {
  const found = motoCommand();
  return requireTool(
    'moto (local AWS API)',
    found && [found.command, ...found.args].join(' '),
    'install it with `pip install "moto[server]"` so that `moto_server` is on PATH',
  );
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it; we close and hand it on). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no port from the OS'))));
    });
  });
}

export interface StartMotoOptions {
  /** How long to wait for the server to answer. @default 30_000 */
  readonly timeoutMs?: number;
}

/** Every live server this process started, killed on process exit if a test forgot to stop it. */
const running = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of running) killGroup(pid, 'SIGKILL');
  });
}

/**
 * Start moto on a free port and resolve once `GET /moto-api/` answers 200. Retries with a new port if
 * another process took the chosen one first.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const command = motoCommand();
  if (!command) {
    throw new Error('moto is not installed: `pip install "moto[server]"` so that `moto_server` is on PATH');
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startOn(command, port, options.timeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
      if (!String(error).includes('Address already in use')) throw error;
    }
  }
  throw lastError;
}

async function startOn(command: MotoCommand, port: number, timeoutMs: number): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  // Own process group (detached) so stop() can kill moto and anything it forks, and so Ctrl-C handling
  // stays with the test runner. Output is drained into a small tail kept for error messages: moto logs
  // every request, and an undrained pipe would block it.
  const child = spawn(command.command, [...command.args, '-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // MOTO_IAM_LOAD_MANAGED_POLICIES: AWS-managed policies (AmazonEKSClusterPolicy, …) exist in every
    // real account; moto only knows them when asked, and attaching one fails with NoSuchEntity otherwise.
    env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command.command}`);
  running.add(pid);
  installExitHook();
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    running.delete(pid);
  });

  const stop = async (): Promise<void> => {
    if (hasExited) return;
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited) {
      throw new Error(`moto_server exited before answering on ${endpoint}:\n${tail}`);
    }
    if (await answers(`${endpoint}/moto-api/`)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Don't let a forgotten server keep the test process alive; the exit hook still kills it.
  detach(child);

  return {
    endpoint,
    port,
    pid,
    stop,
    reset: () => resetMoto(endpoint),
  };
}

function detach(child: ChildProcess): void {
  child.unref();
  const streams = [child.stdout, child.stderr] as const;
  for (const stream of streams) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Forget every resource moto holds (all services, all regions). */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto reset failed: ${response.status} ${text}`);
}

/**
 * The moto endpoint for the current test file: the shared one from the global setup when it is wired
 * in, else a private server that `release()` stops. Call it from `beforeAll`. Never `reset` a shared
 * server (other test files use it at the same time): give resources unique names instead, or start a
 * private server with `startMoto()`.
 */
export async function useMoto(): Promise<{
  readonly endpoint: string;
  readonly shared: boolean;
  readonly release: () => Promise<void>;
}> {
  const { inject } = await import('vitest');
  const shared = inject('motoEndpoint');
  if (shared) return { endpoint: shared, shared: true, release: async () => {} };
  const own = await startMoto();
  return { endpoint: own.endpoint, shared: false, release: () => own.stop() };
}

/** A well-formed, unsigned SigV4 Authorization header; moto reads the service and region from it. */
function fakeAuthorization(service: string, region: string = MOTO_CREDENTIALS.region): string {
  return (
    `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20250101/${region}/${service}/aws4_request, ` +
    'SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000'
  );
}

async function s3Request(
  endpoint: string,
  method: string,
  path: string,
  body?: string | Uint8Array,
  contentType = 'application/octet-stream',
): Promise<Response> {
  return fetch(`${endpoint}${path}`, {
    method,
    headers: {
      authorization: fakeAuthorization('s3'),
      // Never form-encoded: moto's web layer would consume such a body and store an empty object.
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined ? {} : { body }),
  });
}

async function expectOk(response: Response, what: string): Promise<string> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} failed: HTTP ${response.status} ${text}`);
  return text;
}

function objectPath(bucket: string, key: string): string {
  return `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Create an S3 bucket (path style). Idempotent: moto answers 200 again in us-east-1. Bucket names must
 * be valid S3 names (3–63 characters, lower case); moto answers 400 otherwise.
 */
export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  await expectOk(await s3Request(endpoint, 'PUT', `/${bucket}`), `create bucket ${bucket}`);
}

export async function putObject(
  endpoint: string,
  bucket: string,
  key: string,
  body: string | Uint8Array,
  contentType = 'application/octet-stream',
): Promise<void> {
  await expectOk(
    await s3Request(endpoint, 'PUT', objectPath(bucket, key), body, contentType),
    `put s3://${bucket}/${key}`,
  );
}

/** The object's body as text, or undefined when it does not exist. */
export async function getObject(endpoint: string, bucket: string, key: string): Promise<string | undefined> {
  const response = await s3Request(endpoint, 'GET', objectPath(bucket, key));
  if (response.status === 404) {
    await response.arrayBuffer();
    return undefined;
  }
  return expectOk(response, `get s3://${bucket}/${key}`);
}

export async function deleteObject(endpoint: string, bucket: string, key: string): Promise<void> {
  await expectOk(
    await s3Request(endpoint, 'DELETE', objectPath(bucket, key)),
    `delete s3://${bucket}/${key}`,
  );
}

/** Keys in the bucket (first 1000), sorted. */
export async function listObjects(endpoint: string, bucket: string, prefix = ''): Promise<string[]> {
  const query = `?list-type=2${prefix ? `&prefix=${encodeURIComponent(prefix)}` : ''}`;
  const xml = await expectOk(await s3Request(endpoint, 'GET', `/${bucket}${query}`), `list s3://${bucket}`);
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeXml(m[1] ?? '')).sort();
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Names of every bucket moto holds, sorted. */
export async function listBuckets(endpoint: string): Promise<string[]> {
  const xml = await expectOk(await s3Request(endpoint, 'GET', '/'), 'list buckets');
  return [...xml.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => decodeXml(m[1] ?? '')).sort();
}

/**
 * Call a query-protocol AWS API (EC2, IAM, STS, …) on moto and return the XML answer, e.g.
 * `awsQueryCall(endpoint, 'ec2', { Action: 'DescribeVpcs', Version: '2016-11-15' })`.
 */
export async function awsQueryCall(
  endpoint: string,
  service: string,
  params: Readonly<Record<string, string>>,
  region: string = MOTO_CREDENTIALS.region,
): Promise<string> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      authorization: fakeAuthorization(service, region),
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body: new URLSearchParams(params).toString(),
  });
  return expectOk(response, `${service} ${params.Action ?? ''}`);
}

/** Call a JSON-protocol AWS API (DynamoDB and friends) on moto. */
export async function awsJsonCall(
  endpoint: string,
  service: string,
  target: string,
  payload: unknown,
  jsonVersion = '1.0',
): Promise<unknown> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      authorization: fakeAuthorization(service),
      'content-type': `application/x-amz-json-${jsonVersion}`,
      'x-amz-target': target,
    },
    body: JSON.stringify(payload),
  });
  const text = await expectOk(response, target);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/**
 * Create the DynamoDB table the S3 backend's legacy `dynamodb_table` locking expects (hash key
 * `LockID`, a string). `use_lockfile = true` needs no table.
 */
export async function createLockTable(endpoint: string, table: string): Promise<void> {
  await awsJsonCall(endpoint, 'dynamodb', 'DynamoDB_20120810.CreateTable', {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
}
