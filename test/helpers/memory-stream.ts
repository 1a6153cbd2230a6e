import { Writable } from 'node:stream';

/** A destination that keeps what was written, like a pipe into a log collector. */
export function memoryStream(isTTY = false) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    { isTTY },
  );
  const lines = () => chunks.join('').split('\n').filter((line) => line !== '');
  return { stream, lines, records: () => lines().map((line) => JSON.parse(line) as Record<string, unknown>) };
}
