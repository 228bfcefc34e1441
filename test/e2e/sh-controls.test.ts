/**
 * Issue 10 item 8, defence in depth: the sh CLI (cli/sh/gitlink, as `gitlink` and
 * `git-credential-gitlink`) strips control characters from every server-supplied string
 * it prints, on its own, as the Node CLI does (test/unit/env-cli.test.ts): a server that
 * does not strip them (this fake) cannot rewrite the developer's terminal. Under dash,
 * bash and BusyBox (sh and awk, as on Alpine), with the strings sent as JSON escapes and
 * as raw bytes.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedGitlink, type ScriptedGitlink } from '../support/scripted-gitlink';
import { shellPath, SHELLS, start, type Shell } from '../support/sh';

// An admin-set name as a careless server would pass it on: OSC title, BEL, SGR, CR, RLO, CSI (C1).
const EVIL = '\u001b]0;pwned\u0007Société €\u001b[31m\rGit\u202eLab\u009b\u0085\b';
// What is left once the controls are gone: the printable rest, UTF-8 intact.
const CLEAN = ']0;pwnedSociété €[31mGitLab';
// For hosts, which the scripts split on blanks: no space.
const EVIL_HOST = 'example\u001b]0;x\u0007\u001b[31m\r\u202e\u009b.com';
const CLEAN_HOST = 'example]0;x[31m.com';
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** JSON as JSON.stringify writes it (controls as \u escapes, C1 and RLO raw), or with every control raw. */
const encode = (value: unknown, raw: boolean) => {
  const json = JSON.stringify(value);
  if (!raw) return json;
  return json.replace(/\\u00([01][0-9a-f])/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\[rb]/g, (e) => (e === '\\r' ? '\r' : '\b'));
};

let server: ScriptedGitlink;
let url: string;
let tmp: string;
let bin: string;
let answers: ScriptedGitlink['answers'];
let raw = false;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitlink-sh-controls-'));
  bin = join(tmp, 'bin');
  mkdirSync(bin);
  // The script picks its role by the name it runs under, as install.sh installs it.
  const script = join(__dirname, '..', '..', 'cli', 'sh', 'gitlink');
  for (const name of ['gitlink', 'git-credential-gitlink']) symlinkSync(script, join(bin, name));
  server = await startScriptedGitlink({ encode: (body) => encode(body, raw) });
  ({ url, answers } = server);
});
afterAll(() => server.close());

/** PATH with `sh` = the shell; for BusyBox its awk too, as on Alpine. */
function pathFor(shell: Shell): string {
  if (shell !== 'busybox') return shellPath(tmp, shell);
  const dir = join(tmp, 'busybox-awk');
  mkdirSync(dir, { recursive: true });
  try {
    symlinkSync('/usr/bin/busybox', join(dir, 'awk'));
  } catch {
    // made by an earlier case
  }
  return `${dir}:${shellPath(tmp, shell)}`;
}

let seq = 0;
async function runAs(shell: Shell, cmd: 'gitlink' | 'git-credential-gitlink', args: string[], stdin = '') {
  const home = join(tmp, `home-${++seq}`);
  mkdirSync(home);
  const r = await start('sh', [join(bin, cmd), ...args], {
    env: { PATH: pathFor(shell), HOME: home, GITLINK_URL: url, GITLINK_TOKEN: 'glk_dXNlcg_id_secret', GITLINK_NO_WAIT: '1' },
    stdin,
  }).done;
  return { ...r, home, out: r.stdout + r.stderr };
}

const credentialRequest = 'protocol=https\nhost=git.example.com\n\n';
const sshKeyBody = {
  privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
  publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl gitlink',
  fingerprint: `SHA256:${EVIL}`,
  sshHosts: [`ssh.${EVIL_HOST}`],
  httpsHosts: [`https://git.${EVIL_HOST}`],
};

describe.each(SHELLS)('under %s', (shell) => {
  describe.each([false, true])('strings sent raw: %s', (asRaw) => {
    beforeEach(() => {
      raw = asRaw;
      answers.clear();
    });

    test('the helper, not linked yet: the provider and the link URL are printed clean', async () => {
      answers.set('POST /v1/git/credential', {
        status: 404,
        body: { error: { code: 'not_linked', message: `You have not linked ${EVIL} yet.`, providerId: EVIL, linkUrl: `https://gitlink.example/link/${EVIL}` } },
      });
      const r = await runAs(shell, 'git-credential-gitlink', ['get'], credentialRequest);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`you have not linked ${CLEAN} yet`);
      expect(r.stderr).toContain(`https://gitlink.example/link/${CLEAN}\n`);
      expect(r.out).not.toMatch(CONTROLS);
    });

    test('the helper, relink required or refused: reason, link and message are printed clean', async () => {
      answers.set('POST /v1/git/credential', { status: 409, body: { error: { code: 'relink_required', message: EVIL, reason: EVIL, linkUrl: `https://gitlink.example/link/${EVIL}` } } });
      const relink = await runAs(shell, 'git-credential-gitlink', ['get'], credentialRequest);
      expect(relink.stderr).toContain(`your link needs renewing (${CLEAN}). Link again at https://gitlink.example/link/${CLEAN}`);
      expect(relink.out).not.toMatch(CONTROLS);
      answers.set('POST /v1/git/credential', { status: 400, body: { error: { code: 'invalid_request', message: `${EVIL} is not served here` } } });
      const refused = await runAs(shell, 'git-credential-gitlink', ['get'], credentialRequest);
      expect(refused.stderr).toBe(`gitlink: ${CLEAN} is not served here\n`);
    });

    test('gitlink status and ssh-key: hosts and the fingerprint are printed (and written to ~/.ssh/config) clean', async () => {
      answers.set('GET /v1/env/ssh-key?hostsOnly=true', { status: 200, body: { httpsHosts: sshKeyBody.httpsHosts, sshHosts: sshKeyBody.sshHosts } });
      answers.set('GET /v1/env/ssh-key', { status: 200, body: sshKeyBody });
      const status = await runAs(shell, 'gitlink', ['status']);
      expect(status.stdout).toContain(`git:   https://git.${CLEAN_HOST} is not configured`);
      expect(status.out).not.toMatch(CONTROLS);
      const key = await runAs(shell, 'gitlink', ['ssh-key']);
      expect(key.code).toBe(0);
      expect(key.stdout).toContain(`key fingerprint SHA256:${CLEAN}\n`);
      expect(key.stdout).toContain(`for Host ssh.${CLEAN_HOST} to`);
      expect(key.out).not.toMatch(CONTROLS);
      expect(readFileSync(join(key.home, '.ssh', 'config'), 'utf8')).not.toMatch(CONTROLS);
    });
  });

  // Tab and newline are text the CLI keeps (shared/contract/text.ts), however a server escapes
  // them: JSON.stringify writes \t and \n, other encoders \u0009 and \u000a. The sh CLI once
  // dropped the \u forms as controls.
  test('tab and newline escaped as \\u0009 and \\u000a are kept, as \\t and \\n are', async () => {
    raw = false;
    for (const [tab, newline] of [['\\t', '\\n'], ['\\u0009', '\\u000A']]) {
      answers.set('POST /v1/git/credential', { status: 400, body: `{"error":{"code":"invalid_request","message":"one${tab}two${newline}three"}}` });
      const r = await runAs(shell, 'git-credential-gitlink', ['get'], credentialRequest);
      // One line on stderr: the newline becomes a space there, as for every key=value the reader prints.
      expect(r.stderr).toBe('gitlink: one\ttwo three\n');
    }
  });
});
