// Load generator for bench/openwire-compare: plain JMS 1.1 on Debian's activemq-client, one JVM per run.
//   java OwBench p2p    URL PRODUCERS CONSUMERS WARM COUNT SIZE
//   java OwBench fanout URL SUBSCRIBERS WARM COUNT SIZE
//   java OwBench idle   URL N            (prints READY, holds until stdin closes)
// Prints "START" and "END" at the edges of the measured part and one "RESULT k=v ..." line.
import javax.jms.*;
import org.apache.activemq.ActiveMQConnectionFactory;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

public class OwBench {
    static void out(String s) { System.out.println(s); System.out.flush(); }

    public static void main(String[] a) throws Exception {
        String mode = a[0], url = a[1];
        switch (mode) {
            case "p2p": p2p(url, Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]),
                            Integer.parseInt(a[5]), Integer.parseInt(a[6])); break;
            case "fanout": fanout(url, Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]),
                                  Integer.parseInt(a[5])); break;
            case "idle": idle(url, Integer.parseInt(a[2])); break;
            default: throw new IllegalArgumentException(mode);
        }
        System.exit(0);
    }

    static byte[] body(int size) { byte[] b = new byte[size]; Arrays.fill(b, (byte) 'x'); return b; }

    /** One round of the queue scenario: producers send `count` persistent messages in total (sync sends, the
     *  JMS default for persistent), consumers (AUTO_ACKNOWLEDGE, MessageListener) receive them. Returns
     *  {elapsed ns, received, latencies...}. */
    static long[] p2pRound(List<Connection> prodConns, List<Connection> consConns, String queue, int producers,
                           int count, byte[] payload, long[] lat) throws Exception {
        AtomicInteger received = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        List<Session> sessions = new ArrayList<>();
        List<MessageConsumer> consumers = new ArrayList<>();
        for (Connection c : consConns) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            sessions.add(s);
            MessageConsumer mc = s.createConsumer(s.createQueue(queue));
            consumers.add(mc);
            mc.setMessageListener(m -> {
                try {
                    long t = System.nanoTime() - m.getLongProperty("t");
                    int n = received.getAndIncrement();
                    if (n < lat.length) lat[n] = t;
                    if (n + 1 == count) done.countDown();
                } catch (JMSException e) { throw new RuntimeException(e); }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        List<Future<?>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            final int share = count / producers + (p < count % producers ? 1 : 0);
            final Connection c = prodConns.get(p);
            fs.add(pool.submit(() -> {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer mp = s.createProducer(s.createQueue(queue));
                mp.setDeliveryMode(DeliveryMode.PERSISTENT);
                for (int i = 0; i < share; i++) {
                    BytesMessage m = s.createBytesMessage();
                    m.writeBytes(payload);
                    m.setLongProperty("t", System.nanoTime());
                    mp.send(m);
                }
                s.close();
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
        long sentNs = System.nanoTime() - t0;
        boolean ok = done.await(300, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - t0;
        pool.shutdown();
        for (Session s : sessions) s.close();
        return new long[]{elapsed, received.get(), sentNs, ok ? 1 : 0};
    }

    static void p2p(String url, int producers, int consumers, int warm, int count, int size) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url);
        List<Connection> pc = new ArrayList<>(), cc = new ArrayList<>();
        for (int i = 0; i < producers; i++) { Connection c = f.createConnection(); c.start(); pc.add(c); }
        for (int i = 0; i < consumers; i++) { Connection c = f.createConnection(); c.start(); cc.add(c); }
        byte[] payload = body(size);
        p2pRound(pc, cc, "bench.warm", producers, warm, payload, new long[warm]);
        long[] lat = new long[count];
        out("START");
        long[] r = p2pRound(pc, cc, "bench.q", producers, count, payload, lat);
        out("END");
        int n = (int) Math.min(r[1], count);
        long[] l = Arrays.copyOf(lat, n);
        Arrays.sort(l);
        double secs = r[0] / 1e9;
        out(String.format(Locale.ROOT, "RESULT received=%d count=%d seconds=%.3f send_seconds=%.3f per_s=%.1f " +
                "p50_ms=%.3f p99_ms=%.3f complete=%d", r[1], count, secs, r[2] / 1e9, r[1] / secs,
                n > 0 ? l[n / 2] / 1e6 : -1, n > 0 ? l[Math.min(n - 1, (int) (n * 0.99))] / 1e6 : -1, r[3]));
        for (Connection c : pc) c.close();
        for (Connection c : cc) c.close();
    }

    static long[] fanRound(Connection pubConn, List<Connection> subConns, String topic, int count, byte[] payload)
            throws Exception {
        int subs = subConns.size();
        AtomicLong received = new AtomicLong();
        AtomicLong lastNs = new AtomicLong();
        AtomicIntegerArray per = new AtomicIntegerArray(subs);
        CountDownLatch done = new CountDownLatch(subs);
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < subs; i++) {
            Session s = subConns.get(i).createSession(false, Session.AUTO_ACKNOWLEDGE);
            sessions.add(s);
            final int idx = i;
            s.createConsumer(s.createTopic(topic)).setMessageListener(m -> {
                received.incrementAndGet();
                lastNs.set(System.nanoTime());
                if (per.incrementAndGet(idx) == count) done.countDown();
            });
        }
        Thread.sleep(500); // subscriptions registered before the first publish
        Session ps = pubConn.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer mp = ps.createProducer(ps.createTopic(topic));
        mp.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            BytesMessage m = ps.createBytesMessage();
            m.writeBytes(payload);
            mp.send(m);
        }
        long sentNs = System.nanoTime() - t0;
        // Wait until every subscriber has everything, or nothing has arrived for 5 s (loss).
        while (!done.await(250, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() - Math.max(lastNs.get(), t0 + sentNs) > 5_000_000_000L) break;
        }
        long elapsed = lastNs.get() - t0;
        int min = Integer.MAX_VALUE, max = 0;
        for (int i = 0; i < subs; i++) { min = Math.min(min, per.get(i)); max = Math.max(max, per.get(i)); }
        for (Session s : sessions) s.close();
        ps.close();
        return new long[]{elapsed, received.get(), sentNs, min, max};
    }

    static void fanout(String url, int subs, int warm, int count, int size) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url);
        Connection pub = f.createConnection();
        pub.start();
        List<Connection> sc = new ArrayList<>();
        for (int i = 0; i < subs; i++) { Connection c = f.createConnection(); c.start(); sc.add(c); }
        byte[] payload = body(size);
        fanRound(pub, sc, "bench.warm", warm, payload);
        out("START");
        long[] r = fanRound(pub, sc, "bench.fan", count, payload);
        out("END");
        double secs = r[0] / 1e9;
        out(String.format(Locale.ROOT, "RESULT delivered=%d expected=%d seconds=%.3f send_seconds=%.3f per_s=%.1f " +
                "sent_per_s=%.1f min_per_sub=%d max_per_sub=%d", r[1], (long) count * subs, secs, r[2] / 1e9,
                r[1] / secs, count / (r[2] / 1e9), r[3], r[4]));
        pub.close();
        for (Connection c : sc) c.close();
    }

    static void idle(String url, int n) throws Exception {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url);
        List<Connection> cs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Connection c = f.createConnection();
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createConsumer(s.createQueue("bench.idle." + i));
            cs.add(c);
        }
        out(String.format(Locale.ROOT, "RESULT established=%d connect_s=%.3f", cs.size(), (System.nanoTime() - t0) / 1e9));
        out("READY");
        while (System.in.read() >= 0) { }
        for (Connection c : cs) { try { c.close(); } catch (JMSException e) { } }
    }
}
