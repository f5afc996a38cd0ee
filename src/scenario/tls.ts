// Questions about a scenario's TLS that the coordinator and the outputs both ask.
import type { Scenario } from './types.js';

/** The step speaks TLS: an https:// or wss:// target, or the built-in target with server.tls. */
export function usesTls(step: Scenario): boolean {
  if (step.target === undefined) return step.server.tls;
  return /^(https|wss):/i.test(step.target);
}

/** Some step speaks TLS without verifying certificates (tls.insecure: true). */
export function skipsVerification(steps: readonly Scenario[]): boolean {
  return steps.some((step) => usesTls(step) && step.tls.insecure);
}

export const insecureWarning = 'tls.insecure: certificates are not verified';
