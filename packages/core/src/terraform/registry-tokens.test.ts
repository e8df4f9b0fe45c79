import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliConfigSecrets, registryTokens, registryTokenVariables } from './registry-tokens';

describe('cliConfigSecrets', () => {
  it('finds HCL tokens on their own line', () => {
    expect(
      cliConfigSecrets(
        'credentials "a.example" {\n  token = "t1"\n}\ncredentials "b" {\n token="t2"\n}\n',
      ),
    ).toEqual(['t1', 't2']);
  });

  it('finds HCL tokens written on one line with the block, quoted names and heredocs', () => {
    expect(cliConfigSecrets('credentials "x" { token = "one-line-token" }\n')).toEqual([
      'one-line-token',
    ]);
    expect(cliConfigSecrets('credentials "x" { "token" = "quoted\\"name" }')).toEqual([
      'quoted\\"name',
      'quoted"name',
    ]);
    expect(cliConfigSecrets('credentials "x" {\n  token = <<EOT\nheredoc-token\nEOT\n}\n')).toEqual(
      ['heredoc-token'],
    );
  });

  it('finds JSON tokens at any depth, in any of the forms HCL 1 reads', () => {
    expect(
      cliConfigSecrets(
        JSON.stringify({
          credentials: {
            'a.example': { token: 'j1' },
            'b.example': [{ token: 'j2' }],
          },
          other: [{ credentials: { c: { TOKEN: 'j3' } } }],
        }),
      ).sort(),
    ).toEqual(['j1', 'j2', 'j3']);
  });
});

describe('registryTokens', () => {
  it('adds the tokens of terraform login and TF_TOKEN_<host> variables', () => {
    const home = mkdtempSync(join(tmpdir(), 'tokens-'));
    mkdirSync(join(home, '.terraform.d'));
    writeFileSync(
      join(home, '.terraform.d', 'credentials.tfrc.json'),
      JSON.stringify({ credentials: { 'app.terraform.io': { token: 'login-token' } } }),
    );
    const env = {
      HOME: home,
      TF_TOKEN_registry_acme_example: 'env-token',
      tf_token_lower: 'lower-token',
      TF_TOKEN_empty: '',
      PATH: '/bin',
    };
    expect(registryTokens('credentials "x" { token = "rc-token" }', env).sort()).toEqual([
      'env-token',
      'login-token',
      'lower-token',
      'rc-token',
    ]);
    expect(registryTokenVariables(env)).toEqual({
      TF_TOKEN_registry_acme_example: 'env-token',
      tf_token_lower: 'lower-token',
    });
  });
});
