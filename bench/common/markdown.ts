/** Markdown tables, aligned so they also read well in a terminal. */

export type Alignment = 'left' | 'right';

/** A Markdown table with padded columns, ending with a newline. */
export function markdownTable(headings: readonly string[], rows: readonly (readonly string[])[], align: readonly Alignment[]): string {
  const widths = headings.map((heading, column) => Math.max(heading.length, ...rows.map((row) => (row[column] ?? '').length)));
  const pad = (text: string, column: number): string =>
    align[column] === 'right' ? text.padStart(widths[column]!) : text.padEnd(widths[column]!);
  const line = (cells: readonly string[]): string => `| ${headings.map((_, column) => pad(cells[column] ?? '', column)).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (align[column] === 'right' ? `${'-'.repeat(width + 1)}:` : `${'-'.repeat(width + 2)}`)).join('|')}|`;
  return [line(headings), rule, ...rows.map(line)].join('\n') + '\n';
}
