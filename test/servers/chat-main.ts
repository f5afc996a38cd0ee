// Runs the chat service of test/servers/chat-server.ts by itself, for the worked example of
// docs/sessions.md: `node dist/test/servers/chat-main.js <port> <users.csv>` accepts the
// tokens of the file's `token` column, answers sums after 2 ms and histories after 10 ms, and
// pushes a room message to each subscriber every 100 ms, until stopped.
import { readDataFile } from '../../src/scenario/data-file.js';
import { startChatServer } from './chat-server.js';

const [portText, dataFile] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port <= 0 || !dataFile) {
  console.error('usage: node dist/test/servers/chat-main.js <port> <users.csv with a token column>');
  process.exit(2);
}
const tokens = readDataFile(dataFile).rows.map((row) => String(row.token));
const server = await startChatServer({ tokens, port, replyDelayMs: 2, historyDelayMs: 10, noise: 1, pushEveryMs: 100 });
console.log(`chat service on ${server.url}/chat, ${tokens.length} tokens`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
