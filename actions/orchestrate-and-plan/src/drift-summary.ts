/**
 * The job summary of a drift check (DRIFT_CHECK): what was compared, each plugin's result, and
 * per drifted plugin (collapsible) the resources changed outside Terraform with their attributes
 * as deployed → as found. Everything from a plan or an error is escaped (and masked) here.
 */
import { escapeHtml } from '@deploy-engine/action-kit';
import {
  describeTarget,
  type DriftReport,
  type PluginDrift,
  type ResourceDetail,
} from '@deploy-engine/core';

/** A value longer than this is cut in the summary (the JSON report keeps it whole). */
const MAX_VALUE = 300;
/** Most characters of the summary's sections (GitHub's limit is 1 MiB for the whole summary). */
const SUMMARY_BUDGET = 900 * 1024;
/** Resources listed per plugin; the rest are counted (the report lists them all). */
const MAX_RESOURCES = 50;

const code = (value: string): string => `<code>${escapeHtml(value)}</code>`;

function cut(value: string | undefined): string {
  if (value === undefined) return '<em>(none)</em>';
  const shown = value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}… (cut)` : value;
  return code(shown);
}

const WHAT: Partial<Record<ResourceDetail['action'], string>> = {
  delete: 'deleted outside Terraform',
  create: 'found again outside Terraform',
  update: 'changed outside Terraform',
};

/**
 * The resources a plugin's refresh found changed, each with its attributes (deployed → now).
 * Drift reads differently from a plan (as deployed → as found, not before → after), so it is
 * drawn here rather than by action-kit's plan renderer.
 */
export function renderDriftResources(resources: readonly ResourceDetail[]): string {
  const shown = resources.slice(0, MAX_RESOURCES).map((r) => {
    const head = `<p>${code(r.address)}: ${escapeHtml(WHAT[r.action] ?? r.action)}</p>`;
    if (r.action === 'delete' || r.attributes.length === 0) return head;
    const rows = r.attributes.map(
      (a) => `<tr><td>${code(a.path)}</td><td>${cut(a.before)}</td><td>${cut(a.after)}</td></tr>`,
    );
    return `${head}<table><tr><th>attribute</th><th>as deployed</th><th>now</th></tr>${rows.join('')}</table>`;
  });
  const more = resources.length - MAX_RESOURCES;
  if (more > 0) shown.push(`<p>… and ${more} more resource(s): see the drift report.</p>`);
  return shown.join('');
}

const STATUS: Record<PluginDrift['status'], string> = {
  drifted: '⚠️ drifted',
  'in-sync': '✅ in sync',
  'check-failed': '❌ check failed',
  skipped: '⏸️ not checked',
};

function pluginName(alias: string): string {
  return alias === '' ? 'outside every plugin' : alias;
}

function pluginSection(plugin: PluginDrift): string {
  const name = code(pluginName(plugin.alias));
  const parts: string[] = [];
  if (plugin.status === 'drifted')
    parts.push(
      `<details><summary>${name}: ${plugin.resources.length} resource(s) drifted</summary>${renderDriftResources(plugin.resources)}</details>`,
    );
  if (plugin.status === 'check-failed')
    parts.push(
      `<details><summary>${name}: the check failed</summary><pre>${escapeHtml(plugin.reason ?? '')}</pre></details>`,
    );
  if (plugin.kept && plugin.kept.length > 0)
    parts.push(
      `<details><summary>${name}: ${plugin.kept.length} resource(s) changed outside Terraform in values the configuration does not set (the next deployment keeps them: not drift)</summary>${renderDriftResources(plugin.kept)}</details>`,
    );
  return parts.join('');
}

/** The whole summary of a drift check, as HTML. */
export function renderDriftSummary(report: DriftReport): string {
  const parts = [`<h2>Drift check of ${escapeHtml(describeTarget(report.target))}</h2>`];
  if (report.notice) parts.push(`<p>${escapeHtml(report.notice)}</p>`);
  const { deployment } = report;
  if (!deployment) return parts.join('');
  parts.push(
    `<p>Compared with the last successful deployment: version ${code(deployment.version)} (run ${code(deployment.runId)}, ${escapeHtml(deployment.finishedAt)}, ${escapeHtml(deployment.mode)} mode), read-only: nothing was locked, applied or recorded.</p>`,
  );
  const verdict = report.drifted
    ? `<p><strong>Drift found</strong> in ${report.driftedPlugins.map((a) => code(pluginName(a))).join(', ')}.</p>`
    : '<p><strong>No drift found.</strong></p>';
  parts.push(verdict);
  const rows = report.plugins.map(
    (p) =>
      `<tr><td>${code(pluginName(p.alias))}</td><td>${STATUS[p.status]}</td><td>${p.status === 'skipped' ? escapeHtml(p.reason ?? '') : p.status === 'drifted' ? String(p.resources.length) : ''}</td></tr>`,
  );
  parts.push(`<table><tr><th>plugin</th><th>result</th><th></th></tr>${rows.join('')}</table>`);
  const sections = report.plugins.map(pluginSection).join('');
  const head = parts.join('');
  // GitHub refuses a summary over 1 MiB: past the budget, the JSON report holds the details.
  if (head.length + sections.length > SUMMARY_BUDGET)
    return `${head}<p>⚠️ The drifted resources are too many to list here (GitHub limits the job summary to 1 MiB): read them in the drift report (the <code>drift_report</code> output).</p>`;
  return head + sections;
}
