/**
 * The environment an `exec` command gets: only the worker's PATH (absolute entries only), the
 * runbook's `env` and the idempotency key. Variables that make a loader, a shell or an interpreter
 * run code of the caller's choosing are refused, so `env` cannot turn an allowed command into
 * another one.
 */
import type { InputIssue } from './failures';

/** Set by the worker: PATH decides which binary a bare allow-listed name runs. */
const reservedNames = new Set(['PATH', 'REBOUND_IDEMPOTENCY_KEY']);

/** Exact names that load or run code chosen by whoever sets them. */
const dangerousNames = new Set([
  'GCONV_PATH', // glibc loads charset converters from here
  'GLIBC_TUNABLES',
  'HOSTALIASES',
  'NODE_OPTIONS', // --require, --import
  'NODE_PATH',
  'BASH_ENV', // a file bash sources before running a script
  'ENV', // the same for sh
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'IFS',
  'PROMPT_COMMAND',
  'PYTHONSTARTUP',
  'PYTHONPATH',
  'PYTHONHOME',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'RUBYOPT',
  'RUBYLIB',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'GIT_SSH_COMMAND',
  'GIT_EXEC_PATH',
]);

/** Prefixes of the dynamic loader (Linux, macOS) and of exported bash functions. */
const dangerousPrefixes = ['LD_', 'DYLD_', 'BASH_FUNC_'];

const portableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why a runbook may not set `name`, or undefined when it may. */
function refusal(name: string): string | undefined {
  if (reservedNames.has(name)) return 'set by the worker, not by runbooks';
  if (!portableName.test(name)) return 'names are letters, digits and _, not starting with a digit';
  const upper = name.toUpperCase();
  if (dangerousNames.has(upper) || dangerousPrefixes.some((prefix) => upper.startsWith(prefix))) {
    return 'refused: it can make the command load or run other code';
  }
  return undefined;
}

/** What is wrong with a runbook's `env`; empty when every variable may be passed. */
export function environmentIssues(env: Readonly<Record<string, string>>): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const [name, value] of Object.entries(env)) {
    const reason = refusal(name) ?? (value.includes('\0') ? 'values may not contain NUL' : undefined);
    if (reason) issues.push({ path: `env.${name}`, message: reason });
  }
  return issues;
}

/**
 * The worker's PATH without empty or relative entries: those mean "the current directory", which
 * is the runbook's `cwd`, and would let a file there stand in for an allow-listed bare name.
 */
export function commandSearchPath(workerPath: string | undefined, fallback: string): string {
  const entries = (workerPath ?? fallback).split(':').filter((entry) => entry.startsWith('/'));
  return entries.length > 0 ? entries.join(':') : fallback;
}
