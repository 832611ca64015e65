// PierJmsTransport: the PierJms scenario "idle", run by test_26 with a short inactivity duration in the
// URL (tcp://...?wireFormat.maxInactivityDuration=1500): the client's InactivityMonitor closes a
// connection that hears nothing for that long, so the connection survives an idle spell only if the
// broker writes KeepAliveInfo on its own. Afterwards the same connection still sends and receives.

import java.util.concurrent.atomic.AtomicReference;

import javax.jms.Connection;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.TextMessage;

import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.transport.AbstractInactivityMonitor;

final class PierJmsTransport {
    private PierJmsTransport() { }

    static String idle(long idleMs) throws Exception {
        Connection c = PierJms.connect();
        AtomicReference<Exception> failure = new AtomicReference<>();
        c.setExceptionListener(failure::set);
        AbstractInactivityMonitor monitor = ((ActiveMQConnection) c).getTransport().narrow(AbstractInactivityMonitor.class);
        PierJms.check(monitor != null, "no inactivity monitor on %s", PierJms.url);
        long readCheck = monitor.getReadCheckTime();
        PierJms.check(readCheck > 0 && readCheck < idleMs / 2, "negotiated inactivity duration %d ms is not short against %d ms idle",
                readCheck, idleMs);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        String qn = PierJms.name("q");
        MessageConsumer consumer = s.createConsumer(s.createQueue(qn));
        Thread.sleep(idleMs);
        PierJms.check(failure.get() == null, "connection failed while idle: %s", failure.get());
        MessageProducer p = s.createProducer(s.createQueue(qn));
        for (int i = 0; i < 3; i++) p.send(s.createTextMessage("after-idle-" + i));
        for (int i = 0; i < 3; i++) {
            Message m = PierJms.recv(consumer, 5000, "message " + i + " after the idle spell");
            PierJms.eq("after-idle-" + i, ((TextMessage) m).getText(), "body after the idle spell");
        }
        PierJms.check(failure.get() == null, "connection failed: %s", failure.get());
        PierJms.closeQuietly(c);
        return "inactivity_ms=" + readCheck + " idle_ms=" + idleMs + " messages_after=3";
    }
}
