/**
 * A throwaway certificate authority for the deployed tier. The template's issuer and the
 * providers' base URLs must be https (infra/context.ts, shared/admin/provider-input.ts), as
 * in AWS, so the OIDC issuer, the fake providers and the HTTP front serve TLS with one
 * certificate signed by this CA. Node processes trust it through NODE_EXTRA_CA_CERTS (the
 * one variable the harness adds to a function's environment for it).
 *
 * The stack runs in `aws` mode, where a provider URL may not name a loopback host, so the
 * fake providers listen on this machine's first non-loopback IPv4 address (`host`), which
 * the certificate names beside 127.0.0.1 (the issuer and the front stay on loopback).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

export interface TlsFiles {
  caFile: string;
  key: string;
  cert: string;
  /** The address the fake providers listen on: not loopback (README.md here). */
  host: string;
}

/** The first non-internal IPv4 address (link-local excluded: gitlink refuses it everywhere). */
export function providerHost(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.'));
  if (!found) {
    throw new Error('the deployed tier needs a non-loopback IPv4 address on this machine for its fake providers (aws mode refuses loopback provider hosts); none found in os.networkInterfaces()');
  }
  return found.address;
}

export function makeTls(dir: string): TlsFiles {
  const f = (n: string) => join(dir, n);
  const host = providerHost();
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=gitlink deployed-tier CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', f('ca.key'), '-out', f('ca.pem'));
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('leaf.key'), '-out', f('leaf.csr'));
    writeFileSync(f('leaf.ext'), `subjectAltName=IP:127.0.0.1,IP:${host},DNS:localhost\nextendedKeyUsage=serverAuth\n`);
    openssl('x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2',
      '-extfile', f('leaf.ext'), '-out', f('leaf.pem'));
  } catch (e) {
    throw new Error(`the deployed tier needs the openssl command to make its test CA: ${(e as Error).message}`);
  }
  writeFileSync(f('provider-host'), host);
  return readTls(dir);
}

/** The files makeTls wrote into `dir` (the jest process reads them; GITLINK_DEPLOYED_KEEP reuses them). */
export function readTls(dir: string): TlsFiles {
  const read = (n: string) => readFileSync(join(dir, n), 'utf8');
  return { caFile: join(dir, 'ca.pem'), key: read('leaf.key'), cert: read('leaf.pem'), host: read('provider-host') };
}
