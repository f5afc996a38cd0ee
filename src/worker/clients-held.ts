// How many of a slice's clients are connected at the protocol level right now, as the
// workload and the drivers say (established, lost, dropped). A client's sockets do not tell:
// a Socket.IO client over polling holds none, one or two of them as its requests come and go.

export class ClientsHeld {
  private readonly held: Uint8Array;
  private count = 0;

  constructor(clients: number) {
    this.held = new Uint8Array(clients);
  }

  get now(): number {
    return this.count;
  }

  connected(client: number): void {
    if (this.held[client] === 1) return;
    this.held[client] = 1;
    this.count++;
  }

  lost(client: number): void {
    if (this.held[client] !== 1) return;
    this.held[client] = 0;
    this.count--;
  }
}
