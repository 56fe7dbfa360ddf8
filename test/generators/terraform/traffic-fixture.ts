/**
 * A matrix for the global-traffic tests: prod spans two AWS regions (wave 0 us-east-1, wave 1
 * eu-west-1) with a Gateway on each cluster, and two exposed apps with global hosts: web and api.
 */
import { aws, defineApp, defineMatrix } from '../../../src/matrix/index.ts';
import type { ClusterSpec, MatrixDefinition, TerraformSettings } from '../../../src/matrix/index.ts';
import { compose } from '../../../src/generators/index.ts';
import { terraformGenerator } from '../../../src/generators/terraform/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { ResolvedMatrix } from '../../../src/matrix/types.ts';
import { pinsByEnvironment } from '../../support/matrix-fixture.ts';
import { FIXTURE_NOW, FIXTURE_TERRAFORM } from './fixture.ts';
import type { StackJson } from './stack-files.ts';

export const TRAFFIC_ZONE = 'Z0EXAMPLE123';

export interface TrafficFixtureOptions {
  readonly env?: string;
  readonly traffic?: TerraformSettings['traffic'];
  readonly terraform?: Omit<TerraformSettings, 'traffic'>;
  /** Replace the prod clusters. */
  readonly clusters?: (env: string) => ClusterSpec[];
}

const gateway = { name: 'public', namespace: 'gateway' };

export function trafficFixture(options: TrafficFixtureOptions = {}): MatrixDefinition {
  const env = options.env ?? 'prod';
  const app = (name: string, host: string) =>
    defineApp({
      name,
      image: `ghcr.io/acme/${name}`,
      ports: { http: 8080 },
      expose: { paths: ['/'], port: 'http', host },
    });
  return defineMatrix({
    repo: { url: 'https://github.com/acme/platform.git' },
    terraform: {
      ...(options.terraform ?? FIXTURE_TERRAFORM),
      traffic: options.traffic ?? { zoneId: TRAFFIC_ZONE },
    },
    environments: {
      [env]: { hostnamePattern: `{app}.{region}.${env}.acme.example` },
    },
    clusters: options.clusters?.(env) ?? [
      aws(env, 'us-east-1', { wave: 0, network: { vpcCidr: '10.30.0.0/16' }, gateway }),
      aws(env, 'eu-west-1', { wave: 1, network: { vpcCidr: '10.31.0.0/16' }, gateway }),
    ],
    apps: [app('web', `www.${env}.acme.example`), app('api', `api.${env}.acme.example`)],
  });
}

/** The fixture checked at FIXTURE_NOW with a pin per app (throws MatrixError with every problem). */
export function resolveTrafficFixture(matrix: MatrixDefinition, env = 'prod'): ResolvedMatrix {
  const pins = pinsByEnvironment({ [env]: { web: { tag: '1.0.0' }, api: { tag: '1.0.0' } } });
  return checkedMatrix(matrix, pins, [], { now: FIXTURE_NOW }).resolved;
}

/** The generated main.tf.json of `<env>/aws/global`, or undefined when the matrix gets none. */
export function globalStack(matrix: MatrixDefinition, env = 'prod'): StackJson | undefined {
  const file = compose(resolveTrafficFixture(matrix, env), { generators: [terraformGenerator] }).get(
    `terraform/${env}/aws/global/main.tf.json`,
  );
  return file && (JSON.parse(file.content) as StackJson);
}
