/**
 * Fixed-shape queries that Kysely builds and compiles once per dialect, then runs with each
 * call's values. Building a query (immutable operation nodes, frozen at every step) and
 * compiling it to SQL cost more event-loop time than SQLite takes to run most of the hot-path
 * statements (docs/performance-notes.md); a prepared query skips both and hands the cached SQL
 * text with fresh parameters to the same executor, connection and transaction.
 *
 * How: the builder is called once with a marker string in place of each argument; the compiled
 * query's parameter list then shows where each argument goes. A builder must therefore pass its
 * arguments straight into value positions (`where(col, '=', arg)`, `values({ col: arg })`,
 * `sql\`${arg}\``) and never branch on them or transform them: a builder that does is caught the
 * first time it is compiled (an argument that does not reach the parameters as its marker is an
 * error), which every store test exercises on both dialects.
 *
 * The markers start with NUL, which never reaches a query (requests holding it are refused at
 * the HTTP edge, docs/security.md), so a marker cannot be mistaken for a caller's value.
 */
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from '../schema.js';

const MARK = '\u0000postern-prepared-arg:';

type Slot = { arg: number } | { value: unknown };

interface Template {
  sql: string;
  slots: Slot[];
}

export class PreparedQuery<A extends unknown[], R> {
  /** One template per dialect adapter (a transaction's executor shares its database's adapter). */
  private readonly templates = new WeakMap<object, Template>();

  constructor(
    readonly name: string,
    private readonly build: (db: Kysely<Database>, ...args: A) => Compilable<R>,
  ) {}

  /** Runs the query on `db` (a database or a transaction) with these argument values. */
  execute(db: Kysely<Database>, ...args: A): Promise<QueryResult<R>> {
    const adapter = db.getExecutor().adapter;
    let template = this.templates.get(adapter);
    if (template === undefined) {
      template = this.compile(db, this.build.length - 1);
      this.templates.set(adapter, template);
    }
    const parameters = template.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    return db.executeQuery<R>(CompiledQuery.raw(template.sql, parameters));
  }

  /** The rows of the query (select, or a write with `returning`). */
  async rows(db: Kysely<Database>, ...args: A): Promise<R[]> {
    return (await this.execute(db, ...args)).rows;
  }

  /** The first row, if any. */
  async first(db: Kysely<Database>, ...args: A): Promise<R | undefined> {
    return (await this.execute(db, ...args)).rows[0];
  }

  /** The rows a write inserted, updated or deleted. */
  async affected(db: Kysely<Database>, ...args: A): Promise<bigint> {
    return (await this.execute(db, ...args)).numAffectedRows ?? 0n;
  }

  private compile(db: Kysely<Database>, arity: number): Template {
    const markers = Array.from({ length: arity }, (_, i) => `${MARK}${i}`) as unknown as A;
    const compiled = this.build(db, ...markers).compile();
    const seen = new Set<number>();
    const slots = compiled.parameters.map((value): Slot => {
      if (typeof value === 'string' && value.startsWith(MARK)) {
        const arg = Number(value.slice(MARK.length));
        if (!Number.isInteger(arg) || arg < 0 || arg >= arity) throw new Error(`prepared query ${this.name}: a marker was changed on its way to the SQL`);
        seen.add(arg);
        return { arg };
      }
      if (typeof value === 'string' && value.includes(MARK)) throw new Error(`prepared query ${this.name}: an argument was transformed before reaching the SQL`);
      return { value };
    });
    if (seen.size !== arity) throw new Error(`prepared query ${this.name}: ${arity - seen.size} argument(s) never reach the SQL as values`);
    return { sql: compiled.sql, slots };
  }
}

/** A prepared query; `build` receives the database and the argument values (markers, once). */
export function prepared<A extends unknown[], R>(name: string, build: (db: Kysely<Database>, ...args: A) => Compilable<R>): PreparedQuery<A, R> {
  return new PreparedQuery(name, build);
}
