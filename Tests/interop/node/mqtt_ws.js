#!/usr/bin/env node
// MQTT.js (Debian's node-mqtt 4.3.x) over ws:// or wss:// against the broker under test.
//
//   node mqtt_ws.js '{"url": "wss://localhost:PORT/", "ca": "/path/test-ca.pem",
//                     "protocolVersion": 4, "topic": "t/x", "count": 3}'
//
// Connects, subscribes to `topic` at QoS 1, publishes `count` messages at QoS 0 and `count` at
// QoS 1 to it, waits for all of them to come back, and prints one JSON object on stdout:
//   {"connected": true, "subscribed": [granted...], "received": [{"topic","payload","qos"}...],
//    "puback": n, "error": null}
// Exit status 0 when every message came back, 1 otherwise. Debian installs the modules under
// /usr/share/nodejs; the test sets NODE_PATH to it.
'use strict'

const fs = require('fs')
const mqtt = require('mqtt')

const args = JSON.parse(process.argv[2])
const result = { connected: false, subscribed: null, received: [], puback: 0, error: null, client: 'MQTT.js ' + require('mqtt/package.json').version }
const count = args.count || 3
const expected = 2 * count

const options = {
  clientId: args.clientId || ('node-' + Math.random().toString(16).slice(2, 10)),
  protocolVersion: args.protocolVersion || 4,
  reconnectPeriod: 0,
  connectTimeout: 5000,
  clean: true
}
if (options.protocolVersion === 3) options.protocolId = 'MQIsdp' // MQTT.js then offers the "mqttv3.1" subprotocol
if (args.ca) options.ca = fs.readFileSync(args.ca)
if (args.servername) options.servername = args.servername

let finished = false
function finish (code) {
  if (finished) return
  finished = true
  clearTimeout(timer)
  process.stdout.write(JSON.stringify(result) + '\n')
  client.end(true, () => process.exit(code))
  setTimeout(() => process.exit(code), 1000)
}

const timer = setTimeout(() => { result.error = result.error || 'timeout'; finish(1) }, args.timeoutMs || 10000)
const client = mqtt.connect(args.url, options)

client.on('error', (err) => { result.error = String(err && err.message || err); finish(1) })
client.on('close', () => { if (!finished && !result.connected) { result.error = result.error || 'closed before CONNACK'; finish(1) } })
client.on('message', (topic, payload, packet) => {
  result.received.push({ topic, payload: payload.toString(), qos: packet.qos })
  if (result.received.length >= expected && result.puback >= count) finish(0)
})
client.on('connect', () => {
  result.connected = true
  client.subscribe(args.topic, { qos: 1 }, (err, granted) => {
    if (err) { result.error = 'subscribe: ' + err.message; return finish(1) }
    result.subscribed = granted.map((g) => g.qos)
    for (let i = 0; i < count; i++) client.publish(args.topic, 'q0-' + i, { qos: 0 })
    for (let i = 0; i < count; i++) {
      client.publish(args.topic, 'q1-' + i, { qos: 1 }, (e) => {
        if (e) { result.error = 'publish: ' + e.message; return finish(1) }
        result.puback++
        if (result.received.length >= expected && result.puback >= count) finish(0)
      })
    }
  })
})
