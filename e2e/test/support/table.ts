// Reading kubectl's human-readable tables back into cells.
//
// kubectl aligns every column on the offset where its header starts (tabwriter, padding 3), so
// the header's offsets cut each row into cells, even cells with single spaces in them
// ("Successfully assigned ...") or empty ones (a node without a version).

export interface ParsedTable {
  /** Column headers as printed, e.g. ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']. */
  header: string[];
  /** One array of cells per row, as many as header. */
  rows: string[][];
}

/** Parses one table (header line first). Blank lines are ignored. */
export function parseTable(text: string): ParsedTable {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error('parseTable: no table in empty output');
  const headerLine = lines[0];
  // A header label is words separated by single spaces ("NOMINATED NODE"); columns by 2+.
  const starts: number[] = [];
  const header: string[] = [];
  for (const m of headerLine.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index);
    header.push(m[0]);
  }
  const rows = lines.slice(1).map((line) => header.map((_, i) => line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim()));
  return { header, rows };
}

/** Parses the tables kubectl prints one after another, separated by blank lines (`get all`). */
export function parseTables(text: string): ParsedTable[] {
  return text
    .split(/\n\s*\n/)
    .filter((block) => block.trim() !== '')
    .map(parseTable);
}

/** The row whose first cell (or the cell of `column`) is `value`; throws with the table when absent. */
export function rowOf(table: ParsedTable, value: string, column = table.header[0]): Record<string, string> {
  const i = table.header.indexOf(column);
  if (i < 0) throw new Error(`no column ${column} in ${JSON.stringify(table.header)}`);
  const row = table.rows.find((r) => r[i] === value);
  if (!row) throw new Error(`no row with ${column}=${value} in ${JSON.stringify(table)}`);
  return Object.fromEntries(table.header.map((h, j) => [h, row[j]]));
}

/** Whitespace-separated cells of one line (rows of `get -w`, which are not aligned with a header). */
export function cells(line: string): string[] {
  return line.trim().split(/\s+/);
}

/** An age cell as kubectl prints it (`0s`, `5s`, `2m3s`, ...): what tests accept for "just created". */
export const AGE = /^\d+(s|m\d*s?|h\d*m?|d\d*h?|y\d*d?)$/;
