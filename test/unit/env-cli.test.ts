/**
 * CLI pieces that need no server: the ssh_config edit (ssh_config(5)) and the
 * helper's wait loop, driven by a fake clock and a stubbed fetch so no test
 * waits on wall-clock time.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHelper } from '../../cli/lib/helper';
import { helperCommand } from '../../cli/lib/setup';
import type { Io } from '../../cli/lib/io';
import { addIdentityFiles } from '../../cli/lib/ssh-config';

describe('~/.ssh/config: IdentityFile per provider host, idempotent', () => {
  const key = '/home/dev/.ssh/gitlink_ed25519';
  test('appends one Host block per host and keeps what was there', () => {
    const before = 'Host *\n  ServerAliveInterval 30';
    const edit = addIdentityFiles(before, ['gitlab.com', 'github.com', 'gitlab.com'], key, '/home/dev');
    expect(edit.added).toEqual(['gitlab.com', 'github.com']);
    expect(edit.text.startsWith(`${before}\n`)).toBe(true);
    expect(edit.text).toContain(`Host gitlab.com\n    IdentityFile ${key}\n`);
    expect(edit.text).toContain(`Host github.com\n    IdentityFile ${key}\n`);
    expect(addIdentityFiles(edit.text, ['github.com', 'GitLab.com'], key, '/home/dev')).toEqual({ text: edit.text, added: [] });
  });
  test('an existing block naming the key (with ~ or quotes, any keyword case) counts', () => {
    const text = 'Host gitlab.com other\n  identityfile ~/.ssh/gitlink_ed25519\nHost github.com\n  IdentityFile="/home/dev/.ssh/gitlink_ed25519"\n';
    expect(addIdentityFiles(text, ['gitlab.com', 'other', 'github.com'], key, '/home/dev').added).toEqual([]);
  });
  test('a different key, or the key under a Match block, does not count', () => {
    const text = 'Host gitlab.com\n  IdentityFile ~/.ssh/id_ed25519\nMatch host github.com\n  IdentityFile ~/.ssh/gitlink_ed25519\n';
    expect(addIdentityFiles(text, ['gitlab.com', 'github.com'], key, '/home/dev').added).toEqual(['gitlab.com', 'github.com']);
  });
  test('quotes a path with spaces', () => {
    const edit = addIdentityFiles('', ['h'], '/home/a b/.ssh/gitlink_ed25519', '/home/a b');
    expect(edit.text).toBe('# Added by `gitlink ssh-key`: the key gitlink registers with your git providers.\nHost h\n    IdentityFile "/home/a b/.ssh/gitlink_ed25519"\n');
    expect(addIdentityFiles(edit.text, ['h'], '/home/a b/.ssh/gitlink_ed25519', '/home/a b').added).toEqual([]);
  });
});

describe('git-credential-gitlink get: waiting for a link', () => {
  let clock = 0;
  let out = '';
  let err = '';
  const io = (env: Record<string, string>): Io => ({
    env: { GITLINK_URL: 'https://gitlink.example', GITLINK_TOKEN: 'glk_t', ...env },
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    sleep: async (ms) => void (clock += ms),
    now: () => clock,
  });
  const notLinked = () =>
    new Response(JSON.stringify({ error: { code: 'not_linked', providerId: 'gitlab', linkUrl: 'https://gitlink.example/link/gitlab' } }), { status: 404 });
  const linked = () => new Response(JSON.stringify({ username: 'oauth2', password: 'tok', password_expiry_utc: 1700000000 }), { status: 200 });
  let fetchMock: jest.SpyInstance;
  beforeEach(() => {
    clock = 0;
    out = '';
    err = '';
    fetchMock = jest.spyOn(globalThis, 'fetch');
  });
  afterEach(() => fetchMock.mockRestore());
  const input = 'protocol=https\nhost=gitlab.example\n\n';

  test('polls until linked, reporting progress on stderr, then answers on stdout', async () => {
    let calls = 0;
    fetchMock.mockImplementation(async () => (++calls < 12 ? notLinked() : linked()));
    const code = await runHelper('get', input, io({ GITLINK_POLL_SECONDS: '3' }));
    expect(code).toBe(0);
    expect(out).toBe('username=oauth2\npassword=tok\npassword_expiry_utc=1700000000\n');
    expect(err).toContain('https://gitlink.example/link/gitlab');
    expect(err).toContain('waiting up to 5m00s');
    expect(err.match(/still waiting for the link/g)?.length).toBe(2); // at 15 s and 30 s of fake time
    expect(err).toContain('linked; continuing');
    expect(calls).toBe(12);
  });

  test('gives up after GITLINK_WAIT_SECONDS; stdout stays empty', async () => {
    fetchMock.mockImplementation(async () => notLinked());
    const code = await runHelper('get', input, io({ GITLINK_WAIT_SECONDS: '10', GITLINK_POLL_SECONDS: '3' }));
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('gave up waiting for the link after 10s');
    expect(fetchMock).toHaveBeenCalledTimes(5); // at 0, 3, 6, 9 and 10 s
  });

  test('other failures are not waited on', async () => {
    fetchMock.mockImplementation(async () => new Response(JSON.stringify({ error: { code: 'relink_required', reason: 'invalid_grant', linkUrl: 'https://gitlink.example/link/gitlab' } }), { status: 409 }));
    expect(await runHelper('get', input, io({}))).toBe(1);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(out).toBe('');
    expect(err).toContain('Link again at https://gitlink.example/link/gitlab');
  });

  test('what the server or a provider sends is printed without control characters (issue 10 item 8)', async () => {
    const evil = '\u001b]0;pwned\u0007\u001b[2J\r\u202egitlab\u009b';
    fetchMock.mockImplementation(async () =>
      new Response(JSON.stringify({ error: { code: 'relink_required', message: evil, providerId: evil, reason: evil, linkUrl: `https://gitlink.example/link/${evil}` } }), { status: 409 }));
    expect(await runHelper('get', input, io({}))).toBe(1);
    expect(err).toContain('gitlink:');
    expect(err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  test('the request carries only what git sent, as JSON, with the token as a bearer', async () => {
    fetchMock.mockImplementation(async () => linked());
    await runHelper('get', 'protocol=https\nhost=gitlab.example\npath=g/p.git\nusername=oauth2\npassword=stale\n\n', io({}));
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('https://gitlink.example/v1/git/credential');
    expect(JSON.parse(init.body as string)).toEqual({ protocol: 'https', host: 'gitlab.example', path: 'g/p.git', username: 'oauth2' });
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer glk_t');
  });
});

describe('gitlink setup: which helper it configures', () => {
  const dirWith = (name: string, parent = mkdtempSync(join(tmpdir(), 'gitlink-helper-'))) => {
    mkdirSync(parent, { recursive: true });
    writeFileSync(join(parent, name), '#!/usr/bin/env node\n');
    return parent;
  };
  test('the bundled helper beside gitlink.js, by absolute path', () => {
    const dir = dirWith('git-credential-gitlink.js');
    expect(helperCommand({}, dir)).toBe(join(dir, 'git-credential-gitlink.js'));
  });
  test('a copy renamed without .js, or one found on PATH', () => {
    const dir = dirWith('git-credential-gitlink');
    expect(helperCommand({}, dir)).toBe(join(dir, 'git-credential-gitlink'));
    const onPath = dirWith('git-credential-gitlink');
    expect(helperCommand({ PATH: `/nonexistent:${onPath}` }, '/elsewhere')).toBe(join(onPath, 'git-credential-gitlink'));
  });
  // gitcredentials(7): a value starting with `!` is a shell snippet, one starting with `/` runs as
  // it is, and anything else gets `git credential-` in front. Real git is the judge here.
  test('a path with a space and a quote: real git runs it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gitlink-helper-')), "it's here");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'git-credential-gitlink');
    writeFileSync(file, '#!/bin/sh\ncat >/dev/null\n[ "$1" = get ] && printf "username=u\\npassword=from-the-helper\\n"\n', { mode: 0o755 });
    const value = helperCommand({}, dir);
    expect(value).toBe(`!'${file.replace("'", "'\\''")}'`);
    const fill = spawnSync('git', ['-c', 'credential.helper=', '-c', `credential.helper=${value}`, 'credential', 'fill'], {
      input: 'protocol=https\nhost=git.example.com\n\n',
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
    });
    expect(fill.stderr).toBe('');
    expect(fill.stdout).toContain('password=from-the-helper\n');
  });
  test('nothing found: a clear error', () => {
    expect(() => helperCommand({ PATH: '' }, mkdtempSync(join(tmpdir(), 'gitlink-helper-')))).toThrow(/set GITLINK_HELPER/);
  });
});
