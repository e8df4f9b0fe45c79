/** A template tried something the sandbox forbids. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}
