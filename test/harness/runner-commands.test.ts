/**
 * The harness reads workflow commands as the GitHub runner does (what the injection tests rely
 * on), and text printed through inertText holds no command it would process.
 */
import { inertText, mayHoldCommand } from '@deploy-engine/action-kit';
import { parseWorkflowCommands } from './runner';

const HOSTILE = [
  '::warning::pwned',
  '  ::error file=main.tf,line=1::pwned',
  '::WARNING::pwned',
  '::add-mask::Plan',
  'text ##[warning]pwned',
  '::stop-commands::abcdefgh',
  '::group::pwned',
].join('\n');

describe('parseWorkflowCommands', () => {
  it('processes commands at a line start (after spaces), in any case, and legacy ##[...] anywhere', () => {
    const { annotations, masks, log } = parseWorkflowCommands(
      'a\r::warning::one\r\n  ::ERROR file=x.tf,line=3::two\nsay ##[warning]three\n::add-mask::hide\nhide it',
    );
    expect(annotations.map((a) => [a.level, a.message])).toEqual([
      ['warning', 'one'],
      ['error', 'two'],
      ['warning', 'three'],
    ]);
    expect(annotations[1]?.properties).toEqual({ file: 'x.tf', line: '3' });
    expect(masks).toEqual(['hide']);
    expect(log).toContain('*** it');
  });

  it('processes nothing between ::stop-commands::<token> and ::<token>::, then resumes', () => {
    const { annotations, masks, log } = parseWorkflowCommands(
      '::stop-commands::t0k3n5\n::warning::inert\n::add-mask::inert\n::t0k3n5::\n::warning::live',
    );
    expect(annotations.map((a) => a.message)).toEqual(['live']);
    expect(masks).toEqual([]);
    expect(log).toContain('::warning::inert');
  });

  it('refuses a stop token that is a command name, as the runner does', () => {
    expect(() => parseWorkflowCommands('::stop-commands::warning\n')).toThrow(/invalid/);
  });

  it('masks a registered value in the encodings the runner adds', () => {
    const { log } = parseWorkflowCommands(
      `::add-mask::s3cret-value\n${Buffer.from('s3cret-value').toString('base64')}`,
    );
    expect(log).not.toContain(Buffer.from('s3cret-value').toString('base64'));
  });
});

describe('inertText', () => {
  it('makes every command in untrusted text inert, whatever line breaks it uses', () => {
    for (const text of [HOSTILE, HOSTILE.replace(/\n/g, '\r'), `x\r\n${HOSTILE}`]) {
      const { annotations, masks, log } = parseWorkflowCommands(
        `${inertText(text)}\n::notice::after`,
      );
      expect(annotations.map((a) => a.message)).toEqual(['after']);
      expect(masks).toEqual([]);
      expect(log).toContain('pwned');
    }
  });

  it('leaves plain text as it is, and wraps text with a command hidden by invisible characters', () => {
    expect(inertText('aws_s3_bucket.x: Creating...')).toBe('aws_s3_bucket.x: Creating...');
    expect(mayHoldCommand('\u200b::warning::x')).toBe(true);
    expect(mayHoldCommand(':\u00ad:warning::x')).toBe(true);
    expect(mayHoldCommand('#\u200b#[warning]x')).toBe(true);
    expect(inertText('a::b')).not.toBe(inertText('a::b')); // a fresh token each time
  });
});
