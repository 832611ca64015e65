// PierJmsRedelivery: the "prefetch-redelivery" scenario of PierJms (ActiveMQ's lastDeliveredSequenceId).
//
// A CLIENT_ACKNOWLEDGE consumer with the default prefetch (1000) holds every message of the queue
// but hands only a few to the application before it goes away. The broker learns which from the
// RemoveInfo's lastDeliveredSequenceId: the ones the application saw come back redelivered, the
// merely prefetched ones come back as first deliveries. Checked twice: closing the consumer (a
// consumer RemoveInfo) and closing the whole connection (one connection RemoveInfo, no per-consumer
// ones). Every message must arrive exactly once more, none lost, none duplicated.

import java.util.ArrayList;
import java.util.List;

import javax.jms.Connection;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;

import org.apache.activemq.ActiveMQMessageConsumer;

final class PierJmsRedelivery {
    private PierJmsRedelivery() { }

    static String run() throws Exception {
        String a = round("consumer-close", 50, 3, false);
        String b = round("connection-close", 20, 2, true);
        return a + " " + b;
    }

    private static String round(String what, int total, int seen, boolean closeConnection) throws Exception {
        String qn = PierJms.name(what);
        Connection producer = PierJms.connect();
        Session ps = producer.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = ps.createProducer(ps.createQueue(qn));
        for (int i = 1; i <= total; i++) {
            Message m = ps.createTextMessage(what + "-" + i);
            m.setIntProperty("i", i);
            p.send(m);
        }
        Connection first = PierJms.connect();
        Session s1 = first.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer c1 = s1.createConsumer(s1.createQueue(qn));
        for (int i = 1; i <= seen; i++) {
            Message m = PierJms.recv(c1, 5000, what + " first consumer #" + i);
            PierJms.eq(i, m.getIntProperty("i"), what + " first consumer order");
            PierJms.eq(false, m.getJMSRedelivered(), what + " first delivery JMSRedelivered");
        }
        // The trap only exists when the rest really sits in the client's prefetch buffer.
        ActiveMQMessageConsumer amq = (ActiveMQMessageConsumer) c1;
        long until = System.currentTimeMillis() + 5000;
        while (amq.getMessageSize() < total - seen && System.currentTimeMillis() < until) Thread.sleep(20);
        PierJms.check(amq.getMessageSize() == total - seen, "%s: %d of %d messages prefetched", what, amq.getMessageSize(), total - seen);
        if (closeConnection) {
            PierJms.closeQuietly(first);
        } else {
            c1.close();
        }

        Connection second = PierJms.connect();
        Session s2 = second.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer c2 = s2.createConsumer(s2.createQueue(qn));
        boolean[] got = new boolean[total + 1];
        List<Integer> wrongFlag = new ArrayList<>();
        for (int n = 0; n < total; n++) {
            Message m = PierJms.recv(c2, 5000, what + " second consumer, message " + (n + 1) + " of " + total);
            int i = m.getIntProperty("i");
            PierJms.check(i >= 1 && i <= total && !got[i], "%s: message %d duplicated or unknown", what, i);
            got[i] = true;
            boolean expected = i <= seen;
            if (m.getJMSRedelivered() != expected) wrongFlag.add(i);
            PierJms.eq(expected ? 2 : 1, PierJms.deliveryCount(m), what + " JMSXDeliveryCount of message " + i);
        }
        PierJms.check(wrongFlag.isEmpty(), "%s: JMSRedelivered wrong for messages %s (true expected for 1..%d only)", what, wrongFlag, seen);
        PierJms.expectNone(c2, 300, what + " after all " + total);
        if (!closeConnection) PierJms.closeQuietly(first);
        PierJms.closeQuietly(second);
        PierJms.closeQuietly(producer);
        return what + ":redelivered=1.." + seen + ",first_delivery=" + (seen + 1) + ".." + total;
    }
}
