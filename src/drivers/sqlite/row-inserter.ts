import type Database from 'better-sqlite3';

/** Rows per INSERT statement: 64 rows of 10 columns stay far below SQLite's bound-parameter limit. */
const ROWS_PER_STATEMENT = 64;

/**
 * Inserts many rows with multi-row `INSERT … VALUES (…), (…)` statements. better-sqlite3 pays a
 * fixed cost per statement run (binding, stepping, resetting) that for a small row is most of the
 * insert, so a bulk push runs one statement per 64 rows instead of one per row. Statements are
 * prepared once per row count and kept.
 */
export class RowInserter {
  private readonly statements = new Map<number, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    /** `INSERT INTO table (a, b, c)`, without VALUES. */
    private readonly head: string,
    private readonly width: number,
  ) {}

  /** Insert `rows` (each `width` values) in order; a constraint error fails the whole call. */
  insert(rows: unknown[][], onChunkError?: (chunk: unknown[][], error: unknown) => never): void {
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
      try {
        this.statement(chunk.length).run(chunk.flat());
      } catch (error) {
        if (onChunkError) onChunkError(chunk, error);
        throw error;
      }
    }
  }

  private statement(count: number): Database.Statement {
    let statement = this.statements.get(count);
    if (!statement) {
      const row = `(${Array.from({ length: this.width }, () => '?').join(', ')})`;
      statement = this.db.prepare(`${this.head} VALUES ${Array.from({ length: count }, () => row).join(', ')}`);
      this.statements.set(count, statement);
    }
    return statement;
  }
}
