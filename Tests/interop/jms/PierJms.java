// PierJms: JMS interop scenarios for Pier's OpenWire support.
//
// Runs ONE scenario with Debian's ActiveMQ JMS client (libactivemq-java 5.17.2) against a broker,
// asserts the results itself, prints "PASS <scenario> <details>" and exits 0, or prints
// "FAIL <scenario>: <reason>" and exits 1. Written to run first against real ActiveMQ (the
// reference) and later, unchanged, against Pier.
//
//   javac -d classes -cp $CP src/PierJms.java
//   java -cp $CP:classes PierJms <scenario> <brokerUrl> [args]
//
// CP=/usr/share/java/activemq-client.jar:/usr/share/java/geronimo-jms_1.1_spec.jar:
//    /usr/share/java/geronimo-j2ee-management-1.1-spec.jar:/usr/share/java/hawtbuf.jar:
//    /usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar
//
// Environment: PIER_JMS_TIMEOUT (seconds, default 60) bounds a whole scenario; a scenario that
// exceeds it prints FAIL and exits 1 (so nothing can hang a test run).

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.jms.BytesMessage;
import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.Destination;
import javax.jms.InvalidSelectorException;
import javax.jms.JMSException;
import javax.jms.MapMessage;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.ObjectMessage;
import javax.jms.Queue;
import javax.jms.QueueBrowser;
import javax.jms.Session;
import javax.jms.StreamMessage;
import javax.jms.TemporaryQueue;
import javax.jms.TextMessage;
import javax.jms.Topic;
import javax.jms.TopicSubscriber;

import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.RedeliveryPolicy;
import org.apache.activemq.command.ActiveMQMessage;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.command.ConsumerId;
import org.apache.activemq.command.ConsumerInfo;
import org.apache.activemq.command.RemoveInfo;
import org.apache.activemq.command.SessionId;
import org.apache.activemq.command.SessionInfo;
import org.apache.activemq.transport.TransportListener;

public final class PierJms {

    // ------------------------------------------------------------------ plumbing

    /** An assertion that failed: the broker misbehaved. */
    static final class Failure extends RuntimeException {
        Failure(String msg) { super(msg); }
    }

    static String scenario = "?";
    static String url;
    static final String RUN = Long.toHexString(System.currentTimeMillis() & 0xffffffffL)
            + Integer.toHexString(new Random().nextInt(0x10000) | 0x10000).substring(1);
    static final List<Connection> OPEN = Collections.synchronizedList(new ArrayList<>());
    static final long T0 = System.nanoTime();

    static void fail(String fmt, Object... args) { throw new Failure(String.format(fmt, args)); }

    static void check(boolean cond, String fmt, Object... args) {
        if (!cond) fail(fmt, args);
    }

    static String show(Object o) {
        if (o == null) return "null";
        String s;
        if (o instanceof byte[]) s = "byte[" + ((byte[]) o).length + "]" + Arrays.toString(Arrays.copyOf((byte[]) o, Math.min(8, ((byte[]) o).length)));
        else if (o instanceof String && ((String) o).length() > 60) s = "String(len=" + ((String) o).length() + ",hash=" + o.hashCode() + ")";
        else s = String.valueOf(o);
        return s + " (" + o.getClass().getSimpleName() + ")";
    }

    /** Exact comparison: same class (boxed) and equal value; byte[] by content; Float/Double by bits. */
    static void eq(Object expected, Object actual, String what) {
        boolean ok;
        if (expected instanceof byte[] && actual instanceof byte[]) ok = Arrays.equals((byte[]) expected, (byte[]) actual);
        else ok = Objects.equals(expected, actual) && (expected == null || expected.getClass() == actual.getClass());
        if (!ok) fail("%s: expected %s, got %s", what, show(expected), show(actual));
    }

    static long ms() { return (System.nanoTime() - T0) / 1_000_000; }

    static void log(String fmt, Object... args) {
        System.err.printf("[%6d ms] %s%n", ms(), String.format(fmt, args));
    }

    static ActiveMQConnectionFactory factory() {
        return new ActiveMQConnectionFactory(url);
    }

    static Connection connect(ActiveMQConnectionFactory f, String clientId) throws JMSException {
        Connection c = f.createConnection();
        OPEN.add(c);
        if (clientId != null) c.setClientID(clientId);
        c.start();
        return c;
    }

    static Connection connect() throws JMSException { return connect(factory(), null); }

    static void closeQuietly(Connection c) {
        if (c == null) return;
        try { c.close(); } catch (Exception e) { log("close: %s", e); }
        OPEN.remove(c);
    }

    static String name(String what) { return "pier." + scenario + "." + what + "." + RUN; }

    static Message recv(MessageConsumer c, long timeoutMs, String what) throws JMSException {
        Message m = c.receive(timeoutMs);
        if (m == null) fail("%s: no message within %d ms", what, timeoutMs);
        return m;
    }

    static void expectNone(MessageConsumer c, long timeoutMs, String what) throws JMSException {
        Message m = c.receive(timeoutMs);
        if (m != null) fail("%s: expected no message, got %s", what, describe(m));
    }

    static String describe(Message m) {
        try {
            StringBuilder sb = new StringBuilder(m.getClass().getSimpleName()).append('{');
            sb.append("id=").append(m.getJMSMessageID());
            if (m instanceof TextMessage) {
                String t = ((TextMessage) m).getText();
                sb.append(", text=").append(t != null && t.length() > 40 ? t.substring(0, 40) + "..." : t);
            }
            Enumeration<?> e = m.getPropertyNames();
            while (e.hasMoreElements()) {
                String n = (String) e.nextElement();
                sb.append(", ").append(n).append('=').append(m.getObjectProperty(n));
            }
            return sb.append('}').toString();
        } catch (JMSException e) {
            return m.toString();
        }
    }

    static int deliveryCount(Message m) throws JMSException {
        Object o = m.getObjectProperty("JMSXDeliveryCount");
        if (o == null) fail("JMSXDeliveryCount missing on %s", describe(m));
        return ((Number) o).intValue();
    }

    static void startWatchdog(long seconds) {
        Thread t = new Thread(() -> {
            try { Thread.sleep(seconds * 1000); } catch (InterruptedException e) { return; }
            System.out.println("FAIL " + scenario + ": timeout, scenario did not finish within " + seconds + " s");
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }, "pier-watchdog");
        t.setDaemon(true);
        t.start();
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: PierJms <scenario> <brokerUrl> [args]\n"
                    + "scenarios: types competing topics client-ack transactions selectors request-reply browser dlq large prefetch-redelivery composite\n"
                    + "           failover-producer <count> <outfile> | failover-consumer <outfile> [producerFile]\n"
                    + "           failover-tx <count> | failover-receiver <count> <outfile> | idle [ms]");
            System.exit(2);
        }
        scenario = args[0];
        url = args[1];
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        long timeout = Long.parseLong(System.getenv().getOrDefault("PIER_JMS_TIMEOUT", "60"));
        if (!scenario.equals("failover-producer")) startWatchdog(timeout);
        int rc;
        try {
            String details = run(scenario, rest);
            System.out.println("PASS " + scenario + " " + details + " elapsed_ms=" + ms());
            rc = 0;
        } catch (Failure f) {
            System.out.println("FAIL " + scenario + ": " + f.getMessage());
            rc = 1;
        } catch (Throwable t) {
            System.out.println("FAIL " + scenario + ": unexpected " + t);
            t.printStackTrace();
            rc = 1;
        }
        System.out.flush();
        // Close what is still open, but never let a dead broker hang the exit.
        Thread closer = new Thread(() -> {
            for (Connection c : new ArrayList<>(OPEN)) closeQuietly(c);
        });
        closer.setDaemon(true);
        closer.start();
        try { closer.join(5000); } catch (InterruptedException ignored) { }
        Runtime.getRuntime().halt(rc);
    }

    static String run(String s, String[] a) throws Exception {
        switch (s) {
            case "types": return types();
            case "competing": return competing();
            case "topics": return topics();
            case "client-ack": return clientAck();
            case "transactions": return transactions();
            case "selectors": return selectors();
            case "request-reply": return requestReply();
            case "browser": return browser();
            case "dlq": return dlq();
            case "large": return large();
            case "prefetch-redelivery": return PierJmsRedelivery.run();
            case "composite": return PierJmsComposite.run();
            case "idle": return PierJmsTransport.idle(a.length > 0 ? Long.parseLong(a[0]) : 5000);
            case "failover-tx":
                if (a.length != 1) fail("usage: failover-tx <brokerUrl> <count>");
                return PierJmsFailoverTx.transaction(Integer.parseInt(a[0]));
            case "failover-tx-consume":
                if (a.length != 1) fail("usage: failover-tx-consume <brokerUrl> <count>");
                return PierJmsFailoverTx.consumeTransaction(Integer.parseInt(a[0]));
            case "failover-receiver":
                if (a.length != 2) fail("usage: failover-receiver <brokerUrl> <count> <outfile>");
                return PierJmsFailoverTx.receiver(Integer.parseInt(a[0]), a[1]);
            case "failover-producer":
                if (a.length != 2) fail("usage: failover-producer <brokerUrl> <count> <outfile>");
                return failoverProducer(Integer.parseInt(a[0]), a[1]);
            case "failover-consumer":
                if (a.length < 1) fail("usage: failover-consumer <brokerUrl> <outfile> [producerFile]");
                return failoverConsumer(a[0], a.length > 1 ? a[1] : null);
            default:
                fail("unknown scenario %s", s);
                return null;
        }
    }

    // ------------------------------------------------------------------ types

    static final String BIG_PROP = bigString(70_000, 7);   // > 64 KiB: OpenWire "big string" encoding
    static final String UNI = "h\u00e9llo \u2713 \u4e2d\u6587 \ud83d\ude00 nul:\u0000 end"; // BMP, CJK, surrogate pair, NUL
    // ActiveMQ 5.17 fact: the client writes strings as modified UTF-8 (NUL = C0 80, a supplementary
    // char = two 3-byte surrogates) everywhere, but decodes property and MapMessage strings with a
    // standard UTF-8 decoder, so NUL and non-BMP chars come back as U+FFFD there even against ActiveMQ
    // itself. Properties and map entries therefore use BMP-only, NUL-free text; bodies (Text, Stream,
    // Object) carry the full UNI string and round-trip exactly.
    static final String UNI_BMP = "h\u00e9llo \u2713 \u4e2d\u6587 \u20ac\uffee end";

    static String bigString(int len, int seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(len);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 \u00e9\u00fc\u2713\u4e2d";
        while (sb.length() < len) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return sb.toString();
    }

    /** The 8 JMS property types, with edge values. name -> exact boxed value. */
    static Map<String, Object> allProps(int idx) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("pBoolT", Boolean.TRUE);
        p.put("pBoolF", Boolean.FALSE);
        p.put("pByte", Byte.MIN_VALUE);
        p.put("pByte2", (byte) 127);
        p.put("pShort", (short) -12345);
        p.put("pInt", Integer.MIN_VALUE + idx);
        p.put("pLong", Long.MAX_VALUE - idx);
        p.put("pLongNeg", -1234567890123456789L);
        p.put("pFloat", 3.1415927f);
        p.put("pFloatNeg0", -0.0f);
        p.put("pFloatNaN", Float.NaN);
        p.put("pDouble", Double.MIN_VALUE);
        p.put("pDoubleInf", Double.NEGATIVE_INFINITY);
        p.put("pString", UNI_BMP);
        p.put("pStringEmpty", "");
        p.put("idx", idx);
        return p;
    }

    static void setProps(Message m, Map<String, Object> p) throws JMSException {
        for (Map.Entry<String, Object> e : p.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (v instanceof Boolean) m.setBooleanProperty(k, (Boolean) v);
            else if (v instanceof Byte) m.setByteProperty(k, (Byte) v);
            else if (v instanceof Short) m.setShortProperty(k, (Short) v);
            else if (v instanceof Integer) m.setIntProperty(k, (Integer) v);
            else if (v instanceof Long) m.setLongProperty(k, (Long) v);
            else if (v instanceof Float) m.setFloatProperty(k, (Float) v);
            else if (v instanceof Double) m.setDoubleProperty(k, (Double) v);
            else if (v instanceof String) m.setStringProperty(k, (String) v);
            else throw new IllegalArgumentException(k);
        }
    }

    static final Set<String> EXTRA_PROP_NAMES = new TreeSet<>();

    static void checkProps(Message m, Map<String, Object> p, String what) throws JMSException {
        Set<String> names = new TreeSet<>();
        for (Enumeration<?> e = m.getPropertyNames(); e.hasMoreElements(); ) names.add((String) e.nextElement());
        for (Map.Entry<String, Object> e : p.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            check(names.contains(k), "%s: property %s missing from getPropertyNames %s", what, k, names);
            eq(v, m.getObjectProperty(k), what + " property " + k);
            // typed getters too
            Object typed;
            if (v instanceof Boolean) typed = m.getBooleanProperty(k);
            else if (v instanceof Byte) typed = m.getByteProperty(k);
            else if (v instanceof Short) typed = m.getShortProperty(k);
            else if (v instanceof Integer) typed = m.getIntProperty(k);
            else if (v instanceof Long) typed = m.getLongProperty(k);
            else if (v instanceof Float) typed = m.getFloatProperty(k);
            else if (v instanceof Double) typed = m.getDoubleProperty(k);
            else typed = m.getStringProperty(k);
            eq(v, typed, what + " typed property " + k);
        }
        Set<String> extra = new TreeSet<>(names);
        extra.removeAll(p.keySet());
        EXTRA_PROP_NAMES.addAll(extra);
        extra.removeIf(n -> n.startsWith("JMSX") || n.startsWith("JMS_"));
        check(extra.isEmpty(), "%s: unexpected extra properties %s", what, extra);
    }

    static Map<String, Object> mapBody() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("bool", Boolean.TRUE);
        b.put("byte", (byte) -7);
        b.put("short", (short) 32000);
        b.put("char", '\u20ac');
        b.put("int", 123456789);
        b.put("long", -9876543210L);
        b.put("float", 1.5e-10f);
        b.put("double", Math.PI);
        b.put("string", UNI_BMP);
        b.put("bytes", new byte[] {0, 1, -1, 127, -128});
        b.put("bigString", bigString(70_000, 3));
        return b;
    }

    static List<Object> streamBody() {
        return Arrays.asList(Boolean.FALSE, (byte) 99, (short) -2, 'Z', 42, Long.MIN_VALUE, Float.MAX_VALUE,
                Double.MIN_NORMAL, UNI, new byte[] {9, 8, 7}, "last");
    }

    static byte[] allBytes() {
        byte[] b = new byte[512];
        for (int i = 0; i < b.length; i++) b[i] = (byte) i;
        return b;
    }

    static final class Sent {
        final int idx; final String kind; final Message msg; final int mode; final int prio; final long ttl;
        String id; long timestamp; long expiration;
        Sent(int idx, String kind, Message msg, int mode, int prio, long ttl) {
            this.idx = idx; this.kind = kind; this.msg = msg; this.mode = mode; this.prio = prio; this.ttl = ttl;
        }
    }

    static String types() throws Exception {
        Connection c = connect();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue(name("q"));
        Queue replyQ = s.createQueue(name("replyq"));
        Topic replyT = s.createTopic(name("replyt"));
        MessageConsumer cons = s.createConsumer(q);
        MessageProducer prod = s.createProducer(q);

        String bigText = bigString(100_000, 11);
        List<Sent> sent = new ArrayList<>();
        // idx, kind, message, delivery mode, priority, ttl
        sent.add(new Sent(0, "Message", s.createMessage(), DeliveryMode.PERSISTENT, 4, 0));
        sent.add(new Sent(1, "Text", s.createTextMessage(UNI), DeliveryMode.NON_PERSISTENT, 7, 600_000));
        BytesMessage bm = s.createBytesMessage();
        bm.writeBytes(allBytes());
        sent.add(new Sent(2, "Bytes", bm, DeliveryMode.PERSISTENT, 0, 0));
        MapMessage mm = s.createMapMessage();
        for (Map.Entry<String, Object> e : mapBody().entrySet()) mm.setObject(e.getKey(), e.getValue());
        sent.add(new Sent(3, "Map", mm, DeliveryMode.NON_PERSISTENT, 9, 0));
        StreamMessage sm = s.createStreamMessage();
        for (Object o : streamBody()) sm.writeObject(o);
        sent.add(new Sent(4, "Stream", sm, DeliveryMode.PERSISTENT, 1, 300_000));
        sent.add(new Sent(5, "ObjectString", s.createObjectMessage(UNI), DeliveryMode.PERSISTENT, 5, 0));
        sent.add(new Sent(6, "ObjectInteger", s.createObjectMessage(Integer.valueOf(-424242)), DeliveryMode.NON_PERSISTENT, 4, 0));
        sent.add(new Sent(7, "BigText", s.createTextMessage(bigText), DeliveryMode.PERSISTENT, 4, 0));
        sent.add(new Sent(8, "EmptyText", s.createTextMessage(""), DeliveryMode.PERSISTENT, 4, 0));
        sent.add(new Sent(9, "NullText", s.createTextMessage(null), DeliveryMode.NON_PERSISTENT, 4, 0));

        for (Sent x : sent) {
            Message m = x.msg;
            setProps(m, allProps(x.idx));
            if (x.idx == 7) m.setStringProperty("pBigString", BIG_PROP);
            m.setJMSCorrelationID("corr-" + x.idx + "-" + RUN);
            m.setJMSType("type-" + x.kind);
            if (x.idx % 3 == 0) m.setJMSReplyTo(replyQ);
            else if (x.idx % 3 == 1) m.setJMSReplyTo(replyT);
            prod.send(m, x.mode, x.prio, x.ttl);
            x.id = m.getJMSMessageID();
            x.timestamp = m.getJMSTimestamp();
            x.expiration = m.getJMSExpiration();
            check(x.id != null, "send did not assign JMSMessageID");
            if (x.ttl > 0) check(x.expiration == x.timestamp + x.ttl, "client expiration %d != ts %d + ttl %d", x.expiration, x.timestamp, x.ttl);
            else check(x.expiration == 0, "expiration without TTL should be 0, was %d", x.expiration);
        }

        Map<Integer, Message> got = new TreeMap<>();
        for (int i = 0; i < sent.size(); i++) {
            Message m = recv(cons, 5000, "types message " + i + " of " + sent.size());
            int idx = m.getIntProperty("idx");
            check(!got.containsKey(idx), "duplicate delivery of idx %d", idx);
            got.put(idx, m);
        }
        expectNone(cons, 500, "after all types");

        for (Sent x : sent) {
            Message m = got.get(x.idx);
            String w = x.kind + "[" + x.idx + "]";
            check(m != null, "%s not received", w);
            // headers
            eq(x.id, m.getJMSMessageID(), w + " JMSMessageID");
            eq(x.timestamp, m.getJMSTimestamp(), w + " JMSTimestamp");
            eq("corr-" + x.idx + "-" + RUN, m.getJMSCorrelationID(), w + " JMSCorrelationID");
            eq("type-" + x.kind, m.getJMSType(), w + " JMSType");
            eq(x.prio, m.getJMSPriority(), w + " JMSPriority");
            eq(x.mode, m.getJMSDeliveryMode(), w + " JMSDeliveryMode");
            eq(x.expiration, m.getJMSExpiration(), w + " JMSExpiration");
            eq(false, m.getJMSRedelivered(), w + " JMSRedelivered");
            Destination d = m.getJMSDestination();
            check(d instanceof Queue && ((Queue) d).getQueueName().equals(q.getQueueName()),
                    "%s JMSDestination %s", w, d);
            Destination rt = m.getJMSReplyTo();
            if (x.idx % 3 == 0) check(rt instanceof Queue && !(rt instanceof Topic) && ((Queue) rt).getQueueName().equals(replyQ.getQueueName()),
                    "%s JMSReplyTo expected queue %s got %s", w, replyQ, rt);
            else if (x.idx % 3 == 1) check(rt instanceof Topic && !(rt instanceof Queue) && ((Topic) rt).getTopicName().equals(replyT.getTopicName()),
                    "%s JMSReplyTo expected topic %s got %s", w, replyT, rt);
            else check(rt == null, "%s JMSReplyTo expected null got %s", w, rt);
            // properties
            Map<String, Object> props = allProps(x.idx);
            if (x.idx == 7) props.put("pBigString", BIG_PROP);
            checkProps(m, props, w);
            // bodies
            switch (x.kind) {
                case "Message":
                    check(!(m instanceof TextMessage || m instanceof BytesMessage || m instanceof MapMessage
                            || m instanceof StreamMessage || m instanceof ObjectMessage), "%s arrived as %s", w, m.getClass());
                    break;
                case "Text": case "BigText": case "EmptyText": case "NullText":
                    check(m instanceof TextMessage, "%s arrived as %s", w, m.getClass());
                    eq(((TextMessage) x.msg).getText(), ((TextMessage) m).getText(), w + " text");
                    break;
                case "Bytes": {
                    check(m instanceof BytesMessage, "%s arrived as %s", w, m.getClass());
                    BytesMessage b = (BytesMessage) m;
                    eq(512L, b.getBodyLength(), w + " body length");
                    byte[] buf = new byte[600];
                    int n = b.readBytes(buf);
                    eq(512, n, w + " readBytes");
                    eq(allBytes(), Arrays.copyOf(buf, n), w + " bytes");
                    break;
                }
                case "Map": {
                    check(m instanceof MapMessage, "%s arrived as %s", w, m.getClass());
                    MapMessage r = (MapMessage) m;
                    Map<String, Object> exp = mapBody();
                    Set<String> names = new TreeSet<>();
                    for (Enumeration<?> e = r.getMapNames(); e.hasMoreElements(); ) names.add((String) e.nextElement());
                    eq(new TreeSet<>(exp.keySet()), names, w + " map names");
                    for (Map.Entry<String, Object> e : exp.entrySet()) eq(e.getValue(), r.getObject(e.getKey()), w + " map entry " + e.getKey());
                    eq(Boolean.TRUE, r.getBoolean("bool"), w + " getBoolean");
                    eq('\u20ac', r.getChar("char"), w + " getChar");
                    eq(-9876543210L, r.getLong("long"), w + " getLong");
                    break;
                }
                case "Stream": {
                    check(m instanceof StreamMessage, "%s arrived as %s", w, m.getClass());
                    StreamMessage r = (StreamMessage) m;
                    int i = 0;
                    for (Object o : streamBody()) eq(o, r.readObject(), w + " stream item " + (i++));
                    try {
                        Object extra = r.readObject();
                        fail("%s stream has extra item %s", w, show(extra));
                    } catch (javax.jms.MessageEOFException expected) { /* end of stream */ }
                    break;
                }
                case "ObjectString":
                    check(m instanceof ObjectMessage, "%s arrived as %s", w, m.getClass());
                    eq(UNI, ((ObjectMessage) m).getObject(), w + " object");
                    break;
                case "ObjectInteger":
                    check(m instanceof ObjectMessage, "%s arrived as %s", w, m.getClass());
                    eq(Integer.valueOf(-424242), ((ObjectMessage) m).getObject(), w + " object");
                    break;
                default: fail("bad kind %s", x.kind);
            }
        }
        closeQuietly(c);
        return "messages=" + sent.size() + " kinds=Message,Text,Bytes,Map,Stream,Object(String),Object(Integer),BigText(100k),EmptyText,NullText"
                + " props=boolean,byte,short,int,long,float(-0,NaN),double(MIN,-Inf),String(BMP unicode,empty,70k)"
                + " headers=CorrelationID,Type,ReplyTo(queue,topic,none),Priority(0,1,4,5,7,9),Expiration(TTL),DeliveryMode(both)"
                + " extra_property_names=" + EXTRA_PROP_NAMES;
    }

    // ------------------------------------------------------------------ competing

    static String competing() throws Exception {
        final int N = 1000;
        ActiveMQConnectionFactory f = factory();
        Connection cA = connect(f, null);   // consumers 1 and 2: separate sessions on one connection
        Connection cB = connect(f, null);   // consumer 3: its own connection
        Connection cP = connect(f, null);   // producer
        String qn = name("q");
        Session[] sessions = {
                cA.createSession(false, Session.AUTO_ACKNOWLEDGE),
                cA.createSession(false, Session.AUTO_ACKNOWLEDGE),
                cB.createSession(false, Session.AUTO_ACKNOWLEDGE)};
        MessageConsumer[] consumers = new MessageConsumer[3];
        for (int i = 0; i < 3; i++) consumers[i] = sessions[i].createConsumer(sessions[i].createQueue(qn));

        final int[][] seen = new int[3][N];
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger bad = new AtomicInteger();
        final int[] counts = new int[3];
        final Set<String> ids = ConcurrentHashMap.newKeySet();
        final AtomicInteger dupIds = new AtomicInteger();
        final Throwable[] errors = new Throwable[3];
        final boolean[] stop = {false};
        Thread[] threads = new Thread[3];
        for (int i = 0; i < 3; i++) {
            final int k = i;
            threads[i] = new Thread(() -> {
                try {
                    while (true) {
                        Message m = consumers[k].receive(200);
                        if (m == null) {
                            synchronized (stop) { if (stop[0]) break; }
                            continue;
                        }
                        int seq = m.getIntProperty("seq");
                        if (seq < 0 || seq >= N || !m.getJMSDestination().toString().contains(qn)) bad.incrementAndGet();
                        else seen[k][seq]++;
                        if (!ids.add(m.getJMSMessageID())) dupIds.incrementAndGet();
                        counts[k]++;
                        total.incrementAndGet();
                    }
                } catch (Throwable t) { errors[k] = t; }
            }, "consumer-" + (i + 1));
            threads[i].start();
        }

        Session ps = cP.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = ps.createProducer(ps.createQueue(qn));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        long t0 = System.nanoTime();
        for (int i = 0; i < N; i++) {
            TextMessage m = ps.createTextMessage("competing " + i);
            m.setIntProperty("seq", i);
            p.send(m);
        }
        long sendMs = (System.nanoTime() - t0) / 1_000_000;
        long deadline = System.currentTimeMillis() + 15_000;
        while (total.get() < N && System.currentTimeMillis() < deadline) Thread.sleep(20);
        Thread.sleep(1000);   // grace period: any duplicate or stray redelivery shows up here
        synchronized (stop) { stop[0] = true; }
        for (Thread t : threads) t.join(5000);
        for (int i = 0; i < 3; i++) if (errors[i] != null) fail("consumer %d: %s", i + 1, errors[i]);

        List<Integer> missing = new ArrayList<>(), dups = new ArrayList<>();
        for (int seq = 0; seq < N; seq++) {
            int n = seen[0][seq] + seen[1][seq] + seen[2][seq];
            if (n == 0) missing.add(seq);
            if (n > 1) dups.add(seq);
        }
        String countStr = "c1=" + counts[0] + " c2=" + counts[1] + " c3=" + counts[2];
        check(bad.get() == 0, "%d foreign/invalid messages received", bad.get());
        check(missing.isEmpty(), "%d messages lost (first: %s) %s", missing.size(), missing.subList(0, Math.min(10, missing.size())), countStr);
        check(dups.isEmpty(), "%d messages duplicated (first: %s) %s", dups.size(), dups.subList(0, Math.min(10, dups.size())), countStr);
        check(dupIds.get() == 0, "%d duplicate JMSMessageIDs", dupIds.get());
        check(total.get() == N, "received %d != %d", total.get(), N);
        for (int i = 0; i < 3; i++) check(counts[i] > 0, "consumer %d got no messages: not competing (%s)", i + 1, countStr);
        // a fresh consumer sees an empty queue
        Session s2 = cB.createSession(false, Session.AUTO_ACKNOWLEDGE);
        expectNone(s2.createConsumer(s2.createQueue(qn)), 500, "queue after competing consumption");
        return "sent=" + N + " received=" + total.get() + " " + countStr + " lost=0 dup=0 send_ms=" + sendMs;
    }

    // ------------------------------------------------------------------ topics

    static String topics() throws Exception {
        ActiveMQConnectionFactory f = factory();
        Connection cSub = connect(f, null);
        Connection cPub = connect(f, null);
        String tn = name("t");
        Session ss1 = cSub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Session ss2 = cSub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic t = ss1.createTopic(tn);
        MessageConsumer sub1 = ss1.createConsumer(t);
        MessageConsumer sub2 = ss2.createConsumer(t);
        Session ps = cPub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer pub = ps.createProducer(t);

        // 1. two non-durable subscribers each get every message, in order
        final int N = 20;
        for (int i = 0; i < N; i++) pub.send(ps.createTextMessage("nd-" + i));
        for (MessageConsumer sub : new MessageConsumer[] {sub1, sub2}) {
            for (int i = 0; i < N; i++) eq("nd-" + i, ((TextMessage) recv(sub, 5000, "non-durable #" + i)).getText(), "non-durable order");
        }
        expectNone(sub1, 300, "sub1 after all");
        expectNone(sub2, 300, "sub2 after all");
        // a non-durable subscriber does not see messages published before it subscribed
        Session ss3 = cSub.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer late = ss3.createConsumer(t);
        expectNone(late, 500, "late non-durable subscriber (nothing retained)");
        pub.send(ps.createTextMessage("nd-late"));
        eq("nd-late", ((TextMessage) recv(late, 5000, "late subscriber live message")).getText(), "late subscriber");
        closeQuietly(cSub);

        // 2. durable subscriber gets messages published while offline
        String clientId = "pier-dur-" + RUN;
        String subName = "sub-" + RUN;
        Connection cd = connect(f, clientId);
        Session ds = cd.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TopicSubscriber dsub = ds.createDurableSubscriber(ds.createTopic(tn), subName);
        pub.send(ps.createTextMessage("dur-online"));
        eq("dur-online", ((TextMessage) recv(dsub, 5000, "durable online")).getText(), "durable online");
        // unsubscribe while the subscriber is active must fail
        boolean inUseRefused = false;
        try {
            ds.unsubscribe(subName);
        } catch (JMSException e) {
            inUseRefused = true;
        }
        check(inUseRefused, "unsubscribe of an active durable subscription did not fail");
        closeQuietly(cd);   // offline now
        final int OFF = 5;
        for (int i = 0; i < OFF; i++) pub.send(ps.createTextMessage("dur-offline-" + i));
        Thread.sleep(200);
        cd = connect(f, clientId);
        ds = cd.createSession(false, Session.AUTO_ACKNOWLEDGE);
        dsub = ds.createDurableSubscriber(ds.createTopic(tn), subName);
        for (int i = 0; i < OFF; i++) eq("dur-offline-" + i, ((TextMessage) recv(dsub, 5000, "durable offline #" + i)).getText(), "durable offline order");
        expectNone(dsub, 500, "durable after offline backlog");

        // 3. unsubscribe, publish, re-subscribe with the same name: starts empty
        dsub.close();
        ds.unsubscribe(subName);
        pub.send(ps.createTextMessage("after-unsubscribe"));
        Thread.sleep(200);
        dsub = ds.createDurableSubscriber(ds.createTopic(tn), subName);
        expectNone(dsub, 1000, "re-subscribed durable (message published after unsubscribe must not be retained)");
        pub.send(ps.createTextMessage("after-resubscribe"));
        eq("after-resubscribe", ((TextMessage) recv(dsub, 5000, "re-subscribed durable live")).getText(), "re-subscribed durable");
        dsub.close();
        ds.unsubscribe(subName);   // leave nothing behind
        closeQuietly(cd);
        closeQuietly(cPub);
        return "nondurable_subs=2x" + N + " late_sub_empty=yes durable_offline=" + OFF
                + " unsubscribe_active_refused=yes resubscribe_empty=yes";
    }

    // ------------------------------------------------------------------ client-ack

    static String clientAck() throws Exception {
        ActiveMQConnectionFactory f = factory();
        Connection cp = connect(f, null);
        Connection cc = connect(f, null);
        String qn = name("q");
        Session ps = cp.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = ps.createProducer(ps.createQueue(qn));
        final int N = 3;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            TextMessage m = ps.createTextMessage("ca-" + i);
            p.send(m);
            ids.add(m.getJMSMessageID());
        }
        // 1st delivery: receive, do not ack, close the session
        Session s1 = cc.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer c1 = s1.createConsumer(s1.createQueue(qn));
        List<Integer> firstCounts = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            Message m = recv(c1, 5000, "client-ack first delivery #" + i);
            eq(ids.get(i), m.getJMSMessageID(), "first delivery order");
            eq(false, m.getJMSRedelivered(), "first delivery JMSRedelivered");
            firstCounts.add(deliveryCount(m));
        }
        for (int dc : firstCounts) check(dc == 1, "first delivery JMSXDeliveryCount %d != 1", dc);
        s1.close();
        // 2nd delivery to a new consumer (new session): redelivered
        Session s2 = cc.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer c2 = s2.createConsumer(s2.createQueue(qn));
        List<Integer> secondCounts = new ArrayList<>();
        Message last = null;
        for (int i = 0; i < N; i++) {
            Message m = recv(c2, 5000, "client-ack redelivery #" + i);
            eq(ids.get(i), m.getJMSMessageID(), "redelivery order");
            eq(true, m.getJMSRedelivered(), "redelivered JMSRedelivered");
            int dc = deliveryCount(m);
            check(dc >= 2, "redelivered JMSXDeliveryCount %d < 2", dc);
            secondCounts.add(dc);
            last = m;
        }
        expectNone(c2, 300, "after redeliveries");
        last.acknowledge();   // acks every message the session consumed
        s2.close();
        // acked: gone, even for a different connection
        Connection cc2 = connect(f, null);
        Session s3 = cc2.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        expectNone(s3.createConsumer(s3.createQueue(qn)), 1000, "queue after acknowledge");
        closeQuietly(cc2);
        closeQuietly(cc);
        closeQuietly(cp);
        return "messages=" + N + " first_JMSXDeliveryCount=" + firstCounts + " redelivered=true redelivery_JMSXDeliveryCount="
                + secondCounts + " acked_gone=yes";
    }

    // ------------------------------------------------------------------ transactions

    static String transactions() throws Exception {
        ActiveMQConnectionFactory f = factory();
        Connection cp = connect(f, null);
        Connection cc = connect(f, null);
        String qn = name("q");
        Session cs = cc.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer cons = cs.createConsumer(cs.createQueue(qn));

        // transacted producer
        Session tps = cp.createSession(true, Session.SESSION_TRANSACTED);
        check(tps.getTransacted(), "session not transacted");
        MessageProducer tp = tps.createProducer(tps.createQueue(qn));
        for (int i = 0; i < 3; i++) tp.send(tps.createTextMessage("rolled-back-" + i));
        expectNone(cons, 500, "uncommitted sends visible before rollback");
        tps.rollback();
        expectNone(cons, 1000, "rolled back sends delivered");
        for (int i = 0; i < 3; i++) tp.send(tps.createTextMessage("committed-" + i));
        expectNone(cons, 500, "uncommitted sends visible before commit");
        tps.commit();
        for (int i = 0; i < 3; i++) eq("committed-" + i, ((TextMessage) recv(cons, 5000, "committed #" + i)).getText(), "committed order");
        expectNone(cons, 500, "after committed messages");
        cons.close();

        // transacted consumer
        Session ps = cp.createSession(false, Session.AUTO_ACKNOWLEDGE);
        String qn2 = name("q2");
        MessageProducer p = ps.createProducer(ps.createQueue(qn2));
        TextMessage orig = ps.createTextMessage("tx-consume");
        p.send(orig);
        Session tcs = cc.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer tc = tcs.createConsumer(tcs.createQueue(qn2));
        Message m1 = recv(tc, 5000, "tx consumer first receive");
        eq(orig.getJMSMessageID(), m1.getJMSMessageID(), "tx consumer message id");
        eq(false, m1.getJMSRedelivered(), "first receive JMSRedelivered");
        int dc1 = deliveryCount(m1);
        tcs.rollback();
        long tRb = System.nanoTime();
        Message m2 = recv(tc, 5000, "redelivery after rollback");
        long redeliveryMs = (System.nanoTime() - tRb) / 1_000_000;
        eq(orig.getJMSMessageID(), m2.getJMSMessageID(), "redelivered message id");
        eq(true, m2.getJMSRedelivered(), "after rollback JMSRedelivered");
        int dc2 = deliveryCount(m2);
        check(dc2 >= 2, "after rollback JMSXDeliveryCount %d < 2", dc2);
        eq("tx-consume", ((TextMessage) m2).getText(), "redelivered body");
        tcs.commit();
        expectNone(tc, 500, "tx consumer after commit");
        tc.close();
        tcs.close();
        Connection cc2 = connect(f, null);
        Session s3 = cc2.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer check2 = s3.createConsumer(s3.createQueue(qn2));
        expectNone(check2, 1000, "queue after transacted consume + commit");
        check2.close();   // or it would prefetch the next message

        // a transaction that consumes and produces atomically: rollback undoes both
        p.send(ps.createTextMessage("atomic-in"));
        Session tx = cc.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer txc = tx.createConsumer(tx.createQueue(qn2));
        String qn3 = name("q3");
        MessageProducer txp = tx.createProducer(tx.createQueue(qn3));
        eq("atomic-in", ((TextMessage) recv(txc, 5000, "atomic receive")).getText(), "atomic in");
        txp.send(tx.createTextMessage("atomic-out"));
        tx.rollback();
        MessageConsumer out3 = s3.createConsumer(s3.createQueue(qn3));
        expectNone(out3, 500, "rolled-back atomic output");
        eq("atomic-in", ((TextMessage) recv(txc, 5000, "atomic receive again")).getText(), "atomic in again");
        txp.send(tx.createTextMessage("atomic-out"));
        tx.commit();
        eq("atomic-out", ((TextMessage) recv(out3, 5000, "committed atomic output")).getText(), "atomic out");
        txc.close();
        tx.close();
        MessageConsumer check3 = s3.createConsumer(s3.createQueue(qn2));
        expectNone(check3, 500, "atomic input after commit");
        closeQuietly(cc2);
        closeQuietly(cc);
        closeQuietly(cp);
        return "producer_rollback=0_delivered producer_commit=3_delivered consumer_rollback=redelivered(JMSXDeliveryCount "
                + dc1 + "->" + dc2 + ", after " + redeliveryMs + " ms) consumer_commit=gone atomic_consume_produce=ok";
    }

    // ------------------------------------------------------------------ selectors

    static final String SEL1 = "color = 'red' AND weight > 5";

    /** name, color (or null), weight (or null), expected to match SEL1 */
    static Object[][] sel1Messages() {
        return new Object[][] {
                {"red10int", "red", 10, true},
                {"red6long", "red", 6L, true},
                {"red5", "red", 5, false},
                {"blue10", "blue", 10, false},
                {"redNoWeight", "red", null, false},
                {"noColor20", null, 20, false},
                {"RED10", "RED", 10, false},
                {"red5.5double", "red", 5.5d, true},
                {"red7byte", "red", (byte) 7, true},
                {"red5.01float", "red", 5.01f, true},
                {"red10string", "red", "10", false},   // string vs number: no match (ActiveMQ default)
                {"redNeg", "red", -100, false},
        };
    }

    static void setObj(Message m, String k, Object v) throws JMSException {
        if (v != null) m.setObjectProperty(k, v);
    }

    static String selectors() throws Exception {
        ActiveMQConnectionFactory f = factory();
        Connection cc = connect(f, null);
        Connection cp = connect(f, null);
        Session cs = cc.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Session ps = cp.createSession(false, Session.AUTO_ACKNOWLEDGE);

        // invalid selectors are refused at createConsumer
        String[] invalid = {"color = = 'x'", "weight >", "color IN ()", "(color = 'red'"};
        for (String bad : invalid) {
            try {
                MessageConsumer c = cs.createConsumer(cs.createQueue(name("invalid")), bad);
                c.close();
                fail("invalid selector [%s] accepted", bad);
            } catch (InvalidSelectorException expected) {
                // good
            } catch (JMSException e) {
                fail("invalid selector [%s] threw %s, not InvalidSelectorException", bad, e.getClass().getName());
            }
        }
        try {
            cs.createConsumer(cs.createTopic(name("invalidt")), "color = = 'x'").close();
            fail("invalid selector on a topic accepted");
        } catch (InvalidSelectorException expected) { /* good */ }
        // The ActiveMQ client parses selectors itself (SelectorParser in the consumer's constructor), so
        // the checks above never reach the broker. Send a raw ConsumerInfo with an invalid selector so
        // the broker has to refuse it itself.
        String rawRefusal = brokerRefusesInvalidSelector((ActiveMQConnection) cc);

        // 1. queue consumer with SEL1
        Queue q = cs.createQueue(name("q"));
        Topic t = cs.createTopic(name("t"));
        MessageConsumer qc = cs.createConsumer(q, SEL1);
        Session cs2 = cc.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer tc = cs2.createConsumer(t, SEL1);
        MessageProducer qp = ps.createProducer(q);
        MessageProducer tp = ps.createProducer(t);
        Set<String> expected = new TreeSet<>(), others = new TreeSet<>();
        for (Object[] row : sel1Messages()) {
            for (MessageProducer p : new MessageProducer[] {qp, tp}) {
                Message m = ps.createMessage();
                m.setStringProperty("name", (String) row[0]);
                setObj(m, "color", row[1]);
                setObj(m, "weight", row[2]);
                p.send(m);
            }
            ((Boolean) row[3] ? expected : others).add((String) row[0]);
        }
        for (MessageConsumer c : new MessageConsumer[] {qc, tc}) {
            String what = c == qc ? "queue" : "topic";
            Set<String> got = new TreeSet<>();
            for (int i = 0; i < expected.size(); i++) got.add(recv(c, 5000, what + " selector match #" + i + " (so far " + got + ")").getStringProperty("name"));
            Message extra = c.receive(700);
            if (extra != null) fail("%s selector [%s] also delivered %s", what, SEL1, describe(extra));
            eq(expected, got, what + " selector matches");
        }
        // non-matching messages stayed on the queue
        MessageConsumer rest = cs.createConsumer(q);
        Set<String> restGot = new TreeSet<>();
        for (int i = 0; i < others.size(); i++) restGot.add(recv(rest, 5000, "non-matching left on queue #" + i).getStringProperty("name"));
        expectNone(rest, 300, "queue after draining");
        eq(others, restGot, "non-matching messages left on the queue");

        // 2. more operators: IN, LIKE with ESCAPE, BETWEEN, IS NULL, NOT, boolean, arithmetic
        String sel2 = "kind IN ('a','b') AND label LIKE 'p\\_%' ESCAPE '\\' AND size BETWEEN 1 AND 3"
                + " AND missing IS NULL AND NOT (flag = TRUE) AND size * 2 + 1 < 8";
        Object[][] rows2 = {
                // name, kind, label, size, flag, missing, expect
                {"m1", "a", "p_x", 2, false, null, true},
                {"m2", "b", "p_", 3, false, null, true},
                {"m3", "c", "p_x", 2, false, null, false},     // kind not in list
                {"m4", "a", "px", 2, false, null, false},      // LIKE: escaped underscore must be literal
                {"m5", "a", "p_x", 4, false, null, false},     // size out of range
                {"m6", "a", "p_x", 2, true, null, false},      // flag true
                {"m7", "a", "p_x", 2, false, "here", false},   // missing is not null
                {"m8", "a", "p_x", 1, null, null, false},      // flag null -> NOT(unknown) unknown
        };
        Queue q2 = cs.createQueue(name("q2"));
        MessageConsumer c2 = cs.createConsumer(q2, sel2);
        MessageProducer p2 = ps.createProducer(q2);
        Set<String> exp2 = new TreeSet<>(), got2 = new TreeSet<>();
        for (Object[] r : rows2) {
            Message m = ps.createMessage();
            m.setStringProperty("name", (String) r[0]);
            setObj(m, "kind", r[1]);
            setObj(m, "label", r[2]);
            setObj(m, "size", r[3]);
            setObj(m, "flag", r[4]);
            setObj(m, "missing", r[5]);
            p2.send(m);
            if ((Boolean) r[6]) exp2.add((String) r[0]);
        }
        for (int i = 0; i < exp2.size(); i++) got2.add(recv(c2, 5000, "selector2 match #" + i).getStringProperty("name"));
        Message extra2 = c2.receive(700);
        if (extra2 != null) fail("selector2 also delivered %s", describe(extra2));
        eq(exp2, got2, "selector2 matches");

        // 3. header fields in selectors
        String sel3 = "JMSType = 'car' AND JMSPriority > 4 AND JMSCorrelationID LIKE 'c-%'";
        Queue q3 = cs.createQueue(name("q3"));
        MessageConsumer c3 = cs.createConsumer(q3, sel3);
        MessageProducer p3 = ps.createProducer(q3);
        Object[][] rows3 = {
                // name, type, priority, correlation, expect
                {"h1", "car", 7, "c-1", true},
                {"h2", "car", 4, "c-2", false},
                {"h3", "bike", 9, "c-3", false},
                {"h4", "car", 5, "x-4", false},
                {"h5", "car", 9, "c-5", true},
        };
        Set<String> exp3 = new TreeSet<>(), got3 = new TreeSet<>();
        for (Object[] r : rows3) {
            Message m = ps.createMessage();
            m.setStringProperty("name", (String) r[0]);
            m.setJMSType((String) r[1]);
            m.setJMSCorrelationID((String) r[3]);
            p3.send(m, DeliveryMode.NON_PERSISTENT, (Integer) r[2], 0);
            if ((Boolean) r[4]) exp3.add((String) r[0]);
        }
        for (int i = 0; i < exp3.size(); i++) got3.add(recv(c3, 5000, "selector3 match #" + i).getStringProperty("name"));
        Message extra3 = c3.receive(700);
        if (extra3 != null) fail("header selector also delivered %s", describe(extra3));
        eq(exp3, got3, "header selector matches");

        // 4. JMSDeliveryMode in a selector (JMS says compare with 'PERSISTENT'/'NON_PERSISTENT')
        String dmResult = deliveryModeSelector(cs, ps);

        closeQuietly(cc);
        closeQuietly(cp);
        return "invalid_refused=" + (invalid.length + 1) + " broker_refuses_raw_invalid=[" + rawRefusal + "] sel1_queue=" + got2str(expected) + " sel1_topic=same"
                + " nonmatching_left=" + others.size() + " sel2(IN,LIKE-ESCAPE,BETWEEN,IS NULL,NOT,arith)=" + got2
                + " sel3(headers)=" + got3 + " " + dmResult;
    }

    static String brokerRefusesInvalidSelector(ActiveMQConnection ac) throws JMSException {
        SessionId sid = new SessionId(ac.getConnectionInfo().getConnectionId(), 900_000 + new Random().nextInt(1000));
        ac.syncSendPacket(new SessionInfo(sid));
        String result = null;
        for (String bad : new String[] {"color = = 'x'", "weight >"}) {
            ConsumerInfo ci = new ConsumerInfo(new ConsumerId(sid, 1));
            ci.setDestination(new ActiveMQQueue(name("rawinvalid")));
            ci.setSelector(bad);
            ci.setPrefetchSize(10);
            try {
                ac.syncSendPacket(ci);
                fail("broker accepted a ConsumerInfo with the invalid selector [%s]", bad);
            } catch (InvalidSelectorException expected) {
                result = expected.getClass().getSimpleName();
            } catch (JMSException e) {
                fail("broker refused the invalid selector [%s] with %s, not InvalidSelectorException: %s", bad, e.getClass().getName(), e.getMessage());
            }
        }
        ac.syncSendPacket(new RemoveInfo(sid));
        return result;
    }

    static String got2str(Set<String> s) { return String.join(",", s); }

    static String deliveryModeSelector(Session cs, Session ps) throws JMSException {
        Queue q = cs.createQueue(name("qdm"));
        MessageConsumer c = cs.createConsumer(q, "JMSDeliveryMode = 'PERSISTENT'");
        MessageProducer p = ps.createProducer(q);
        Message np = ps.createMessage();
        np.setStringProperty("name", "nonpersistent");
        p.send(np, DeliveryMode.NON_PERSISTENT, 4, 0);
        Message pm = ps.createMessage();
        pm.setStringProperty("name", "persistent");
        p.send(pm, DeliveryMode.PERSISTENT, 4, 0);
        Message m = recv(c, 5000, "JMSDeliveryMode = 'PERSISTENT' selector");
        eq("persistent", m.getStringProperty("name"), "JMSDeliveryMode selector");
        expectNone(c, 500, "JMSDeliveryMode selector extra");
        return "sel4(JMSDeliveryMode='PERSISTENT')=ok";
    }

    // ------------------------------------------------------------------ request-reply

    static String requestReply() throws Exception {
        ActiveMQConnectionFactory f = factory();
        String reqQ = name("requests");
        // Responder 1 connects BEFORE the temp queue exists: it must learn of it from a live advisory.
        Connection resp1 = connect(f, null);
        Session r1s = resp1.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer r1c = r1s.createConsumer(r1s.createQueue(reqQ));
        MessageProducer r1p = r1s.createProducer(null);

        Connection req = connect(f, null);
        Session qs = req.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TemporaryQueue tq = qs.createTemporaryQueue();
        MessageConsumer replies = qs.createConsumer(tq);
        MessageProducer rp = qs.createProducer(qs.createQueue(reqQ));

        // Responder 2 connects AFTER the temp queue exists: it learns of it from the advisory replay.
        Connection resp2 = connect(f, null);
        Session r2s = resp2.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer r2c = r2s.createConsumer(r2s.createQueue(reqQ + ".2"));
        MessageProducer r2p = r2s.createProducer(null);
        MessageProducer rp2 = qs.createProducer(qs.createQueue(reqQ + ".2"));

        String[] corr = {"corr-1-" + RUN, "corr-2-" + RUN};
        MessageConsumer[] rc = {r1c, r2c};
        MessageProducer[] rpp = {r1p, r2p};
        Session[] rss = {r1s, r2s};
        MessageProducer[] reqP = {rp, rp2};
        for (int k = 0; k < 2; k++) {
            TextMessage request = qs.createTextMessage("request " + k);
            request.setJMSReplyTo(tq);
            request.setJMSCorrelationID(corr[k]);
            reqP[k].send(request);

            Message got = recv(rc[k], 5000, "responder " + (k + 1) + " request");
            Destination replyTo = got.getJMSReplyTo();
            check(replyTo instanceof TemporaryQueue, "responder %d: JMSReplyTo %s is not a TemporaryQueue", k + 1, replyTo);
            eq(tq.getQueueName(), ((Queue) replyTo).getQueueName(), "JMSReplyTo name");
            TextMessage reply = rss[k].createTextMessage("reply to " + ((TextMessage) got).getText());
            reply.setJMSCorrelationID(got.getJMSCorrelationID());
            try {
                rpp[k].send(replyTo, reply);
            } catch (JMSException e) {
                fail("responder %d could not send to the requester's temp queue (advisories?): %s", k + 1, e);
            }
            Message r = recv(replies, 5000, "reply " + (k + 1));
            eq(corr[k], r.getJMSCorrelationID(), "reply correlation id");
            eq("reply to request " + k, ((TextMessage) r).getText(), "reply body");
        }
        expectNone(replies, 300, "extra replies");

        // delete the temp queue: the responders' sends to it must then fail
        replies.close();
        tq.delete();
        String[] errs = new String[2];
        long[] afterMs = new long[2];
        for (int k = 0; k < 2; k++) {
            long t0 = System.nanoTime();
            long deadline = System.currentTimeMillis() + 5000;
            while (errs[k] == null) {
                try {
                    rpp[k].send(tq, rss[k].createTextMessage("to deleted temp queue"));
                } catch (JMSException e) {
                    errs[k] = e.getClass().getSimpleName() + ": " + e.getMessage();
                    break;
                }
                if (System.currentTimeMillis() > deadline) fail("responder %d: send to a deleted temp queue kept succeeding for 5 s", k + 1);
                Thread.sleep(100);
            }
            afterMs[k] = (System.nanoTime() - t0) / 1_000_000;
        }
        // A responder that does not watch advisories skips the client-side check, so the broker itself
        // must refuse a (synchronous, persistent) send to the deleted temp queue. ActiveMQ answers with
        // org.apache.activemq.DestinationDoesNotExistException (a JMSException). A non-persistent send is
        // asynchronous and is silently dropped by ActiveMQ, so it is not asserted.
        ActiveMQConnectionFactory noAdv = factory();
        noAdv.setWatchTopicAdvisories(false);
        Connection resp3 = connect(noAdv, null);
        Session r3s = resp3.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer r3p = r3s.createProducer(null);
        String brokerErr = null;
        try {
            r3p.send(tq, r3s.createTextMessage("to deleted temp queue"), DeliveryMode.PERSISTENT, 4, 0);
        } catch (JMSException e) {
            brokerErr = e.getClass().getSimpleName();
        }
        check(brokerErr != null, "broker accepted a persistent send to a deleted temp queue (client without advisories)");
        // the temp queue of a connection that has closed is gone too
        Connection gone = connect(f, null);
        TemporaryQueue tq2 = gone.createSession(false, Session.AUTO_ACKNOWLEDGE).createTemporaryQueue();
        closeQuietly(gone);
        String goneErr = null;
        try {
            r3p.send(tq2, r3s.createTextMessage("to closed connection's temp queue"), DeliveryMode.PERSISTENT, 4, 0);
        } catch (JMSException e) {
            goneErr = e.getClass().getSimpleName();
        }
        check(goneErr != null, "broker accepted a persistent send to the temp queue of a closed connection");
        closeQuietly(resp3);
        closeQuietly(resp1);
        closeQuietly(resp2);
        closeQuietly(req);
        return "replies=2 (live-advisory responder, replayed-advisory responder) correlation=ok deleted_tempq_send_refused=["
                + errs[0] + "] after_ms=" + afterMs[0] + "," + afterMs[1] + " broker_side_refusal(no advisories)=" + brokerErr
                + " closed_conn_tempq_refusal=" + goneErr;
    }

    // ------------------------------------------------------------------ browser

    static String browser() throws Exception {
        ActiveMQConnectionFactory f = factory();
        Connection c = connect(f, null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue(name("q"));
        MessageProducer p = s.createProducer(q);
        final int N = 10;
        for (int i = 0; i < N; i++) {
            TextMessage m = s.createTextMessage("browse-" + i);
            m.setIntProperty("seq", i);
            m.setStringProperty("parity", i % 2 == 0 ? "even" : "odd");
            p.send(m);
        }
        for (int pass = 1; pass <= 2; pass++) {
            QueueBrowser b = s.createBrowser(q);
            List<String> seen = new ArrayList<>();
            for (Enumeration<?> e = b.getEnumeration(); e.hasMoreElements(); ) seen.add(((TextMessage) e.nextElement()).getText());
            b.close();
            List<String> exp = new ArrayList<>();
            for (int i = 0; i < N; i++) exp.add("browse-" + i);
            eq(exp.toString(), seen.toString(), "browse pass " + pass);
        }
        // a browser with a selector
        QueueBrowser sb = s.createBrowser(q, "parity = 'odd'");
        List<Integer> odd = new ArrayList<>();
        for (Enumeration<?> e = sb.getEnumeration(); e.hasMoreElements(); ) odd.add(((Message) e.nextElement()).getIntProperty("seq"));
        sb.close();
        eq("[1, 3, 5, 7, 9]", odd.toString(), "browser with selector");
        // a consumer on another connection still gets all 10, in order
        Connection c2 = connect(f, null);
        Session s2 = c2.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer cons = s2.createConsumer(s2.createQueue(q.getQueueName()));
        for (int i = 0; i < N; i++) eq("browse-" + i, ((TextMessage) recv(cons, 5000, "consume after browse #" + i)).getText(), "consume order");
        expectNone(cons, 300, "after consuming browsed messages");
        cons.close();
        // browsing an empty queue ends at once
        QueueBrowser eb = s.createBrowser(q);
        boolean any = eb.getEnumeration().hasMoreElements();
        eb.close();
        check(!any, "browser over an emptied queue sees messages");
        closeQuietly(c2);
        closeQuietly(c);
        return "browsed=" + N + " in order (twice) selector_browse=" + odd + " consumed_after=" + N + " empty_browse=0";
    }

    // ------------------------------------------------------------------ dlq

    static String dlq() throws Exception {
        ActiveMQConnectionFactory f = factory();
        RedeliveryPolicy rp = f.getRedeliveryPolicy();
        rp.setMaximumRedeliveries(2);
        rp.setInitialRedeliveryDelay(0);
        rp.setRedeliveryDelay(0);
        Connection c = connect(f, null);
        String qn = name("q");
        String dlqId = "dlq-" + RUN;
        Session ps = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TextMessage orig = ps.createTextMessage("poison " + dlqId);
        orig.setStringProperty("pierDlqId", dlqId);
        ps.createProducer(ps.createQueue(qn)).send(orig, DeliveryMode.PERSISTENT, 4, 0);

        Session ts = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer tc = ts.createConsumer(ts.createQueue(qn));
        List<String> deliveries = new ArrayList<>();
        while (true) {
            Message m = tc.receive(deliveries.size() < 3 ? 5000 : 1500);
            if (m == null) break;
            eq(orig.getJMSMessageID(), m.getJMSMessageID(), "delivery message id");
            deliveries.add("redelivered=" + m.getJMSRedelivered() + "/count=" + deliveryCount(m));
            ts.rollback();
            check(deliveries.size() <= 10, "message redelivered more than 10 times: no DLQ handling");
        }
        check(deliveries.size() == 3, "expected 3 deliveries (1 + maximumRedeliveries 2), got %d: %s", deliveries.size(), deliveries);
        tc.close();
        ts.close();
        Session s2 = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        expectNone(s2.createConsumer(s2.createQueue(qn)), 500, "original queue after poison");

        MessageConsumer dc = s2.createConsumer(s2.createQueue("ActiveMQ.DLQ"), "pierDlqId = '" + dlqId + "'");
        Message d = recv(dc, 5000, "message on ActiveMQ.DLQ");
        eq("poison " + dlqId, ((TextMessage) d).getText(), "DLQ body");
        eq(orig.getJMSMessageID(), d.getJMSMessageID(), "DLQ message id");
        eq(DeliveryMode.PERSISTENT, d.getJMSDeliveryMode(), "DLQ delivery mode");
        check(d.getJMSDestination() instanceof Queue && ((Queue) d.getJMSDestination()).getQueueName().equals("ActiveMQ.DLQ"),
                "DLQ message JMSDestination %s", d.getJMSDestination());
        String cause = d.getStringProperty("dlqDeliveryFailureCause");
        check(cause != null, "DLQ message lacks the dlqDeliveryFailureCause property: %s", describe(d));
        String origDest = d instanceof ActiveMQMessage && ((ActiveMQMessage) d).getOriginalDestination() != null
                ? ((ActiveMQMessage) d).getOriginalDestination().getPhysicalName() : null;
        eq(qn, origDest, "DLQ message originalDestination");
        expectNone(dc, 300, "second copy on DLQ");
        closeQuietly(c);
        return "deliveries=" + deliveries + " dlq=ActiveMQ.DLQ originalDestination=ok dlqDeliveryFailureCause=["
                + (cause.length() > 120 ? cause.substring(0, 120) + "..." : cause) + "] dlq_redelivered=" + d.getJMSRedelivered();
    }

    // ------------------------------------------------------------------ large

    static String sha256(byte[] b) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (byte x : MessageDigest.getInstance("SHA-256").digest(b)) sb.append(String.format("%02x", x));
        return sb.toString();
    }

    static String large() throws Exception {
        ActiveMQConnectionFactory f = factory();
        Connection cp = connect(f, null);
        Connection cc = connect(f, null);
        String qn = name("q");
        Session cs = cc.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer cons = cs.createConsumer(cs.createQueue(qn));
        Session ps = cp.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = ps.createProducer(ps.createQueue(qn));
        byte[] payload = new byte[1 << 20];
        new Random(RUN.hashCode()).nextBytes(payload);
        String sum = sha256(payload);
        List<String> results = new ArrayList<>();
        for (int mode : new int[] {DeliveryMode.PERSISTENT, DeliveryMode.NON_PERSISTENT}) {
            BytesMessage m = ps.createBytesMessage();
            m.writeBytes(payload);
            m.setStringProperty("sha256", sum);
            long t0 = System.nanoTime();
            p.send(m, mode, 4, 0);
            Message r = recv(cons, 10_000, "1 MiB message");
            long rtt = (System.nanoTime() - t0) / 1_000_000;
            check(r instanceof BytesMessage, "large message arrived as %s", r.getClass());
            BytesMessage b = (BytesMessage) r;
            eq((long) payload.length, b.getBodyLength(), "large body length");
            byte[] got = new byte[payload.length];
            b.readBytes(got);
            check(b.readBytes(new byte[16]) == -1, "large body longer than expected");
            String gotSum = sha256(got);
            eq(sum, gotSum, "large body sha256");
            eq(sum, r.getStringProperty("sha256"), "sha256 property");
            results.add((mode == DeliveryMode.PERSISTENT ? "persistent" : "nonpersistent") + "_ms=" + rtt);
        }
        // a 1 MiB text message too
        String bigText = bigString(1 << 20, 5);
        p.send(ps.createTextMessage(bigText));
        eq(bigText, ((TextMessage) recv(cons, 10_000, "1 MiB text message")).getText(), "1 Mi-char text");
        expectNone(cons, 300, "after large messages");
        closeQuietly(cc);
        closeQuietly(cp);
        return "bytes=" + payload.length + " sha256=" + sum.substring(0, 16) + "... " + String.join(" ", results) + " text_1Mchars=ok";
    }

    // ------------------------------------------------------------------ failover

    static String failoverProducer(int count, String outFile) throws Exception {
        final long STALL_S = Long.parseLong(System.getenv().getOrDefault("PIER_JMS_STALL", "60"));
        final AtomicLong lastProgress = new AtomicLong(System.currentTimeMillis());
        final AtomicInteger sentSoFar = new AtomicInteger();
        Thread wd = new Thread(() -> {
            while (true) {
                try { Thread.sleep(1000); } catch (InterruptedException e) { return; }
                if (System.currentTimeMillis() - lastProgress.get() > STALL_S * 1000) {
                    System.out.println("FAIL failover-producer: no send completed for " + STALL_S + " s (sent " + sentSoFar.get() + " of " + count + ")");
                    System.out.flush();
                    Runtime.getRuntime().halt(1);
                }
            }
        }, "stall-watchdog");
        wd.setDaemon(true);
        wd.start();

        ActiveMQConnectionFactory f = factory();
        f.setUseAsyncSend(false);
        f.setAlwaysSyncSend(true);
        final AtomicInteger interruptions = new AtomicInteger(), resumptions = new AtomicInteger();
        f.setTransportListener(new TransportListener() {
            public void onCommand(Object command) { }
            public void onException(IOException error) { log("transport exception: %s", error); }
            public void transportInterupted() { interruptions.incrementAndGet(); log("transport interrupted"); }
            public void transportResumed() { resumptions.incrementAndGet(); log("transport resumed"); }
        });
        Connection c = connect(f, null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue("failover.q"));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        int retries = 0;
        long maxSendMs = 0;
        try (Writer w = new OutputStreamWriter(new FileOutputStream(outFile, true), StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                String id = RUN + "-" + String.format("%06d", i);
                long t0 = System.nanoTime();
                while (true) {
                    try {
                        TextMessage m = s.createTextMessage("failover " + id);
                        m.setStringProperty("pierId", id);
                        p.send(m);
                        break;
                    } catch (JMSException e) {
                        // outcome unknown: send the same id again (a duplicate is allowed, a loss is not)
                        retries++;
                        log("send %s failed (%s), retrying", id, e);
                        Thread.sleep(200);
                    }
                }
                long dt = (System.nanoTime() - t0) / 1_000_000;
                maxSendMs = Math.max(maxSendMs, dt);
                w.write(id);
                w.write('\n');
                w.flush();
                sentSoFar.incrementAndGet();
                lastProgress.set(System.currentTimeMillis());
            }
        }
        String broker = c instanceof ActiveMQConnection ? String.valueOf(((ActiveMQConnection) c).getTransport().getRemoteAddress()) : "?";
        closeQuietly(c);
        return "sent=" + count + " retries=" + retries + " interruptions=" + interruptions.get() + " resumptions="
                + resumptions.get() + " max_send_ms=" + maxSendMs + " final_broker=" + broker;
    }

    static String failoverConsumer(String outFile, String producerFile) throws Exception {
        ActiveMQConnectionFactory f = factory();
        Connection c = connect(f, null);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer cons = s.createConsumer(s.createQueue("failover.q"));
        int n = 0;
        Map<String, Integer> seen = new HashMap<>();
        try (Writer w = new OutputStreamWriter(new FileOutputStream(outFile, false), StandardCharsets.UTF_8)) {
            Message m;
            while ((m = cons.receive(5000)) != null) {
                String id = m.getStringProperty("pierId");
                if (id == null) id = "(no-pierId:" + m.getJMSMessageID() + ")";
                w.write(id);
                w.write('\n');
                w.flush();
                seen.merge(id, 1, Integer::sum);
                n++;
            }
        }
        closeQuietly(c);
        int dups = 0;
        for (int v : seen.values()) dups += v - 1;
        String details = "received=" + n + " unique=" + seen.size() + " duplicates=" + dups;
        check(n > 0, "no message received from failover.q");
        if (producerFile != null) {
            List<String> sent = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new FileReader(producerFile, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) if (!line.isEmpty()) sent.add(line);
            }
            List<String> missing = new ArrayList<>();
            for (String id : sent) if (!seen.containsKey(id)) missing.add(id);
            Set<String> unexpected = new HashSet<>(seen.keySet());
            unexpected.removeAll(sent);
            details += " producer_confirmed=" + sent.size() + " missing=" + missing.size() + " unconfirmed_extra=" + unexpected.size();
            check(missing.isEmpty(), "%d confirmed sends lost (first: %s); %s", missing.size(),
                    missing.subList(0, Math.min(5, missing.size())), details);
        }
        return details;
    }
}
