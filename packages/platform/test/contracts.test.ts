import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const protoDir = path.dirname(require.resolve('@shop/proto/package.json'));
const buf = path.join(require.resolve('@bufbuild/buf/package.json'), '..', 'bin', 'buf');

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const full = path.join(root, name);
    return statSync(full).isDirectory() ? filesUnder(full).map((child) => path.join(name, child)) : [name];
  });
}

describe('gRPC contracts', () => {
  it('pass buf lint', () => {
    expect(() => execFileSync(buf, ['lint'], { cwd: protoDir, stdio: 'pipe' })).not.toThrow();
  });

  it('have generated stubs that are up to date with the .proto files', () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'shop-gen-'));
    try {
      execFileSync(buf, ['generate', '--output', fresh], { cwd: protoDir, stdio: 'pipe' });
      execFileSync(buf, ['build', '--as-file-descriptor-set', '-o', path.join(fresh, 'gen', 'descriptor-set.binpb')], { cwd: protoDir, stdio: 'pipe' });
      const expected = filesUnder(path.join(fresh, 'gen')).sort();
      expect(filesUnder(path.join(protoDir, 'gen')).sort()).toEqual(expected);
      for (const file of expected) {
        expect(readFileSync(path.join(protoDir, 'gen', file)).equals(readFileSync(path.join(fresh, 'gen', file)))).toBe(true);
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('keep money in integer minor units (no float or double fields anywhere)', () => {
    const protos = filesUnder(path.join(protoDir, 'shop')).filter((file) => file.endsWith('.proto'));
    expect(protos.length).toBeGreaterThanOrEqual(5);
    for (const file of protos) {
      expect(readFileSync(path.join(protoDir, 'shop', file), 'utf8')).not.toMatch(/^\s*(repeated\s+)?(float|double)\s/m);
    }
  });
});
