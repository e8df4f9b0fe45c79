/** Plain-text views of a run's audit (who started and approved it, from which commit). */
import { describeApproval, type RunAudit } from '@deploy-engine/core';
import { escapeControls } from './terminal-text';

/** The audit of a run as lines (none when the record has no audit). */
export function auditLines(audit: RunAudit | undefined, indent = '  '): string[] {
  if (!audit) return [];
  const lines = [`${indent}${whoAndWhat(audit)}`];
  if (audit.repositoryNameInput && audit.repositoryNameInput !== audit.repository)
    lines.push(
      `${indent}REPOSITORY_NAME given: ${audit.repositoryNameInput} (input, not verified)`,
    );
  if (audit.approval) lines.push(`${indent}${describeApproval(audit.approval)}`);
  // Logins and comments come from GitHub, a comment from any reviewer: no terminal control.
  return lines.map((line) => escapeControls(line.replace(/\n/g, ' ')));
}

/** `by octocat, acme/orders@0123456 (refs/heads/main, push)`, the shortest useful form. */
export function whoAndWhat(audit: RunAudit): string {
  const by = audit.actor ?? 'unknown';
  const rerun =
    audit.triggeringActor && audit.triggeringActor !== audit.actor
      ? ` (this attempt by ${audit.triggeringActor})`
      : '';
  const commit = audit.commit ? `@${audit.commit.slice(0, 12)}` : '';
  const where = audit.repository ? `, ${audit.repository}${commit}` : commit ? `, ${commit}` : '';
  const context = [audit.ref, audit.eventName].filter(Boolean).join(', ');
  const verified = audit.source === 'github' ? '' : ' (not verified: outside GitHub Actions)';
  return `by ${by}${rerun}${where}${context ? ` (${context})` : ''}${verified}`;
}
