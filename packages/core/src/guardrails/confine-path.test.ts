import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confinePath } from './confine-path';

function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'confine-'));
  mkdirSync(join(root, 'build', 'tmp'), { recursive: true });
  symlinkSync('/etc', join(root, 'escape'));
  return root;
}

describe('confinePath', () => {
  it('resolves paths inside the checkout, existing or not', () => {
    const root = checkout();
    expect(confinePath(root, 'build/tmp', 'EXCLUDE_FILES_PATH')).toMatch(/build\/tmp$/);
    expect(confinePath(root, './not/yet', 'EXCLUDE_FILES_PATH')).toMatch(/not\/yet$/);
  });

  it.each([
    ['/etc/passwd', /is absolute/],
    ['../other', /leaves PATH_TO_MOUNT/],
    ['build/../../other', /leaves PATH_TO_MOUNT/],
    ['escape/passwd', /leads outside PATH_TO_MOUNT through a symbolic link/],
    ['escape', /leads outside PATH_TO_MOUNT through a symbolic link/],
    ['.', /is PATH_TO_MOUNT itself/],
  ])('refuses %s, naming the input', (value, message) => {
    expect(() => confinePath(checkout(), value, 'EXCLUDE_FILES_PATH')).toThrow(message);
    expect(() => confinePath(checkout(), value, 'EXCLUDE_FILES_PATH')).toThrow(
      /^Input EXCLUDE_FILES_PATH '/,
    );
  });
});
