/**
 * Running the real `terraform` in tests: offline, through the provider mirror (a `tf-plugins` folder
 * holding hashicorp/aws), and — when a stack is applied — against moto on 127.0.0.1, never real AWS.
 *
 * Every terraform command spends seconds starting the aws provider (several starts per plan or apply,
 * ~0.6 GB each), so tests should run as few commands as they can: `apply` without a separate `plan`,
 * `init` without `-backend=false` when a backend is needed anyway.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOTO_CREDENTIALS, putObject } from './moto.ts';
import { requireTool, which, type ToolCheck } from './tools.ts';

/** The aws provider version the mirror holds; generated constraints must admit it. */
export const MIRRORED_AWS_PROVIDER_VERSION = '5.100.0';

/** Where `mirror` keeps hashicorp/aws (the unpacked filesystem-mirror layout). */
function awsProviderDir(mirror: string): string {
  return join(mirror, 'registry.terraform.io', 'hashicorp', 'aws');
}

let cachedMirror: string | null | undefined;

/**
 * The offline provider mirror: `$ENVMATRIX_TF_PLUGINS`, else `/opt/tf-plugins`, else a `tf-plugins`
 * folder at most two levels below `/`. Undefined when none holds hashicorp/aws.
 */
export function findProviderMirror(): string | undefined {
  if (cachedMirror !== undefined) return cachedMirror ?? undefined;
  const fromEnv = process.env.ENVMATRIX_TF_PLUGINS;
  const candidates = fromEnv ? [fromEnv] : ['/opt/tf-plugins', ...findTfPluginsFolders()];
  cachedMirror = candidates.find((dir) => existsSync(awsProviderDir(dir))) ?? null;
  return cachedMirror ?? undefined;
}

function findTfPluginsFolders(): string[] {
  try {
    // `find` exits non-zero on unreadable folders (e.g. /proc) but still prints what it found.
    return execFileSync('sh', ['-c', 'find / -maxdepth 2 -name tf-plugins -type d 2>/dev/null; true'], {
      encoding: 'utf8',
      timeout: 20_000,
    })
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Whether terraform tests run: needs `terraform` on PATH and the provider mirror. Skips with a notice
 * locally, throws under CI=true.
 */
export function terraformAvailable(): ToolCheck {
  const binary = requireTool('terraform', which('terraform'), 'install Terraform 1.11 on PATH');
  if (!binary.available) return binary;
  return requireTool(
    'the Terraform provider mirror (tf-plugins)',
    findProviderMirror(),
    'set ENVMATRIX_TF_PLUGINS to a folder holding registry.terraform.io/hashicorp/aws/<version>/<os_arch>/ ' +
      '(or place it at /opt/tf-plugins)',
  );
}

/** The CLI configuration text: providers only from `mirror`, never from the registry. */
export function cliConfigText(mirror: string): string {
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path = ${JSON.stringify(mirror)}`,
    '  }',
    '  direct {',
    '    exclude = ["registry.terraform.io/*/*"]',
    '  }',
    '}',
    '',
  ].join('\n');
}

let cliConfigFile: string | undefined;

/**
 * Path of the CLI config file. Its name is derived from its content, so every test process shares one
 * file and none leaves a new one behind; it is written atomically (rename) because workers race.
 */
export function terraformCliConfigFile(): string {
  if (cliConfigFile) return cliConfigFile;
  const mirror = findProviderMirror();
  if (!mirror) {
    throw new Error(
      'no Terraform provider mirror found: set ENVMATRIX_TF_PLUGINS (see terraformAvailable())',
    );
  }
  const text = cliConfigText(mirror);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const file = join(tmpdir(), `envmatrix-terraform-${hash}.tfrc`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  cliConfigFile = file;
  return file;
}

/** Commands that accept `-no-color`; set through `TF_CLI_ARGS_<command>` so callers need not add it. */
const NO_COLOR_COMMANDS = [
  'init',
  'validate',
  'plan',
  'apply',
  'destroy',
  'refresh',
  'output',
  'show',
  'import',
  'providers',
  'fmt',
] as const;

/** Ambient variables that would change what terraform does; `TF_LOG*` stays for debugging. */
function isAmbientTerraformOrAws(name: string): boolean {
  return (
    (name.startsWith('TF_') && !name.startsWith('TF_LOG')) ||
    name.startsWith('AWS_') ||
    /^(https?|no|all)_proxy$/i.test(name)
  );
}

/** A proxy on a closed loopback port: any request that is not to 127.0.0.1 fails instead of leaving. */
const DEAD_PROXY = 'http://127.0.0.1:9';

export interface TerraformEnvOptions {
  /**
   * A moto endpoint: adds moto's fake credentials and region, and `AWS_ENDPOINT_URL` so that every
   * AWS service the provider or the S3 backend reaches goes to moto, configured in the stack or not.
   */
  readonly moto?: string;
  /**
   * With `moto`: also set `AWS_ENDPOINT_URL`. Turn off to prove a stack's own `endpoints` suffice (a
   * forgotten service then fails at the dead proxy instead of reaching moto).
   * @default true
   */
  readonly endpointUrl?: boolean;
}

/**
 * The child environment for terraform: the CLI config pointing at the mirror, automation mode, no
 * colour, no version check, no ambient AWS credentials or config, and a dead proxy for every host
 * but 127.0.0.1, so that nothing reaches the internet or real AWS even when a stack forgets an
 * endpoint (it fails with `proxyconnect tcp: dial tcp 127.0.0.1:9` after the SDK's retries).
 */
export function terraformEnv(options: TerraformEnvOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!isAmbientTerraformOrAws(name)) env[name] = value;
  }
  Object.assign(env, {
    TF_CLI_CONFIG_FILE: terraformCliConfigFile(),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    HTTP_PROXY: DEAD_PROXY,
    HTTPS_PROXY: DEAD_PROXY,
    NO_PROXY: '127.0.0.1,localhost',
    // Never read ~/.aws: only what is set here counts.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  for (const command of NO_COLOR_COMMANDS) env[`TF_CLI_ARGS_${command}`] = '-no-color';
  if (options.moto) {
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      AWS_REGION: MOTO_CREDENTIALS.region,
      AWS_DEFAULT_REGION: MOTO_CREDENTIALS.region,
    });
    if (options.endpointUrl ?? true) env.AWS_ENDPOINT_URL = options.moto;
  }
  return env;
}

export interface TerraformResult {
  /** The exit code; `plan -detailed-exitcode` gives 0 (no changes), 1 (error) or 2 (changes). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunTerraformOptions {
  /** The child environment. @default terraformEnv() */
  readonly env?: NodeJS.ProcessEnv;
  /** Kill terraform and its provider processes after this long. @default 300_000 */
  readonly timeoutMs?: number;
}

/**
 * Run `terraform <args>` in `dir` and collect its output. Resolves with any exit code (tests assert on
 * it); rejects only when terraform cannot start or runs past `timeoutMs`.
 */
export function runTerraform(
  dir: string,
  args: readonly string[],
  options: RunTerraformOptions = {},
): Promise<TerraformResult> {
  const env = options.env ?? terraformEnv();
  const timeoutMs = options.timeoutMs ?? 300_000;
  const started = Date.now();
  return new Promise((resolveRun, reject) => {
    // Own process group, so a timeout also kills the provider plugins terraform started.
    const child = spawn('terraform', [...args], {
      cwd: dir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code: code ?? 128,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        durationMs: Date.now() - started,
      };
      if (timedOut) {
        reject(
          new Error(
            `terraform ${args.join(' ')} ran past ${timeoutMs} ms in ${dir} (${signal ?? code}):\n` +
              `${result.stdout}\n${result.stderr}`,
          ),
        );
      } else {
        resolveRun(result);
      }
    });
  });
}

/** Explain a failed command in an assertion message: the command, exit code and both streams. */
export function describeResult(args: readonly string[], result: TerraformResult): string {
  return `terraform ${args.join(' ')} exited ${result.code} after ${result.durationMs} ms\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** The S3 backend flags that make it work against moto (besides the endpoint). */
const MOTO_S3_BACKEND_FLAGS = {
  use_path_style: true,
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
} as const;

export interface MotoS3BackendOptions {
  readonly bucket: string;
  readonly key: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Lock through a DynamoDB table (create it with createLockTable) instead of the S3 lockfile. */
  readonly dynamodbTable?: string;
}

/**
 * `terraform.backend.s3` for a stack whose state lives in moto: path-style S3, the skip flags, explicit
 * endpoints for every service the backend may call, and S3-native locking (`<key>.tflock`) unless a
 * DynamoDB table is given.
 */
export function motoS3Backend(endpoint: string, options: MotoS3BackendOptions): Record<string, unknown> {
  return {
    bucket: options.bucket,
    key: options.key,
    region: options.region ?? MOTO_CREDENTIALS.region,
    ...MOTO_S3_BACKEND_FLAGS,
    endpoints: { s3: endpoint, dynamodb: endpoint, sts: endpoint, iam: endpoint },
    ...(options.dynamodbTable ? { dynamodb_table: options.dynamodbTable } : { use_lockfile: true }),
  };
}

export interface MotoAwsProviderOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  readonly alias?: string;
  /**
   * Services to list under `endpoints`. Each costs nothing by itself, but the `endpoints` block as a
   * whole adds ~3 s to every provider start (the provider validates its ~300 attributes), so the
   * default is none: `terraformEnv({ moto })` sets `AWS_ENDPOINT_URL`, which covers every service.
   * @default []
   */
  readonly services?: readonly string[];
}

/** One `provider.aws` entry for moto: the skip flags, path-style S3 and optional explicit endpoints. */
export function motoAwsProvider(
  endpoint: string,
  options: MotoAwsProviderOptions = {},
): Record<string, unknown> {
  const services = options.services ?? [];
  return {
    ...(options.alias ? { alias: options.alias } : {}),
    region: options.region ?? MOTO_CREDENTIALS.region,
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
    s3_use_path_style: true,
    ...(services.length > 0
      ? { endpoints: [Object.fromEntries(services.map((service) => [service, endpoint]))] }
      : {}),
  };
}

/** The override file name writeMotoBackendOverride uses; Terraform merges `*_override.tf.json` last. */
export const MOTO_OVERRIDE_FILE = 'envmatrix_moto_override.tf.json';

/**
 * Point an existing stack's state at moto without editing it: writes an override file whose `backend`
 * replaces the stack's backend block entirely (Terraform's override rule for backends). With
 * `terraformEnv({ moto })` the provider needs no override: `AWS_ENDPOINT_URL` sends every call to moto.
 */
export function writeMotoBackendOverride(
  dir: string,
  endpoint: string,
  options: MotoS3BackendOptions,
): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, MOTO_OVERRIDE_FILE);
  writeFileSync(
    file,
    `${JSON.stringify({ terraform: { backend: { s3: motoS3Backend(endpoint, options) } } }, null, 2)}\n`,
  );
  return file;
}

/** The lock record Terraform writes to `<key>.tflock` (its LockInfo JSON). */
export interface TerraformLockInfo {
  readonly ID: string;
  readonly Operation: string;
  readonly Info: string;
  readonly Who: string;
  readonly Version: string;
  readonly Created: string;
  readonly Path: string;
}

/**
 * Plant an S3-native state lock (`<key>.tflock`) as if another run held it; a later plan or apply
 * then fails with "Error acquiring the state lock" and prints this record.
 */
export async function plantS3Lockfile(
  endpoint: string,
  bucket: string,
  key: string,
  overrides: Partial<TerraformLockInfo> = {},
): Promise<TerraformLockInfo> {
  const lock: TerraformLockInfo = {
    ID: '11111111-2222-3333-4444-555555555555',
    Operation: 'OperationTypeApply',
    Info: 'planted by envmatrix tests',
    Who: 'someone-else@ci',
    Version: '1.11.4',
    Created: '2025-01-01T00:00:00Z',
    Path: `${bucket}/${key}`,
    ...overrides,
  };
  await putObject(endpoint, bucket, `${key}.tflock`, JSON.stringify(lock), 'application/json');
  return lock;
}
