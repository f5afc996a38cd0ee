// The compiled pieces of a session, without a network: templates render every variable with
// its type where a JSON value is one variable alone, a JSON message remembers what it sent
// for correlation, and matches compare nested fields, numbers with their text, and regexes
// that capture.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Incoming, compileJsonMatch, compileRegexMatch } from '../src/protocols/session/match.js';
import { compileJson, compileText, compileValue } from '../src/protocols/session/template.js';
import { SessionVars } from '../src/protocols/session/vars.js';

test('templates render data, captures, connection, seq, now, uuid and random', () => {
  const vars = new SessionVars(7, { token: 'abc', room: 'lobby' });
  vars.seq = 3;
  vars.captures.set('user', 'u-1');
  assert.equal(compileText('Bearer {{data.token}} in {{ data.room }} as {{user}} #{{connection}}/{{seq}}')(vars), 'Bearer abc in lobby as u-1 #7/3');
  const before = Date.now();
  const now = Number(compileText('{{now}}')(vars));
  assert.ok(now >= before && now <= Date.now());
  assert.match(compileText('{{uuid}}')(vars), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const draws = new Set(Array.from({ length: 500 }, () => compileValue('{{random 1 3}}')(vars)));
  assert.deepEqual([...draws].sort(), [1, 2, 3]);
  assert.equal(compileValue('{{seq}}')(vars), 3, 'one variable alone keeps its type');
  assert.equal(compileValue('n{{seq}}')(vars), 'n3');
});

test('a JSON message is fixed text with holes and remembers the values it sent', () => {
  const vars = new SessionVars(0, { token: 'abc' });
  const message = compileJson({ id: '{{uuid}}', op: 'add', nested: { token: '{{data.token}}', list: [1, '{{seq}}'] } });
  const sentId = message.sentAt('id');
  vars.seq = 5;
  const first = JSON.parse(message.render(vars)) as { id: string; op: string; nested: unknown };
  assert.deepEqual(first.nested, { token: 'abc', list: [1, 5] });
  assert.equal(first.op, 'add');
  assert.equal(sentId(), first.id, 'the id a correlated reply is matched on is the one sent');
  const second = JSON.parse(message.render(vars)) as { id: string };
  assert.notEqual(second.id, first.id);
  assert.equal(sentId(), second.id);
  assert.equal(message.sentAt('op')(), 'add');
});

test('a JSON match walks nested fields, takes a number for its text, and a regex captures its named groups', () => {
  const vars = new SessionVars(0, { id: '42' });
  const match = compileJsonMatch({ type: 'reply', body: { id: '{{data.id}}', ok: true } });
  const read = (text: string): Incoming => new Incoming().reset(Buffer.from(text));
  assert.equal(match(read('{"type":"reply","body":{"id":42,"ok":true},"extra":1}'), vars), true);
  assert.equal(match(read('{"type":"reply","body":{"id":43,"ok":true}}'), vars), false);
  assert.equal(match(read('{"type":"reply"}'), vars), false);
  assert.equal(match(read('not json'), vars), false);
  const regex = compileRegexMatch('^pong (?<at>\\d+)$');
  assert.equal(regex(read('pong 1234'), vars), true);
  assert.equal(vars.captures.get('at'), '1234');
  assert.equal(regex(read('ping 1'), vars), false);
});
