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

    /**
     * failover-tx-consume <count>: <count> persistent messages are queued, a transacted consumer on failover:
     * receives 5 of them, prints RECEIVED and waits for a line on stdin (the active is killed meanwhile),
     * then commits. Whatever the commit does, every message must end up consumed in a committed
     * transaction exactly once; after a TransactionRolledBackException the 5 come again, redelivered.
     */
    static String consumeTransaction(int count) throws Exception {
        String qn = "failover.txc." + PierJms.RUN;
        Connection c = PierJms.connect();
        Session ps = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = ps.createProducer(ps.createQueue(qn));
        for (int i = 0; i < count; i++) {
            Message m = ps.createTextMessage("txc " + i);
            m.setStringProperty("pierId", "c" + i);
            p.send(m);
        }
        Session s = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer r = s.createConsumer(s.createQueue(qn));
        Set<String> first = new HashSet<>();
        for (int i = 0; i < 5; i++) first.add(PierJms.recv(r, 5000, "transacted receive " + i).getStringProperty("pierId"));
        System.out.println("RECEIVED");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        Map<String, Integer> committed = new HashMap<>();
        String outcome;
        int redelivered = 0;
        try {
            s.commit();
            outcome = "committed";
            for (String id : first) committed.merge(id, 1, Integer::sum);
        } catch (TransactionRolledBackException e) {
            outcome = "rolled-back";
            PierJms.log("commit after failover: %s", e);
        }
        // Drain the rest in transactions of one message each, committing every one.
        while (true) {
            Message m = r.receive(3000);
            if (m == null) break;
            String id = m.getStringProperty("pierId");
            if (m.getJMSRedelivered()) redelivered++;
            s.commit();
            committed.merge(id, 1, Integer::sum);
        }
        int duplicates = 0;
        for (int v : committed.values()) duplicates += v - 1;
        PierJms.check(committed.size() == count, "%s: %d of %d messages consumed in committed transactions", outcome, committed.size(), count);
        PierJms.check(duplicates == 0, "%s: %d messages consumed twice", outcome, duplicates);
        if (outcome.equals("rolled-back")) {
            PierJms.check(redelivered >= first.size(), "rolled back: only %d redelivered messages, %d expected", redelivered, first.size());
        }
        PierJms.closeQuietly(c);
        return "outcome=" + outcome + " messages=" + count + " redelivered=" + redelivered + " exactly_once=yes";
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
