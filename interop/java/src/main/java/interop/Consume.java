package interop;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Push-consumes {@code topic} (clustering mode, from the first offset) until {@code expected}
 * distinct keys starting with {@code <prefix>-} arrived or {@code timeoutMs} passed.
 * Prints "READY" once started, then one "RECV <key> <body>" line per distinct key.
 * Exits 0 when all expected keys arrived, 1 on timeout.
 *
 * Usage: Consume <namesrvAddr> <topic> <consumerGroup> <expected> <prefix> <timeoutMs>
 */
public final class Consume {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: Consume <namesrvAddr> <topic> <group> <expected> <prefix> <timeoutMs>");
            System.exit(2);
        }
        String namesrv = args[0];
        String topic = args[1];
        String group = args[2];
        int expected = Integer.parseInt(args[3]);
        String prefix = args[4] + "-";
        long timeoutMs = Long.parseLong(args[5]);

        QuickShutdown.install();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(expected);

        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(namesrv);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt msg : msgs) {
                String key = msg.getKeys();
                if (key != null && key.startsWith(prefix) && seen.add(key)) {
                    String body = new String(msg.getBody(), StandardCharsets.UTF_8);
                    synchronized (System.out) {
                        System.out.println("RECV " + key + " " + body);
                        System.out.flush();
                    }
                    done.countDown();
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        System.out.println("READY");
        System.out.flush();

        boolean complete = done.await(timeoutMs, TimeUnit.MILLISECONDS);
        consumer.shutdown();
        System.out.println("DONE received=" + seen.size() + " expected=" + expected);
        System.exit(complete ? 0 : 1);
    }
}
