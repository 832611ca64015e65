// One JMS send or receive, for the cross-protocol tests in test_23_openwire.py.
//
//   java PierJmsTool send URL queue://NAME|topic://NAME TEXT [type:name=value ...]   (type: int, bool, double, or none for String)
//   java PierJmsTool recv URL queue://NAME|topic://NAME TIMEOUT_MS
//
// recv prints READY once its consumer is registered, then CLASS, TEXT or BYTES, one PROP line per
// property (sorted, with its Java type), PERSISTENT and REPLYTO; NONE (exit 1) if nothing came.
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.TreeMap;

import javax.jms.BytesMessage;
import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.Destination;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.TextMessage;

import org.apache.activemq.ActiveMQConnectionFactory;

public final class PierJmsTool {
    public static void main(String[] a) {
        try {
            run(a);
            System.exit(0);
        } catch (Throwable t) {
            // The client's threads would keep the JVM alive after a failed connect.
            t.printStackTrace();
            System.exit(2);
        }
    }

    static void run(String[] a) throws Exception {
        String mode = a[0], url = a[1], dest = a[2];
        Connection c = new ActiveMQConnectionFactory(url).createConnection();
        c.start();
        try {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Destination d = dest.startsWith("topic://") ? s.createTopic(dest.substring(8))
                    : s.createQueue(dest.startsWith("queue://") ? dest.substring(8) : dest);
            if (mode.equals("send")) {
                TextMessage m = s.createTextMessage(a[3]);
                for (int i = 4; i < a.length; i++) {
                    String[] kv = a[i].split("=", 2);
                    String k = kv[0], v = kv[1];
                    if (k.startsWith("int:")) m.setIntProperty(k.substring(4), Integer.parseInt(v));
                    else if (k.startsWith("bool:")) m.setBooleanProperty(k.substring(5), Boolean.parseBoolean(v));
                    else if (k.startsWith("double:")) m.setDoubleProperty(k.substring(7), Double.parseDouble(v));
                    else m.setStringProperty(k, v);
                }
                m.setJMSCorrelationID("corr-1");
                MessageProducer p = s.createProducer(d);
                p.send(m, DeliveryMode.PERSISTENT, 6, 0);
                System.out.println("SENT " + m.getJMSMessageID());
                return;
            }
            MessageConsumer mc = s.createConsumer(d);
            System.out.println("READY");
            System.out.flush();
            Message m = mc.receive(Long.parseLong(a[3]));
            if (m == null) {
                System.out.println("NONE");
                throw new IllegalStateException("no message");
            }
            System.out.println("CLASS " + m.getClass().getSimpleName());
            if (m instanceof TextMessage) System.out.println("TEXT " + ((TextMessage) m).getText());
            if (m instanceof BytesMessage) {
                BytesMessage b = (BytesMessage) m;
                byte[] buf = new byte[(int) b.getBodyLength()];
                b.readBytes(buf);
                System.out.println("BYTES " + new String(buf, StandardCharsets.UTF_8));
            }
            TreeMap<String, Object> props = new TreeMap<>();
            for (Enumeration<?> e = m.getPropertyNames(); e.hasMoreElements();) {
                String n = (String) e.nextElement();
                props.put(n, m.getObjectProperty(n));
            }
            for (var e : props.entrySet()) {
                System.out.println("PROP " + e.getKey() + "=" + e.getValue() + " (" + e.getValue().getClass().getSimpleName() + ")");
            }
            System.out.println("PERSISTENT " + (m.getJMSDeliveryMode() == DeliveryMode.PERSISTENT));
            System.out.println("CORRELATION " + m.getJMSCorrelationID());
        } finally {
            c.close();
        }
    }
}
