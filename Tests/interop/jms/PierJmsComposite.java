// PierJmsComposite: the PierJms scenario "composite": one consumer on a composite destination
// (session.createQueue("a,b"), OpenWire queue://a,b) receives what is sent to either queue. A small
// prefetch (3) makes the broker hand credit back across both queues many times; CLIENT_ACKNOWLEDGE
// with one acknowledge at the end makes the client extend its window with DELIVERED acks first.

import java.util.HashSet;
import java.util.Set;

import javax.jms.Connection;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;

import org.apache.activemq.ActiveMQConnection;

final class PierJmsComposite {
    private PierJmsComposite() { }

    static String run() throws Exception {
        String a = PierJms.name("a"), b = PierJms.name("b");
        Connection c = PierJms.connect();
        ((ActiveMQConnection) c).getPrefetchPolicy().setQueuePrefetch(3);
        Session ps = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        send(ps, a, "a", 15);
        send(ps, b, "b", 15);

        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer both = s.createConsumer(s.createQueue(a + "," + b));
        Set<String> got = receive(both, 30, "client-ack");
        PierJms.check(got.size() == 30, "client-ack: %d distinct of 30: %s", got.size(), got);
        Message last = null;
        send(ps, a, "a2", 1);
        last = PierJms.recv(both, 5000, "one more from the composite");
        last.acknowledge();
        PierJms.expectNone(both, 300, "composite after everything");
        both.close();

        Session auto = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer again = auto.createConsumer(auto.createQueue(b + "," + a));
        send(ps, b, "b3", 10);
        send(ps, a, "a3", 10);
        Set<String> second = receive(again, 20, "auto-ack");
        PierJms.check(second.size() == 20, "auto-ack: %d distinct of 20", second.size());
        again.close();
        // Everything was acknowledged: both queues are empty for plain consumers too.
        PierJms.expectNone(auto.createConsumer(auto.createQueue(a)), 500, "queue a afterwards");
        PierJms.expectNone(auto.createConsumer(auto.createQueue(b)), 500, "queue b afterwards");
        PierJms.closeQuietly(c);
        return "queues=2 prefetch=3 client_ack=31 auto_ack=20";
    }

    private static void send(Session s, String queue, String tag, int n) throws Exception {
        MessageProducer p = s.createProducer(s.createQueue(queue));
        for (int i = 0; i < n; i++) {
            Message m = s.createTextMessage(tag + "-" + i);
            m.setStringProperty("pierId", tag + "-" + i);
            p.send(m);
        }
        p.close();
    }

    private static Set<String> receive(MessageConsumer c, int n, String what) throws Exception {
        Set<String> got = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Message m = PierJms.recv(c, 5000, what + " message " + (i + 1) + " of " + n);
            PierJms.check(got.add(m.getStringProperty("pierId")), "%s: duplicate %s", what, m.getStringProperty("pierId"));
        }
        return got;
    }
}
