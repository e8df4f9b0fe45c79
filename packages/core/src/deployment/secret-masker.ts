/**
 * The secret values a job meets while it renders and publishes (shared values, secret Connection
 * Interface attributes): each is masked in every log line from then on, and kept for the Terraform
 * projects, which mask it in Terraform's own output.
 */
import { secretText, type Logger } from '../logging';
import { escapeHclString } from '../templates';

export class SecretMasker {
  private readonly values = new Set<string>();

  constructor(private readonly logger: Pick<Logger, 'addSecret'>) {}

  /** Registers one secret value (nothing for an empty one). */
  mask(value: unknown): void {
    const text = secretText(value);
    if (!text) return;
    // Also as templates print it inside a string (escaped), which Terraform may quote back.
    for (const form of new Set([text, escapeHclString(text, false)])) {
      this.values.add(form);
      this.logger.addSecret(form);
    }
  }

  /** Registers the values of `names` in `attributes`. */
  maskAttributes(attributes: Record<string, unknown>, names: readonly string[]): void {
    for (const name of names) this.mask(attributes[name]);
  }

  /** Every value registered so far, in each form it may be printed in. */
  get secrets(): string[] {
    return [...this.values];
  }
}
