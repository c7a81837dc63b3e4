package interop;

import org.apache.rocketmq.tools.command.MQAdminStartup;

/**
 * mqadmin (MQAdminStartup of the release on the classpath) without the idle waits at the end of
 * each call: the remoting client's event thread (see QuickShutdown) and then Netty's event loops,
 * which linger for their 2-second quiet period after the command finished. Same arguments, same
 * output, same requests.
 */
public final class Admin {
    public static void main(String[] args) {
        QuickShutdown.install();
        MQAdminStartup.main(args);
        System.out.flush();
        System.exit(0);
    }
}
