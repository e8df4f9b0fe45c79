import { execFileSync } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOutputFile } from './output-file';

describe('writeOutputFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'output-file-'));

  it('refuses a FIFO or a folder in the place of the file, leaving nothing behind', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo_outputs.json')]);
    mkdirSync(join(dir, 'dir_outputs.json'));
    await expect(writeOutputFile(dir, 'fifo_outputs.json', '{}')).rejects.toThrow(
      /fifo_outputs\.json is not a regular file in the checkout/,
    );
    await expect(writeOutputFile(dir, 'dir_outputs.json', '{}')).rejects.toThrow(/is a folder/);
    expect(readdirSync(dir).sort()).toEqual(['dir_outputs.json', 'fifo_outputs.json']);
  });

  it('replaces a regular file without writing through its other hard links', async () => {
    const other = join(dir, 'elsewhere.txt');
    writeFileSync(other, 'kept\n');
    linkSync(other, join(dir, 'a_outputs.json'));
    await writeOutputFile(dir, 'a_outputs.json', '{"a":1}\n');
    expect(readFileSync(join(dir, 'a_outputs.json'), 'utf8')).toBe('{"a":1}\n');
    expect(readFileSync(other, 'utf8')).toBe('kept\n');
  });
});
