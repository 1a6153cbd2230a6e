/** Plain-text tables for human output: a header row and left-aligned columns two spaces apart. */

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `2026-11-25 14:02:07` in UTC: sortable, and the same on every operator's terminal. */
export function formatTimestamp(iso: string | undefined): string {
  if (iso === undefined) return '-';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
