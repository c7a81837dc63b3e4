import { Hono } from "hono";

/** Answers the address list Java's TopAddressing reads: `host:port;host:port`. */
export type AddressListSource = () => Promise<string>;

/**
 * The address server Java clients and brokers poll when they know no NameServer address
 * (MixAll.getWSAddr: `http://<rocketmq.namesrv.domain>/rocketmq/<rocketmq.namesrv.domain.subgroup>`,
 * with `-<unitName>?nofix=1` appended by a client that has a unit name). Every subgroup of the
 * `nsaddr` family answers the same list: units are not told apart. Anonymous on purpose: a client
 * fetching it cannot present credentials, and a NameServer address is no secret to its clients.
 */
export function addressServerRoutes(addressList: AddressListSource): Hono {
  const app = new Hono();
  app.get("/rocketmq/:subgroup{nsaddr(?:-[^/]+)?}", async function fetchNameServerAddresses(c) {
    // an empty answer leaves a Java client with the list it had (MQClientAPIImpl.fetchNameServerAddr)
    return c.text(await addressList(), 200, { "cache-control": "no-store" });
  });
  return app;
}
