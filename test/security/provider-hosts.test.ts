/**
 * Issue 10 item 8: provider URLs may not name link-local or cloud metadata
 * addresses, in any spelling the URL parser accepts, nor unspecified addresses,
 * nor loopback outside local mode; private ranges stay allowed (self-hosted GitLab
 * and GHES live there). Over the admin API (400 naming the field), and at the fetch
 * layer for configs saved before the check existed. Over HTTP in `aws` mode:
 * test/deployed/flows.test.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProvider } from '@shared/admin/providers';
import { toErrorResponse } from '@shared/errors';
import { providerFetch } from '@shared/providers/http';
import { startHarness, type Harness } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import type { LocalStack } from '../../local/app';

let stack: LocalStack;
let admin: Browser;
beforeAll(async () => {
  stack = await startTestStack();
  admin = await Browser.signIn(stack, 'root', true);
});
afterAll(() => stack.close());

// Every one of these reaches 169.254.169.254 (IMDS), EC2's IPv6 metadata, or a link-local host.
const METADATA = [
  'https://169.254.169.254',
  'https://169.254.169.254.', // trailing dot
  'https://2852039166', // decimal
  'https://0xa9fea9fe', // hex, one number
  'https://0xA9.0xFE.0xA9.0xFE', // hex octets
  'https://0251.0376.0251.0376', // octal octets
  'https://169.254.43518', // short form
  'https://169.254.1.1:8443',
  'https://[::ffff:169.254.169.254]', // IPv4-mapped
  'https://[0:0:0:0:0:ffff:a9fe:a9fe]', // IPv4-mapped, hex, long
  'https://[::169.254.169.254]', // IPv4-compatible
  'https://[64:ff9b::169.254.169.254]', // NAT64
  'https://[fd00:ec2::254]', // EC2 IPv6 metadata
  'https://[FD00:EC2:0::254]',
  'https://[fe80::1]', // link-local
  'https://[febf:ffff::1]', // top of fe80::/10
  'https://metadata.google.internal',
  'https://instance-data.ec2.internal',
  'https://0.0.0.0', // unspecified: reaches this machine
  'https://0',
  'https://[::]',
];
const ALLOWED = ['https://10.0.0.5', 'https://172.16.4.2', 'https://192.168.1.10', 'https://[fd12:3456::1]', 'https://gitlab.internal', 'https://[fec0::1]', 'https://169.255.0.1'];

let seq = 0;
const create = (baseUrl: string, field: 'baseUrl' | 'apiUrl' = 'baseUrl') =>
  admin.api('POST', '/v1/admin/providers', {
    id: `h${++seq}`, type: 'gitlab', clientId: 'c', clientSecret: 's',
    baseUrl: field === 'baseUrl' ? baseUrl : 'https://gitlab.example.com',
    ...(field === 'apiUrl' ? { apiUrl: baseUrl } : {}),
  });

describe('link-local, metadata and unspecified addresses are refused in every spelling', () => {
  test.each(METADATA)('baseUrl %s: 400 invalid_request naming baseUrl', async (url) => {
    const r = await create(url);
    expect([r.status, r.json.error.code, r.json.error.field]).toEqual([400, 'invalid_request', 'baseUrl']);
  });

  test('apiUrl too, and on update', async () => {
    const r = await create('https://[::ffff:a9fe:a9fe]', 'apiUrl');
    expect([r.status, r.json.error.field]).toEqual([400, 'apiUrl']);
    expect((await create('https://gitlab.example.com')).status).toBe(201);
    const u = await admin.api('PUT', `/v1/admin/providers/h${seq}`, { baseUrl: 'https://2852039166', clientSecret: 's2' });
    expect([u.status, u.json.error.field]).toEqual([400, 'baseUrl']);
  });
});

test.each(ALLOWED)('private and ordinary hosts stay allowed: %s', async (url) => {
  expect((await create(url)).status).toBe(201);
});

// Loopback in every spelling the URL parser accepts; in Lambda these reach the function's own sandbox.
const LOOPBACK = ['https://127.0.0.1', 'https://127.1.2.3:8443', 'https://2130706433', 'https://[::1]', 'https://[::ffff:127.0.0.1]', 'https://[::ffff:7f00:1]', 'https://localhost', 'https://x.localhost', 'https://LOCALHOST.'];

describe('loopback: allowed in local mode only', () => {
  test.each(LOOPBACK)('local mode (the test stack) allows %s', async (url) => {
    expect((await create(url)).status).toBe(201);
  });

  describe('aws mode (the service on the harness deps, GITLINK_MODE=aws)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ secrets: {}, env: { GITLINK_MODE: 'aws', ALLOW_HTTP_LOOPBACK: '0' } });
    });
    afterAll(() => h.close());
    /** The admin service's answer as the handler would send it: 201, or the error mapper's status and body. */
    const createAws = async (field: 'baseUrl' | 'apiUrl', url: string) => {
      const body = { id: `a${++seq}`, type: 'github', clientId: 'c', clientSecret: 's', baseUrl: 'https://ghe.example.com', [field]: url };
      try {
        await createProvider(h.deps, body, 'https://git.example.com');
        return { status: 201, error: undefined };
      } catch (e) {
        const { status, body: b } = toErrorResponse(e);
        return { status, error: b.error as { code: string; message: string; field?: string } };
      }
    };

    test.each(LOOPBACK)('refuses %s: 400 invalid_request naming the field', async (url) => {
      for (const field of ['baseUrl', 'apiUrl'] as const) {
        const r = await createAws(field, url);
        expect([r.status, r.error?.code, r.error?.field]).toEqual([400, 'invalid_request', field]);
        expect(r.error?.message).toMatch(/loopback/);
      }
    });

    test.each(['https://10.0.0.5', 'https://192.168.1.10', 'https://gitlab.internal'])('still allows the private host %s', async (url) => {
      expect((await createAws('baseUrl', url)).status).toBe(201);
    });
  });
});

describe('the fetch layer refuses them too (a config saved before the check), without a connection', () => {
  const refusedAt = (url: string, allowLoopback: boolean) =>
    expect(providerFetch(url, { timeoutMs: 500, allowLoopback })).rejects.toMatchObject({ code: 'provider_unreachable', detail: expect.stringMatching(/^refused /) });

  test('link-local, metadata and unspecified hosts, in every mode', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:a9fe:a9fe]/', 'http://0.0.0.0:1/']) {
      await refusedAt(url, false);
      await refusedAt(url, true);
    }
  });

  test('loopback outside local mode; in local mode it is called', async () => {
    const server = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]']) await refusedAt(`http://${host}:${port}/`, false);
      expect((await providerFetch(`http://127.0.0.1:${port}/`, { timeoutMs: 2000, allowLoopback: true })).status).toBe(200);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('admin-set names reach terminals: control characters are stripped', () => {
  test('displayName and consumerName, on create and update', async () => {
    const r = await admin.api('POST', '/v1/admin/providers', {
      id: 'named', type: 'gitlab', baseUrl: 'https://gitlab.example.com', clientId: 'c', clientSecret: 's',
      displayName: '\u001b]0;pwned\u0007Company\u001b[31m GitLab\r\n\u202e\u0085',
    });
    // The control characters go; the printable rest stays as plain text, inert without its ESC.
    expect([r.status, r.json.displayName]).toEqual([201, ']0;pwnedCompany[31m GitLab']);
    const u = await admin.api('PUT', '/v1/admin/providers/named', { displayName: 'Git\u0000Lab\u009b2J' });
    expect(u.json.displayName).toBe('GitLab2J');
    const bbs = await admin.api('POST', '/v1/admin/providers', { id: 'bbs-named', type: 'bitbucket-server', baseUrl: 'https://bitbucket.example.com', consumerName: 'git\u001b[1mlink' });
    expect([bbs.status, bbs.json.consumerName]).toEqual([201, 'git[1mlink']);
  });

  test('a name of control characters only is refused, naming the field', async () => {
    const r = await admin.api('PUT', '/v1/admin/providers/named', { displayName: '\u001b\u0007\r\n' });
    expect([r.status, r.json.error.field]).toEqual([400, 'displayName']);
  });
});
