package interop;

import java.util.Map;

/**
 * Cuts an idle wait out of a RocketMQ client's shutdown. NettyRemotingClient.shutdown() joins its
 * NettyEventExecutor thread, which polls its event queue in 3-second rounds and only sees that it
 * was stopped when a round ends: every short-lived client (each mqadmin call) idles up to 3 s on
 * its way out. A daemon watcher interrupts that thread once a remoting client is shutting down, so
 * the poll returns at once; the shutdown itself runs unchanged.
 */
final class QuickShutdown {
    private static final String EVENT_EXECUTOR = "NettyEventExecutor";
    private static final String REMOTING_CLIENT = "org.apache.rocketmq.remoting.netty.NettyRemotingClient";

    private QuickShutdown() {
    }

    static void install() {
        Thread watcher = new Thread(QuickShutdown::watch, "interop-quick-shutdown");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void watch() {
        try {
            while (true) {
                Thread.sleep(25);
                Map<Thread, StackTraceElement[]> stacks = Thread.getAllStackTraces();
                if (stacks.values().stream().anyMatch(QuickShutdown::inRemotingClientShutdown)) {
                    stacks.keySet().stream().filter(t -> EVENT_EXECUTOR.equals(t.getName())).forEach(Thread::interrupt);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean inRemotingClientShutdown(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (REMOTING_CLIENT.equals(frame.getClassName()) && "shutdown".equals(frame.getMethodName())) {
                return true;
            }
        }
        return false;
    }
}
