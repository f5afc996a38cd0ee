// Runs the login service of test/servers/login-server.ts by itself, for the HTTP session
// example of docs/sessions.md: `node dist/test/servers/login-main.js <port> <users.csv>`
// accepts the file's `user` and `password` columns, until stopped.
import { readDataFile } from '../../src/scenario/data-file.js';
import { startLoginServer } from './login-server.js';

const [portText, dataFile] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port <= 0 || !dataFile) {
  console.error('usage: node dist/test/servers/login-main.js <port> <users.csv with user and password columns>');
  process.exit(2);
}
const passwords = Object.fromEntries(readDataFile(dataFile).rows.map((row) => [String(row.user), String(row.password)]));
const server = await startLoginServer(passwords, { port });
console.log(`login service on ${server.url}, ${Object.keys(passwords).length} users`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
