/**
 * Inventory files: YAML text → a validated inventory, or problems that name `file:line:col`
 * (the same way runbook files are checked). Read once, at worker start.
 */
import { readFile } from 'node:fs/promises';
import { inventorySchema, type Inventory } from '../../model/inventory';
import { formatProblem, parseYamlDocument, type YamlProblem } from '../../model/yaml-document';
import { ConfigError } from '../../runtime/config';

export type InventoryLoadResult = { ok: true; file: string; inventory: Inventory } | { ok: false; file: string; problems: YamlProblem[] };

/** Parses and validates inventory text; `file` is only used in messages. */
export function parseInventory(text: string, file: string): InventoryLoadResult {
  const parsed = parseYamlDocument(text, file, inventorySchema);
  return parsed.ok ? { ok: true, file, inventory: parsed.value } : { ok: false, file, problems: parsed.problems };
}

/** Reads and validates one inventory file. */
export async function loadInventoryFile(file: string): Promise<InventoryLoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message);
    return { ok: false, file, problems: [{ file, line: 1, col: 1, field: '', message: `cannot read inventory: ${reason}` }] };
  }
  return parseInventory(text, file);
}

/** The inventory in `file`; else throws a {@link ConfigError} listing every problem, one `file:line:col: …` per line. */
export async function readInventoryFile(file: string): Promise<Inventory> {
  const loaded = await loadInventoryFile(file);
  if (loaded.ok) return loaded.inventory;
  throw new ConfigError(`REBOUND_INVENTORY: invalid inventory\n${loaded.problems.map(formatProblem).join('\n')}`);
}
