"""Publishes N messages to a RabbitMQ queue with pika, for our AMQP 1.0 receiver to consume.
usage: pika_publish.py PORT QUEUE COUNT
"""
import sys

import pika

port, queue, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port, credentials=pika.PlainCredentials("guest", "guest")))
channel = connection.channel()
channel.queue_declare(queue=queue, durable=True)
for i in range(count):
    channel.basic_publish("", queue, ("command-%d" % i).encode(),
                          pika.BasicProperties(content_type="text/plain", correlation_id="c-%d" % i, headers={"index": i}))
connection.close()
