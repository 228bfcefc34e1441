/**
 * Structured JSON logs (Powertools Logger) with a redaction list.
 *
 * Everything logged passes through `redact` first: keys that name a secret are
 * replaced, and strings that look like a token or key are masked wherever they
 * appear, so a careless `logger.info({ event })` cannot leak a credential.
 */
import { logLevel } from './config';
import { Logger } from '@aws-lambda-powertools/logger';

const SECRET_KEYS =
  /^(authorization|cookie|cookies|set-cookie|password|secret|client_?secret|token|access_?token|refresh_?token|id_?token|code|code_?verifier|verifier|state|nonce|oauth_token|oauth_token_secret|oauth_verifier|oauth_signature|private_?key|privatekey.*|.*ciphertext|body|headers|multivaluequerystringparameters|querystringparameters|rawquerystring)$/i;

/** Values that are secrets whatever key holds them. */
const SECRET_PATTERNS: RegExp[] = [
  /glk_[A-Za-z0-9_-]+/g, // environment tokens
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\b(gh[opsu]_|github_pat_|glpat-|gloas-)[A-Za-z0-9_-]+/g, // GitHub / GitLab token shapes
  /(Bearer|Basic|OAuth)\s+[A-Za-z0-9._~+/=,"-]+/gi,
];

export const REDACTED = '[redacted]';

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED;
  if (typeof value === 'string') {
    return SECRET_PATTERNS.reduce((s, re) => s.replace(re, REDACTED), value);
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, depth + 1), ...('code' in value ? { code: (value as { code: unknown }).code } : {}) };
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEYS.test(k) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

const powertools = new Logger({
  serviceName: 'gitlink',
  logLevel: logLevel(),
});

type Fields = Record<string, unknown>;

/** Where log lines go; tests swap it to capture them. */
export interface LogSink {
  (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Fields): void;
}

const powertoolsSink: LogSink = (level, message, fields) => powertools[level](message, fields);
let sink: LogSink = powertoolsSink;

export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? powertoolsSink;
}

function emit(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Fields) {
  sink(level, redact(message) as string, (redact(fields ?? {}) as Fields) ?? {});
}

export const log = {
  debug: (message: string, fields?: Fields) => emit('debug', message, fields),
  info: (message: string, fields?: Fields) => emit('info', message, fields),
  warn: (message: string, fields?: Fields) => emit('warn', message, fields),
  error: (message: string, fields?: Fields) => emit('error', message, fields),
};
