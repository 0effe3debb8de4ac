/**
 * Application "Security Event" envelopes as an application puts them on a custom bus (PutEvents entry
 * with Source, DetailType "Security Event" and a JSON Detail), with overrides for the detail.
 */

// biome-ignore lint/suspicious/noExplicitAny: events are arbitrary JSON that tests poke at
type Json = Record<string, any>;

export interface AppEventOverrides {
  id?: string | undefined;
  source?: string;
  account?: string;
  region?: string;
  time?: string;
  /** Merged over the default detail; a key set to `undefined` is removed. */
  detail?: Json;
}

export const makeAppEventDetail = (overrides: Json = {}): Json =>
  dropUndefined({
    eventType: "failed_login",
    severity: "medium",
    ipAddress: "203.0.113.10",
    userAgent:
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    resource: "/api/login",
    action: "login",
    userId: "user-4821",
    timestamp: "2024-05-14T09:21:07.412Z",
    metadata: { attempts: 5, method: "password" },
    ...overrides,
  });

export function makeAppEvent(o: AppEventOverrides = {}): Json {
  return dropUndefined({
    version: "0",
    id: "id" in o ? o.id : "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "Security Event",
    source: o.source ?? "com.example.checkout",
    account: o.account ?? "123456789012",
    time: o.time ?? "2024-05-14T09:21:08Z",
    region: o.region ?? "eu-west-1",
    resources: [],
    detail: makeAppEventDetail(o.detail),
  });
}

function dropUndefined(obj: Json): Json {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
