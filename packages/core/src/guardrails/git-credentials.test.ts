import { gitCredentials } from './git-credentials';

describe('gitCredentials', () => {
  it('gives git one extra header per private gitHttps prefix, through the environment only', () => {
    const { env, secrets } = gitCredentials([
      { sourceType: 'gitHttps', path: 'github.com/acme/', private: true, token: 't0k' },
      {
        sourceType: 'gitHttps',
        path: 'git::https://git.example.com/team',
        private: true,
        token: 'x',
      },
      { sourceType: 'gitHttps', path: 'github.com/public', private: false },
      { sourceType: 'terraformRegistry', path: 'ns/name', private: false },
    ]);
    const basic = (token: string) => Buffer.from(`x-access-token:${token}`).toString('base64');
    expect(env).toEqual({
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'http.https://github.com/acme/.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic('t0k')}`,
      GIT_CONFIG_KEY_1: 'http.https://git.example.com/team/.extraHeader',
      GIT_CONFIG_VALUE_1: `Authorization: Basic ${basic('x')}`,
    });
    expect(secrets).toEqual(['t0k', basic('t0k'), 'x', basic('x')]);
  });

  it('only turns prompts off when no source has a token', () => {
    expect(gitCredentials([])).toEqual({ env: { GIT_TERMINAL_PROMPT: '0' }, secrets: [] });
  });
});
