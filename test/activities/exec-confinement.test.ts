/**
 * `exec` cannot be turned into a shell or into another program: arguments reach the program
 * byte for byte, commands off the allow-list and environments that would load other code are
 * refused before anything runs, and a bare name cannot be hijacked through the working directory.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { createActivities } from '../../activities';
import { ActivityFailureTypes, type ActionRequest } from '../../model/action-contract';
import { activityEnvironment, applicationFailureOf, runIn, silentLogger } from './support';

const node = process.execPath;
const { exec } = createActivities({ execAllowList: [node, 'echo'], logger: silentLogger });
const echoArgv = 'process.stdout.write(JSON.stringify(process.argv.slice(1)))';

function run(input: unknown) {
  const request: ActionRequest = { input, idempotencyKey: 'wf-1/step', runbook: 'confinement', step: 'step' };
  return runIn(activityEnvironment(), exec, request);
}

let workDir: string;
let marker: string;
beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rebound-exec-confinement-'));
  marker = path.join(workDir, 'ran');
});
afterEach(() => rmSync(workDir, { recursive: true, force: true }));

/** A file that, when loaded or run by anything, creates the marker: its absence proves nothing ran it. */
function payload(): string {
  const file = path.join(workDir, 'payload.js');
  writeFileSync(file, `require("fs").writeFileSync(${JSON.stringify(marker)}, "ran")`);
  return file;
}

describe('exec confinement', () => {
  it('passes any argument, shell syntax included, to the program byte for byte', async () => {
    const shellSyntax = fc.constantFrom(';', '&&', '||', '|', '$(', ')', '`', '\n', '\r', '*', '?', '[a-z]', '{a,b}', '~', '>', '<', '2>&1', '$HOME', '${IFS}', "'", '"', '\\', '#', '&', '!', ' ');
    const argument = fc.array(fc.oneof(shellSyntax, fc.constant(`touch ${marker}`), fc.string({ maxLength: 6 }).filter((text) => !text.includes('\0'))), { minLength: 1, maxLength: 8 });
    await fc.assert(
      // Empty arguments are refused by the exec schema (command items are non-empty), and node itself
      // reads a leading '-' after -e as its own option: neither is generated.
      fc.asyncProperty(fc.array(argument.map((parts) => parts.join('')).filter((text) => text !== '' && !text.startsWith('-')), { minLength: 1, maxLength: 5 }), async (args) => {
        const { output } = await run({ command: [node, '-e', echoArgv, ...args], cwd: workDir });

        expect(JSON.parse((output as { stdout: string }).stdout)).toEqual(args);
        expect(existsSync(marker)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it.each([
    ['a shell', ['sh', '-c', 'touch MARKER']],
    ['bash', ['/bin/bash', '-c', 'touch MARKER']],
    ['an allowed path reached through ..', [`${path.dirname(node)}/../${path.basename(path.dirname(node))}/${path.basename(node)}`, 'PAYLOAD']],
    ['an allowed name with a trailing space', ['echo ', 'x']],
    ['an allowed name in another case', ['ECHO', 'x']],
    ['the basename of an allowed path', [path.basename(node), 'PAYLOAD']],
  ])('refuses %s before anything runs', async (_what, command) => {
    const script = payload();
    const argv = command.map((arg) => arg.replace('MARKER', marker).replace('PAYLOAD', script));

    const failure = await applicationFailureOf(run({ command: argv, cwd: workDir }));

    expect(failure.type).toBe(ActivityFailureTypes.commandNotAllowed);
    expect(failure.nonRetryable).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    ['NODE_OPTIONS', '--require PAYLOAD'],
    ['LD_PRELOAD', 'PAYLOAD'],
    ['LD_LIBRARY_PATH', 'WORKDIR'],
    ['ld_audit', 'PAYLOAD'],
    ['DYLD_INSERT_LIBRARIES', 'PAYLOAD'],
    ['BASH_ENV', 'PAYLOAD'],
    ['BASH_FUNC_echo%%', '() { touch MARKER; }'],
    ['GLIBC_TUNABLES', 'glibc.malloc.check=3'],
    ['PYTHONSTARTUP', 'PAYLOAD'],
    ['IFS', '/'],
  ])('refuses %s in env before anything runs', async (name, value) => {
    const script = payload();
    const env = { [name]: value.replace('PAYLOAD', script).replace('WORKDIR', workDir).replace('MARKER', marker) };

    const failure = await applicationFailureOf(run({ command: [node, '-e', 'process.exit(0)'], env }));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.message).toMatch(new RegExp(`^invalid input for exec: env\\.${name.replace(/[%]/g, '.')}: `));
    expect(existsSync(marker)).toBe(false);
  });

  it.each([['A=B'], ['1X'], ['WITH SPACE'], ['']])('refuses the variable name %j', async (name) => {
    const failure = await applicationFailureOf(run({ command: ['echo'], env: { [name]: 'x' } }));

    expect(failure.message).toBe(`invalid input for exec: env.${name}: names are letters, digits and _, not starting with a digit`);
  });

  it('resolves a bare allowed name through absolute PATH entries only, never the working directory', async () => {
    const impostor = path.join(workDir, 'echo');
    writeFileSync(impostor, `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(impostor, 0o755);
    const workerPath = process.env.PATH;
    process.env.PATH = `.::${workerPath ?? ''}`;
    try {
      const { output } = await run({ command: ['echo', 'genuine'], cwd: workDir });
      const { output: env } = await run({ command: [node, '-e', 'process.stdout.write(process.env.PATH)'], cwd: workDir });

      expect(output).toMatchObject({ exitCode: 0, stdout: 'genuine\n' });
      expect(existsSync(marker)).toBe(false);
      expect((env as { stdout: string }).stdout.split(':').every((entry) => entry.startsWith('/'))).toBe(true);
    } finally {
      process.env.PATH = workerPath;
    }
  });
});
