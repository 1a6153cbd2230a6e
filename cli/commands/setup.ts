/**
 * `rebound setup`: registers Rebound's search attributes on an existing namespace (a self-hosted
 * cluster; `rebound dev` registers them on its own server). Safe to run again: it adds only what
 * is missing and refuses an attribute that exists with another type.
 */
import { isGrpcServiceError } from '@temporalio/client';
import { searchAttributes } from '../../model/search-attributes';
import { loadConfig } from '../../runtime/config';
import { registerSearchAttributes, SearchAttributeConflictError } from '../../runtime/search-attributes';
import { CliError, ExitCode } from '../cli-error';
import { connectTemporal } from '../temporal-client';

// gRPC status codes the operator service answers with when setup cannot proceed.
const grpcStatus = { notFound: 5, permissionDenied: 7, unimplemented: 12, unauthenticated: 16 } as const;

export interface SetupResult {
  address: string;
  namespace: string;
  attributes: { name: string; type: string; status: 'added' | 'present' }[];
}

/** Turns what the operator service refused into one line and a hint. */
function setupError(error: unknown, address: string, namespace: string): Error {
  if (error instanceof SearchAttributeConflictError) return new CliError(error.message, ExitCode.failed, 'Rebound needs ReboundRunbook, ReboundKey and ReboundPhase as Keyword attributes');
  if (!isGrpcServiceError(error)) return error instanceof Error ? error : new Error(String(error));
  const detail = error.details || error.message;
  switch (error.code) {
    case grpcStatus.notFound:
      return new CliError(`namespace ${namespace} not found on ${address}`, ExitCode.failed, `create it first (\`temporal operator namespace create --namespace ${namespace}\`) or set TEMPORAL_NAMESPACE`);
    case grpcStatus.permissionDenied:
    case grpcStatus.unauthenticated:
      return new CliError(`not allowed to register search attributes on ${namespace}: ${detail}`, ExitCode.failed, 'this needs an identity with admin rights on the cluster');
    case grpcStatus.unimplemented:
      return new CliError(`${address} does not serve the operator API: ${detail}`, ExitCode.failed, 'on Temporal Cloud, add the attributes with `tcld namespace search-attributes add` or in the Cloud UI');
    default:
      return new CliError(`registering search attributes on ${namespace} failed: ${detail}`, ExitCode.failed);
  }
}

export async function setupCommand(options: { json?: boolean }): Promise<number> {
  const config = loadConfig();
  const { connection, address, namespace } = await connectTemporal(config);
  try {
    const added = await registerSearchAttributes(connection, namespace).catch((error: unknown) => {
      throw setupError(error, address, namespace);
    });
    const result: SetupResult = {
      address,
      namespace,
      attributes: Object.values(searchAttributes).map(({ name, type }) => ({ name, type, status: added.includes(name) ? 'added' : 'present' })),
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const lines = result.attributes.map(({ name, type, status }) => `  ${name.padEnd(16)}${type.padEnd(9)}${status === 'added' ? 'added' : 'already registered'}`);
      process.stdout.write([`search attributes of namespace ${namespace} on ${address}:`, ...lines, ''].join('\n'));
    }
    return ExitCode.ok;
  } finally {
    await connection.close();
  }
}
