"""An AMQP 1.0 upstream built on python-qpid-proton's container, for outcome tests: it settles each
transfer by the message's subject (the bridge puts the MQTT topic there).

    proton_judge.py PORT

- subject ending `/reject`: rejected, with an `amqp:not-allowed` error;
- subject ending `/release` or `/modify`: released, or modified with delivery-failed, the first time a
  body is seen; accepted when it comes again;
- anything else: accepted.

Prints one line per settlement, `OUTCOME SUBJECT BODY`, flushed, so the test can follow along.
"""
import sys

from proton import Condition, Delivery
from proton.handlers import MessagingHandler
from proton.reactor import Container


class Judge(MessagingHandler):
    def __init__(self, url):
        super().__init__(auto_accept=False)
        self.url = url
        self.seen = set()

    def on_start(self, event):
        event.container.listen(self.url)
        print("LISTENING", flush=True)

    def on_link_opening(self, event):
        # Take whatever target address the bridge asks for.
        if event.link.is_receiver and event.link.remote_target.address:
            event.link.target.address = event.link.remote_target.address

    def on_message(self, event):
        subject = event.message.subject or ""
        body = event.message.body
        body = bytes(body).decode("utf-8", "replace") if isinstance(body, (bytes, memoryview)) else str(body)
        first = (subject, body) not in self.seen
        self.seen.add((subject, body))
        if subject.endswith("/reject"):
            event.delivery.local.condition = Condition("amqp:not-allowed", "judge says no")
            self.settle(event.delivery, Delivery.REJECTED)
            outcome = "rejected"
        elif subject.endswith("/release") and first:
            self.release(event.delivery, delivered=False)
            outcome = "released"
        elif subject.endswith("/modify") and first:
            event.delivery.local.failed = True
            self.settle(event.delivery, Delivery.MODIFIED)
            outcome = "modified"
        else:
            self.accept(event.delivery)
            outcome = "accepted"
        print(outcome, subject, body, flush=True)


if __name__ == "__main__":
    Container(Judge(f"127.0.0.1:{sys.argv[1]}")).run()
