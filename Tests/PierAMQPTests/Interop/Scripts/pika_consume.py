"""Consumes N messages from a RabbitMQ queue with pika (AMQP 0-9-1) and prints them as JSON lines.

Used by RabbitMQInteropTests to check what our AMQP 1.0 client sent, through another protocol.
usage: pika_consume.py PORT QUEUE COUNT [declare-binding-key]
"""
import json
import sys

import pika

port, queue, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port, credentials=pika.PlainCredentials("guest", "guest")))
channel = connection.channel()
channel.queue_declare(queue=queue, durable=True)
if len(sys.argv) > 4:
    channel.queue_bind(queue=queue, exchange="amq.topic", routing_key=sys.argv[4])
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()
received = 0
if count == 0:
    connection.close()
    sys.exit(0)
for method, props, body in channel.consume(queue, inactivity_timeout=15):
    if method is None:
        break
    print(json.dumps({
        "body": body.decode("latin-1"),
        "routing_key": method.routing_key,
        "content_type": props.content_type,
        "correlation_id": props.correlation_id,
        "message_id": props.message_id,
        "delivery_mode": props.delivery_mode,
        "priority": props.priority,
        "headers": {k: (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in (props.headers or {}).items()},
    }), flush=True)
    channel.basic_ack(method.delivery_tag)
    received += 1
    if received == count:
        break
connection.close()
