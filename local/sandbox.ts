/**
 * Sandbox providers for `npm start`: in-process test providers pre-configured
 * so a newcomer can link offline. Never bundled into a Lambda.
 */
import type { LocalStack } from './app';

export async function startSandbox(_stack: LocalStack): Promise<void> {
  // Filled in by the provider issues (Sandbox GitHub, GitLab, Bitbucket).
}
