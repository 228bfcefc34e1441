/**
 * A throwaway certificate authority for the deployed tier. The template's issuer and the
 * providers' base URLs must be https (infra/context.ts, shared/admin/provider-input.ts), as
 * in AWS, so the OIDC issuer, the fake providers and the HTTP front serve TLS with one
 * 127.0.0.1 certificate signed by this CA. Node processes trust it through
 * NODE_EXTRA_CA_CERTS (the one variable the harness adds to a function's environment for it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFiles {
  caFile: string;
  key: string;
  cert: string;
}

export function makeTls(dir: string): TlsFiles {
  const f = (n: string) => join(dir, n);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=gitlink deployed-tier CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', f('ca.key'), '-out', f('ca.pem'));
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('leaf.key'), '-out', f('leaf.csr'));
    writeFileSync(f('leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2',
      '-extfile', f('leaf.ext'), '-out', f('leaf.pem'));
  } catch (e) {
    throw new Error(`the deployed tier needs the openssl command to make its test CA: ${(e as Error).message}`);
  }
  return { caFile: f('ca.pem'), key: readFileSync(f('leaf.key'), 'utf8'), cert: readFileSync(f('leaf.pem'), 'utf8') };
}
