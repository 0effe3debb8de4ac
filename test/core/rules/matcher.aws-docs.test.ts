/**
 * The matcher against AWS's own documented examples. Each test names the page and example it comes
 * from; where a page only says what matches, the no-match case is a derived counter-example and says so.
 * Pages: "Amazon EventBridge event patterns" (EP), "Matching null values and empty strings" (NULL),
 * "Arrays in Amazon EventBridge event patterns" (ARR), "Content filtering in Amazon EventBridge event
 * patterns" (CF), "Comparison operators for use in event patterns" (OPS), and the aws/event-ruler README
 * (RULER, the library EventBridge matching is built on), whose sample event the CF examples refer to.
 */
import { describe, expect, it } from "vitest";
import { matchesPattern } from "../../../core/rules/matcher";
import type { EventPattern } from "../../../core/rules/pattern";

// EP: "The following event shows a simple AWS event from Amazon EC2."
const EP_EC2_EVENT = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

// EP "Field matching" and NULL: the Auto Scaling event with an empty string and a null.
const AUTOSCALING_EVENT = {
  version: "0",
  id: "3e3c153a-8339-4e30-8c35-687ebef853fe",
  "detail-type": "EC2 Instance Launch Successful",
  source: "aws.autoscaling",
  account: "123456789012",
  time: "2015-11-11T21:31:47Z",
  region: "us-east-1",
  resources: [],
  detail: { eventVersion: "", responseElements: null },
};

// EP "Value matching": the (truncated) Amazon Macie Classic alert.
const MACIE_EVENT = {
  version: "0",
  id: "3e355723-fca9-4de3-9fd7-154c289d6b59",
  "detail-type": "Macie Alert",
  source: "aws.macie",
  account: "123456789012",
  time: "2017-04-24T22:28:49Z",
  region: "us-east-1",
  resources: [
    "arn:aws:macie:us-east-1:123456789012:trigger/trigger_id/alert/alert_id",
    "arn:aws:macie:us-east-1:123456789012:trigger/trigger_id",
  ],
  detail: {
    "notification-type": "ALERT_CREATED",
    name: "Scanning bucket policies",
    tags: ["Custom_Alert", "Insider"],
    "risk-score": 80,
    trigger: {
      "rule-arn": "arn:aws:macie:us-east-1:123456789012:trigger/trigger_id",
      "alert-type": "basic",
      risk: 8,
    },
  },
};

// RULER "Ruler by Example": the EC2 event the CF numeric, IP and complex examples are written against.
const RULER_EVENT = {
  version: "0",
  id: "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "012345679012",
  time: "2017-10-02T16:24:49Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  detail: {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    state: "running",
  },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...RULER_EVENT, detail });

describe("Event patterns page (EP)", () => {
  it("matches the EC2 instance-termination example", () => {
    // Prepare: EP "The following event pattern processes all Amazon EC2 instance-termination events."
    const pattern: EventPattern = {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      detail: { state: ["terminated"] },
    };
    // Act
    const matched = matchesPattern(pattern, EP_EC2_EVENT);
    // Assess
    expect(matched).toBe(true);
  });

  it("does not match a running instance (derived counter-example)", () => {
    // Prepare
    const pattern: EventPattern = { source: ["aws.ec2"], detail: { state: ["terminated"] } };
    const running = { ...EP_EC2_EVENT, detail: { ...EP_EC2_EVENT.detail, state: "running" } };
    // Act
    const matched = matchesPattern(pattern, running);
    // Assess
    expect(matched).toBe(false);
  });

  it("matches values from either of two sources (Match Values: aws.ec2 or aws.fargate)", () => {
    // Prepare
    const pattern: EventPattern = { source: ["aws.ec2", "aws.fargate"] };
    // Act
    const results = [
      matchesPattern(pattern, EP_EC2_EVENT),
      matchesPattern(pattern, { ...EP_EC2_EVENT, source: "aws.fargate" }),
      matchesPattern(pattern, { ...EP_EC2_EVENT, source: "aws.ecs" }),
    ];
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("requires every pattern field to exist in the event with the same nesting", () => {
    // Prepare: EP "the event must contain all the field names listed in the event pattern"
    const pattern: EventPattern = { detail: { state: ["terminated"], reason: ["user"] } };
    // Act
    const matched = matchesPattern(pattern, EP_EC2_EVENT);
    // Assess
    expect(matched).toBe(false);
  });

  it("matches the Field matching example on responseElements null", () => {
    // Prepare: EP "Field matching"
    const pattern: EventPattern = {
      source: ["aws.autoscaling"],
      "detail-type": ["EC2 Instance Launch Successful"],
      detail: { responseElements: [null] },
    };
    // Act
    const matched = matchesPattern(pattern, AUTOSCALING_EVENT);
    // Assess
    expect(matched).toBe(true);
  });

  it("matches the Value matching example on Macie risk-score 80 and trigger risk 8", () => {
    // Prepare: EP "Value matching"
    const pattern: EventPattern = {
      source: ["aws.macie"],
      "detail-type": ["Macie Alert"],
      detail: { "risk-score": [80], trigger: { risk: [8] } },
    };
    // Act
    const matched = matchesPattern(pattern, MACIE_EVENT);
    const lowerRisk = matchesPattern(pattern, {
      ...MACIE_EVENT,
      detail: { ...MACIE_EVENT.detail, trigger: { ...MACIE_EVENT.detail.trigger, risk: 7 } },
    });
    // Assess
    expect(matched).toBe(true);
    expect(lowerRisk).toBe(false);
  });
});

describe("Null values and empty strings page (NULL)", () => {
  it('matches eventVersion empty string with [""]', () => {
    // Prepare
    const pattern: EventPattern = { detail: { eventVersion: [""] } };
    // Act
    const matched = matchesPattern(pattern, AUTOSCALING_EVENT);
    // Assess
    expect(matched).toBe(true);
  });

  it("matches responseElements null with [null]", () => {
    // Prepare
    const pattern: EventPattern = { detail: { responseElements: [null] } };
    // Act
    const matched = matchesPattern(pattern, AUTOSCALING_EVENT);
    // Assess
    expect(matched).toBe(true);
  });

  it("does not treat null and the empty string as interchangeable (the page's Note)", () => {
    // Prepare
    const emptyForNull: EventPattern = { detail: { responseElements: [""] } };
    const nullForEmpty: EventPattern = { detail: { eventVersion: [null] } };
    // Act
    const results = [
      matchesPattern(emptyForNull, AUTOSCALING_EVENT),
      matchesPattern(nullForEmpty, AUTOSCALING_EVENT),
    ];
    // Assess
    expect(results).toEqual([false, false]);
  });
});

describe("Arrays page (ARR)", () => {
  const pattern: EventPattern = {
    resources: [
      "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
      "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
    ],
  };

  it("matches when the pattern array and the event array intersect", () => {
    // Prepare: ARR "the first item in the event pattern array matches the second item in the event array"
    const event = {
      resources: [
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      ],
    };
    // Act
    const matched = matchesPattern(pattern, event);
    // Assess
    expect(matched).toBe(true);
  });

  it("does not match when the intersection is empty (derived counter-example)", () => {
    // Prepare
    const event = { resources: ["arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f"] };
    // Act
    const matched = matchesPattern(pattern, event);
    // Assess
    expect(matched).toBe(false);
  });
});

describe("Content filtering page (CF) and comparison operators (OPS)", () => {
  it("prefix: time starting with 2017-10-02 matches 2017-10-02T18:43:48Z", () => {
    // Prepare: CF "Prefix matching"
    const pattern: EventPattern = { time: [{ prefix: "2017-10-02" }] };
    // Act
    const results = [
      matchesPattern(pattern, { time: "2017-10-02T18:43:48Z" }),
      matchesPattern(pattern, { time: "2017-10-03T18:43:48Z" }),
    ];
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("prefix with equals-ignore-case: EventB matches EventBridge, EVENTBRIDGE and eventbridge", () => {
    // Prepare: CF "Prefix matching while ignoring case"
    const pattern: EventPattern = { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } };
    // Act
    const results = ["EventBridge", "EVENTBRIDGE", "eventbridge", "Lambda"].map((service) =>
      matchesPattern(pattern, { detail: { service } }),
    );
    // Assess
    expect(results).toEqual([true, true, true, false]);
  });

  it("prefix: Region is in the US", () => {
    // Prepare: OPS "Begins with"
    const pattern: EventPattern = { Region: [{ prefix: "us-" }] };
    // Act
    const results = ["us-east-1", "eu-west-1"].map((Region) => matchesPattern(pattern, { Region }));
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("suffix: FileName ending with .png", () => {
    // Prepare: CF "Suffix matching"
    const pattern: EventPattern = { FileName: [{ suffix: ".png" }] };
    // Act
    const results = ["image.png", "image.PNG", "image.png.txt"].map((FileName) =>
      matchesPattern(pattern, { FileName }),
    );
    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it("suffix with equals-ignore-case: .png matches .png and .PNG", () => {
    // Prepare: CF "Suffix matching while ignoring case"
    const pattern: EventPattern = { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } };
    // Act
    const results = ["a.png", "a.PNG", "a.jpg"].map((FileName) =>
      matchesPattern(pattern, { detail: { FileName } }),
    );
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("suffix with equals-ignore-case: service ending with tbridge in any case", () => {
    // Prepare: OPS "Ends with (ignore case)"
    const pattern: EventPattern = { service: [{ suffix: { "equals-ignore-case": "tbridge" } }] };
    // Act
    const results = ["EventBridge", "EVENTBRIDGE", "Bridge"].map((service) =>
      matchesPattern(pattern, { service }),
    );
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("anything-but a string: state is anything but initializing", () => {
    // Prepare: CF "Anything-but matching" (string)
    const pattern: EventPattern = { detail: { state: [{ "anything-but": "initializing" }] } };
    // Act
    const results = [
      matchesPattern(pattern, RULER_EVENT),
      matchesPattern(pattern, withDetail({ state: "initializing" })),
    ];
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("anything-but a number: x-limit is anything but 123", () => {
    // Prepare: CF "Anything-but matching" (number)
    const pattern: EventPattern = { detail: { "x-limit": [{ "anything-but": 123 }] } };
    // Act
    const results = [
      matchesPattern(pattern, RULER_EVENT),
      matchesPattern(pattern, withDetail({ "x-limit": 123 })),
    ];
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("anything-but a list of strings: neither stopped nor overloaded", () => {
    // Prepare: CF "anything-but matching with a list of strings"
    const pattern: EventPattern = { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } };
    // Act
    const results = ["running", "stopped", "overloaded"].map((state) =>
      matchesPattern(pattern, withDetail({ state })),
    );
    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it("anything-but a list of numbers: x-limit not 100, 200 or 300", () => {
    // Prepare: CF "anything-but matching with a list of numbers"
    const pattern: EventPattern = { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } };
    // Act
    const results = [301.8, 200, 300].map((x) => matchesPattern(pattern, withDetail({ "x-limit": x })));
    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it("anything-but prefix: state without the prefix init", () => {
    // Prepare: CF "anything-but matching that matches any event that doesn't have the prefix init"
    const pattern: EventPattern = { detail: { state: [{ "anything-but": { prefix: "init" } }] } };
    // Act
    const results = ["running", "initializing"].map((state) =>
      matchesPattern(pattern, withDetail({ state })),
    );
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("anything-but prefix: Region is not in the US", () => {
    // Prepare: OPS "Anything-but (begins with)"
    const pattern: EventPattern = { Region: [{ "anything-but": { prefix: "us-" } }] };
    // Act
    const results = ["eu-west-1", "us-east-1"].map((Region) => matchesPattern(pattern, { Region }));
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("anything-but suffix: FileName does not end with .png", () => {
    // Prepare: OPS "Anything-but (ends with)"
    const pattern: EventPattern = { FileName: [{ "anything-but": { suffix: ".png" } }] };
    // Act
    const results = ["notes.txt", "image.png"].map((FileName) => matchesPattern(pattern, { FileName }));
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("anything-but equals-ignore-case: any state besides initializing in any casing", () => {
    // Prepare: OPS "Anything-but (ignore case)"
    const pattern: EventPattern = { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] };
    // Act
    const results = ["running", "INITIALIZING", "Initializing"].map((state) =>
      matchesPattern(pattern, { state }),
    );
    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it("anything-but equals-ignore-case with a list", () => {
    // Prepare: list form of OPS "Anything-but (ignore case)" (event-ruler accepts a list here)
    const pattern: EventPattern = {
      state: [{ "anything-but": { "equals-ignore-case": ["initializing", "stopped"] } }],
    };
    // Act
    const results = ["running", "STOPPED", "Initializing"].map((state) => matchesPattern(pattern, { state }));
    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it("anything-but wildcard: FilePath is not a path that includes /lib/", () => {
    // Prepare: OPS "Anything-but using a wildcard"
    const pattern: EventPattern = { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] };
    // Act
    const results = ["/usr/bin/env", "/usr/lib/libc.so"].map((FilePath) =>
      matchesPattern(pattern, { FilePath }),
    );
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("anything-but wildcard with a list of paths", () => {
    // Prepare: list form of OPS "Anything-but using a wildcard" (event-ruler accepts a list here)
    const pattern: EventPattern = { FilePath: [{ "anything-but": { wildcard: ["*/lib/*", "*/bin/*"] } }] };
    // Act
    const results = ["/etc/hosts", "/usr/lib/x", "/usr/bin/y"].map((FilePath) =>
      matchesPattern(pattern, { FilePath }),
    );
    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it("numeric: the c-count / d-count / x-limit example matches the sample event", () => {
    // Prepare: CF "Numeric matching" (x-limit = 3.018e2 = 301.8)
    const pattern: EventPattern = {
      detail: {
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "d-count": [{ numeric: ["<", 10] }],
        "x-limit": [{ numeric: ["=", 3.018e2] }],
      },
    };
    // Act
    const matched = matchesPattern(pattern, RULER_EVENT);
    const cCountSix = matchesPattern(pattern, withDetail({ ...RULER_EVENT.detail, "c-count": 6 }));
    // Assess
    expect(matched).toBe(true);
    expect(cCountSix).toBe(false);
  });

  it("numeric: Price is 100; Price is more than 10 and at most 20", () => {
    // Prepare: OPS "Numeric (equals)" and "Numeric (range)"
    const equals: EventPattern = { Price: [{ numeric: ["=", 100] }] };
    const range: EventPattern = { Price: [{ numeric: [">", 10, "<=", 20] }] };
    // Act
    const results = [
      [100, 100.0, 99.5].map((Price) => matchesPattern(equals, { Price })),
      [10, 10.5, 20, 20.1].map((Price) => matchesPattern(range, { Price })),
    ];
    // Assess
    expect(results).toEqual([
      [true, true, false],
      [false, true, true, false],
    ]);
  });

  it("numeric matching works only with JSON numbers, never with numeric strings", () => {
    // Prepare: CF "Numeric matching works with values that are JSON numbers"
    const pattern: EventPattern = { detail: { "c-count": [{ numeric: [">", 0] }] } };
    // Act
    const matched = matchesPattern(pattern, withDetail({ "c-count": "5" }));
    // Assess
    expect(matched).toBe(false);
  });

  it("cidr: sourceIPAddress in 10.0.0.0/24", () => {
    // Prepare: CF "IP address matching"
    const pattern: EventPattern = { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } };
    // Act
    const results = ["10.0.0.0", "10.0.0.255", "10.0.1.0", "not-an-ip"].map((sourceIPAddress) =>
      matchesPattern(pattern, { detail: { sourceIPAddress } }),
    );
    // Assess
    expect(results).toEqual([true, true, false, false]);
  });

  it("cidr works with IPv6 addresses (RULER: 'This also works with IPv6 addresses')", () => {
    // Prepare: derived IPv6 example
    const pattern: EventPattern = { detail: { "source-ip": [{ cidr: "2001:db8::/32" }] } };
    // Act
    const results = ["2001:db8::1", "2001:0db8:ffff::", "2001:db9::1", "10.0.0.1"].map((ip) =>
      matchesPattern(pattern, withDetail({ "source-ip": ip })),
    );
    // Assess
    expect(results).toEqual([true, true, false, false]);
  });

  it("exists false: matches an event without detail.c-count", () => {
    // Prepare: CF "Exists matching", first example event
    const pattern: EventPattern = { detail: { "c-count": [{ exists: false }] } };
    const event = {
      "detail-type": ["EC2 Instance State-change Notification"],
      resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
      detail: { state: ["initializing", "running"] },
    };
    // Act
    const matched = matchesPattern(pattern, event);
    // Assess
    expect(matched).toBe(true);
  });

  it("exists false: also matches when c-count is an object, because c-count is not a leaf node", () => {
    // Prepare: CF "Exists matching", second example event
    const pattern: EventPattern = { detail: { "c-count": [{ exists: false }] } };
    const event = {
      "detail-type": ["EC2 Instance State-change Notification"],
      resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
      detail: { state: ["initializing", "running"], "c-count": { c1: 100 } },
    };
    // Act
    const matched = matchesPattern(pattern, event);
    // Assess
    expect(matched).toBe(true);
  });

  it("exists false does not match when c-count is a leaf value (derived counter-example)", () => {
    // Prepare
    const pattern: EventPattern = { detail: { "c-count": [{ exists: false }] } };
    // Act
    const matched = matchesPattern(pattern, RULER_EVENT);
    // Assess
    expect(matched).toBe(false);
  });

  it("exists true: ProductName exists; exists false: ProductName does not exist", () => {
    // Prepare: OPS "Exists" and "Does not exist"
    const exists: EventPattern = { ProductName: [{ exists: true }] };
    const missing: EventPattern = { ProductName: [{ exists: false }] };
    const withName = { ProductName: "Widget" };
    const withoutName = { Price: 1 };
    // Act
    const results = [
      matchesPattern(exists, withName),
      matchesPattern(exists, withoutName),
      matchesPattern(missing, withName),
      matchesPattern(missing, withoutName),
    ];
    // Assess
    expect(results).toEqual([true, false, false, true]);
  });

  it("equals-ignore-case: Name is Alice in any casing", () => {
    // Prepare: OPS "Equals (ignore case)"
    const pattern: EventPattern = { Name: [{ "equals-ignore-case": "alice" }] };
    // Act
    const results = ["Alice", "ALICE", "Alicia"].map((Name) => matchesPattern(pattern, { Name }));
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("equals and empty: Name is Alice; LastName is empty", () => {
    // Prepare: OPS "Equals" and "Empty"
    const equals: EventPattern = { Name: ["Alice"] };
    const empty: EventPattern = { LastName: [""] };
    // Act
    const results = [
      matchesPattern(equals, { Name: "Alice" }),
      matchesPattern(equals, { Name: "alice" }),
      matchesPattern(empty, { LastName: "" }),
      matchesPattern(empty, { LastName: "Doe" }),
    ];
    // Assess
    expect(results).toEqual([true, false, true, false]);
  });

  it("not: Weather is anything but Raining; null: UserID is null", () => {
    // Prepare: OPS "Not" and "Null"
    const notRaining: EventPattern = { Weather: [{ "anything-but": ["Raining"] }] };
    const nullUser: EventPattern = { UserID: [null] };
    // Act
    const results = [
      matchesPattern(notRaining, { Weather: "Sunny" }),
      matchesPattern(notRaining, { Weather: "Raining" }),
      matchesPattern(nullUser, { UserID: null }),
      matchesPattern(nullUser, { UserID: "u-1" }),
    ];
    // Assess
    expect(results).toEqual([true, false, true, false]);
  });

  it("wildcard: any file with a .png extension located within the folder dir", () => {
    // Prepare: OPS "Wildcard"
    const pattern: EventPattern = { FileName: [{ wildcard: "dir/*.png" }] };
    // Act
    const results = ["dir/a.png", "dir/sub/b.png", "other/a.png", "dir/a.jpg"].map((FileName) =>
      matchesPattern(pattern, { FileName }),
    );
    // Assess
    expect(results).toEqual([true, true, false, false]);
  });

  it("wildcard: Simple*Service (RULER 'Wildcard matching')", () => {
    // Prepare
    const pattern: EventPattern = { source: [{ wildcard: "Simple*Service" }] };
    // Act
    const results = ["SimpleQueueService", "SimpleService", "SimpleQueue"].map((source) =>
      matchesPattern(pattern, { source }),
    );
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("and: Location is New York and Day is Monday", () => {
    // Prepare: OPS "And"
    const pattern: EventPattern = { Location: ["New York"], Day: ["Monday"] };
    // Act
    const results = [
      matchesPattern(pattern, { Location: "New York", Day: "Monday" }),
      matchesPattern(pattern, { Location: "New York", Day: "Tuesday" }),
    ];
    // Assess
    expect(results).toEqual([true, false]);
  });

  it("or: PaymentType is Credit or Debit", () => {
    // Prepare: OPS "Or" (values)
    const pattern: EventPattern = { PaymentType: ["Credit", "Debit"] };
    // Act
    const results = ["Credit", "Debit", "Cash"].map((PaymentType) =>
      matchesPattern(pattern, { PaymentType }),
    );
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("$or: Location is New York, or Day is Monday", () => {
    // Prepare: OPS "Or (multiple fields)"
    const pattern: EventPattern = { $or: [{ Location: ["New York"] }, { Day: ["Monday"] }] };
    // Act
    const results = [
      matchesPattern(pattern, { Location: "New York", Day: "Friday" }),
      matchesPattern(pattern, { Location: "Boston", Day: "Monday" }),
      matchesPattern(pattern, { Location: "Boston", Day: "Friday" }),
    ];
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("$or inside detail: c-count, d-count or x-limit (CF 'Matching using $or')", () => {
    // Prepare
    const pattern: EventPattern = {
      detail: {
        $or: [
          { "c-count": [{ numeric: [">", 0, "<=", 5] }] },
          { "d-count": [{ numeric: ["<", 10] }] },
          { "x-limit": [{ numeric: ["=", 3.018e2] }] },
        ],
      },
    };
    // Act
    const results = [
      matchesPattern(pattern, withDetail({ "c-count": 9, "d-count": 3 })),
      matchesPattern(pattern, withDetail({ "x-limit": 301.8 })),
      matchesPattern(pattern, withDetail({ "c-count": 9, "d-count": 30, "x-limit": 1 })),
    ];
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it('$or "source" && ("metricName" || "namespace") (RULER "Normal Or")', () => {
    // Prepare
    const pattern: EventPattern = {
      source: ["aws.cloudwatch"],
      $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
    };
    // Act
    const results = [
      matchesPattern(pattern, { source: "aws.cloudwatch", metricName: "ReadLatency" }),
      matchesPattern(pattern, { source: "aws.cloudwatch", namespace: "AWS/ES" }),
      matchesPattern(pattern, { source: "aws.ec2", namespace: "AWS/ES" }),
      matchesPattern(pattern, { source: "aws.cloudwatch", namespace: "AWS/RDS" }),
    ];
    // Assess
    expect(results).toEqual([true, true, false, false]);
  });

  it("$or with an And inside, nested $or (RULER 'Nested Or and And')", () => {
    // Prepare
    const pattern: EventPattern = {
      source: ["aws.cloudwatch"],
      $or: [
        { metricName: ["CPUUtilization", "ReadLatency"] },
        {
          metricType: ["MetricType"],
          namespace: ["AWS/EC2", "AWS/ES"],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ["Service"] },
      ],
    };
    const base = { source: "aws.cloudwatch", metricType: "MetricType", namespace: "AWS/EC2" };
    // Act
    const results = [
      matchesPattern(pattern, { ...base, metricId: 1234 }),
      matchesPattern(pattern, { ...base, spaceId: 1000 }),
      matchesPattern(pattern, { ...base, spaceId: 1 }),
      matchesPattern(pattern, { source: "aws.cloudwatch", scope: "Service" }),
    ];
    // Assess
    expect(results).toEqual([true, true, false, true]);
  });

  it("complex example: prefix, anything-but, numeric and cidr together", () => {
    // Prepare: CF "Complex example with multiple matching" (RULER adds the cidr line)
    const pattern: EventPattern = {
      time: [{ prefix: "2017-10-02" }],
      detail: {
        state: [{ "anything-but": "initializing" }],
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "d-count": [{ numeric: ["<", 10] }],
        "x-limit": [{ "anything-but": [100, 200, 300] }],
        "source-ip": [{ cidr: "10.0.0.0/8" }],
      },
    };
    // Act
    const matched = matchesPattern(pattern, RULER_EVENT);
    const otherNetwork = matchesPattern(
      pattern,
      withDetail({ ...RULER_EVENT.detail, "source-ip": "192.168.0.1" }),
    );
    // Assess
    expect(matched).toBe(true);
    expect(otherNetwork).toBe(false);
  });
});

describe("JSON array matching (RULER 'JSON Array Matching')", () => {
  const event = {
    employees: [
      { firstName: "John", lastName: "Doe" },
      { firstName: "Anna", lastName: "Smith" },
      { firstName: "Peter", lastName: "Jones" },
    ],
  };

  it("crushes the array out of the path: firstName Anna matches", () => {
    // Prepare
    const pattern: EventPattern = { employees: { firstName: ["Anna"] } };
    // Act
    const matched = matchesPattern(pattern, event);
    // Assess
    expect(matched).toBe(true);
  });

  it("works for multi-level arrays", () => {
    // Prepare
    const nested = {
      employees: [
        [
          { firstName: "John", lastName: "Doe" },
          { firstName: "Anna", lastName: "Smith" },
        ],
        [{ firstName: "Peter", lastName: "Jones" }],
      ],
    };
    // Act
    const matched = matchesPattern({ employees: { firstName: ["Peter"] } }, nested);
    // Assess
    expect(matched).toBe(true);
  });

  it("is array-consistent: Anna / Jones come from different elements and do not match", () => {
    // Prepare
    const pattern: EventPattern = { employees: { firstName: ["Anna"], lastName: ["Jones"] } };
    // Act
    const matched = matchesPattern(pattern, event);
    const sameElement = matchesPattern({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event);
    // Assess
    expect(matched).toBe(false);
    expect(sameElement).toBe(true);
  });
});
