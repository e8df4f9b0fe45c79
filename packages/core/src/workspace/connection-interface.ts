/**
 * Connection Interface instances: named values a deployment produces (a topic's ARN, a queue's URL)
 * and other plugins, in the same or other applications of the workspace and environment, require.
 */
import type { AppKind } from '../target';

export interface ConnectionInterfaceInstance {
  /** The instance name: the `selected` of stk.yaml, unique per workspace and environment. */
  name: string;
  /** The Connection Interface Type, e.g. `aws-sns-conn`. */
  type: string;
  /** Attribute name -> value, from the producing plugin's `outputs: from/to` mapping. */
  attributes: Record<string, unknown>;
  /**
   * Attributes never printed (logs, summaries, the CLI) and masked in consumers: those its type
   * marks secret and those whose Terraform output is `sensitive`.
   */
  secretAttributes?: string[];
  /**
   * The application that first generated it: only it may publish or remove it (absent on
   * instances written before owners existed: their producer owns them, see ownerOf).
   */
  owner?: InterfaceOwner;
  producer: {
    appKind: AppKind;
    appId: string;
    appName: string;
    /** The producing plugin's alias. */
    alias: string;
    /** The run that last wrote it. */
    runId: string;
  };
  updatedAt: string;
}

/** Who owns an instance (see interface-owner.ts): only it may publish the name again or remove it. */
export interface InterfaceOwner {
  appKind: AppKind;
  appId: string;
  /** `metadata.name` when it took the name, for messages. */
  appName: string;
  /** The repository the owner deployed from (owner/name), when known. */
  repository?: string;
  /** When it first generated the instance. */
  since: string;
}
