/**
 * Raised by an action whose work is not built yet: after its inputs were validated it fails the
 * step honestly instead of pretending to succeed.
 */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
}
