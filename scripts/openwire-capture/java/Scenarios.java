import java.io.Serializable;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.jms.*;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQSession;
import org.apache.activemq.ActiveMQXAConnectionFactory;
import org.apache.activemq.RedeliveryPolicy;

/**
 * JMS scenarios run through the recording proxy, one scenario per JVM run:
 *
 *   java -cp CP:. Scenarios SCENARIO HOST:PORT [WIREOPTS]
 *
 * WIREOPTS is appended to every tcp:// URL ("" for the client defaults,
 * "wireFormat.tightEncodingEnabled=false&wireFormat.cacheEnabled=false" for loose).
 * Each scenario drains what it sends, so they can run in any order against one broker.
 * Every step prints one line; a failed expectation exits non-zero.
 */
public class Scenarios {
    static String hostPort;
    static String wireOpts;

    static String url(String... extra) {
        StringBuilder sb = new StringBuilder("tcp://").append(hostPort);
        String sep = "?";
        if (!wireOpts.isEmpty()) { sb.append(sep).append(wireOpts); sep = "&"; }
        for (String e : extra) { sb.append(sep).append(e); sep = "&"; }
        return sb.toString();
    }

    static ActiveMQConnection connect(String... extra) throws JMSException {
        return (ActiveMQConnection) new ActiveMQConnectionFactory(url(extra)).createConnection();
    }

    static void log(String s) { System.out.println("  " + s); }

    static Message expect(MessageConsumer c, long timeout, String what) throws JMSException {
        Message m = c.receive(timeout);
        if (m == null) throw new java.lang.IllegalStateException("expected a message: " + what);
        log("received " + what + ": " + m.getClass().getSimpleName() + " " + m.getJMSMessageID());
        return m;
    }

    static void expectNone(MessageConsumer c, long timeout, String what) throws JMSException {
        Message m = c.receive(timeout);
        if (m != null) throw new java.lang.IllegalStateException("unexpected message (" + what + "): " + m);
        log("no message, as expected: " + what);
    }

    static void drain(Session s, Destination d) throws JMSException {
        MessageConsumer c = s.createConsumer(d);
        int n = 0;
        while (c.receive(300) != null) n++;
        c.close();
        if (n > 0) log("drained " + n + " from " + d);
    }

    // every JMS property type, plus message-group properties that map to OpenWire fields
    static void setAllProperties(Message m) throws JMSException {
        m.setBooleanProperty("pBoolean", true);
        m.setByteProperty("pByte", (byte) -7);
        m.setShortProperty("pShort", (short) -1234);
        m.setIntProperty("pInt", 123456789);
        m.setLongProperty("pLong", 1234567890123456789L);
        m.setFloatProperty("pFloat", 3.25f);
        m.setDoubleProperty("pDouble", -2.5e-3);
        m.setStringProperty("pString", "h\u00e9llo \u2713 \ud834\udd1e");
        m.setStringProperty("pEmpty", "");
        m.setStringProperty("JMSXGroupID", "group-A");
        m.setIntProperty("JMSXGroupSeq", 3);
    }

    static void setHeaders(Message m, Destination replyTo, String kind) throws JMSException {
        m.setJMSCorrelationID("corr-" + kind);
        m.setJMSType("type-" + kind);
        m.setJMSReplyTo(replyTo);
    }

    // ------------------------------------------------------------------ scenarios

    /** connect, session, producer+consumer on a queue, one text message, then close each piece
     *  explicitly: RemoveInfo for consumer, producer, session and connection, then ShutdownInfo. */
    static void basic() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.basic");
        MessageProducer p = s.createProducer(q);
        MessageConsumer mc = s.createConsumer(q);
        p.send(s.createTextMessage("hello pier"));
        expect(mc, 5000, "text");
        mc.close();
        log("consumer closed");
        p.close();
        log("producer closed");
        s.close();
        log("session closed");
        c.close();
        log("connection closed");
    }

    /** ConnectionInfo carrying user name, password and an explicit client id. */
    static void credentials() throws Exception {
        ActiveMQConnection c = (ActiveMQConnection) new ActiveMQConnectionFactory(url())
                .createConnection("pier-user", "pier-secret");
        c.setClientID("pier-client-id-1");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        s.close();
        c.close();
    }

    /** Message, Bytes, Text, Map, Stream, Object and Blob messages; each once persistent with
     *  every property type and header field set, once non-persistent and bare; all consumed. */
    static void messageTypes() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        ActiveMQSession s = (ActiveMQSession) c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.types");
        Queue replyQ = s.createQueue("ow.types.reply");
        Topic replyT = s.createTopic("ow.types.reply.topic");
        MessageProducer p = s.createProducer(q);
        MessageConsumer mc = s.createConsumer(q);

        Map<String, Message[]> msgs = new LinkedHashMap<>();
        for (int full = 1; full >= 0; full--) {
            Message plain = s.createMessage();

            BytesMessage bytes = s.createBytesMessage();
            bytes.writeBytes(new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff});
            bytes.writeInt(42);
            bytes.writeUTF("bytes utf");

            TextMessage text = s.createTextMessage("text body h\u00e9llo \u2713 \ud834\udd1e");

            MapMessage map = s.createMapMessage();
            map.setBoolean("mBoolean", true);
            map.setByte("mByte", (byte) 1);
            map.setShort("mShort", (short) 2);
            map.setChar("mChar", 'Z');
            map.setInt("mInt", 3);
            map.setLong("mLong", 4L);
            map.setFloat("mFloat", 5.5f);
            map.setDouble("mDouble", 6.25);
            map.setString("mString", "seven");
            map.setBytes("mBytes", new byte[] {8, 9});

            StreamMessage stream = s.createStreamMessage();
            stream.writeBoolean(false);
            stream.writeByte((byte) 1);
            stream.writeShort((short) 2);
            stream.writeChar('Y');
            stream.writeInt(3);
            stream.writeLong(4L);
            stream.writeFloat(5.5f);
            stream.writeDouble(6.25);
            stream.writeString("seven");
            stream.writeBytes(new byte[] {8, 9});

            ArrayList<String> obj = new ArrayList<>(Arrays.asList("object", "message"));
            ObjectMessage object = s.createObjectMessage(obj);

            Message blob = s.createBlobMessage(new URL("http://127.0.0.1:9/blob.bin"));

            Message[] all = {plain, bytes, text, map, stream, object, blob};
            String[] names = {"Message", "Bytes", "Text", "Map", "Stream", "Object", "Blob"};
            for (int i = 0; i < all.length; i++) {
                Message m = all[i];
                if (full == 1) {
                    setAllProperties(m);
                    setHeaders(m, i % 2 == 0 ? replyQ : replyT, names[i]);
                    p.send(m, DeliveryMode.PERSISTENT, 7, 600000);
                    log("sent persistent " + names[i] + " prio 7 ttl 600000");
                } else {
                    p.send(m, DeliveryMode.NON_PERSISTENT, 4, 0);
                    log("sent non-persistent " + names[i]);
                }
            }
        }
        for (int i = 0; i < 14; i++) expect(mc, 5000, "type #" + i);
        c.close();
    }

    /** topic consumer, noLocal consumer, wildcard consumer, composite destination. */
    static void topic() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic t = s.createTopic("ow.topic.a");
        MessageConsumer plain = s.createConsumer(t);
        MessageConsumer noLocal = s.createConsumer(t, null, true);
        MessageConsumer wild = s.createConsumer(s.createTopic("ow.topic.>"));
        MessageConsumer star = s.createConsumer(s.createTopic("ow.*.a"));
        MessageProducer p = s.createProducer(t);
        p.send(s.createTextMessage("to topic"));
        expect(plain, 5000, "topic plain");
        expect(wild, 5000, "topic wildcard >");
        expect(star, 5000, "topic wildcard *");
        expectNone(noLocal, 500, "noLocal consumer, own message");
        // composite destination: one send to two queues
        Queue comp = s.createQueue("ow.comp.1,ow.comp.2");
        MessageProducer cp = s.createProducer(comp);
        cp.send(s.createTextMessage("composite"));
        expect(s.createConsumer(s.createQueue("ow.comp.1")), 5000, "composite part 1");
        expect(s.createConsumer(s.createQueue("ow.comp.2")), 5000, "composite part 2");
        // an anonymous producer (no destination in ProducerInfo)
        MessageProducer anon = s.createProducer(null);
        anon.send(t, s.createTextMessage("anonymous producer"));
        expect(plain, 5000, "from anonymous producer");
        c.close();
    }

    /** durable subscribers (plain and with selector), offline delivery, unsubscribe. */
    static void durable() throws Exception {
        ActiveMQConnection c = connect();
        c.setClientID("ow-durable-client");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic t = s.createTopic("ow.durable");
        TopicSubscriber d1 = s.createDurableSubscriber(t, "ow-sub-1");
        TopicSubscriber d2 = s.createDurableSubscriber(t, "ow-sub-2", "color = 'red'", false);
        MessageProducer p = s.createProducer(t);
        Message red = s.createTextMessage("red one");
        red.setStringProperty("color", "red");
        p.send(red);
        expect(d1, 5000, "durable 1 online");
        expect(d2, 5000, "durable 2 online (selector match)");
        d1.close();
        d2.close();
        log("subscribers closed (subscriptions stay)");
        Message blue = s.createTextMessage("blue one, sent while offline");
        blue.setStringProperty("color", "blue");
        p.send(blue);
        d1 = s.createDurableSubscriber(t, "ow-sub-1");
        expect(d1, 5000, "durable 1 offline message");
        d1.close();
        d2 = s.createDurableSubscriber(t, "ow-sub-2", "color = 'red'", false);
        expectNone(d2, 500, "durable 2 filtered blue");
        d2.close();
        s.unsubscribe("ow-sub-1");
        s.unsubscribe("ow-sub-2");
        log("unsubscribed both");
        c.close();
    }

    /** consumer with a selector; properties matched broker side. */
    static void selector() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.selector");
        MessageConsumer sel = s.createConsumer(q, "color = 'red' AND size > 3 OR JMSPriority = 9");
        MessageProducer p = s.createProducer(q);
        for (int i = 0; i < 3; i++) {
            Message m = s.createTextMessage("m" + i);
            m.setStringProperty("color", i == 1 ? "red" : "green");
            m.setIntProperty("size", 5);
            p.send(m);
        }
        expect(sel, 5000, "selected red");
        expectNone(sel, 500, "others not selected");
        sel.close();
        drain(s, q);
        c.close();
    }

    /** QueueBrowser (browser ConsumerInfo, dispatches, then a null-message dispatch). */
    static void browser() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.browse");
        MessageProducer p = s.createProducer(q);
        for (int i = 0; i < 3; i++) {
            Message m = s.createTextMessage("browse " + i);
            m.setIntProperty("n", i);
            p.send(m);
        }
        QueueBrowser b = s.createBrowser(q);
        int n = 0;
        for (Enumeration<?> e = b.getEnumeration(); e.hasMoreElements(); e.nextElement()) n++;
        log("browsed " + n);
        b.close();
        QueueBrowser bs = s.createBrowser(q, "n > 0");
        n = 0;
        for (Enumeration<?> e = bs.getEnumeration(); e.hasMoreElements(); e.nextElement()) n++;
        log("browsed with selector " + n);
        bs.close();
        drain(s, q);
        c.close();
    }

    /** prefetch 0 consumers pull: MessagePull with a message waiting, with none (receiveNoWait
     *  and a timed receive), answered by a dispatch or a null-message dispatch. */
    static void prefetch0() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.pull?consumer.prefetchSize=0");
        MessageProducer p = s.createProducer(s.createQueue("ow.pull"));
        MessageConsumer mc = s.createConsumer(q);
        p.send(s.createTextMessage("pull me"));
        expect(mc, 5000, "pulled");
        Message m = mc.receiveNoWait();
        log("receiveNoWait -> " + m);
        expectNone(mc, 700, "timed pull on empty queue");
        mc.close();
        // same with the connection-wide prefetch policy
        ActiveMQConnection c2 = connect("jms.prefetchPolicy.all=0");
        c2.start();
        Session s2 = c2.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer mc2 = s2.createConsumer(s2.createQueue("ow.pull"));
        p.send(s.createTextMessage("pull me too"));
        expect(mc2, 5000, "pulled (policy)").acknowledge();
        c2.close();
        c.close();
    }

    /** every acknowledgement mode and the ack types the client produces from them. */
    static void acks() throws Exception {
        ActiveMQConnection c = connect("jms.prefetchPolicy.queuePrefetch=4");
        RedeliveryPolicy rp = c.getRedeliveryPolicy();
        rp.setMaximumRedeliveries(2);
        rp.setInitialRedeliveryDelay(0);
        rp.setRedeliveryDelay(0);
        c.start();
        Session ps = c.createSession(false, Session.AUTO_ACKNOWLEDGE);

        // AUTO_ACKNOWLEDGE: standard ack per message
        Queue qa = ps.createQueue("ow.ack.auto");
        ps.createProducer(qa).send(ps.createTextMessage("auto"));
        Session sa = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer ca = sa.createConsumer(qa);
        expect(ca, 5000, "auto-ack");
        ca.close();
        sa.close();

        // DUPS_OK_ACKNOWLEDGE: batched standard acks
        Queue qd = ps.createQueue("ow.ack.dupsok");
        MessageProducer pd = ps.createProducer(qd);
        for (int i = 0; i < 6; i++) pd.send(ps.createTextMessage("dups " + i));
        Session sd = c.createSession(false, Session.DUPS_OK_ACKNOWLEDGE);
        MessageConsumer cd = sd.createConsumer(qd);
        for (int i = 0; i < 6; i++) expect(cd, 5000, "dups-ok " + i);
        cd.close();
        sd.close();

        // CLIENT_ACKNOWLEDGE: delivered acks while receiving (prefetch 4), a standard ack on acknowledge(),
        // and recover() (redelivery) before that
        Queue qc = ps.createQueue("ow.ack.client");
        MessageProducer pc = ps.createProducer(qc);
        for (int i = 0; i < 6; i++) pc.send(ps.createTextMessage("client " + i));
        Session sc = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer cc = sc.createConsumer(qc);
        expect(cc, 5000, "client-ack first");
        sc.recover();
        log("session.recover()");
        Message last = null;
        for (int i = 0; i < 6; i++) last = expect(cc, 5000, "client-ack " + i + " (after recover)");
        last.acknowledge();
        log("acknowledge()");
        cc.close();
        sc.close();

        // INDIVIDUAL_ACKNOWLEDGE: one individual ack per acknowledge()
        Queue qi = ps.createQueue("ow.ack.individual");
        MessageProducer pi = ps.createProducer(qi);
        for (int i = 0; i < 3; i++) pi.send(ps.createTextMessage("individual " + i));
        Session si = c.createSession(false, ActiveMQSession.INDIVIDUAL_ACKNOWLEDGE);
        MessageConsumer ci = si.createConsumer(qi);
        Message i0 = expect(ci, 5000, "individual 0");
        Message i1 = expect(ci, 5000, "individual 1");
        Message i2 = expect(ci, 5000, "individual 2");
        i1.acknowledge();
        i0.acknowledge();
        i2.acknowledge();
        log("individually acknowledged 1, 0, 2");
        ci.close();
        si.close();

        // SESSION_TRANSACTED: acks inside transactions; rollback -> redelivered ack, past
        // maximumRedeliveries (2) -> poison ack
        Queue qt = ps.createQueue("ow.ack.tx");
        MessageProducer pt = ps.createProducer(qt);
        pt.send(ps.createTextMessage("tx ok"));
        pt.send(ps.createTextMessage("tx poison"));
        Session st = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer ct = st.createConsumer(qt);
        expect(ct, 5000, "tx ok");
        st.commit();
        log("commit");
        for (int r = 0; r < 3; r++) {
            Message m = expect(ct, 5000, "tx poison, delivery " + (r + 1));
            log("redeliveryCounter=" + ((org.apache.activemq.command.ActiveMQMessage) m).getRedeliveryCounter());
            st.rollback();
            log("rollback");
        }
        expectNone(ct, 700, "poisoned message went to the DLQ");
        st.commit();
        ct.close();
        st.close();
        drain(ps, ps.createQueue("ActiveMQ.DLQ"));

        // expired in the client's prefetch buffer -> expired ack
        Queue qe = ps.createQueue("ow.ack.expired");
        Session se = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer ce = se.createConsumer(qe);
        MessageProducer pe = ps.createProducer(qe);
        pe.send(ps.createTextMessage("expires soon"), DeliveryMode.NON_PERSISTENT, 4, 300);
        Thread.sleep(900);
        expectNone(ce, 500, "expired in prefetch");
        ce.close();
        se.close();
        c.close();
    }

    /** local transactions: BEGIN, COMMIT_ONE_PHASE, ROLLBACK on producing and consuming sessions. */
    static void transactions() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session ts = c.createSession(true, Session.SESSION_TRANSACTED);
        Queue q = ts.createQueue("ow.tx");
        MessageProducer p = ts.createProducer(q);
        p.send(ts.createTextMessage("tx 1"));
        p.send(ts.createTextMessage("tx 2"));
        ts.commit();
        log("producer commit (2 messages)");
        p.send(ts.createTextMessage("tx rolled back"));
        ts.rollback();
        log("producer rollback (1 message)");
        Session rs = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer mc = rs.createConsumer(q);
        expect(mc, 5000, "tx 1");
        rs.rollback();
        log("consumer rollback");
        expect(mc, 5000, "tx 1 again");
        expect(mc, 5000, "tx 2");
        rs.commit();
        log("consumer commit");
        expectNone(mc, 500, "rolled-back send never arrives");
        rs.commit();
        c.close();
    }

    static final class SimpleXid implements Xid, Serializable {
        final byte[] gtid, bq;
        SimpleXid(int n) { gtid = ("ow-gtid-" + n).getBytes(); bq = ("ow-bq-" + n).getBytes(); }
        public int getFormatId() { return 0x4f57; }
        public byte[] getGlobalTransactionId() { return gtid; }
        public byte[] getBranchQualifier() { return bq; }
    }

    /** XA: BEGIN/END/PREPARE (IntegerResponse)/COMMIT_TWO_PHASE, one-phase commit, rollback,
     *  RECOVER (DataArrayResponse) and FORGET of an unknown xid (ExceptionResponse). */
    static void xa() throws Exception {
        XAConnection xc = new ActiveMQXAConnectionFactory(url()).createXAConnection();
        xc.start();
        XASession xs = xc.createXASession();
        XAResource r = xs.getXAResource();
        Queue q = xs.createQueue("ow.xa");
        MessageProducer p = xs.createProducer(q);

        Xid x1 = new SimpleXid(1);
        r.start(x1, XAResource.TMNOFLAGS);
        p.send(xs.createTextMessage("xa two-phase"));
        r.end(x1, XAResource.TMSUCCESS);
        log("prepare -> " + r.prepare(x1));
        r.commit(x1, false);
        log("two-phase commit");

        Xid x2 = new SimpleXid(2);
        r.start(x2, XAResource.TMNOFLAGS);
        p.send(xs.createTextMessage("xa one-phase"));
        r.end(x2, XAResource.TMSUCCESS);
        r.commit(x2, true);
        log("one-phase commit");

        Xid x3 = new SimpleXid(3);
        r.start(x3, XAResource.TMNOFLAGS);
        p.send(xs.createTextMessage("xa rolled back"));
        r.end(x3, XAResource.TMSUCCESS);
        r.rollback(x3);
        log("rollback");

        Xid x4 = new SimpleXid(4);
        r.start(x4, XAResource.TMNOFLAGS);
        p.send(xs.createTextMessage("xa in doubt"));
        r.end(x4, XAResource.TMSUCCESS);
        r.prepare(x4);
        Xid[] inDoubt = r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        log("recover -> " + inDoubt.length + " xid(s)");
        r.rollback(x4);
        log("rollback prepared");

        try {
            r.forget(new SimpleXid(99));
            log("forget unknown xid: no error");
        } catch (XAException e) {
            log("forget unknown xid -> XAException " + e.errorCode + " " + e.getMessage());
        }

        // consume inside an XA transaction
        MessageConsumer mc = xs.createConsumer(q);
        Xid x5 = new SimpleXid(5);
        r.start(x5, XAResource.TMNOFLAGS);
        expect(mc, 5000, "xa consume 1");
        expect(mc, 5000, "xa consume 2");
        r.end(x5, XAResource.TMSUCCESS);
        r.commit(x5, true);
        log("consumed 2 in one-phase XA commit");
        xc.close();
    }

    /** temporary queue and topic: create (DestinationInfo add), use as reply-to, delete
     *  (DestinationInfo remove). The connection's advisory consumer receives the
     *  ActiveMQ.Advisory.TempQueue/TempTopic advisories. */
    static void tempdest() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TemporaryQueue tq = s.createTemporaryQueue();
        TemporaryTopic tt = s.createTemporaryTopic();
        log("temp queue " + tq.getQueueName() + ", temp topic " + tt.getTopicName());
        Queue req = s.createQueue("ow.temp.requests");
        MessageConsumer server = s.createConsumer(req);
        MessageConsumer replies = s.createConsumer(tq);
        MessageConsumer events = s.createConsumer(tt);
        Message m = s.createTextMessage("request");
        m.setJMSReplyTo(tq);
        s.createProducer(req).send(m);
        Message got = expect(server, 5000, "request");
        MessageProducer rp = s.createProducer(null);
        rp.send(got.getJMSReplyTo(), s.createTextMessage("reply"));
        expect(replies, 5000, "reply on temp queue");
        rp.send(tt, s.createTextMessage("event"));
        expect(events, 5000, "event on temp topic");
        replies.close();
        events.close();
        tq.delete();
        tt.delete();
        log("temp destinations deleted");
        Thread.sleep(300);
        c.close();
    }

    /** explicit subscriptions to advisory topics while another connection comes and goes. */
    static void advisory() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer conns = s.createConsumer(s.createTopic("ActiveMQ.Advisory.Connection"));
        MessageConsumer cons = s.createConsumer(s.createTopic("ActiveMQ.Advisory.Consumer.Queue.ow.adv"));
        MessageConsumer prods = s.createConsumer(s.createTopic("ActiveMQ.Advisory.Producer.Queue.ow.adv"));
        MessageConsumer queues = s.createConsumer(s.createTopic("ActiveMQ.Advisory.Queue"));
        // the broker replays existing connections (incl. ours) on subscribe
        while (conns.receive(500) != null) log("connection advisory (existing)");
        while (queues.receive(300) != null) log("queue advisory (existing)");

        ActiveMQConnection o = connect();
        o.start();
        Session os = o.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = os.createQueue("ow.adv");
        MessageConsumer oc = os.createConsumer(q);
        MessageProducer op = os.createProducer(q);
        op.send(os.createTextMessage("advised"));
        expect(oc, 5000, "message on watched queue");
        oc.close();
        op.close();
        o.close();
        expect(conns, 5000, "connection advisory (add)");
        expect(conns, 5000, "connection advisory (remove)");
        expect(cons, 5000, "consumer advisory (add)");
        expect(cons, 5000, "consumer advisory (remove)");
        expect(prods, 5000, "producer advisory (add)");
        expect(prods, 5000, "producer advisory (remove)");
        expect(queues, 5000, "queue advisory (ow.adv created)");
        c.close();
    }

    /** a 1 MiB bytes message, a 200 KiB text message and a >64 KiB string property. */
    static void large() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.large");
        MessageProducer p = s.createProducer(q);
        MessageConsumer mc = s.createConsumer(q);
        byte[] mib = new byte[1024 * 1024];
        for (int i = 0; i < mib.length; i++) mib[i] = (byte) (i * 31 + 7);
        BytesMessage b = s.createBytesMessage();
        b.writeBytes(mib);
        p.send(b);
        BytesMessage got = (BytesMessage) expect(mc, 10000, "1 MiB bytes");
        if (got.getBodyLength() != mib.length) throw new java.lang.IllegalStateException("length " + got.getBodyLength());
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 200 * 1024) sb.append("0123456789abcdef\u00e9");
        p.send(s.createTextMessage(sb.toString()));
        expect(mc, 10000, "200 KiB text");
        Message m = s.createMessage();
        m.setStringProperty("big", sb.substring(0, 70000));
        p.send(m);
        expect(mc, 10000, "70000-char string property");
        c.close();
    }

    /** maxInactivityDuration=1000: both sides send KeepAliveInfo while the connection idles. */
    static void keepalive() throws Exception {
        // the inactivity monitor only starts after MaxInactivityDurationInitalDelay (10 s by default)
        ActiveMQConnection c = connect("wireFormat.maxInactivityDuration=1000",
                "wireFormat.maxInactivityDurationInitalDelay=500");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        log("idling 4.5 s");
        Thread.sleep(4500);
        s.close();
        c.close();
    }

    /** things the broker refuses: a duplicate client id (InvalidClientIDException), unsubscribing
     *  an active durable subscription, and a commit of a transaction the broker forgot about. */
    static void errors() throws Exception {
        ActiveMQConnection c1 = connect();
        c1.setClientID("ow-dup-client");
        c1.start();
        ActiveMQConnection c2 = connect();
        try {
            c2.setClientID("ow-dup-client");
            c2.start();
            log("duplicate client id accepted?!");
        } catch (JMSException e) {
            log("duplicate client id -> " + e.getClass().getName() + ": " + e.getMessage());
        }
        try { c2.close(); } catch (JMSException ignored) { }

        Session s = c1.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic t = s.createTopic("ow.err.durable");
        TopicSubscriber d = s.createDurableSubscriber(t, "ow-err-sub");
        try {
            s.unsubscribe("ow-err-sub");
            log("unsubscribe of active subscription accepted?!");
        } catch (JMSException e) {
            log("unsubscribe active -> " + e.getClass().getName() + ": " + e.getMessage());
        }
        d.close();
        try {
            s.unsubscribe("ow-no-such-sub");
            log("unsubscribe of unknown subscription accepted");
        } catch (JMSException e) {
            log("unsubscribe unknown -> " + e.getClass().getName() + ": " + e.getMessage());
        }
        s.unsubscribe("ow-err-sub");
        c1.close();
    }

    /** the broker's abortSlowConsumerStrategy (queue policy "ow.slow.>") closes a consumer that
     *  sits on a full prefetch: ConsumerControl(close=true). */
    static void slowConsumer() throws Exception {
        ActiveMQConnection c = connect("jms.prefetchPolicy.queuePrefetch=1");
        c.start();
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.slow.q");
        MessageProducer p = s.createProducer(q);
        for (int i = 0; i < 5; i++) p.send(s.createTextMessage("slow " + i));
        MessageConsumer mc = s.createConsumer(q);
        expect(mc, 5000, "first (never acknowledged)");
        log("sitting on a full prefetch for 4 s");
        Thread.sleep(4000);
        try { mc.close(); } catch (JMSException e) { log("close -> " + e); }
        Session ds = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        drain(ds, q);
        c.close();
    }

    /** producer flow control window: async sends answered by ProducerAck; also forced sync and
     *  forced async sends (responseRequired flipped against the delivery mode). */
    static void producerWindow() throws Exception {
        ActiveMQConnection c = connect("jms.producerWindowSize=2048");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.window");
        MessageProducer p = s.createProducer(q);
        p.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        for (int i = 0; i < 4; i++) p.send(s.createTextMessage("windowed " + i));
        Thread.sleep(300);
        c.close();

        ActiveMQConnection a = connect("jms.useAsyncSend=true");
        a.start();
        Session as = a.createSession(false, Session.AUTO_ACKNOWLEDGE);
        as.createProducer(q).send(as.createTextMessage("persistent but async"));
        Thread.sleep(300);
        a.close();

        ActiveMQConnection y = connect("jms.alwaysSyncSend=true");
        y.start();
        Session ys = y.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer yp = ys.createProducer(q);
        yp.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        yp.send(ys.createTextMessage("non-persistent but sync"));
        MessageConsumer mc = ys.createConsumer(q);
        for (int i = 0; i < 6; i++) expect(mc, 5000, "window/async/sync " + i);
        y.close();
    }

    /** jms.useCompression=true: message bodies deflated, compressed flag set. */
    static void compression() throws Exception {
        ActiveMQConnection c = connect("jms.useCompression=true");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.compressed");
        MessageProducer p = s.createProducer(q);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) sb.append("compress me ");
        p.send(s.createTextMessage(sb.toString()));
        BytesMessage b = s.createBytesMessage();
        b.writeBytes(sb.toString().getBytes("UTF-8"));
        p.send(b);
        MapMessage m = s.createMapMessage();
        m.setString("k", sb.toString());
        p.send(m);
        MessageConsumer mc = s.createConsumer(q);
        for (int i = 0; i < 3; i++) expect(mc, 5000, "compressed " + i);
        c.close();
    }

    /** destination options carried in ConsumerInfo: exclusive, priority, retroactive,
     *  maximumPendingMessageLimit, dispatchAsync=false, and a queue consumer on a wildcard. */
    static void consumerOptions() throws Exception {
        ActiveMQConnection c = connect();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer ex = s.createConsumer(s.createQueue("ow.opts.q?consumer.exclusive=true&consumer.priority=9"));
        MessageConsumer noAsync = s.createConsumer(s.createQueue("ow.opts.q2?consumer.dispatchAsync=false&consumer.prefetchSize=7"));
        MessageConsumer retro = s.createConsumer(s.createTopic("ow.opts.t?consumer.retroactive=true&consumer.maximumPendingMessageLimit=50"));
        MessageConsumer wild = s.createConsumer(s.createQueue("ow.opts.>"));
        MessageProducer p = s.createProducer(s.createQueue("ow.opts.q"));
        p.send(s.createTextMessage("to exclusive"));
        Message m = ex.receive(1000);
        if (m == null) m = wild.receive(1000);
        log("got " + (m == null ? "nothing" : "it"));
        ex.close(); noAsync.close(); retro.close(); wild.close();
        drain(s, s.createQueue("ow.opts.q"));
        c.close();
    }

    /** the failover transport around the same tcp connection (ConnectionInfo.failoverReconnect etc.). */
    static void failover() throws Exception {
        ActiveMQConnection c = (ActiveMQConnection) new ActiveMQConnectionFactory(
                "failover:(" + url() + ")?randomize=false&maxReconnectAttempts=0").createConnection();
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue("ow.failover");
        s.createProducer(q).send(s.createTextMessage("via failover"));
        expect(s.createConsumer(q), 5000, "via failover");
        c.close();
    }

    /** run against the secured broker: wrong password (SecurityException on ConnectionInfo),
     *  anonymous producer on a queue only admins may write (SecurityException). */
    static void security() throws Exception {
        try {
            Connection bad = new ActiveMQConnectionFactory(url()).createConnection("pier", "wrong-password");
            bad.start();
            log("bad password accepted?!");
            bad.close();
        } catch (JMSException e) {
            log("bad password -> " + e.getClass().getName() + ": " + e.getMessage());
        }
        ActiveMQConnection c = (ActiveMQConnection) new ActiveMQConnectionFactory(url()).createConnection("pier", "secret");
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            MessageProducer p = s.createProducer(s.createQueue("forbidden.q"));
            p.send(s.createTextMessage("not allowed"));
            log("send to forbidden queue accepted?!");
        } catch (JMSException e) {
            log("forbidden producer -> " + e.getClass().getName() + ": " + e.getMessage());
        }
        try {
            s.createConsumer(s.createQueue("forbidden.q"));
            log("consumer on forbidden queue accepted?!");
        } catch (JMSException e) {
            log("forbidden consumer -> " + e.getClass().getName() + ": " + e.getMessage());
        }
        // an anonymous producer passes ProducerInfo; its async (non-persistent) send to the forbidden
        // queue fails broker side with no response to carry the error: ConnectionError
        final java.util.concurrent.CountDownLatch asyncError = new java.util.concurrent.CountDownLatch(1);
        c.setExceptionListener(e -> { log("async error -> " + e); asyncError.countDown(); });
        MessageProducer anon = s.createProducer(null);
        anon.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        anon.send(s.createQueue("forbidden.q"), s.createTextMessage("async, not allowed"));
        log("async send to forbidden queue; ConnectionError seen: "
                + asyncError.await(3, java.util.concurrent.TimeUnit.SECONDS));
        Queue ok = s.createQueue("allowed.q");
        s.createProducer(ok).send(s.createTextMessage("allowed"));
        expect(s.createConsumer(ok), 5000, "allowed");
        c.close();
    }

    /** capture.py stops the broker (SIGTERM) once this prints READY: the broker's own ShutdownInfo
     *  (or whatever it sends while going down) reaches the client. */
    static void brokerShutdown() throws Exception {
        ActiveMQConnection c = connect();
        final java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);
        c.setExceptionListener(e -> { log("connection failed: " + e); failed.countDown(); });
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(s.createQueue("ow.shutdown"));
        System.out.println("READY");
        System.out.flush();
        log("broker went away: " + failed.await(60, java.util.concurrent.TimeUnit.SECONDS));
        try { c.close(); } catch (JMSException ignored) { }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Scenarios SCENARIO HOST:PORT [WIREOPTS]");
            System.exit(2);
        }
        hostPort = args[1];
        wireOpts = args.length > 2 ? args[2] : "";
        System.out.println("scenario " + args[0] + " -> " + url());
        switch (args[0]) {
            case "basic": basic(); break;
            case "credentials": credentials(); break;
            case "message-types": messageTypes(); break;
            case "topic": topic(); break;
            case "durable": durable(); break;
            case "selector": selector(); break;
            case "browser": browser(); break;
            case "prefetch0": prefetch0(); break;
            case "acks": acks(); break;
            case "transactions": transactions(); break;
            case "xa": xa(); break;
            case "tempdest": tempdest(); break;
            case "advisory": advisory(); break;
            case "large": large(); break;
            case "keepalive": keepalive(); break;
            case "errors": errors(); break;
            case "slow-consumer": slowConsumer(); break;
            case "producer-window": producerWindow(); break;
            case "compression": compression(); break;
            case "consumer-options": consumerOptions(); break;
            case "failover": failover(); break;
            case "security": security(); break;
            case "broker-shutdown": brokerShutdown(); break;
            default:
                System.err.println("unknown scenario " + args[0]);
                System.exit(2);
        }
        System.out.println("scenario " + args[0] + " done");
        System.exit(0);
    }
}
