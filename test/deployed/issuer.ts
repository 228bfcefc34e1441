/**
 * A minimal OIDC issuer for the deployed tier: RS256 keys (API Gateway's JWT authorizer
 * takes RSA only), discovery, JWKS, and `POST /token` minting a JWT with the claims asked
 * for. The stack is synthesized with this issuer and audience as context, so the tokens
 * meet the authorizer the template defines. Test-only: it signs anything anyone asks.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { TlsFiles } from './tls';

export const AUDIENCE = 'gitlink-deployed';

export interface Issuer {
  /** `https://127.0.0.1:PORT/`: byte for byte what the template's authorizer compares with `iss`. */
  url: string;
  close(): Promise<void>;
}

export async function startIssuer(tls: TlsFiles, port = 0): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'deployed-1', alg: 'RS256', use: 'sig' };
  let url = '';
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
      return send(200, { issuer: url, jwks_uri: `${url}jwks.json`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (req.method === 'GET' && req.url === '/jwks.json') return send(200, { keys: [jwk] });
    if (req.method === 'POST' && req.url === '/token') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { claims = {}, expiresInSeconds = 3600 } = JSON.parse(body || '{}') as { claims?: Record<string, unknown>; expiresInSeconds?: number };
        const now = Math.floor(Date.now() / 1000);
        void new SignJWT({ aud: AUDIENCE, ...claims })
          .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
          .setIssuer(url)
          .setIssuedAt(now - 5)
          .setExpirationTime(now + expiresInSeconds)
          .sign(privateKey)
          .then((token) => send(200, { token }));
      });
      return;
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
