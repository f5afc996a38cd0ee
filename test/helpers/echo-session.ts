// A WebSocket session any echo server answers (the built-in target's /ws among them): the
// open step's hello comes back as its own answer, and each loop message as its own reply.
export const echoSessionLines = `websocket:
  session:
    open:
      - send: { json: { type: hello } }
      - expect: { match: { type: hello }, timeout: 1s }
    loop:
      - send: { json: { id: "{{seq}}" } }
      - expect: { reply: id, timeout: 1s }`;
