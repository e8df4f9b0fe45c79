/** What the main thread and the render worker exchange: plain, structured-clonable data. */
import type { Problem } from '../errors';
import type { TemplateContextSource } from './context';
import type { UndefinedMode, UndefinedReference } from './template-session';

/** A Connection Interface Type as undefined-attribute hints need it. */
export interface ConnectionTypeSummary {
  name: string;
  source: string;
  attributes: string[];
}

export interface RenderRequest {
  templateDir: string;
  displayDir: string;
  source: TemplateContextSource;
  /** Per connection key, its type (when known): says which attributes exist. */
  connectionTypes: Record<string, ConnectionTypeSummary>;
  /** Output limits in bytes (RENDER_LIMITS unless a test lowers them). */
  limits?: { fileBytes: number; pluginBytes: number };
  /** FEATURES_TEMPLATE_STRICT: `strict` makes undefined names errors; default lenient (Jinja). */
  undefinedMode?: UndefinedMode;
}

export type RenderReply =
  | {
      ok: true;
      files: { path: string; content: Uint8Array }[];
      digest: string;
      warnings: UndefinedReference[];
    }
  | { ok: false; problems?: Problem[]; message: string };

/** For `connections.<key>.<attr>` of a known type: the attributes the type defines. */
export function connectionTypeHint(
  expression: string,
  types: Record<string, ConnectionTypeSummary>,
): string | undefined {
  const match = /^connections\.([^.[]+)[.[](.+?)\]?$/.exec(expression);
  if (!match) return undefined;
  const type = types[match[1] as string];
  if (!type) return undefined;
  return `Connection Interface Type ${type.name} (${type.source}) defines ${type.attributes.join(', ')}; ${match[2] === '…' ? 'the attribute used' : match[2]} is not one of them.`;
}
