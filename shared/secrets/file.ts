/**
 * Client secrets for `npm start`: one JSON file under the data dir, mode 0600.
 * Writes go to a temp file and are renamed into place, so a crash never leaves
 * a half-written file (no secret lost).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretName, type Secrets } from './port';

export class FileSecrets implements Secrets {
  private readonly path: string;
  constructor(opts: { dataDir: string }) {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    this.path = join(opts.dataDir, 'secrets.json');
  }

  private read(): Record<string, string> {
    return existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>) : {};
  }

  private write(all: Record<string, string>) {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  async put(providerId: string, secret: string) {
    this.write({ ...this.read(), [secretName(providerId)]: secret });
  }
  async get(providerId: string) {
    return this.read()[secretName(providerId)];
  }
  async delete(providerId: string) {
    const all = this.read();
    delete all[secretName(providerId)];
    this.write(all);
  }
}
