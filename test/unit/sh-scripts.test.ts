/**
 * The sh scripts (cli/sh) as files and as served at GET /install.sh:
 * shellcheck reports nothing on either, every shell parses them, and the
 * installer embeds exactly the gitlink script of the same commit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInstaller } from '@shared/ui/installer';
import { version } from '../../package.json';
import { SHELLS } from '../support/sh';

const dir = join(__dirname, '..', '..', 'cli', 'sh');
const served = () => {
  const out = join(mkdtempSync(join(tmpdir(), 'gitlink-installer-')), 'install.sh');
  writeFileSync(out, buildInstaller(dir).body);
  return out;
};

describe('shellcheck (POSIX sh)', () => {
  test.each(['gitlink', 'install.sh'])('cli/sh/%s: no finding at any severity', (file) => {
    const r = spawnSync('shellcheck', ['--shell=sh', '--severity=style', join(dir, file)], { encoding: 'utf8' });
    expect(r.error).toBeUndefined(); // shellcheck is installed (.ci/run does it)
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  test('the installer as served, with the script inside it: no finding', () => {
    const r = spawnSync('shellcheck', ['--shell=sh', '--severity=style', served()], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('GET /install.sh body', () => {
  test.each(SHELLS)('%s parses the served installer (sh -n)', (shell) => {
    const args = shell === 'busybox' ? ['sh', '-n', served()] : ['-n', served()];
    expect(() => execFileSync(shell, args, { stdio: 'pipe' })).not.toThrow();
  });

  test('embeds cli/sh/gitlink byte for byte, with the package version filled in', () => {
    const body = buildInstaller(dir).body;
    const script = readFileSync(join(dir, 'gitlink'), 'utf8').replace("GITLINK_VERSION='@@VERSION@@'", `GITLINK_VERSION='${version}'`);
    const start = body.indexOf("<<'GITLINK_SCRIPT_END'\n") + "<<'GITLINK_SCRIPT_END'\n".length;
    expect(body.slice(start, body.indexOf('\nGITLINK_SCRIPT_END\n'))).toBe(script.replace(/\n$/, ''));
    expect(body).not.toContain('@@');
  });

  test('a script that would end the here-document early is refused at build time', () => {
    const bad = mkdtempSync(join(tmpdir(), 'gitlink-installer-bad-'));
    writeFileSync(join(bad, 'install.sh'), readFileSync(join(dir, 'install.sh')));
    writeFileSync(join(bad, 'gitlink'), `${readFileSync(join(dir, 'gitlink'), 'utf8')}GITLINK_SCRIPT_END\nrm -rf "$HOME"\n`);
    expect(() => buildInstaller(bad)).toThrow('must not contain a line GITLINK_SCRIPT_END');
  });
});
