/**
 * Adds `IdentityFile` lines to an ssh_config text, one `Host` block per host,
 * idempotently. ssh_config(5): `IdentityFile` accumulates (every listed key is
 * tried), unlike most keywords where the first value wins, so an appended block
 * adds our key without overriding anything the developer configured earlier.
 */

export interface IdentityEdit {
  text: string;
  /** Hosts that got a new block. */
  added: string[];
}

/** ssh_config(5) takes double quotes around arguments with spaces. */
export const quoteArg = (s: string) => (/\s/.test(s) ? `"${s}"` : s);

const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1');

/** Hosts whose `Host` block already lists `identity` (`~` expanded with `home`). */
function hostsWithIdentity(text: string, identity: string, home: string): Set<string> {
  const done = new Set<string>();
  let current: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toLowerCase();
    const arg = m[2]!.trim();
    if (keyword === 'host') current = arg.split(/\s+/).map(unquote);
    else if (keyword === 'match') current = [];
    else if (keyword === 'identityfile') {
      const path = unquote(arg).replace(/^~(?=\/)/, home);
      if (path === identity) current.forEach((h) => done.add(h.toLowerCase()));
    }
  }
  return done;
}

export function addIdentityFiles(text: string, hosts: string[], identity: string, home: string): IdentityEdit {
  const done = hostsWithIdentity(text, identity, home);
  const added = [...new Set(hosts.map((h) => h.toLowerCase()))].filter((h) => !done.has(h));
  if (!added.length) return { text, added };
  let out = text;
  if (out && !out.endsWith('\n')) out += '\n';
  for (const host of added) {
    out += `${out ? '\n' : ''}# Added by \`gitlink ssh-key\`: the key gitlink registers with your git providers.\nHost ${host}\n    IdentityFile ${quoteArg(identity)}\n`;
  }
  return { text: out, added };
}
