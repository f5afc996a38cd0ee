// One connection's template variables: its data row, what its session captured, its global
// index and its send counter. Compiled templates read them; nothing here is parsed per message.
export class SessionVars {
  /** One more at every send (1 at the first), so `{{seq}}` makes ids unique per connection. */
  seq = 0;
  readonly captures = new Map<string, unknown>();
  readonly connection: number;
  readonly row: Readonly<Record<string, unknown>>;

  constructor(connection: number, row: Readonly<Record<string, unknown>>) {
    this.connection = connection;
    this.row = row;
  }
}
