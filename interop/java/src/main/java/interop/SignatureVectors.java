package interop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.remoting.CommandCustomHeader;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.RequestCode;
import org.apache.rocketmq.remoting.protocol.header.namesrv.GetRouteInfoRequestHeader;
import org.apache.rocketmq.remoting.protocol.header.namesrv.PutKVConfigRequestHeader;
import org.apache.rocketmq.remoting.protocol.header.namesrv.RegisterBrokerRequestHeader;

/**
 * Signs sample requests with RocketMQ's own AclClientRPCHook (what brokers, mqadmin and Java
 * clients register) and prints them as JSON, one vector per request:
 * {name, code, secretKey, extFields (as the hook left them: header fields, AccessKey, SecurityToken,
 * Signature), body (base64 or null), signature}. A verifier that accepts all of them and rejects
 * any change computes the content exactly as Java does.
 *
 * Strings are printed with every non-ASCII UTF-16 code unit escaped (\\uXXXX), so values survive
 * byte for byte, lone surrogates included. Deterministic: the same jar prints the same text.
 *
 * Usage: SignatureVectors
 */
public final class SignatureVectors {
    private static final List<String> VECTORS = new ArrayList<>();

    public static void main(String[] args) {
        GetRouteInfoRequestHeader route = new GetRouteInfoRequestHeader();
        route.setTopic("TopicA");
        sign("route query (105), plain ASCII", RequestCode.GET_ROUTEINFO_BY_TOPIC, route, null,
            null, new SessionCredentials("rocketmq", "12345678"));

        PutKVConfigRequestHeader kv = new PutKVConfigRequestHeader();
        kv.setNamespace("ORDER_TOPIC_CONFIG");
        kv.setKey("Zürich-主题");
        kv.setValue("broker-a:4;\u00e9t\u00e9 \u2192 \u6771\u4eac \ud83d\ude80");
        sign("PUT_KV_CONFIG (100), non-ASCII values and secret key", RequestCode.PUT_KV_CONFIG, kv, null,
            null, new SessionCredentials("app-\u00fc", "s\u00e9cret-\u5bc6\u94a5"));

        RegisterBrokerRequestHeader register = new RegisterBrokerRequestHeader();
        register.setBrokerName("broker-a");
        register.setBrokerAddr("127.0.0.1:10911");
        register.setClusterName("DefaultCluster");
        register.setHaServerAddr("127.0.0.1:10912");
        register.setBrokerId(0L);
        register.setHeartbeatTimeoutMillis(120000L);
        register.setCompressed(false);
        register.setBodyCrc32(123456789);
        byte[] body = new byte[300];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7 + 3);
        }
        sign("REGISTER_BROKER (103) with a binary body and a SecurityToken", RequestCode.REGISTER_BROKER, register,
            null, body, new SessionCredentials("rocketmq", "12345678", "token-\u00df-42"));

        Map<String, String> mixed = new TreeMap<>();
        mixed.put("zeta", "1");
        mixed.put("Zeta", "2");
        mixed.put("_under", "3");
        mixed.put("alpha", "");
        mixed.put("\u00e4key", "4");
        // U+FF01 sorts after a surrogate pair in UTF-16 code units, before it in code points.
        mixed.put("\uff01bang", "5");
        mixed.put("\ud83d\ude00smile", "6");
        mixed.put("Accesskey", "7");
        mixed.put("signature", "lower-case, so it is signed");
        sign("mixed-case and non-ASCII keys, an empty value, a JSON body", RequestCode.PUT_KV_CONFIG, null, mixed,
            "{\"k\":\"v\u00e9\"}".getBytes(StandardCharsets.UTF_8), new SessionCredentials("AK-Mixed", "SK-Mixed"));

        Map<String, String> lone = new TreeMap<>();
        lone.put("topic", "lone\ud800surrogate");
        sign("a value with a lone surrogate (Java encodes it as '?')", RequestCode.GET_ROUTEINFO_BY_TOPIC, null, lone,
            null, new SessionCredentials("rocketmq", "12345678"));

        sign("no header at all, a body only", RequestCode.REGISTER_TOPIC_IN_NAMESRV, null, null,
            "body only".getBytes(StandardCharsets.UTF_8), new SessionCredentials("rocketmq", "12345678", ""));

        System.out.println("[\n" + String.join(",\n", VECTORS) + "\n]");
    }

    private static void sign(String name, int code, CommandCustomHeader header, Map<String, String> extra, byte[] body,
        SessionCredentials credentials) {
        RemotingCommand request = RemotingCommand.createRequestCommand(code, header);
        if (extra != null) {
            for (Map.Entry<String, String> e : extra.entrySet()) {
                request.addExtField(e.getKey(), e.getValue());
            }
        }
        request.setBody(body);
        new AclClientRPCHook(credentials).doBeforeRequest("127.0.0.1:9876", request);

        Map<String, String> fields = new TreeMap<>(request.getExtFields());
        StringBuilder json = new StringBuilder("  {\"name\": ").append(quote(name))
            .append(", \"code\": ").append(code)
            .append(", \"secretKey\": ").append(quote(credentials.getSecretKey()))
            .append(", \"extFields\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            json.append(first ? "" : ", ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
            first = false;
        }
        json.append("}, \"body\": ").append(body == null ? "null" : quote(Base64.getEncoder().encodeToString(body)))
            .append(", \"signature\": ").append(quote(fields.get(SessionCredentials.SIGNATURE))).append("}");
        VECTORS.add(json.toString());
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
