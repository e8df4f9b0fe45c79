/**
 * The corpus's malformed and hostile plugins and templates (corpus.ts, groups `plugin.yaml`,
 * `plugin`, `template` and the `guard`s of what Terraform may read) through the built
 * orchestrate-and-plan bundle: each refused clearly, S3 left as it was (refusals.ts).
 */
import { refuseOrchestrateCases } from './refusals';

jest.setTimeout(60000);

refuseOrchestrateCases('plugins-and-templates');
