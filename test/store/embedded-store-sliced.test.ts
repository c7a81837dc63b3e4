import { EmbeddedStore } from "../../edge/store/embedded-store";
import { describeStoreConformance } from "./store-conformance";

// Every registration staged in slices (yielding after each topic) and committed: the same behaviour.
describeStoreConformance(
  "EmbeddedStore (every registration applied in slices)",
  async () => new EmbeddedStore({ kvConfigPath: null, sliceAtTopics: 0, sliceMillis: 0 }),
);
