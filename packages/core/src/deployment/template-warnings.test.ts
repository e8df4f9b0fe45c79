import { MemoryLogger } from '../logging';
import { TemplateWarnings } from './template-warnings';

const at = (expression: string, file: string, line: number) => ({
  expression,
  location: { file, line },
});

describe('TemplateWarnings', () => {
  it('annotates each file, line and name once for the whole job, at the template', () => {
    const logger = new MemoryLogger();
    const warnings = new TemplateWarnings();
    const readme = 'plugins/q/templates-deploy/README-deploy.md';
    warnings.report(logger, [at('resource', readme, 3), at('method', readme, 3)]);
    // The same plugin rendered again (its deploy after its plan): nothing new.
    warnings.report(logger, [at('resource', readme, 3), at('resource', readme, 5)]);
    expect(logger.entries.filter((e) => e.level === 'warning')).toEqual([
      {
        level: 'warning',
        message: expect.stringMatching(/^'resource' is undefined: it renders as empty text/),
        location: { file: readme, line: 3 },
      },
      expect.objectContaining({ location: { file: readme, line: 3 } }),
      expect.objectContaining({ location: { file: readme, line: 5 } }),
    ]);
    expect(warnings.references.map((r) => `${r.expression}:${r.location.line}`)).toEqual([
      'resource:3',
      'method:3',
      'resource:5',
    ]);
  });

  it('warns once per plugin about inputs named like the context names, at its plugin.yaml', () => {
    const logger = new MemoryLogger();
    const warnings = new TemplateWarnings();
    const where = { file: 'plugins/q/plugin.yaml' };
    warnings.reportCollisions(logger, 'q', { environment: 'blue', region: 'x' }, where);
    warnings.reportCollisions(logger, 'q', { environment: 'blue' }, where);
    expect(logger.entries).toEqual([
      {
        level: 'warning',
        message: expect.stringContaining(
          "Plugin q: Input 'environment' has the name of one of this engine's template variables",
        ),
        location: where,
      },
    ]);
  });
});
