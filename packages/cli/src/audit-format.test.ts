import { auditLines } from './audit-format';

it('shows who, which commit and the approval, and says when nothing of it is verified', () => {
  expect(
    auditLines({
      source: 'github',
      actor: 'octocat',
      triggeringActor: 'hubot',
      repository: 'acme/orders',
      repositoryNameInput: 'orders',
      commit: '0123456789abcdef0123',
      ref: 'refs/heads/main',
      eventName: 'push',
      approval: {
        readAt: 'now',
        reviews: [{ state: 'approved', login: 'alice', environments: ['prod'], comment: 'ok' }],
      },
    }),
  ).toEqual([
    '  by octocat (this attempt by hubot), acme/orders@0123456789ab (refs/heads/main, push)',
    '  REPOSITORY_NAME given: orders (input, not verified)',
    '  Approval: approved by alice (environment prod): "ok".',
  ]);
  expect(
    auditLines({ source: 'unverified', actor: 'dev', repositoryNameInput: 'acme/orders' }),
  ).toEqual([
    '  by dev (not verified: outside GitHub Actions)',
    '  REPOSITORY_NAME given: acme/orders (input, not verified)',
  ]);
  expect(auditLines(undefined)).toEqual([]);
});

it('prints no terminal control from a reviewer comment', () => {
  const [, line] = auditLines({
    source: 'github',
    actor: 'a',
    approval: {
      readAt: 'now',
      reviews: [
        {
          state: 'approved',
          login: 'b',
          environments: ['p'],
          comment: 'x\u001b]52;c;AAAA\u0007\ny',
        },
      ],
    },
  });
  expect(line).toBe('  Approval: approved by b (environment p): "x\\x1b]52;c;AAAA\\x07 y".');
});
