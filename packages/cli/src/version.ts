/**
 * The version `deploy-engine --version` prints: the repository's package.json version, read at
 * build time (ncc inlines the file into dist/cli/index.js, so a release checkout needs nothing else).
 */
import packageJson from '../../../package.json';

export const VERSION: string = packageJson.version;
