import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReadContext } from "../../../../core/normalize/read";
import { readActor, readProductFields } from "../../../../core/normalize/securityhub/asff-parts";

const GD_REMOTE = "aws/guardduty/service/action/networkConnectionAction/remoteIpDetails";

describe("readProductFields", () => {
  it("reads a map of strings as it is, with no warnings", () => {
    // Prepare
    const ctx = new ReadContext("ref");
    const doc = { ProductFields: { ControlId: "EC2.7", "aws/securityhub/ProductName": "Security Hub" } };

    // Act
    const fields = readProductFields(doc, "$", ctx);

    // Assess
    expect({ ...fields }).toEqual(doc.ProductFields);
    expect(ctx.warnings).toEqual([]);
  });

  it("coerces numbers and drops empty or structured values, warning at each field's path", () => {
    // Prepare
    const ctx = new ReadContext("ref");
    const doc = {
      ProductFields: { ControlId: "EC2.7", "aws/guardduty/service/count": 74, Empty: "", Nested: {} },
    };

    // Act
    const fields = readProductFields(doc, "$.Findings[0]", ctx);

    // Assess
    expect({ ...fields }).toEqual({ ControlId: "EC2.7", "aws/guardduty/service/count": "74" });
    expect(ctx.warnings.map((w) => [w.code, w.path])).toEqual([
      ["coerced_string", '$.Findings[0].ProductFields["aws/guardduty/service/count"]'],
      ["ignored_field", "$.Findings[0].ProductFields.Nested"],
    ]);
  });

  it("reads no fields, with a warning, when ProductFields is not an object", () => {
    // Prepare
    const ctx = new ReadContext("ref");

    // Act
    const fields = readProductFields({ ProductFields: ["ControlId"] }, "$", ctx);

    // Assess
    expect({ ...fields }).toEqual({});
    expect(ctx.warnings.map((w) => [w.code, w.path])).toEqual([["ignored_field", "$.ProductFields"]]);
  });
});

describe("readActor from GuardDuty's flattened ProductFields", () => {
  it("takes each fact from the first key ending with its suffix, whatever the action prefix", () => {
    // Prepare
    const fields = {
      "aws/guardduty/service/action/awsApiCallAction/remoteIpDetails/ipAddressV4": "198.51.100.1",
      [`${GD_REMOTE}/ipAddressV4`]: "203.0.113.9",
      [`${GD_REMOTE}/country/countryName`]: "Netherlands",
      [`${GD_REMOTE}/organization/asn`]: "64496",
      "aws/guardduty/service/action/dnsRequestAction/domain": "pool.example.com",
    };

    // Act
    const actor = readActor({}, fields);

    // Assess
    expect(actor).toEqual({
      ip: "198.51.100.1",
      domain: "pool.example.com",
      location: { country: "Netherlands", city: undefined, org: undefined, asn: "64496" },
    });
  });

  it("ignores keys that contain a suffix without ending with it, or end with only its last segment", () => {
    // Prepare
    const fields = {
      [`${GD_REMOTE}/ipAddressV4/extra`]: "198.51.100.1",
      "something/ipAddressV4": "198.51.100.2",
      domain: "example.com",
      org: "Example",
    };

    // Act
    const actor = readActor({}, fields);

    // Assess
    expect(actor).toBeUndefined();
  });

  it("prefers the action's own remote details over ProductFields", () => {
    // Prepare
    const doc = {
      Action: {
        PortProbeAction: {
          PortProbeDetails: [{ RemoteIpDetails: { IpAddressV4: "192.0.2.7", City: { CityName: "Lyon" } } }],
        },
      },
    };
    const fields = { [`${GD_REMOTE}/ipAddressV4`]: "203.0.113.9", [`${GD_REMOTE}/city/cityName`]: "Oslo" };

    // Act
    const actor = readActor(doc, fields);

    // Assess
    expect(actor?.ip).toBe("192.0.2.7");
    expect(actor?.location?.city).toBe("Lyon");
  });

  it("reads the destination side of an outbound connection", () => {
    // Prepare
    const doc = { Network: { Direction: "OUT", SourceIpV4: "10.0.0.5", DestinationIpV4: "203.0.113.50" } };

    // Act
    const actor = readActor(doc, {});

    // Assess
    expect(actor?.ip).toBe("203.0.113.50");
  });
});

describe("readActor's ProductFields scan", () => {
  const SUFFIXES = {
    country: "remoteIpDetails/country/countryName",
    city: "remoteIpDetails/city/cityName",
    org: "remoteIpDetails/organization/org",
    asn: "remoteIpDetails/organization/asn",
    ip: "remoteIpDetails/ipAddressV4",
    domain: "dnsRequestAction/domain",
  } as const;

  /** The plain reading: for each fact, the first key (in order) that ends with its suffix. */
  function referenceFields(fields: Record<string, string>) {
    const found: Record<string, string | undefined> = {};
    for (const [name, suffix] of Object.entries(SUFFIXES))
      found[name] = Object.keys(fields)
        .filter((k) => k.endsWith(suffix))
        .map((k) => fields[k])[0];
    return found;
  }

  it("skips empty keys and keys ending in a character no suffix ends with", () => {
    // Prepare
    const fields = {
      "": "empty",
      "x/ipAddressV4é": "198.51.100.3",
      [`${GD_REMOTE}/ipAddressV4`]: "203.0.113.9",
    };

    // Act
    const actor = readActor({}, fields);

    // Assess
    expect(actor?.ip).toBe("203.0.113.9");
  });

  it("finds what the plain first-key-ending-with-the-suffix reading finds (property)", () => {
    const key = fc
      .array(
        fc.constantFrom(
          "aws/",
          "remoteIpDetails/",
          "dnsRequestAction/",
          "country/",
          "countryName",
          "city/",
          "cityName",
          "organization/",
          "org",
          "asn",
          "ipAddressV4",
          "domain",
          "x",
          "/",
        ),
        { maxLength: 5 },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ minLength: 1 })), (fields) => {
        // Prepare
        const expected = referenceFields(fields);

        // Act
        const actor = readActor({}, fields);

        // Assess
        expect(actor?.ip).toBe(expected.ip);
        expect(actor?.domain).toBe(expected.domain);
        expect(actor?.location?.country).toBe(expected.country);
        expect(actor?.location?.city).toBe(expected.city);
        expect(actor?.location?.org).toBe(expected.org);
        expect(actor?.location?.asn).toBe(expected.asn);
      }),
      { numRuns: 500 },
    );
  });
});
