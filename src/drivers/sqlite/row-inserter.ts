import type Database from 'better-sqlite3';

/** Rows per INSERT statement: 64 rows of 10 columns stay far below SQLite's bound-parameter limit. */
const ROWS_PER_STATEMENT = 64;

/**
 * Inserts many rows with multi-row `INSERT … VALUES (…), (…)` statements. better-sqlite3 pays a
 * fixed cost per statement run (binding, stepping, resetting) that for a small row is most of the
 * insert, so a bulk push runs one statement per 64 rows instead of one per row. Statements are
 * prepared once per row count and kept. Rows come as one flat array of values, `width` per row:
 * an array per row, flattened for each statement, was a tenth of a bulk push.
 */
export class RowInserter {
  private readonly statements = new Map<number, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    /** `INSERT INTO table (a, b, c)`, without VALUES. */
    private readonly head: string,
    readonly width: number,
  ) {}

  /**
   * Insert the rows whose values `values` holds in order; a constraint error fails the whole call.
   * `onChunkError` gets the failed statement's values (none of its rows were inserted).
   */
  insert(values: unknown[], onChunkError?: (chunk: unknown[], error: unknown) => never): void {
    const step = ROWS_PER_STATEMENT * this.width;
    for (let start = 0; start < values.length; start += step) {
      const chunk = start === 0 && values.length <= step ? values : values.slice(start, start + step);
      try {
        this.statement(chunk.length / this.width).run(chunk);
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
