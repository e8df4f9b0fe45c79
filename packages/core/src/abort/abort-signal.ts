/**
 * Aborting long work: every long operation of the core takes an AbortSignal. The actions abort it
 * when the runner sends SIGINT/SIGTERM (job cancelled); tests abort it directly.
 */
import { CancelledError } from '../errors';

/** Throws {@link CancelledError} if `signal` has been aborted. Call between steps. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    throw reason instanceof CancelledError
      ? reason
      : new CancelledError(reason instanceof Error ? reason.message : undefined);
  }
}

/**
 * An AbortController that aborts on the first of the given process signals; `dispose()` removes
 * the listeners. Later signals (the runner sends SIGINT, then SIGTERM ~7.5 s later) are absorbed so
 * that cleanup (releasing locks, recording ABORTED) can finish; SIGKILL still ends a stuck process.
 */
export function abortOnSignals(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      controller.abort(new CancelledError(`Received ${name}: the job is being cancelled`));
    }
  };
  const dispose = (): void => {
    for (const s of signals) process.off(s, handler);
  };
  for (const s of signals) process.on(s, handler);
  return { signal: controller.signal, dispose };
}
