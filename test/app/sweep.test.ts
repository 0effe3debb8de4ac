import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestText } from "../../app/ingest";
import { sweep } from "../../app/sweep";
import { guardDutyStream } from "../../bench/ingest.bench";
import { makeLocalApp } from "../support/local-app";

const T0 = "2024-05-01T10:00:00.000Z";
let app: ReturnType<typeof makeLocalApp>;
beforeEach(async () => {
  app = makeLocalApp(T0);
  for (const [i, text] of guardDutyStream(3, 3).entries())
    await ingestText(app.deps, text, { channel: "test", rawRef: `e${i}` });
});
afterEach(() => app.close());

describe("sweep", () => {
  it("checks every due incident and reports a full batch", async () => {
    app.clock.at(T0, 16);
    expect(await sweep(app.deps, 2)).toMatchObject({ checked: 2, changed: 2, failed: [], more: true });
    expect(await sweep(app.deps, 2)).toMatchObject({ checked: 1, changed: 1, failed: [], more: false });
  });

  it("skips an incident that cannot be stepped and still checks the others", async () => {
    // A snapshot from a future machine version: restoring it throws.
    app.stores.db
      .prepare("UPDATE incidents SET snapshot = ? WHERE id = ?")
      .run(JSON.stringify({ machineVersion: 99, state: {} }), "IR-0001");
    app.clock.at(T0, 16);
    const outcome = await sweep(app.deps, 10);
    expect(outcome.checked).toBe(3);
    expect(outcome.changed).toBe(2);
    expect(outcome.failed.map((f) => f.id)).toEqual(["IR-0001"]);
    expect(outcome.failed[0]!.error).toMatch(/version/i);
  });
});
