import java.nio.charset.StandardCharsets;

import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;

/**
 * A producer that is given no NameServer address: started without one, the client asks the address
 * server named by -Drocketmq.namesrv.domain (and -Drocketmq.namesrv.domain.subgroup, and its unit
 * name when one is given) for the list, as MQClientInstance does. Run as a single source file:
 *
 *   java -cp <rocketmq jars> -Drocketmq.namesrv.domain=host:port ProduceThroughAddressServer.java <topic> <group> [unitName]
 *
 * Prints "NAMESRV <list the client uses>", then "SENT <status> <broker>"; exits 1 when the send fails.
 */
public final class ProduceThroughAddressServer {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ProduceThroughAddressServer <topic> <group> [unitName]");
            System.exit(2);
        }
        DefaultMQProducer producer = new DefaultMQProducer(args[1]);
        if (args.length > 2 && !args[2].isEmpty()) {
            producer.setUnitName(args[2]);
        }
        producer.setSendMsgTimeout(10_000);
        producer.setRetryTimesWhenSendFailed(4);
        producer.start();
        int code = 0;
        try {
            System.out.println("NAMESRV " + String.join(";",
                producer.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl().getNameServerAddressList()));
            Message message = new Message(args[0], "interop", "domain", "found through the address server".getBytes(StandardCharsets.UTF_8));
            SendResult result = producer.send(message);
            System.out.println("SENT " + result.getSendStatus() + " " + result.getMessageQueue().getBrokerName());
        } catch (Exception e) {
            System.out.println("FAILED " + e);
            code = 1;
        } finally {
            producer.shutdown();
        }
        System.exit(code);
    }
}
