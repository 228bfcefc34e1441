/**
 * Which hosts a provider URL may name (issue 10 item 8). Checked on the host as
 * WHATWG `URL#hostname` gives it: the parser has already turned decimal, octal,
 * hex and short IPv4 spellings (`2852039166`, `0251.0376.0251.0376`, `0xa9fea9fe`,
 * `169.254.43518`) into dotted quads, and IPv4-mapped IPv6 into hex groups
 * (`[::ffff:a9fe:a9fe]`), so every spelling of an address meets one check here.
 *
 * Refused everywhere: link-local and cloud metadata addresses (169.254.0.0/16,
 * fe80::/10, fd00:ec2::254, their IPv4-mapped, -compatible and NAT64 forms, and the
 * metadata DNS names), and the unspecified addresses (0.0.0.0/8, ::), which reach
 * this machine. Loopback (127.0.0.0/8, ::1, localhost) only where the caller allows
 * it (local mode). Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) stay
 * allowed: self-hosted GitLab and GitHub Enterprise Server often live there.
 *
 * A DNS name is judged by its spelling only: a name that resolves to a metadata
 * address is not caught here (SECURITY.md, known limits).
 */

const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']);

export type RefusedHost = 'link-local' | 'loopback' | 'unspecified';

function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m ? m.slice(1).map(Number) : undefined;
}

function classifyIpv4([a, b]: number[]): RefusedHost | undefined {
  if (a === 169 && b === 254) return 'link-local';
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  return undefined;
}

/** `[::ffff:a9fe:a9fe]` → eight 16-bit groups; undefined for anything that is not an IPv6 literal. */
function ipv6(hostname: string): number[] | undefined {
  if (!hostname.startsWith('[') || !hostname.endsWith(']')) return undefined;
  const body = hostname.slice(1, -1);
  const [head = '', tail, extra] = body.split('::');
  if (extra !== undefined) return undefined;
  const part = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  const t = tail === undefined ? [] : part(tail);
  const groups = tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function classifyIpv6(g: number[]): RefusedHost | undefined {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embedded = () => classifyIpv4([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if (g.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':')) return 'link-local'; // EC2's IPv6 metadata
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(5) && g[5] === 0xffff) return embedded(); // IPv4-mapped ::ffff:a.b.c.d
  if (zeroUpTo(6)) return embedded(); // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(); // NAT64 64:ff9b::/96
  return undefined;
}

/** Why a provider host is refused; undefined when it is allowed. */
export function refusedHost(hostname: string): RefusedHost | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (METADATA_NAMES.has(host)) return 'link-local';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  const v4 = ipv4(host);
  if (v4) return classifyIpv4(v4);
  const v6 = ipv6(host);
  return v6 ? classifyIpv6(v6) : undefined;
}

/** The admin-facing reason, or undefined when the host may be used (`allowLoopback`: local mode). */
export function hostProblem(hostname: string, allowLoopback: boolean): string | undefined {
  const refused = refusedHost(hostname);
  if (!refused || (refused === 'loopback' && allowLoopback)) return undefined;
  if (refused === 'link-local') return 'must not be a link-local or cloud metadata address';
  if (refused === 'unspecified') return 'must not be an unspecified address (0.0.0.0, ::)';
  return 'must not be a loopback address outside local mode';
}
