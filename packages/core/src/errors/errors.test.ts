import {
  CancelledError,
  classifyError,
  ConfigurationError,
  ExternalError,
  parseStoredJson,
  StoredObjectError,
  taskStatusOf,
} from './errors';

describe('errors', () => {
  it('formats one problem with its location and hint', () => {
    const error = new ConfigurationError({
      message: 'plugin alias "a" is used twice',
      location: { file: '.stk/stk.yaml', line: 12, column: 5 },
      hint: 'Give each plugin its own alias.',
    });
    expect(error.message).toBe(
      '.stk/stk.yaml:12:5: plugin alias "a" is used twice Give each plugin its own alias.',
    );
  });

  it('lists several problems under a summary', () => {
    const error = new ConfigurationError([
      { message: 'one' },
      { message: 'two', location: { file: 'f' } },
    ]);
    expect(error.message).toBe('2 problems found:\n  - one\n  - f: two');
  });

  it('classifies errors into run statuses', () => {
    expect(classifyError(new ConfigurationError({ message: 'x' }))).toBe('USER_ERROR');
    expect(classifyError(new ExternalError('s3 down', { retryable: true }))).toBe('RUNTIME_ERROR');
    expect(classifyError(new CancelledError())).toBe('ABORTED');
    expect(classifyError(new TypeError('bug'))).toBe('RUNTIME_ERROR');
  });

  it('derives a task status from the same classification: only a bug of ours is INTERNAL_ERROR', () => {
    expect(taskStatusOf(new ConfigurationError({ message: 'x' }))).toBe('FAILED');
    expect(taskStatusOf(new ExternalError('terraform failed'))).toBe('FAILED');
    expect(taskStatusOf(new CancelledError())).toBe('ABORTED');
    expect(taskStatusOf(new TypeError('bug'))).toBe('INTERNAL_ERROR');
    expect(taskStatusOf('thrown string')).toBe('INTERNAL_ERROR');
  });

  it('names a missing or corrupt stored object, what is wrong and what to do', () => {
    const error = new StoredObjectError(
      { bucket: 'iac', key: 'runs/1/record.json', problem: 'missing' },
      'is missing.',
      'Restore it.',
    );
    expect(error.message).toBe('s3://iac/runs/1/record.json is missing. Restore it.');
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.retryable).toBe(false);
    expect(classifyError(error)).toBe('RUNTIME_ERROR');
    expect(() => parseStoredJson({ bucket: 'iac', key: 'k.json' }, '{', 'Restore it.')).toThrow(
      'k.json is not valid JSON: the object was changed outside this tool or is corrupt. Restore it.',
    );
    expect(parseStoredJson({ bucket: 'iac', key: 'k.json' }, '{"a":1}', '')).toEqual({ a: 1 });
  });
});
