// PierJmsFailoverTx: PierJms scenarios "failover-tx" and "failover-receiver", run by test_24 against
// Pier's active/standby pair (and by run-against-activemq.sh against ActiveMQ's).
//
// failover-tx <count>: a transacted session on a failover: URL sends <count> messages, prints SENT and
// waits for a line on stdin (the test kills the active broker meanwhile), then commits. ActiveMQ 5.17's
// failover transport replays the open transaction (TransactionInfo BEGIN and its sends) to the broker it
// reconnects to, so the commit normally succeeds there; it throws TransactionRolledBackException when
// the outcome is in doubt (the commit itself was in flight). Either is accepted, as the client defines
// it: after a rollback none of the messages may be visible and a retry commits them; after a commit
// they are there exactly once.
//
// failover-receiver <count> <outfile>: an AUTO_ACKNOWLEDGE consumer on a failover: URL writes
// "<pierId> <redelivered>" per message until it has seen <count> distinct ids (or 20 s of silence).

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import javax.jms.Connection;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.TransactionRolledBackException;

final class PierJmsFailoverTx {
    private PierJmsFailoverTx() { }

    static String transaction(int count) throws Exception {
        String qn = "failover.tx." + PierJms.RUN;
        Connection c = PierJms.connect();
        Session s = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageProducer p = s.createProducer(s.createQueue(qn));
        send(s, p, count, "a");
        System.out.println("SENT");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        String outcome;
        try {
            s.commit();
            outcome = "committed";
        } catch (TransactionRolledBackException e) {
            outcome = "rolled-back(" + e.getMessage() + ")";
            PierJms.log("commit after failover: %s", e);
            // Nothing of the rolled-back transaction may be visible, then a retry commits it once.
            Connection look = PierJms.connect();
            Session ls = look.createSession(false, Session.AUTO_ACKNOWLEDGE);
            PierJms.expectNone(ls.createConsumer(ls.createQueue(qn)), 1000, "messages of the rolled-back transaction");
            PierJms.closeQuietly(look);
            send(s, p, count, "a");
            s.commit();
        }
        Session rs = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer r = rs.createConsumer(rs.createQueue(qn));
        Map<String, Integer> seen = new HashMap<>();
        for (int n = 0; n < count; n++) {
            Message m = PierJms.recv(r, 10000, "committed message " + (n + 1) + " of " + count);
            seen.merge(m.getStringProperty("pierId"), 1, Integer::sum);
        }
        PierJms.expectNone(r, 1000, "after the " + count + " committed messages");
        PierJms.check(seen.size() == count, "%d distinct of %d: %s", seen.size(), count, seen);
        PierJms.closeQuietly(c);
        return "outcome=" + outcome.replace(' ', '_') + " messages=" + count + " exactly_once=yes";
    }

    private static void send(Session s, MessageProducer p, int count, String tag) throws Exception {
        for (int i = 0; i < count; i++) {
            Message m = s.createTextMessage("tx " + i);
            m.setStringProperty("pierId", tag + i);
            p.send(m);
        }
    }

    static String receiver(int count, String outFile) throws Exception {
        Connection c = PierJms.connect();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer cons = s.createConsumer(s.createQueue("failover.q"));
        System.out.println("READY");
        System.out.flush();
        Set<String> distinct = new HashSet<>();
        int n = 0, redelivered = 0;
        try (Writer w = new OutputStreamWriter(new FileOutputStream(outFile, false), StandardCharsets.UTF_8)) {
            while (distinct.size() < count) {
                Message m = cons.receive(20000);
                if (m == null) break;
                String id = m.getStringProperty("pierId");
                w.write(id + " " + m.getJMSRedelivered() + "\n");
                w.flush();
                distinct.add(id);
                n++;
                if (m.getJMSRedelivered()) redelivered++;
            }
        }
        PierJms.closeQuietly(c);
        return "received=" + n + " distinct=" + distinct.size() + " redelivered=" + redelivered;
    }
}
