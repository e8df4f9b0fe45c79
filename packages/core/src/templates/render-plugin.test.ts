import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../errors';
import { prestartRenderWorker, renderPluginTemplates } from './render-plugin';
import type { RenderRequest } from './render-protocol';

function plugin(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'render-plugin-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function request(
  templateDir: string,
  source: Partial<RenderRequest['source']> = {},
): RenderRequest {
  return {
    templateDir,
    displayDir: 'plugins/p/templates-deploy',
    connectionTypes: {},
    source: {
      inputs: { name: 'orders' },
      connections: {},
      environment: 'dev',
      workspace: 'w',
      alias: 'p',
      version: '1.0.0',
      appKind: 'app',
      appId: 'A',
      ...source,
    },
  };
}

describe('renderPluginTemplates (in a worker thread)', () => {
  it('renders with marked values built inside the worker', async () => {
    const dir = plugin({
      'main.tf':
        'a = "{{ name }}"\nb = "{{ connections.t.arn }}"\nc = "{{ var.K }}"\nd = "{{ connections.w.arn }}"\n',
    });
    const project = await renderPluginTemplates(
      request(dir, {
        connections: {
          t: { arn: 'x"${file("/etc/hostname")}' },
          w: { arn: '${var.stk_conn_w__arn}' },
        },
        wiredConnectionKeys: ['w'],
        sharedValues: { K: 's3cr3t' },
        secretSharedValues: ['K'],
      }),
      'p',
    );
    expect(project.files.map((f) => [f.path, f.content.toString()])).toEqual([
      [
        'main.tf',
        'a = "orders"\nb = "x\\"$${file(\\"/etc/hostname\\")}"\nc = "${sensitive("s3cr3t")}"\nd = "${var.stk_conn_w__arn}"\n',
      ],
    ]);
    expect(project.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports template problems as a ConfigurationError with file and line', async () => {
    const dir = plugin({ 'main.tf': 'ok\nx = "{{ var.K | reverse }}"\n' });
    const error = await renderPluginTemplates(
      request(dir, { sharedValues: { K: 'abc' }, secretSharedValues: ['K'] }),
      'p',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems[0]).toMatchObject({
      message: expect.stringMatching(
        /var\.K is secret: it cannot be put through the 'reverse' filter/,
      ),
      location: { file: 'plugins/p/templates-deploy/main.tf', line: 2 },
    });
  });

  it('stops a nested range() CPU bomb at the time limit, naming the plugin', async () => {
    const dir = plugin({
      'main.tf': '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
    });
    const started = Date.now();
    const error = await renderPluginTemplates(request(dir), 'bomb', {
      timeoutMs: 1500,
      heapMb: 256,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(
      /Plugin bomb took longer than 1.5 s to render its templates/,
    );
  });

  it('stops a string doubled 25 times before it is built', async () => {
    const dir = plugin({
      'main.tf':
        '{% set s = "0123456789" %}{% for i in range(25) %}{% set s = s ~ s %}{% endfor %}{{ s }}',
    });
    const error = await renderPluginTemplates(request(dir), 'p').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/main.tf:1.*a string grew beyond 10 MiB/s);
  });

  it('refuses a file over its limit and a plugin over its limit, naming the file', async () => {
    const limits = { fileBytes: 1024 * 1024, pluginBytes: 5 * 1024 * 1024 };
    // center() is bounded to 10 000 columns: a loop makes the size.
    const big = '{% for i in range(150) %}{{ "x" | center(10000) }}{% endfor %}';
    const one = await renderPluginTemplates(
      { ...request(plugin({ 'big.tf': big })), limits },
      'p',
    ).catch((e: unknown) => e);
    expect((one as Error).message).toMatch(
      /big\.tf: Renders to 1\.4 MiB or more; .* at most 1 MiB/,
    );
    const small = '{% for i in range(90) %}{{ "x" | center(10000) }}{% endfor %}';
    const files = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`f${i}.tf`, small]));
    const all = await renderPluginTemplates({ ...request(plugin(files)), limits }, 'p').catch(
      (e: unknown) => e,
    );
    expect((all as Error).message).toMatch(/f5\.tf: The plugin renders to more than 5 MiB/);
  });

  it('stops a worker that runs out of its heap', async () => {
    const dir = plugin({
      'main.tf':
        '{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}',
    });
    const error = await renderPluginTemplates(request(dir), 'hog', {
      timeoutMs: 60_000,
      heapMb: 64,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Plugin hog needed more than 64 MiB of memory/);
  });

  it('renders each plugin in its own worker started ahead, bounded as a fresh one', async () => {
    // A job asks for spares: each render takes the worker started ahead, and starts the next.
    prestartRenderWorker(256);
    const bomb = plugin({
      'main.tf': '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
    });
    const stopped = await renderPluginTemplates(request(bomb), 'bomb', {
      timeoutMs: 1500,
      heapMb: 256,
    }).catch((e: unknown) => e);
    expect((stopped as Error).message).toMatch(/Plugin bomb took longer than 1.5 s/);
    // The worker the bomb held was terminated; the next plugin renders in the spare started since.
    for (const name of ['a', 'b']) {
      const project = await renderPluginTemplates(
        request(plugin({ 'main.tf': 'a = "{{ alias }}"' }), { alias: name }),
        name,
        {
          timeoutMs: 30_000,
          heapMb: 256,
        },
      );
      expect(project.files[0]?.content.toString()).toBe(`a = "${name}"`);
    }
  });
});
