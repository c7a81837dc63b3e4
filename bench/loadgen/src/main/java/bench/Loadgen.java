package bench;

import com.alibaba.fastjson.JSON;
import com.alibaba.fastjson.JSONObject;
import com.alibaba.fastjson.serializer.SerializerFeature;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.UtilAll;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyRemotingClient;
import org.apache.rocketmq.remoting.netty.ResponseFuture;
import org.apache.rocketmq.remoting.protocol.DataVersion;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.RemotingSerializable;
import org.apache.rocketmq.remoting.protocol.RequestCode;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.body.RegisterBrokerBody;
import org.apache.rocketmq.remoting.protocol.body.TopicConfigAndMappingSerializeWrapper;
import org.apache.rocketmq.remoting.protocol.header.namesrv.GetRouteInfoRequestHeader;
import org.apache.rocketmq.remoting.protocol.header.namesrv.RegisterBrokerRequestHeader;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;

/**
 * NameServer load generator on RocketMQ's own remoting client.
 *
 * <p>Started once per NameServer under test with {@code --addr host:port}; reads one JSON command per
 * line on stdin and writes one JSON result per line on stdout ({@code {"cmd":...,"ok":...}}). Brokers
 * registered by {@code setup} stay connected (a NameServer drops a broker whose connection closes)
 * until {@code quit}. Commands: setup, query, mixed, regcost, churn, failure, quit (see bench/README.md).
 *
 * <p>Every connection is its own {@link NettyRemotingClient} (the client keeps one channel per
 * address), all sharing one Netty event loop group; callbacks run on the I/O threads.
 */
public final class Loadgen {
    static final int VERSION_CURRENT = 479; // MQVersion V5_3_3
    static final int PERM_RW = 6;

    static PrintStream out;
    static String addr;
    static EventLoopGroup ioGroup;
    static EventLoopGroup sharedGroup;
    /** Brokers registered by setup, by name; their clients stay connected. */
    static final Map<String, Broker> held = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        out = System.out;
        // Anything else that writes to stdout (library logging) goes to stderr: stdout is the result channel.
        System.setOut(System.err);
        int ioThreads = 2;
        for (String a : args) {
            if (a.startsWith("--addr=")) addr = a.substring(7);
            if (a.startsWith("--io-threads=")) ioThreads = Integer.parseInt(a.substring(13));
        }
        if (addr == null) throw new IllegalArgumentException("usage: Loadgen --addr=host:port [--io-threads=N]");
        ioGroup = new NioEventLoopGroup(ioThreads);
        // Clients shut down their event loop group; give them a view of the shared one that ignores that.
        sharedGroup = (EventLoopGroup) Proxy.newProxyInstance(Loadgen.class.getClassLoader(), new Class<?>[] {EventLoopGroup.class},
            (proxy, method, margs) -> {
                String n = method.getName();
                if (n.equals("shutdownGracefully") || n.equals("shutdown") || n.equals("shutdownNow")) {
                    return n.equals("shutdownNow") ? Collections.emptyList()
                        : n.equals("shutdown") ? null : ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
                }
                try {
                    return method.invoke(ioGroup, margs);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        emit(result("ready", Map.of("addr", addr)));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.trim();
            if (line.isEmpty()) continue;
            JSONObject cmd = JSON.parseObject(line);
            String name = cmd.getString("cmd");
            if ("quit".equals(name)) break;
            Map<String, Object> res;
            try {
                switch (name) {
                    case "setup": res = setup(cmd); break;
                    case "query": res = query(cmd); break;
                    case "mixed": res = mixed(cmd); break;
                    case "regcost": res = regcost(cmd); break;
                    case "churn": res = churn(cmd); break;
                    case "failure": res = failure(cmd); break;
                    case "release": res = release(cmd); break;
                    default: throw new IllegalArgumentException("unknown command " + name);
                }
                res.put("ok", true);
            } catch (Throwable t) {
                res = new LinkedHashMap<>();
                res.put("ok", false);
                res.put("error", String.valueOf(t));
                t.printStackTrace();
            }
            if (cmd.containsKey("id")) res.put("id", cmd.get("id"));
            emit(result(name, res));
        }
        // Exit at once: closing the held brokers' connections is the process exit itself (a graceful
        // client shutdown can stall on library shutdown hooks).
        out.flush();
        Runtime.getRuntime().halt(0);
    }

    static Map<String, Object> result(String cmd, Map<String, Object> body) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cmd", cmd);
        m.putAll(body);
        return m;
    }

    static synchronized void emit(Map<String, Object> m) {
        out.println(JSON.toJSONString(m, SerializerFeature.DisableCircularReferenceDetect));
        out.flush();
    }

    // ---------------------------------------------------------------------------------------------
    // clients, topology, requests

    static final java.util.concurrent.ExecutorService closer = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "client-closer");
        t.setDaemon(true);
        return t;
    });

    /**
     * Shuts a client down in the background: its channel closes at once, but the client's event
     * thread takes up to 3 s to stop, which would serialise into minutes over hundreds of clients.
     */
    static void close(NettyRemotingClient c) {
        if (c != null) closer.execute(c::shutdown);
    }

    static NettyRemotingClient newClient() {
        NettyClientConfig cfg = new NettyClientConfig();
        cfg.setDisableCallbackExecutor(true);
        cfg.setDisableNettyWorkerGroup(true);
        cfg.setScanAvailableNameSrv(false);
        cfg.setClientAsyncSemaphoreValue(65535);
        cfg.setClientChannelMaxIdleTimeSeconds(3600);
        cfg.setConnectTimeoutMillis(5000);
        cfg.setClientCloseSocketIfTimeout(false);
        NettyRemotingClient c = new NettyRemotingClient(cfg, null, sharedGroup, null);
        c.start();
        return c;
    }

    /** 4 clusters x 8 brokers by default; topic i lives on every broker of cluster i % clusters. */
    static final class Topo {
        final String prefix;
        final int clusters;
        final int brokersPerCluster;
        final int topics;
        final int queues;

        Topo(JSONObject c) {
            prefix = c.getString("prefix");
            clusters = c.getIntValue("clusters");
            brokersPerCluster = c.getIntValue("brokersPerCluster");
            topics = c.getIntValue("topics");
            queues = c.getIntValue("queues");
        }

        String topic(int i) {
            return prefix + "-t" + i;
        }

        String cluster(int c) {
            return prefix + "-c" + c;
        }

        String brokerName(int c, int j) {
            return prefix + "-c" + c + "-b" + j;
        }
    }

    static final class Broker {
        String cluster;
        String name;
        String brokerAddr;
        long hbTimeoutMs;
        final DataVersion dataVersion = new DataVersion();
        final Map<String, TopicConfig> topics = new HashMap<>();
        NettyRemotingClient client;
        byte[] body;

        void encode() {
            TopicConfigAndMappingSerializeWrapper w = new TopicConfigAndMappingSerializeWrapper();
            w.setTopicConfigTable(new ConcurrentHashMap<>(topics));
            DataVersion dv = new DataVersion();
            dv.assignNewOne(dataVersion);
            w.setDataVersion(dv);
            RegisterBrokerBody rb = new RegisterBrokerBody();
            rb.setTopicConfigSerializeWrapper(w);
            rb.setFilterServerList(new ArrayList<>());
            body = rb.encode(false);
        }

        RemotingCommand request() {
            RegisterBrokerRequestHeader h = new RegisterBrokerRequestHeader();
            h.setBrokerName(name);
            h.setBrokerAddr(brokerAddr);
            h.setClusterName(cluster);
            h.setHaServerAddr(brokerAddr.replace(":10911", ":10912"));
            h.setBrokerId((long) MixAll.MASTER_ID);
            if (hbTimeoutMs > 0) h.setHeartbeatTimeoutMillis(hbTimeoutMs);
            h.setEnableActingMaster(false);
            h.setCompressed(false);
            h.setBodyCrc32(UtilAll.crc32(body));
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.REGISTER_BROKER, h);
            r.setVersion(VERSION_CURRENT);
            r.setBody(body);
            return r;
        }

        /** Synchronous registration; returns latency in microseconds, throws on a non-SUCCESS answer. */
        long register(long timeoutMs) throws Exception {
            if (client == null) client = newClient();
            RemotingCommand req = request();
            long t0 = System.nanoTime();
            RemotingCommand resp = client.invokeSync(addr, req, timeoutMs);
            long us = (System.nanoTime() - t0) / 1000;
            if (resp == null) throw new IllegalStateException("no response to REGISTER_BROKER for " + name);
            if (resp.getCode() != ResponseCode.SUCCESS) {
                throw new IllegalStateException("REGISTER_BROKER " + name + " -> code " + resp.getCode() + " " + resp.getRemark());
            }
            return us;
        }
    }

    static String fakeAddr(int a, int b, int c) {
        return "10." + a + "." + b + "." + c + ":10911";
    }

    static Broker newBroker(String cluster, String name, String brokerAddr, long hbTimeoutMs) {
        Broker b = new Broker();
        b.cluster = cluster;
        b.name = name;
        b.brokerAddr = brokerAddr;
        b.hbTimeoutMs = hbTimeoutMs;
        b.dataVersion.setTimestamp(System.currentTimeMillis());
        return b;
    }

    static TopicConfig topicConfig(String topic, int queues) {
        return new TopicConfig(topic, queues, queues, PERM_RW);
    }

    static RemotingCommand routeRequest(String topic, int version) {
        GetRouteInfoRequestHeader h = new GetRouteInfoRequestHeader();
        h.setTopic(topic);
        RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.GET_ROUTEINFO_BY_TOPIC, h);
        r.setVersion(version);
        return r;
    }

    /** Returns null when the answer is right, else what is wrong with it. */
    static String validateRoute(RemotingCommand resp, Topo topo, int topicIndex) {
        if (resp.getCode() != ResponseCode.SUCCESS) return "code " + resp.getCode() + ": " + resp.getRemark();
        byte[] body = resp.getBody();
        if (body == null || body.length == 0) return "SUCCESS without body";
        TopicRouteData rd;
        try {
            rd = RemotingSerializable.decode(body, TopicRouteData.class);
        } catch (RuntimeException e) {
            return "body does not decode as TopicRouteData: " + e;
        }
        if (rd == null) return "body decodes to null";
        int c = topicIndex % topo.clusters;
        String cluster = topo.cluster(c);
        String brokerPrefix = cluster + "-b";
        List<BrokerData> bds = rd.getBrokerDatas();
        List<QueueData> qds = rd.getQueueDatas();
        if (bds == null || bds.size() != topo.brokersPerCluster) return "brokerDatas " + (bds == null ? "null" : bds.size()) + " != " + topo.brokersPerCluster;
        if (qds == null || qds.size() != topo.brokersPerCluster) return "queueDatas " + (qds == null ? "null" : qds.size()) + " != " + topo.brokersPerCluster;
        for (BrokerData bd : bds) {
            if (!cluster.equals(bd.getCluster())) return "brokerData cluster " + bd.getCluster() + " != " + cluster;
            if (bd.getBrokerName() == null || !bd.getBrokerName().startsWith(brokerPrefix)) return "unexpected broker " + bd.getBrokerName();
            if (bd.getBrokerAddrs() == null || bd.getBrokerAddrs().get((long) MixAll.MASTER_ID) == null) return "broker " + bd.getBrokerName() + " without master address";
        }
        for (QueueData qd : qds) {
            if (qd.getBrokerName() == null || !qd.getBrokerName().startsWith(brokerPrefix)) return "unexpected queueData broker " + qd.getBrokerName();
            if (qd.getReadQueueNums() != topo.queues || qd.getWriteQueueNums() != topo.queues) return "queue counts " + qd.getReadQueueNums() + "/" + qd.getWriteQueueNums() + " != " + topo.queues;
            if (qd.getPerm() != PERM_RW) return "perm " + qd.getPerm();
        }
        return null;
    }

    /**
     * Remembers, per topic, the last answer body that passed validateRoute. An answer whose body is
     * byte for byte the same is the same route, so it is accepted after comparing every byte instead
     * of being decoded again; any other body is decoded and checked in full. This keeps the load
     * generator's own CPU per answer low, so the shared cores go to the server under test.
     */
    static final class ValidatedBodies {
        final AtomicReferenceArray<byte[]> last;

        ValidatedBodies(int topics) {
            last = new AtomicReferenceArray<>(topics);
        }

        /** Kept across query runs on the same topic set and request version (bodies differ by version). */
        static final Map<String, ValidatedBodies> BY_TOPO = new ConcurrentHashMap<>();

        static ValidatedBodies of(Topo topo, int version) {
            String key = topo.prefix + "/" + topo.clusters + "/" + topo.brokersPerCluster + "/" + topo.topics + "/" + topo.queues + "/v" + version;
            return BY_TOPO.computeIfAbsent(key, k -> new ValidatedBodies(topo.topics));
        }

        String check(RemotingCommand resp, Topo topo, int topicIndex) {
            byte[] body = resp.getBody();
            if (resp.getCode() == ResponseCode.SUCCESS && body != null && Arrays.equals(body, last.get(topicIndex))) return null;
            String bad = validateRoute(resp, topo, topicIndex);
            if (bad == null) last.set(topicIndex, body);
            return bad;
        }
    }

    static long cpuMillis() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1_000_000;
        }
        return -1;
    }

    static Map<String, Object> histMs(Histo h) {
        Map<String, Object> us = h.summaryUs();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", us.get("count"));
        for (String k : new String[] {"mean", "p50", "p90", "p99", "p999", "max"}) {
            m.put(k, Math.round(((Long) us.get(k)) / 10.0) / 100.0);
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // setup: register clusters x brokers with their topics and keep them connected

    static Map<String, Object> setup(JSONObject c) throws Exception {
        Topo t = new Topo(c);
        long hb = c.getLongValue("hbTimeoutMs");
        long timeout = c.getLongValue("timeoutMs") > 0 ? c.getLongValue("timeoutMs") : 120_000;
        Histo h = new Histo();
        long bodyBytes = 0;
        long t0 = System.nanoTime();
        for (int cl = 0; cl < t.clusters; cl++) {
            for (int j = 0; j < t.brokersPerCluster; j++) {
                Broker b = newBroker(t.cluster(cl), t.brokerName(cl, j), fakeAddr(cl, j / 250, j % 250 + 1), hb);
                for (int i = cl; i < t.topics; i += t.clusters) b.topics.put(t.topic(i), topicConfig(t.topic(i), t.queues));
                b.encode();
                bodyBytes += b.body.length;
                h.record(b.register(timeout));
                held.put(b.name, b);
            }
        }
        long totalMs = (System.nanoTime() - t0) / 1_000_000;
        // The route of topic 0 must now be complete.
        NettyRemotingClient probe = newClient();
        try {
            RemotingCommand resp = probe.invokeSync(addr, routeRequest(t.topic(0), VERSION_CURRENT), 10_000);
            String bad = validateRoute(resp, t, 0);
            if (bad != null) throw new IllegalStateException("route after setup is wrong: " + bad);
        } finally {
            close(probe);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("brokers", t.clusters * t.brokersPerCluster);
        m.put("topics", t.topics);
        m.put("bodyBytesTotal", bodyBytes);
        m.put("totalMs", totalMs);
        m.put("registrationMs", histMs(h));
        return m;
    }

    static Map<String, Object> release(JSONObject c) {
        String prefix = c.getString("prefix");
        int n = 0;
        for (Broker b : new ArrayList<>(held.values())) {
            if (prefix == null || b.name.startsWith(prefix + "-")) {
                held.remove(b.name);
                close(b.client);
                n++;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("released", n);
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // query: fixed connections, fixed requests in flight per connection, every answer validated

    static final class QueryRun {
        final Topo topo;
        final int version;
        final long timeoutMs;
        final long warmupEndNs;
        final long stopNs;
        final long maxRequests;
        final AtomicLong issued = new AtomicLong();
        final AtomicLong completedAll = new AtomicLong();
        final AtomicLong measured = new AtomicLong();
        final AtomicLong errCode = new AtomicLong();
        final AtomicLong errBody = new AtomicLong();
        final AtomicLong errTransport = new AtomicLong();
        final AtomicLong outstanding = new AtomicLong();
        final List<String> samples = Collections.synchronizedList(new ArrayList<>());
        final List<Histo> histos = new ArrayList<>();
        final CountDownLatch drained = new CountDownLatch(1);
        final AtomicBoolean stopped = new AtomicBoolean();
        final ValidatedBodies validated;

        QueryRun(Topo topo, int version, long timeoutMs, long warmupMs, long durationMs, long maxRequests) {
            this.topo = topo;
            this.version = version;
            this.timeoutMs = timeoutMs;
            long now = System.nanoTime();
            this.warmupEndNs = now + warmupMs * 1_000_000;
            this.stopNs = warmupEndNs + durationMs * 1_000_000;
            this.maxRequests = maxRequests;
            this.validated = ValidatedBodies.of(topo, version);
        }

        void sample(String s) {
            if (samples.size() < 5) samples.add(s);
        }

        /** Issue one request on connection c; called again from each completion. */
        void next(NettyRemotingClient client, Histo h, int conn, long[] seq) {
            long now = System.nanoTime();
            if (now >= stopNs || issued.incrementAndGet() > maxRequests) {
                finishOne();
                return;
            }
            int ti = (int) ((conn * 7919L + seq[0]++) % topo.topics);
            RemotingCommand req = routeRequest(topo.topic(ti), version);
            long t0 = System.nanoTime();
            try {
                client.invokeAsync(addr, req, timeoutMs, new org.apache.rocketmq.remoting.InvokeCallback() {
                    @Override
                    public void operationComplete(ResponseFuture rf) {
                        long t1 = System.nanoTime();
                        completedAll.incrementAndGet();
                        RemotingCommand resp = rf.getResponseCommand();
                        if (resp == null) {
                            errTransport.incrementAndGet();
                            sample("transport: " + rf.getCause());
                            // Failed sends can complete synchronously: re-issue later, not recursively.
                            ioGroup.next().schedule(() -> next(client, h, conn, seq), 10, TimeUnit.MILLISECONDS);
                            return;
                        } else {
                            String bad = validated.check(resp, topo, ti);
                            if (bad != null) {
                                if (resp.getCode() != ResponseCode.SUCCESS) errCode.incrementAndGet();
                                else errBody.incrementAndGet();
                                sample(topo.topic(ti) + ": " + bad);
                            } else if (t0 >= warmupEndNs && t1 <= stopNs) {
                                measured.incrementAndGet();
                                synchronized (h) {
                                    h.record((t1 - t0) / 1000);
                                }
                            }
                        }
                        next(client, h, conn, seq);
                    }
                });
            } catch (Exception e) {
                errTransport.incrementAndGet();
                sample("send: " + e);
                finishOne();
            }
        }

        void finishOne() {
            if (outstanding.decrementAndGet() == 0) drained.countDown();
        }
    }

    static Map<String, Object> query(JSONObject c) throws Exception {
        return runQuery(c, null);
    }

    static Map<String, Object> runQuery(JSONObject c, Runnable duringMeasurement) throws Exception {
        Topo t = new Topo(c);
        int connections = c.getIntValue("connections");
        int inflight = c.getIntValue("inflight");
        int version = c.getIntValue("version");
        long warmupMs = c.getLongValue("warmupMs");
        long durationMs = c.getLongValue("durationMs");
        long maxRequests = c.getLongValue("maxRequests") > 0 ? c.getLongValue("maxRequests") : Long.MAX_VALUE;
        long timeoutMs = c.getLongValue("timeoutMs") > 0 ? c.getLongValue("timeoutMs") : 10_000;

        // Connect every client first (one validated request each), outside the timed window.
        List<NettyRemotingClient> clients = new ArrayList<>();
        long connectErrors = 0;
        for (int i = 0; i < connections; i++) {
            NettyRemotingClient cl = newClient();
            clients.add(cl);
            RemotingCommand resp = cl.invokeSync(addr, routeRequest(t.topic(i % t.topics), version), timeoutMs);
            String bad = validateRoute(resp, t, i % t.topics);
            if (bad != null) {
                connectErrors++;
                if (connectErrors == 1) System.err.println("first answer on connection " + i + " is wrong: " + bad);
            }
        }
        QueryRun run = new QueryRun(t, version, timeoutMs, warmupMs, durationMs, maxRequests);
        long cpu0 = cpuMillis();
        long wall0 = System.nanoTime();
        run.outstanding.set((long) connections * inflight);
        for (int i = 0; i < connections; i++) {
            Histo h = new Histo();
            run.histos.add(h);
            long[] seq = new long[] {0};
            NettyRemotingClient cl = clients.get(i);
            int conn = i;
            for (int k = 0; k < inflight; k++) run.next(cl, h, conn, seq);
        }
        if (duringMeasurement != null) duringMeasurement.run();
        long waitMs = warmupMs + durationMs + timeoutMs + 5_000;
        boolean drained = run.drained.await(waitMs, TimeUnit.MILLISECONDS);
        long wallMs = (System.nanoTime() - wall0) / 1_000_000;
        long cpuMs = cpuMillis() - cpu0;
        for (NettyRemotingClient cl : clients) close(cl);

        Histo all = new Histo();
        for (Histo h : run.histos) {
            synchronized (h) {
                all.merge(h);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections", connections);
        m.put("inflight", inflight);
        m.put("version", version);
        m.put("topics", t.topics);
        m.put("durationMs", durationMs);
        m.put("measured", run.measured.get());
        m.put("throughput", Math.round(run.measured.get() * 1000.0 / durationMs));
        m.put("latencyMs", histMs(all));
        long errors = run.errCode.get() + run.errBody.get() + run.errTransport.get() + connectErrors;
        m.put("completedAll", run.completedAll.get());
        m.put("errors", errors);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", run.errCode.get());
        e.put("body", run.errBody.get());
        e.put("transport", run.errTransport.get());
        e.put("connect", connectErrors);
        m.put("errorKinds", e);
        m.put("errorSamples", new ArrayList<>(run.samples));
        m.put("drained", drained);
        m.put("wallMs", wallMs);
        m.put("clientCpuMs", cpuMs);
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // mixed: route queries while held brokers re-register (changed DataVersion) every 0..N ms

    static Map<String, Object> mixed(JSONObject c) throws Exception {
        String prefix = c.getString("prefix");
        int regThreads = Math.max(1, c.getIntValue("regThreads"));
        int sleepMax = c.getIntValue("regSleepMaxMs");
        boolean changed = !Boolean.FALSE.equals(c.getBoolean("changed"));
        List<Broker> brokers = new ArrayList<>();
        for (Broker b : held.values()) if (b.name.startsWith(prefix + "-")) brokers.add(b);
        if (brokers.isEmpty()) throw new IllegalStateException("no brokers held for prefix " + prefix);
        Histo reg = new Histo();
        AtomicLong regErrors = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<String> regSamples = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        long warmupMs = c.getLongValue("warmupMs");
        Runnable start = () -> {
            for (int i = 0; i < regThreads; i++) {
                Thread th = new Thread(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    try {
                        Thread.sleep(warmupMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                    while (!stop.get()) {
                        Broker b = brokers.get(rnd.nextInt(brokers.size()));
                        try {
                            synchronized (b) {
                                if (changed) {
                                    b.dataVersion.nextVersion();
                                    b.encode();
                                }
                                long us = b.register(30_000);
                                synchronized (reg) {
                                    reg.record(us);
                                }
                            }
                        } catch (Exception e) {
                            regErrors.incrementAndGet();
                            if (regSamples.size() < 5) regSamples.add(String.valueOf(e));
                        }
                        try {
                            Thread.sleep(sleepMax > 0 ? rnd.nextInt(sleepMax + 1) : 0);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "re-register-" + i);
                th.setDaemon(true);
                th.start();
                threads.add(th);
            }
        };
        Map<String, Object> q;
        try {
            q = runQuery(c, start);
        } finally {
            stop.set(true);
            for (Thread th : threads) th.join(60_000);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("query", q);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("brokers", brokers.size());
        r.put("topicsPerBroker", brokers.get(0).topics.size());
        r.put("bodyBytes", brokers.get(0).body.length);
        r.put("changedDataVersion", changed);
        r.put("latencyMs", histMs(reg));
        r.put("errors", regErrors.get());
        r.put("errorSamples", new ArrayList<>(regSamples));
        m.put("registration", r);
        m.put("errors", ((Number) q.get("errors")).longValue() + regErrors.get());
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // regcost: one broker with N topics: first registration, unchanged and changed re-registration

    static Map<String, Object> regcost(JSONObject c) throws Exception {
        String prefix = c.getString("prefix");
        int reps = Math.max(1, c.getIntValue("reps"));
        List<Integer> sizes = c.getJSONArray("topics").toJavaList(Integer.class);
        int queues = c.getIntValue("queues") > 0 ? c.getIntValue("queues") : 8;
        Map<String, Object> m = new LinkedHashMap<>();
        long errors = 0;
        List<String> samples = new ArrayList<>();
        for (int n : sizes) {
            Histo first = new Histo();
            Histo same = new Histo();
            Histo changed = new Histo();
            long bodyBytes = 0;
            List<Broker> made = new ArrayList<>();
            for (int k = 0; k < reps; k++) {
                Broker b = newBroker(prefix + "-reg" + n, prefix + "-reg" + n + "-b" + k, fakeAddr(200, n % 250, k % 250 + 1), 0);
                for (int i = 0; i < n; i++) b.topics.put(prefix + "-reg" + n + "-t" + i, topicConfig(prefix + "-reg" + n + "-t" + i, queues));
                b.encode();
                bodyBytes = b.body.length;
                b.client = newClient();
                made.add(b);
                try {
                    first.record(b.register(60_000));
                    for (int r = 0; r < 3; r++) same.record(b.register(60_000));
                    for (int r = 0; r < 3; r++) {
                        b.dataVersion.nextVersion();
                        b.encode();
                        changed.record(b.register(60_000));
                    }
                } catch (Exception e) {
                    errors++;
                    if (samples.size() < 5) samples.add(String.valueOf(e));
                }
            }
            for (Broker b : made) close(b.client);
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("bodyBytes", bodyBytes);
            one.put("firstMs", histMs(first));
            one.put("unchangedMs", histMs(same));
            one.put("changedMs", histMs(changed));
            m.put(String.valueOf(n), one);
            Thread.sleep(300); // let the server drop the closed brokers before the next size
        }
        m.put("errors", errors);
        m.put("errorSamples", samples);
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // churn: B brokers, each on its own connection, re-registering (unchanged) every periodMs

    static Map<String, Object> churn(JSONObject c) throws Exception {
        String prefix = c.getString("prefix");
        int n = c.getIntValue("brokers");
        int topicsPerBroker = c.getIntValue("topicsPerBroker");
        int topicPool = Math.max(topicsPerBroker, c.getIntValue("topicPool"));
        int clusters = Math.max(1, c.getIntValue("clusters"));
        long periodMs = c.getLongValue("periodMs");
        long durationMs = c.getLongValue("durationMs");
        List<Broker> brokers = new ArrayList<>();
        Histo firstH = new Histo();
        long errors = 0;
        List<String> samples = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Broker b = newBroker(prefix + "-churn-c" + (i % clusters), prefix + "-churn-b" + i, fakeAddr(100 + i / 62500, (i / 250) % 250, i % 250 + 1), 0);
            for (int k = 0; k < topicsPerBroker; k++) {
                String topic = prefix + "-churn-t" + ((i * 7 + k) % topicPool);
                b.topics.put(topic, topicConfig(topic, 4));
            }
            b.encode();
            try {
                firstH.record(b.register(30_000));
            } catch (Exception e) {
                errors++;
                if (samples.size() < 5) samples.add(String.valueOf(e));
            }
            brokers.add(b);
        }
        long initialMs = (System.nanoTime() - t0) / 1_000_000;

        Histo h = new Histo();
        AtomicLong sent = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicLong errs = new AtomicLong();
        ScheduledExecutorService ses = Executors.newScheduledThreadPool(1);
        long cpu0 = cpuMillis();
        long start = System.nanoTime();
        long endNs = start + durationMs * 1_000_000;
        for (int i = 0; i < n; i++) {
            Broker b = brokers.get(i);
            long offset = periodMs * i / n;
            ses.scheduleAtFixedRate(() -> {
                if (System.nanoTime() >= endNs) return;
                RemotingCommand req = b.request();
                long s = System.nanoTime();
                sent.incrementAndGet();
                try {
                    b.client.invokeAsync(addr, req, 30_000, new org.apache.rocketmq.remoting.InvokeCallback() {
                        @Override
                        public void operationComplete(ResponseFuture rf) {
                            long us = (System.nanoTime() - s) / 1000;
                            RemotingCommand resp = rf.getResponseCommand();
                            if (resp == null || resp.getCode() != ResponseCode.SUCCESS) {
                                errs.incrementAndGet();
                                if (samples.size() < 5) samples.add(resp == null ? "transport: " + rf.getCause() : "code " + resp.getCode() + " " + resp.getRemark());
                            } else {
                                synchronized (h) {
                                    h.record(us);
                                }
                            }
                            done.incrementAndGet();
                        }
                    });
                } catch (Exception e) {
                    errs.incrementAndGet();
                    done.incrementAndGet();
                    if (samples.size() < 5) samples.add("send: " + e);
                }
            }, offset, periodMs, TimeUnit.MILLISECONDS);
        }
        Thread.sleep(durationMs);
        ses.shutdownNow();
        long waitUntil = System.currentTimeMillis() + 30_000;
        while (done.get() < sent.get() && System.currentTimeMillis() < waitUntil) Thread.sleep(20);
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        long cpuMs = cpuMillis() - cpu0;
        for (Broker b : brokers) close(b.client);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("brokers", n);
        m.put("topicsPerBroker", topicsPerBroker);
        m.put("bodyBytes", brokers.isEmpty() ? 0 : brokers.get(0).body.length);
        m.put("periodMs", periodMs);
        m.put("durationMs", durationMs);
        m.put("initialRegistrationMs", initialMs);
        m.put("firstMs", histMs(firstH));
        m.put("reRegistrations", sent.get());
        m.put("ratePerSec", Math.round(sent.get() * 1000.0 / durationMs));
        m.put("latencyMs", histMs(h));
        m.put("errors", errors + errs.get());
        m.put("errorSamples", new ArrayList<>(samples));
        m.put("wallMs", wallMs);
        m.put("clientCpuMs", cpuMs);
        Thread.sleep(300);
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // failure: how long until a broker disappears from routes after its connection closes, or after
    // it goes silent past its heartbeatTimeoutMillis

    static Map<String, Object> failure(JSONObject c) throws Exception {
        String prefix = c.getString("prefix");
        String mode = c.getString("mode");
        long hb = c.getLongValue("hbTimeoutMs");
        long pollMs = Math.max(1, c.getLongValue("pollMs"));
        long maxWaitMs = c.getLongValue("maxWaitMs");
        String topic = prefix + "-fail-" + mode;
        String cluster = prefix + "-fail-" + mode + "-c";
        Broker stay = newBroker(cluster, prefix + "-fail-" + mode + "-stay", fakeAddr(250, 1, mode.equals("close") ? 1 : 2), 0);
        Broker gone = newBroker(cluster, prefix + "-fail-" + mode + "-gone", fakeAddr(250, 2, mode.equals("close") ? 1 : 2), mode.equals("timeout") ? hb : 0);
        for (Broker b : new Broker[] {stay, gone}) {
            // A NameServer rejects a broker's first registration when it carries exactly one topic.
            b.topics.put(topic, topicConfig(topic, 4));
            b.topics.put(b.name + "-own", topicConfig(b.name + "-own", 4));
            b.encode();
        }
        stay.register(10_000);
        gone.register(10_000);
        long lastHeard = System.nanoTime();
        NettyRemotingClient poller = newClient();
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            int before = routeBrokerCount(poller, topic);
            if (before != 2) throw new IllegalStateException("route of " + topic + " has " + before + " brokers, expected 2");
            long t0;
            if (mode.equals("close")) {
                t0 = System.nanoTime();
                gone.client.closeChannels(Collections.singletonList(addr));
            } else {
                t0 = lastHeard;
            }
            long deadline = System.nanoTime() + maxWaitMs * 1_000_000;
            long polls = 0;
            int count = 2;
            while (System.nanoTime() < deadline) {
                count = routeBrokerCount(poller, topic);
                polls++;
                if (count < 2) break;
                Thread.sleep(pollMs);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            m.put("mode", mode);
            m.put("removed", count < 2);
            m.put("detectMs", Math.round(ms * 10) / 10.0);
            if (mode.equals("timeout")) {
                m.put("hbTimeoutMs", hb);
                m.put("afterTimeoutMs", Math.round((ms - hb) * 10) / 10.0);
            }
            m.put("polls", polls);
            m.put("pollMs", pollMs);
            m.put("errors", count < 2 ? 0 : 1);
        } finally {
            close(poller);
            close(stay.client);
            close(gone.client);
        }
        return m;
    }

    static int routeBrokerCount(NettyRemotingClient client, String topic) throws Exception {
        RemotingCommand resp = client.invokeSync(addr, routeRequest(topic, VERSION_CURRENT), 5_000);
        if (resp.getCode() == ResponseCode.TOPIC_NOT_EXIST) return 0;
        if (resp.getCode() != ResponseCode.SUCCESS) throw new IllegalStateException("route query -> code " + resp.getCode() + " " + resp.getRemark());
        TopicRouteData rd = RemotingSerializable.decode(resp.getBody(), TopicRouteData.class);
        return rd.getBrokerDatas() == null ? 0 : rd.getBrokerDatas().size();
    }
}
