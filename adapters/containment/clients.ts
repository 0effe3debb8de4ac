/**
 * SDK clients per target account and region (DESIGN §4: built once, reused). A target in the service's
 * own account uses the default credential chain; any other account is reached through STS AssumeRole
 * into `arn:aws:iam::<account>:role/<roleName>`, with a session name carrying the incident id so the
 * target account's CloudTrail says which incident acted.
 *
 * Invariants:
 * - Assumed credentials are cached per (account, incident) and refreshed a margin before they expire;
 *   concurrent callers share one AssumeRole.
 * - The home account is configured or learned once with GetCallerIdentity.
 * - Throttled STS calls become RetryLaterError; other failures name the call (`sts AssumeRole failed…`).
 */
import type { AssumeRoleCommandOutput, STSClient } from "@aws-sdk/client-sts";
import type { JsonObject } from "../../core/ports/incident-store";
import { type AwsClients, callError } from "./aws-io";

export interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface ClientProviderOptions {
  /** The account the service runs in; learned with GetCallerIdentity when absent. */
  homeAccountId?: string;
  /** The role assumed in other accounts (default `IncidentResponseContainment`). */
  roleName?: string;
  /** Sent with AssumeRole when the target accounts' trust policies require one. */
  externalId?: string;
  /** Session length asked of STS (default 3600 s; STS allows 900 s and up). */
  sessionSeconds?: number;
  /** Refresh assumed credentials this long before they expire (default 5 min). */
  refreshMarginMs?: number;
  /** Clock for expiry checks. */
  now?: () => Date;
  /** Builds the clients for a region; `credentials` is absent for the home account. */
  makeClients?: (region: string, credentials?: AssumedCredentials) => AwsClients | Promise<AwsClients>;
  /** Builds the STS client used for AssumeRole and GetCallerIdentity. */
  makeSts?: (region: string) => STSClient | Promise<STSClient>;
  retryAfterMs?: number;
}

/** The AssumeRole a target needs; null for the home account. */
export interface RoleSession {
  roleArn: string;
  sessionName: string;
  externalId: string | null;
}

export const DEFAULT_ROLE_NAME = "IncidentResponseContainment";

/** RoleSessionName allows 2–64 characters of `[\w+=,.@-]`. */
export const sessionNameFor = (incidentId: string): string =>
  `ir-${incidentId}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);

const defaultClients = async (region: string, credentials?: AssumedCredentials): Promise<AwsClients> => {
  const [{ EC2Client }, { IAMClient }] = await Promise.all([
    import("@aws-sdk/client-ec2"),
    import("@aws-sdk/client-iam"),
  ]);
  return {
    ec2: new EC2Client({ region, ...(credentials ? { credentials } : {}) }),
    iam: new IAMClient({ region, ...(credentials ? { credentials } : {}) }),
  };
};

interface CachedSession {
  credentials: Promise<AssumedCredentials>;
  clients: Map<string, Promise<AwsClients>>;
}

export class ClientProvider {
  private homeAccount: Promise<string> | undefined;
  private readonly home = new Map<string, Promise<AwsClients>>();
  private readonly sessions = new Map<string, CachedSession>();
  private readonly stsClients = new Map<string, Promise<STSClient>>();
  readonly roleName: string;

  constructor(private readonly options: ClientProviderOptions = {}) {
    this.roleName = options.roleName ?? DEFAULT_ROLE_NAME;
    if (options.homeAccountId) this.homeAccount = Promise.resolve(options.homeAccountId);
  }

  roleArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:role/${this.roleName}`;
  }

  /** The role session a target in `accountId` needs, or null when it is the home account. */
  async sessionFor(accountId: string, region: string, incidentId: string): Promise<RoleSession | null> {
    if (accountId === (await this.homeAccountId(region))) return null;
    return {
      roleArn: this.roleArn(accountId),
      sessionName: sessionNameFor(incidentId),
      externalId: this.options.externalId ?? null,
    };
  }

  async clientsFor(accountId: string, region: string, incidentId: string): Promise<AwsClients> {
    const session = await this.sessionFor(accountId, region, incidentId);
    const make = this.options.makeClients ?? defaultClients;
    if (session === null) return cached(this.home, region, async () => make(region));
    const key = `${accountId}|${session.sessionName}`;
    let entry = this.sessions.get(key);
    if (entry && this.expiring(await entry.credentials.catch(() => undefined))) entry = undefined;
    if (!entry) {
      entry = { credentials: this.assumeRole(session, region), clients: new Map() };
      this.sessions.set(key, entry);
      // A failed AssumeRole must not stick: the next command tries again.
      entry.credentials.catch(() => this.sessions.delete(key));
    }
    const credentials = await entry.credentials;
    return cached(entry.clients, region, async () => make(region, credentials));
  }

  /** The AssumeRole input a session sends, as a plan shows it. */
  static assumeRoleInput(session: RoleSession, seconds = 3600): JsonObject {
    return {
      RoleArn: session.roleArn,
      RoleSessionName: session.sessionName,
      DurationSeconds: seconds,
      ...(session.externalId === null ? {} : { ExternalId: session.externalId }),
    };
  }

  private expiring(credentials: AssumedCredentials | undefined): boolean {
    if (!credentials) return true;
    const now = (this.options.now ?? (() => new Date()))().getTime();
    return credentials.expiration.getTime() - (this.options.refreshMarginMs ?? 5 * 60_000) <= now;
  }

  private sts(region: string): Promise<STSClient> {
    return cached(this.stsClients, region, async () =>
      this.options.makeSts
        ? this.options.makeSts(region)
        : new (await import("@aws-sdk/client-sts")).STSClient({ region }),
    );
  }

  private homeAccountId(region: string): Promise<string> {
    if (!this.homeAccount) {
      const lookup = Promise.all([this.sts(region), import("@aws-sdk/client-sts")])
        .then(([sts, { GetCallerIdentityCommand }]) => sts.send(new GetCallerIdentityCommand({})))
        .then((identity) => {
          if (!identity.Account) throw new Error("sts GetCallerIdentity returned no account");
          return identity.Account;
        })
        .catch((error: unknown) => {
          this.homeAccount = undefined;
          throw callError("sts", "GetCallerIdentity", error, this.options.retryAfterMs ?? 5000);
        });
      this.homeAccount = lookup;
    }
    return this.homeAccount;
  }

  private async assumeRole(session: RoleSession, region: string): Promise<AssumedCredentials> {
    const seconds = this.options.sessionSeconds ?? 3600;
    let response: AssumeRoleCommandOutput;
    try {
      const { AssumeRoleCommand } = await import("@aws-sdk/client-sts");
      response = await (await this.sts(region)).send(
        new AssumeRoleCommand({
          RoleArn: session.roleArn,
          RoleSessionName: session.sessionName,
          DurationSeconds: seconds,
          ...(session.externalId === null ? {} : { ExternalId: session.externalId }),
        }),
      );
    } catch (error) {
      throw callError("sts", "AssumeRole", error, this.options.retryAfterMs ?? 5000);
    }
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error(`sts AssumeRole ${session.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  }
}

function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
