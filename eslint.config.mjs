// ESLint flat config, type-aware (typescript-eslint's projectService).
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers of packages/core/src, bottom first: a folder imports only folders of LOWER layers,
 * never a sibling of its own layer, never a higher one (see README.md, Development). A new
 * folder must be given a layer here: linting refuses one that has none.
 */
const CORE_LAYERS = [
  ['errors'],
  ['encoding', 'commands', 'abort'],
  ['target', 'audit', 'logging', 'source-map', 'credentials', 'dynamic-inputs', 'tasks'],
  ['store', 'bucket-layout'],
  ['runs', 'workspace'],
  ['schedule', 'guardrails', 'terraform', 'descriptor', 'templates', 'plan-review'],
  ['plugins', 'state-backends', 'policy'],
  ['registry', 'connection-types'],
  ['manifest'],
  ['unified'],
  ['deployment'],
  ['task-handlers', 'run-types'],
  ['execution'],
];
const CORE = 'packages/core/src';
const layered = CORE_LAYERS.flat();
const unlayered = readdirSync(`${import.meta.dirname}/${CORE}`, { withFileTypes: true }).filter(
  (entry) => entry.isDirectory() && !layered.includes(entry.name),
);
if (unlayered.length > 0) {
  throw new Error(
    `${unlayered.map((entry) => `${CORE}/${entry.name}/`).join(', ')}: in no layer of CORE_LAYERS (eslint.config.mjs). Give each the layer its imports allow.`,
  );
}
/** How eslint-plugin-import-x finds and reads the modules an import names (TypeScript sources). */
const importSettings = {
  'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
  'import-x/extensions': ['.ts', '.js'],
  'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
};
/** For each folder, the folders it must not import: its own layer's siblings and every layer above. */
const layerZones = CORE_LAYERS.flatMap((layer, index) =>
  layer.map((folder) => ({
    target: `${CORE}/${folder}`,
    from: [
      ...CORE_LAYERS.slice(index)
        .flat()
        .filter((other) => other !== folder)
        .map((other) => `${CORE}/${other}`),
      `${CORE}/index.ts`,
    ],
    message: `${folder}/ is in layer ${index} of CORE_LAYERS (eslint.config.mjs): it imports only folders of lower layers.`,
  })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: ['error', 'smart'],
      // Async functions that implement an async interface need not await anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // jest's asymmetric matchers (expect.any, expect.objectContaining) are typed `any`.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // Plain CommonJS programs run by node itself (hooks, the test provider).
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
  {
    // The core must never depend on the GitHub toolkit: it runs in jest, a CLI and the actions alike.
    files: ['packages/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@actions/*'] }],
    },
  },
  {
    // The layering of the core (CORE_LAYERS above). Tests may reach across layers to set things up.
    files: [`${CORE}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    plugins: { 'import-x': importX },
    settings: importSettings,
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { zones: layerZones, basePath: import.meta.dirname },
      ],
    },
  },
  {
    // No import loop in the packages (import-x does not follow `import type`, which is erased).
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { 'import-x': importX },
    settings: importSettings,
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
