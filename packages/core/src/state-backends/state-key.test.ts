import { stateKey } from './state-key';

describe('stateKey', () => {
  it('gives one key per workspace, environment, target and alias', () => {
    expect(
      stateKey({
        workspace: 'shop',
        environment: 'prod',
        appKind: 'infra',
        appId: '01JX',
        alias: 'topic',
      }),
    ).toBe('shop/prod/infra/01JX/topic/terraform.tfstate');
  });

  it('refuses parts that could reach another key', () => {
    expect(() =>
      stateKey({
        workspace: 'shop/../other',
        environment: 'prod',
        appKind: 'app',
        appId: 'A',
        alias: 'x',
      }),
    ).toThrow(/workspace 'shop\/\.\.\/other' cannot be part of a Terraform state key/);
    expect(() =>
      stateKey({ workspace: 'a', environment: '', appKind: 'app', appId: 'A', alias: 'x' }),
    ).toThrow(/environment ''/);
  });
});
