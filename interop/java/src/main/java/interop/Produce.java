package interop;

import java.nio.charset.StandardCharsets;

import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

/**
 * Sends {@code count} messages to {@code topic}; message i has key and body {@code <prefix>-<i>}.
 * Prints one "SENT <key> <broker> <queueId>" line per message; exits 1 on any non-SEND_OK result.
 *
 * Usage: Produce <namesrvAddr> <topic> <producerGroup> <count> <prefix>
 */
public final class Produce {
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: Produce <namesrvAddr> <topic> <group> <count> <prefix>");
            System.exit(2);
        }
        String namesrv = args[0];
        String topic = args[1];
        String group = args[2];
        int count = Integer.parseInt(args[3]);
        String prefix = args[4];

        QuickShutdown.install();
        DefaultMQProducer producer = new DefaultMQProducer(group);
        producer.setNamesrvAddr(namesrv);
        producer.setSendMsgTimeout(10_000);
        producer.setRetryTimesWhenSendFailed(4);
        producer.start();
        int failures = 0;
        try {
            for (int i = 0; i < count; i++) {
                String key = prefix + "-" + i;
                Message msg = new Message(topic, "interop", key, key.getBytes(StandardCharsets.UTF_8));
                SendResult result = producer.send(msg);
                if (result.getSendStatus() != SendStatus.SEND_OK) {
                    failures++;
                    System.out.println("FAILED " + key + " " + result.getSendStatus());
                } else {
                    System.out.println("SENT " + key + " " + result.getMessageQueue().getBrokerName()
                        + " " + result.getMessageQueue().getQueueId());
                }
            }
        } finally {
            producer.shutdown();
        }
        System.out.println("DONE sent=" + (count - failures) + " failed=" + failures);
        System.exit(failures == 0 ? 0 : 1);
    }
}
