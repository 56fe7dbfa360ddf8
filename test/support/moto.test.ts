/**
 * The moto harness: a private server per file (this file resets it, which a shared server must never
 * see), the S3 and DynamoDB helpers, and a clean stop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awsJsonCall,
  awsQueryCall,
  createBucket,
  createLockTable,
  deleteObject,
  freePort,
  getObject,
  listBuckets,
  listObjects,
  motoAvailable,
  putObject,
  startMoto,
  type MotoServer,
} from './moto.ts';

const moto = motoAvailable();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('freePort', () => {
  it('returns a usable TCP port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
  });
});

describe.skipIf(!moto.available)('startMoto', () => {
  let server: MotoServer;

  beforeAll(async () => {
    server = await startMoto();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('answers on 127.0.0.1 at the port it reports', async () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(isAlive(server.pid)).toBe(true);
    const response = await fetch(`${server.endpoint}/moto-api/`);
    await response.arrayBuffer();
    expect(response.status).toBe(200);
  });

  it('creates buckets and stores objects byte for byte', async () => {
    await createBucket(server.endpoint, 'harness-bucket');
    const body = JSON.stringify({ hello: 'wörld', n: 1 });
    await putObject(server.endpoint, 'harness-bucket', 'a/b/c.json', body, 'application/json');
    await putObject(server.endpoint, 'harness-bucket', 'a/b/c.json', body, 'application/json'); // overwrite
    await putObject(server.endpoint, 'harness-bucket', 'other', 'x');
    expect(await getObject(server.endpoint, 'harness-bucket', 'a/b/c.json')).toBe(body);
    expect(await getObject(server.endpoint, 'harness-bucket', 'missing')).toBeUndefined();
    expect(await listObjects(server.endpoint, 'harness-bucket')).toEqual(['a/b/c.json', 'other']);
    expect(await listObjects(server.endpoint, 'harness-bucket', 'a/')).toEqual(['a/b/c.json']);
    await deleteObject(server.endpoint, 'harness-bucket', 'other');
    expect(await listObjects(server.endpoint, 'harness-bucket')).toEqual(['a/b/c.json']);
    expect(await listBuckets(server.endpoint)).toContain('harness-bucket');
  });

  it('rejects an invalid bucket name with moto’s answer', async () => {
    await expect(createBucket(server.endpoint, 'ab')).rejects.toThrow(/create bucket ab failed: HTTP 400/);
  });

  it('creates a DynamoDB lock table keyed by LockID', async () => {
    await createLockTable(server.endpoint, 'tf-locks');
    const described = (await awsJsonCall(server.endpoint, 'dynamodb', 'DynamoDB_20120810.DescribeTable', {
      TableName: 'tf-locks',
    })) as { Table: { KeySchema: unknown; TableStatus: string } };
    expect(described.Table.KeySchema).toEqual([{ AttributeName: 'LockID', KeyType: 'HASH' }]);
    expect(described.Table.TableStatus).toBe('ACTIVE');
  });

  it('answers query-protocol calls (EC2)', async () => {
    const xml = await awsQueryCall(server.endpoint, 'ec2', {
      Action: 'DescribeRegions',
      Version: '2016-11-15',
    });
    expect(xml).toContain('<regionName>eu-west-1</regionName>');
  });

  it('forgets everything on reset', async () => {
    await createBucket(server.endpoint, 'reset-me');
    await server.reset();
    expect(await listBuckets(server.endpoint)).toEqual([]);
  });

  it('stops its process group and frees the port', async () => {
    const other = await startMoto();
    await other.stop();
    expect(isAlive(other.pid)).toBe(false);
    await expect(fetch(`${other.endpoint}/moto-api/`)).rejects.toThrow();
    await other.stop(); // idempotent
  }, 60_000);
});
