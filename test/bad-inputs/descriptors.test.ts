/**
 * The corpus's malformed and hostile stk.yaml descriptors (corpus.ts, group `descriptor`) through
 * the built orchestrate-and-plan bundle: each refused clearly, S3 left as it was (refusals.ts).
 */
import { refuseOrchestrateCases } from './refusals';

jest.setTimeout(60000);

refuseOrchestrateCases('descriptors');
