/**
 * The undefined names a job's templates used (lenient mode, FEATURES_TEMPLATE_STRICT false): each
 * is a warning annotation at the template's own file and line, once per file, line and name for
 * the whole job (a plugin rendered for its plan and again for its deploy warns once), and the
 * list goes to the job summary, so a typo in a `.tf` template stays visible in the plan review.
 */
import type { SourceLocation } from '../errors';
import type { Logger } from '../logging';
import {
  describeUndefinedReference,
  mergeReferences,
  templateNameCollisions,
  type UndefinedMode,
  type UndefinedReference,
} from '../templates';

export class TemplateWarnings {
  readonly references: UndefinedReference[] = [];
  private readonly collisionsOf = new Set<string>();

  /**
   * Warns, once per plugin, about inputs named like the template context's own names (see
   * templateNameCollisions for which one a template sees), at the plugin's plugin.yaml.
   */
  reportCollisions(
    logger: Logger,
    alias: string,
    inputs: Record<string, unknown>,
    location: SourceLocation | undefined,
  ): void {
    if (this.collisionsOf.has(alias)) return;
    this.collisionsOf.add(alias);
    for (const collision of templateNameCollisions(inputs)) {
      logger.warning(`Plugin ${alias}: ${collision.message}`, location);
    }
  }

  /** Annotates the references not reported yet, with `logger` (the task's own log). */
  report(logger: Logger, found: readonly UndefinedReference[] | undefined): void {
    const before = this.references.length;
    mergeReferences(this.references, found ?? []);
    for (const reference of this.references.slice(before)) {
      logger.warning(describeUndefinedReference(reference), reference.location);
    }
  }
}

/** The render mode FEATURES_TEMPLATE_STRICT asks for. */
export function undefinedModeOf(strict: boolean | undefined): UndefinedMode {
  return strict ? 'strict' : 'lenient';
}
