/**
 * `Table.consume` decides who won from DynamoDB's answer, not from the absence of
 * an error: a delete that returns no old item deleted nothing. moto can answer so
 * when callers race; this pins the rule with an endpoint that answers `{}`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AlreadyConsumed, Table } from '@shared/store/table';

/** A one-answer DynamoDB endpoint: every request gets `body`. */
let body = '{}';
let server: Server;
let endpoint: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function tableAnswering(answer: string): Table {
  body = answer;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return new Table({ tableName: 't', client });
}

describe('Table.consume', () => {
  it('refuses a delete that returned no old item (nothing was taken)', async () => {
    await expect(tableAnswering('{}').consume({ pk: 'STATE#x', sk: 'STATE' })).rejects.toBeInstanceOf(AlreadyConsumed);
  });

  it('returns the item a delete took', async () => {
    const taken = await tableAnswering(
      JSON.stringify({ Attributes: { pk: { S: 'STATE#x' }, sk: { S: 'STATE' }, userId: { S: 'alice' } } }),
    ).consume<{ pk: string; sk: string; userId: string }>({ pk: 'STATE#x', sk: 'STATE' });
    expect(taken.userId).toBe('alice');
  });
});
