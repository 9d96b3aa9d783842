/**
 * Browser smoke check of the built agent desktop against a scripted stand-in of the agent API (the contract of
 * issue 6), without the real server: sign-in, Ready, invite countdown, accept, chat both ways with HTML-looking
 * text shown as text, typing, live visitor panel, stream drop and resume, reload and resume by lastSeq, a callback
 * with dialled and outcome, revoke removing an invite. Run after `npm run build` of the console:
 *   node packages/console/scripts/smoke.mjs
 * Exits 1 on failure. The end-to-end test against the real server is separate.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../../package.json'));
const { WebSocketServer } = require('ws');
const { chromium } = require('playwright-core');

const dist = path.join(here, '../dist');
const shots = process.env.SMOKE_SCREENSHOTS ?? null;
let failed = false;
const events = [];
let seq = 0;
const sockets = new Set();
const me = {
  agentId: 'jdoe',
  name: 'Jane Doe',
  state: 'LoggedOut',
  reasonCode: null,
  afterChatWork: false,
  interactions: [],
};
const log = [];
const stored = [];
function emit(e) {
  const ev = { AgentID: 'jdoe', seq: ++seq, time: Date.now(), ...e };
  if (e.Event === 'EventChatMessage') stored.push(e.Message);
  if (e.Event === 'EventInvite')
    me.interactions.push({
      interactionId: e.InteractionID,
      mediaType: e.MediaType,
      state: 'invited',
      queue: e.Queue,
      visitID: 'V1',
      pageID: 'P1',
      identityId: null,
      engagementId: 'E',
      webengagement: 'reactive',
      startedAt: Date.now(),
      phoneNumber: e.UserData.phoneNumber,
    });
  if (e.Event === 'EventPartyAdded')
    me.interactions.find((i) => i.interactionId === e.InteractionID).state = 'connected';
  if (e.Event === 'EventRevoked' || e.Event === 'EventReleased')
    me.interactions = me.interactions.filter((i) => i.interactionId !== e.InteractionID);
  events.push(ev);
  for (const s of sockets) s.send(JSON.stringify(ev));
}
let msgSeq = 0;
const body = (req) =>
  new Promise((r) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => r(b ? JSON.parse(b) : {}));
  });
const json = (res, status, obj) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(obj === undefined ? '' : JSON.stringify(obj));
};
const journey = {
  visit: {
    visitId: 'V1',
    globalVisitID: 'G1',
    userAgentId: 'U',
    startDate: Date.now() - 60000,
    endDate: Date.now(),
    pageIds: null,
    eventIds: null,
    events: null,
    userAgent: 'Firefox',
    languageCode: 'en',
    referrer: null,
    pageCount: 1,
    pages: [
      {
        pageId: 'P1',
        visitId: 'V1',
        url: 'https://shop.example/',
        title: 'Home <script>alert(1)</script>',
        referrer: '',
        startDate: Date.now() - 60000,
        endDate: 0,
        durationMs: null,
        category: 'Home',
        identityId: null,
        eventIds: null,
        events: [
          {
            eventID: 'e1',
            eventType: 'BUSINESS',
            eventName: 'AddToCart',
            pageID: 'P1',
            visitID: 'V1',
            globalVisitID: 'G1',
            timestamp: Date.now() - 30000,
            receivedAt: 0,
            url: '',
            languageCode: null,
            category: 'Cart',
            data: { sku: 'TV-1' },
            seq: null,
          },
        ],
      },
    ],
  },
  identities: [
    {
      identityId: 'ID1',
      name: null,
      verified: false,
      visitScope: 'Recognized',
      firstName: 'Bob',
      lastName: 'Smith',
      emailAddress: 'bob@example.com',
      phoneNumber: null,
      attributes: { tier: 'gold' },
    },
  ],
  previousVisits: [
    { visitId: 'V0', startDate: Date.now() - 86400000, endDate: Date.now() - 86000000, pageCount: 4 },
  ],
  chats: [
    {
      interactionId: 'OLD',
      engagementId: null,
      queue: 'sales',
      agentIds: ['x'],
      startedAt: Date.now() - 86400000,
      connectedAt: null,
      endedAt: null,
      reason: null,
      messages: [
        {
          id: 'o1',
          seq: 1,
          interactionId: 'OLD',
          from: { type: 'visitor', id: null, name: 'Bob' },
          text: 'old question',
          timestamp: 1,
          clientMessageId: null,
        },
      ],
    },
  ],
  actionable: [],
};
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  log.push(`${req.method} ${url.pathname} ${req.headers.authorization ?? ''}`);
  if (url.pathname.startsWith('/console/')) {
    let f = path.join(dist, url.pathname.slice('/console/'.length));
    if (!fs.existsSync(f) || fs.statSync(f).isDirectory()) f = path.join(dist, 'index.html');
    res.writeHead(200, {
      'content-type': f.endsWith('.js') ? 'text/javascript' : f.endsWith('.css') ? 'text/css' : 'text/html',
    });
    return res.end(fs.readFileSync(f));
  }
  const p = url.pathname;
  if (p === '/server/agent/session' && req.method === 'POST') {
    const b = await body(req);
    if (b.password !== 'pw') return json(res, 401, { code: 'unauthorized', message: 'bad' });
    return json(res, 200, {
      token: 'TOKEN',
      csrf: 'C',
      agent: { agentId: 'jdoe', name: 'Jane Doe', groups: ['sales'], capacity: { chat: 3, callback: 1 } },
    });
  }
  if (req.headers.authorization !== 'Bearer TOKEN') return json(res, 401, { code: 'unauthorized' });
  if (p === '/server/agent/me') return json(res, 200, me);
  if (p === '/server/agent/login') {
    me.state = 'NotReady';
    emit({ Event: 'EventAgentLogin' });
    emit({ Event: 'EventAgentNotReady', ReasonCode: null });
    return json(res, 204);
  }
  if (p === '/server/agent/ready') {
    me.state = 'Ready';
    emit({ Event: 'EventAgentReady' });
    return json(res, 204);
  }
  if (p === '/server/agent/notReady') {
    const b = await body(req);
    me.state = 'NotReady';
    emit({ Event: 'EventAgentNotReady', ReasonCode: b.reasonCode });
    return json(res, 204);
  }
  let m;
  if ((m = p.match(/^\/server\/agent\/interactions\/([^/]+)\/(\w+)$/))) {
    const [, id, action] = m;
    if (action === 'accept') {
      emit({
        Event: 'EventPartyAdded',
        InteractionID: id,
        Party: { Type: 'agent', ID: 'jdoe', Name: 'Jane Doe' },
      });
      return json(res, 204);
    }
    if (action === 'journey') return json(res, 200, journey);
    if (action === 'messages' && req.method === 'GET')
      return json(
        res,
        200,
        stored.filter((x) => x.interactionId === id && x.seq > Number(url.searchParams.get('afterSeq'))),
      );
    if (action === 'callback') {
      log.push('DIALLED ' + id);
      return json(res, 204);
    }
    if (action === 'outcome') {
      const b = await body(req);
      log.push('OUTCOME ' + JSON.stringify(b));
      emit({ Event: 'EventReleased', InteractionID: id, Reason: 'agent', Outcome: b.code });
      return json(res, 204);
    }
    if (action === 'messages') {
      const b = await body(req);
      const msg = {
        id: `m${++msgSeq}`,
        seq: msgSeq,
        interactionId: id,
        from: { type: 'agent', id: 'jdoe', name: 'Jane Doe' },
        text: b.text,
        timestamp: Date.now(),
        clientMessageId: b.clientMessageId,
      };
      emit({ Event: 'EventChatMessage', InteractionID: id, Message: msg });
      return json(res, 201, msg);
    }
    if (action === 'typing') return json(res, 204);
    if (action === 'release') {
      emit({ Event: 'EventReleased', InteractionID: id, Reason: 'agent' });
      return json(res, 204);
    }
  }
  json(res, 404, { code: 'notFound' });
});
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, sock, head) => {
  const url = new URL(req.url, 'http://x');
  log.push(`WS ${url.search}`);
  if (url.searchParams.get('token') !== 'TOKEN') return sock.destroy();
  wss.handleUpgrade(req, sock, head, (ws) => {
    const raw = url.searchParams.get('lastSeq');
    if (raw === null || Number(raw) > seq) {
      // As the real hub: no position (or a future one) gets a snapshot whose seq is the head.
      const snapshot = { state: me.state, reasonCode: me.reasonCode, interactions: me.interactions };
      ws.send(
        JSON.stringify({ Event: 'EventResync', AgentID: 'jdoe', seq, time: Date.now(), Snapshot: snapshot }),
      );
    } else for (const e of events) if (e.seq > Number(raw)) ws.send(JSON.stringify(e));
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
try {
  await page.goto(`${base}/console/`);
  await page.fill('input[name=agentId]', 'jdoe');
  await page.fill('input[name=password]', 'wrong');
  await page.click('button[type=submit]');
  await page.getByText('Unknown agent or wrong password.').waitFor();
  await page.fill('input[name=password]', 'pw');
  await page.click('button[type=submit]');
  await page.getByText('Not ready', { exact: true }).first().waitFor();
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await page.locator('.state-Ready').waitFor();
  emit({
    Event: 'EventInvite',
    InteractionID: 'I1',
    MediaType: 'chat',
    Queue: 'sales',
    TimeoutSec: 15,
    UserData: {
      visitID: 'V1',
      pageID: 'P1',
      webengagement: 'reactive',
      engagementId: 'E1',
      engagementName: 'ChatNow',
    },
  });
  await page.locator('.invite .countdown').waitFor();
  console.log('countdown', await page.locator('.invite .countdown span').textContent());
  await page.getByText('Home <script>alert(1)</script>').first().waitFor();
  await page.locator('.invite').getByRole('button', { name: 'Accept' }).click();
  await page.locator('textarea').waitFor();
  await page.locator('textarea').fill('Hello <b>there</b>');
  await page.keyboard.press('Enter');
  await page.locator('.message.from-agent .text', { hasText: 'Hello <b>there</b>' }).waitFor();
  emit({ Event: 'EventTyping', InteractionID: 'I1', From: 'visitor', Typing: true });
  await page.getByText('is typing…').first().waitFor();
  emit({
    Event: 'EventChatMessage',
    InteractionID: 'I1',
    Message: {
      id: 'v1',
      seq: ++msgSeq,
      interactionId: 'I1',
      from: { type: 'visitor', id: null, name: 'Bob' },
      text: 'Is this TV 4K? <img src=x onerror=alert(1)>',
      timestamp: Date.now(),
      clientMessageId: 'x',
    },
  });
  await page.getByText('Is this TV 4K? <img src=x onerror=alert(1)>').waitFor();
  emit({
    Event: 'EventVisitActivity',
    InteractionID: 'I1',
    visitID: 'V1',
    Kind: 'pageExit',
    Item: {
      eventName: 'PageExited',
      eventID: 'e8',
      pageID: 'P1',
      timestamp: Date.now(),
      data: { durationMs: 60000 },
    },
  });
  emit({
    Event: 'EventVisitActivity',
    InteractionID: 'I1',
    visitID: 'V1',
    Kind: 'page',
    Item: {
      eventName: 'PageEntered',
      eventID: 'e9',
      pageID: 'P2',
      url: 'https://shop.example/tv',
      timestamp: Date.now(),
      category: 'TV;Promo',
      data: { title: 'Televisions' },
    },
  });
  await page.locator('.current-page .page-title', { hasText: 'Televisions' }).waitFor();
  // drop the stream: the desktop must reconnect and resume
  for (const s of sockets) s.terminate();
  emit({
    Event: 'EventChatMessage',
    InteractionID: 'I1',
    Message: {
      id: 'v2',
      seq: ++msgSeq,
      interactionId: 'I1',
      from: { type: 'visitor', id: null, name: 'Bob' },
      text: 'sent while you were away',
      timestamp: Date.now(),
      clientMessageId: 'y',
    },
  });
  await page.getByText('sent while you were away').waitFor({ timeout: 10000 });
  emit({
    Event: 'EventInvite',
    InteractionID: 'I2',
    MediaType: 'chat',
    Queue: 'support',
    TimeoutSec: 15,
    UserData: {
      visitID: 'V1',
      pageID: 'P1',
      webengagement: 'proactive',
      engagementId: 'E2',
      engagementName: 'CartHelp',
    },
  });
  await page.locator('.invite').waitFor();
  if (shots) await page.screenshot({ path: path.join(shots, 'desktop.png') });
  emit({ Event: 'EventRevoked', InteractionID: 'I2', Reason: 'timeout' });
  await page.locator('.invite').waitFor({ state: 'detached' });
  // reload: the chat comes back from /me, the transcript from messages?afterSeq, no replay duplicates
  await page.reload();
  await page.getByText('sent while you were away').waitFor({ timeout: 10000 });
  console.log(
    'after reload messages',
    await page.locator('.message').count(),
    'tabs',
    await page.getByRole('tab').count(),
  );
  // keyboard: callback invite, accept with keyboard, mark dialled, record outcome
  emit({
    Event: 'EventInvite',
    InteractionID: 'C1',
    MediaType: 'callback',
    Queue: 'callbacks',
    TimeoutSec: 15,
    UserData: {
      visitID: 'V1',
      pageID: 'P1',
      webengagement: 'reactive',
      engagementId: 'E3',
      engagementName: 'Callback',
      phoneNumber: '+33123456789',
      preferredTime: '2026-11-22T10:00:00+01:00',
    },
  });
  await page.locator('.invite').getByRole('button', { name: 'Accept' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Mark dialled' }).click();
  await page.getByRole('button', { name: 'Record outcome' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('fieldset')?.disabled);
  await page
    .selectOption('select:below(legend)', 'busy')
    .catch(() => page.locator('fieldset select').selectOption('busy'));
  await page.locator('fieldset input').fill('call back later');
  await page.getByRole('button', { name: 'Record outcome' }).click();
  await page.getByText('Done · busy').waitFor();
  if (shots) await page.screenshot({ path: path.join(shots, 'callback.png') });
  // tab list arrow keys
  await page.getByRole('tab').first().focus();
  await page.keyboard.press('ArrowDown');
  console.log(
    'selected after ArrowDown',
    await page.locator('[role=tab][aria-selected=true] .tab-name').textContent(),
  );
  console.log(
    log.filter((l) => l.startsWith('DIALLED') || l.startsWith('OUTCOME') || l.startsWith('WS')).join('\n'),
  );
  const rawHtml = (await page.content()).includes('<img src=x');
  console.log('messages shown', await page.locator('.message').count(), '| visitor HTML injected:', rawHtml);
  if (rawHtml) throw new Error('visitor text was rendered as HTML');
  const pageErrors = errors.filter((e) => !e.includes('status of 401'));
  if (pageErrors.length > 0) throw new Error(`page errors: ${pageErrors.join('; ')}`);
  console.log('OK');
} catch (e) {
  failed = true;
  console.log('FAILED', e.message);
  if (shots) await page.screenshot({ path: path.join(shots, 'fail.png') });
  console.log(log.slice(-20).join('\n'), errors);
}
await browser.close();
server.close();
process.exit(failed ? 1 : 0);
