// Speaks MQTT 3.1.1 (hand-built packets, subprotocol "mqtt", binary frames) and STOMP 1.2
// (subprotocol "v12.stomp", text frames) with Pier through the browser's own WebSocket, over ws://
// and wss://, then checks that a listener whose allowed_origins excludes this page refuses it.
// Query: ?ws=PORT&wss=PORT&forbidden=PORT&host=127.0.0.1&steps=a,b,...
// The result goes into <pre id=result> as JSON and is POSTed to ./result.
'use strict'

const params = new URLSearchParams(location.search)
const host = params.get('host') || '127.0.0.1'
const base = 'browser-' + Math.random().toString(16).slice(2, 10)
const STEP_TIMEOUT = 5000

// ------------------------------------------------------------------ MQTT bytes
const enc = (s) => Array.from(new TextEncoder().encode(s))
const str = (s) => { const b = enc(s); return [b.length >> 8, b.length & 255, ...b] }
function packet (type, flags, body) {
  const len = []
  let n = body.length
  do { let d = n % 128; n = Math.floor(n / 128); if (n) d |= 128; len.push(d) } while (n)
  return new Uint8Array([(type << 4) | flags, ...len, ...body])
}
const CONNECT = (id) => packet(1, 0, [...str('MQTT'), 4, 2, 0, 30, ...str(id)])
const SUBSCRIBE = (pid, topic, qos) => packet(8, 2, [pid >> 8, pid & 255, ...str(topic), qos])
const PUBLISH1 = (pid, topic, payload) => packet(3, 2, [...str(topic), pid >> 8, pid & 255, ...enc(payload)])
const PUBACK = (pid) => packet(4, 0, [pid >> 8, pid & 255])
const DISCONNECT = () => packet(14, 0, [])

function parsePackets (state, chunk) {
  const joined = new Uint8Array(state.buf.length + chunk.length)
  joined.set(state.buf); joined.set(chunk, state.buf.length)
  const out = []
  let pos = 0
  for (;;) {
    if (joined.length - pos < 2) break
    let i = pos + 1; let len = 0; let mult = 1; let b
    do { if (i >= joined.length) { b = -1; break } b = joined[i++]; len += (b & 127) * mult; mult *= 128 } while (b & 128)
    if (b === -1 || joined.length < i + len) break
    out.push({ type: joined[pos] >> 4, flags: joined[pos] & 15, body: joined.slice(i, i + len) })
    pos = i + len
  }
  state.buf = joined.slice(pos)
  return out
}

function withTimeout (name, fn) {
  return new Promise((resolve) => {
    const r = { step: name, ok: false, events: [] }
    const timer = setTimeout(() => { r.error = r.error || 'timeout'; finish() }, STEP_TIMEOUT)
    let done = false
    function finish () { if (done) return; done = true; clearTimeout(timer); resolve(r) }
    try { fn(r, finish) } catch (e) { r.error = 'exception: ' + e; finish() }
  })
}

function mqttStep (name, url) {
  return withTimeout(name, (r, finish) => {
    r.url = url
    const topic = base + '/' + name
    const payload = 'hello from ' + navigator.userAgent.split(' ').find((s) => s.startsWith('Chrome/') || s.startsWith('HeadlessChrome/'))
    const ws = new WebSocket(url, ['mqtt'])
    ws.binaryType = 'arraybuffer'
    const state = { buf: new Uint8Array(0) }
    let gotPuback = false; let gotMessage = false
    ws.onopen = () => { r.protocol = ws.protocol; r.events.push('open'); ws.send(CONNECT(base + '-' + name)) }
    ws.onerror = () => { r.events.push('error') }
    ws.onclose = (e) => { r.events.push('close ' + e.code); r.closeCode = e.code; finish() }
    ws.onmessage = (e) => {
      if (typeof e.data === 'string') { r.error = 'MQTT arrived in a text frame'; ws.close(); return }
      for (const p of parsePackets(state, new Uint8Array(e.data))) {
        if (p.type === 2) {
          r.connack = p.body[1]
          r.events.push('CONNACK ' + p.body[1])
          if (p.body[1] !== 0) { ws.close(); return }
          ws.send(SUBSCRIBE(1, topic, 1))
        } else if (p.type === 9) {
          r.suback = p.body[2]
          r.events.push('SUBACK ' + p.body[2])
          ws.send(PUBLISH1(2, topic, payload))
        } else if (p.type === 4) {
          gotPuback = true
          r.events.push('PUBACK')
        } else if (p.type === 3) {
          const tlen = (p.body[0] << 8) | p.body[1]
          const t = new TextDecoder().decode(p.body.slice(2, 2 + tlen))
          const qos = (p.flags >> 1) & 3
          let pos = 2 + tlen
          if (qos) { ws.send(PUBACK((p.body[pos] << 8) | p.body[pos + 1])); pos += 2 }
          r.received = { topic: t, qos, payload: new TextDecoder().decode(p.body.slice(pos)) }
          r.events.push('PUBLISH')
          gotMessage = r.received.topic === topic && r.received.payload === payload
        }
        if (gotPuback && gotMessage) {
          r.ok = ws.protocol === 'mqtt'
          ws.send(DISCONNECT())
          ws.close(1000, 'done')
        }
      }
    }
  })
}

function stompStep (name, url) {
  return withTimeout(name, (r, finish) => {
    r.url = url
    const dest = '/topic/' + base + '.' + name
    const body = 'stomp from the browser ' + name + ' ✓'
    const ws = new WebSocket(url, ['v12.stomp'])
    let pending = ''
    const send = (cmd, headers, b) => ws.send(cmd + '\n' + Object.entries(headers).map(([k, v]) => k + ':' + v + '\n').join('') + '\n' + (b || '') + '\0')
    ws.onopen = () => { r.protocol = ws.protocol; r.events.push('open'); send('CONNECT', { 'accept-version': '1.2', host: '/' }) }
    ws.onerror = () => { r.events.push('error') }
    ws.onclose = (e) => { r.events.push('close ' + e.code); r.closeCode = e.code; finish() }
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') { r.error = 'reply in a binary frame to a text-frame client'; ws.close(); return }
      r.messages = (r.messages || 0) + 1
      pending += e.data
      let nul
      while ((nul = pending.indexOf('\0')) >= 0) {
        const frame = pending.slice(0, nul).replace(/^[\r\n]+/, '')
        pending = pending.slice(nul + 1)
        const command = frame.split('\n', 1)[0]
        r.events.push(command)
        if (command === 'CONNECTED') {
          r.version = (frame.match(/\nversion:([^\n]*)/) || [])[1]
          send('SUBSCRIBE', { id: '1', destination: dest, receipt: 'sub' })
        } else if (command === 'RECEIPT' && frame.includes('receipt-id:sub')) {
          send('SEND', { destination: dest, 'content-type': 'text/plain' }, body)
        } else if (command === 'MESSAGE') {
          r.received = frame.slice(frame.indexOf('\n\n') + 2)
          send('DISCONNECT', { receipt: 'bye' })
        } else if (command === 'RECEIPT' && frame.includes('receipt-id:bye')) {
          r.ok = r.received === body && ws.protocol === 'v12.stomp' && r.version === '1.2'
          ws.close(1000, 'done')
        } else if (command === 'ERROR') {
          r.error = frame
        }
      }
    }
  })
}

function forbiddenStep (name, url) {
  // allowed_origins excludes this page: the handshake gets 403, which a browser reports as an
  // error and a close with 1006, never an open.
  return withTimeout(name, (r, finish) => {
    r.url = url
    const ws = new WebSocket(url, ['mqtt'])
    ws.onopen = () => { r.events.push('open'); r.error = 'opened although the origin is not allowed'; ws.close() }
    ws.onerror = () => { r.events.push('error') }
    ws.onclose = (e) => {
      r.events.push('close ' + e.code); r.closeCode = e.code
      r.ok = !r.events.includes('open') && r.events.includes('error') && e.code === 1006
      finish()
    }
  })
}

function show (results, verdict) {
  const table = document.getElementById('steps')
  for (const r of results) {
    const row = table.insertRow()
    row.className = r.ok ? 'pass' : 'fail'
    for (const v of [r.step, r.url, r.protocol || '', (r.ok ? 'PASS ' : 'FAIL ') + r.events.join(' → ') + (r.error ? ' (' + r.error + ')' : '')]) {
      row.insertCell().textContent = v
    }
  }
  const v = document.getElementById('verdict')
  v.textContent = verdict ? 'ALL PASSED (' + results.length + ' steps)' : 'FAILED'
  v.className = verdict ? 'pass' : 'fail'
}

async function main () {
  const ws = params.get('ws'); const wss = params.get('wss'); const forbidden = params.get('forbidden')
  const plan = [
    ['mqtt-ws', () => mqttStep('mqtt-ws', 'ws://' + host + ':' + ws + '/mqtt')],
    ['stomp-ws', () => stompStep('stomp-ws', 'ws://' + host + ':' + ws + '/stomp')],
    ['mqtt-wss', () => mqttStep('mqtt-wss', 'wss://' + host + ':' + wss + '/mqtt')],
    ['stomp-wss', () => stompStep('stomp-wss', 'wss://' + host + ':' + wss + '/stomp')],
    ['forbidden-origin', () => forbiddenStep('forbidden-origin', 'ws://' + host + ':' + forbidden + '/mqtt')]
  ]
  const only = params.get('steps') ? params.get('steps').split(',') : null
  const results = []
  for (const [name, run] of plan) {
    if (only && !only.includes(name)) continue
    results.push(await run())
  }
  const ok = results.length > 0 && results.every((r) => r.ok)
  const out = { ok, origin: location.origin, userAgent: navigator.userAgent, steps: results }
  show(results, ok)
  document.getElementById('result').textContent = JSON.stringify(out)
  await fetch('result', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(out) })
}

main().catch((e) => {
  document.getElementById('result').textContent = JSON.stringify({ ok: false, error: String(e) })
  fetch('result', { method: 'POST', body: JSON.stringify({ ok: false, error: String(e) }) })
})
