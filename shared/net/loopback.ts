/**
 * The loopback host names: the only hosts where plain http is allowed (local
 * mode), and the names the local server answers on. One list for every check.
 */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `hostname` as `URL#hostname` gives it (IPv6 in brackets). */
export const isLoopbackHostname = (hostname: string): boolean => LOOPBACK_HOSTNAMES.has(hostname.toLowerCase());
