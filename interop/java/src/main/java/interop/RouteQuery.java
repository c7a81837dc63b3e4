package interop;

import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.ClientConfig;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.impl.ClientRemotingProcessor;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;

/**
 * Reads a topic's route from a NameServer the way every Java client does
 * (MQClientAPIImpl#getTopicRouteInfoFromNameServer), optionally signing with AclClientRPCHook.
 * Prints "ROUTE <TopicRouteData JSON>" or "CODE <responseCode> <remark>" (exit 0 for both), or
 * "ERROR <exception>" when the NameServer could not be asked (exit 1).
 *
 * Usage: RouteQuery <namesrvAddr> <topic> [<accessKey> <secretKey>]
 */
public final class RouteQuery {
    public static void main(String[] args) {
        if (args.length != 2 && args.length != 4) {
            System.err.println("usage: RouteQuery <namesrvAddr> <topic> [<accessKey> <secretKey>]");
            System.exit(2);
        }
        RPCHook hook = args.length == 4 ? new AclClientRPCHook(new SessionCredentials(args[2], args[3])) : null;
        MQClientAPIImpl api = new MQClientAPIImpl(new NettyClientConfig(), new ClientRemotingProcessor(null), hook, new ClientConfig());
        int exit = 0;
        try {
            api.start();
            api.updateNameServerAddressList(args[0]);
            TopicRouteData route = api.getTopicRouteInfoFromNameServer(args[1], 10_000, false);
            System.out.println("ROUTE " + route.toJson());
        } catch (MQClientException e) {
            System.out.println("CODE " + e.getResponseCode() + " " + e.getErrorMessage());
        } catch (Exception e) {
            System.out.println("ERROR " + e);
            exit = 1;
        }
        System.out.flush();
        System.exit(exit);
    }
}
