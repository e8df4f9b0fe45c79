/**
 * The IaC of each plugin in this job: the digest of what was rendered or restored here (so a
 * DEPLOY need not read it again), and which stored IaC each deploy applied, which the deployment
 * history points at once the run succeeds (later destroys and rollbacks read it).
 */
export interface DeployedIacEntry {
  /** The object key of the run's IaC artifact. */
  key: string;
  digest: string;
}

export class DeployedIacLedger {
  private readonly digests = new Map<string, string>();
  private readonly deployedIac = new Map<string, DeployedIacEntry>();

  /** @param keyOf the object key of plugin `alias`'s IaC artifact in the run */
  constructor(private readonly keyOf: (alias: string) => string) {}

  /** `alias`'s IaC, digest `digest`, is on this job's disk. */
  rendered(alias: string, digest: string): void {
    this.digests.set(alias, digest);
  }

  /** The digest of `alias`'s IaC rendered or restored in this job, if it was. */
  digest(alias: string): string | undefined {
    return this.digests.get(alias);
  }

  /** The run's IaC of `alias` (digest `digest`) is what this run deployed for it. */
  deployed(alias: string, digest: string): void {
    this.deployedIac.set(alias, { key: this.keyOf(alias), digest });
  }

  /** What this run deployed for `alias`, if it deployed it. */
  deployedOf(alias: string): DeployedIacEntry | undefined {
    return this.deployedIac.get(alias);
  }
}
