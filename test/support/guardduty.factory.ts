/**
 * GuardDuty findings built from AWS's documented finding format (GuardDuty API Reference: Finding,
 * Resource, InstanceDetails, EcsClusterDetails, Container, RdsDbInstanceDetails, LambdaDetails,
 * EbsVolumeDetails, EbsVolumeScanDetails, Detection/Sequence/ResourceV2; User Guide: finding details,
 * attack sequence finding types), for the cases the real fixtures lack: an instance with two ENIs, ECS,
 * a container, RDS, Lambda, an EC2 malware scan and an attack sequence; plus the EventBridge events for
 * S3 malware scan results and runtime coverage changes.
 *
 * Every maker takes overrides, deep-merged over the finding (arrays are replaced, `undefined` deletes).
 */

export type Doc = Record<string, unknown>;

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";

const isPlain = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep merge: objects merge, arrays and scalars replace, `undefined` removes the key. */
export function merge(base: Doc, overrides: Doc): Doc {
  const out: Doc = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[key];
    else if (isPlain(value) && isPlain(out[key])) out[key] = merge(out[key] as Doc, value);
    else out[key] = value;
  }
  return out;
}

/** The same document as the AWS CLI prints it (`aws guardduty get-findings`): PascalCase keys. */
export function toPascalCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPascalCase);
  if (!isPlain(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), toPascalCase(v)]),
  );
}

const remoteIpDetails = (ip = "198.51.100.23") => ({
  ipAddressV4: ip,
  organization: { asn: "64496", asnOrg: "EXAMPLE-AS", isp: "Example ISP", org: "Example Org" },
  country: { countryName: "Netherlands" },
  city: { cityName: "Amsterdam" },
  geoLocation: { lat: 52.37, lon: 4.89 },
});

export const eni = (n: number, groups: Array<[string, string]>) => ({
  ipv6Addresses: [],
  networkInterfaceId: `eni-0${n}a1b2c3d4e5f6789`,
  privateDnsName: `ip-10-0-${n}-10.ec2.internal`,
  privateIpAddress: `10.0.${n}.10`,
  privateIpAddresses: [{ privateDnsName: `ip-10-0-${n}-10.ec2.internal`, privateIpAddress: `10.0.${n}.10` }],
  subnetId: `subnet-0${n}aaaabbbbccccdddd`,
  vpcId: "vpc-0123456789abcdef0",
  securityGroups: groups.map(([groupId, groupName]) => ({ groupId, groupName })),
  ...(n === 1 ? { publicDnsName: "ec2-203-0-113-10.compute-1.amazonaws.com", publicIp: "203.0.113.10" } : {}),
});

export const INSTANCE_ID = "i-0abcdef1234567890";

/** instanceDetails of an instance with two ENIs; sg-shared is on both. */
export const instanceDetails = () => ({
  instanceId: INSTANCE_ID,
  instanceType: "t3.large",
  launchTime: "2024-04-30T08:00:00.000Z",
  platform: null,
  productCodes: [],
  iamInstanceProfile: {
    arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web-server`,
    id: "AIPAEXAMPLEPROFILEID",
  },
  networkInterfaces: [
    eni(1, [
      ["sg-0web0000000000001", "web"],
      ["sg-0shared000000001", "shared"],
    ]),
    eni(2, [
      ["sg-0shared000000001", "shared"],
      ["sg-0admin00000000001", "admin"],
    ]),
  ],
  outpostArn: null,
  tags: [
    { key: "Name", value: "web-1" },
    { key: "team", value: "payments" },
  ],
  instanceState: "running",
  availabilityZone: "us-east-1a",
  imageId: "ami-0abcdef1234567890",
  imageDescription: "Amazon Linux 2023",
});

const service = (action: Doc, extra: Doc = {}) => ({
  serviceName: "guardduty",
  detectorId: DETECTOR,
  action,
  resourceRole: "TARGET",
  additionalInfo: { value: "{}", type: "default" },
  evidence: null,
  eventFirstSeen: "2024-05-01T09:00:00.000Z",
  eventLastSeen: "2024-05-01T10:30:00.000Z",
  archived: false,
  count: 3,
  ...extra,
});

/** A finding skeleton: identity, severity and times; `resource` and `service` come from the makers. */
function finding(id: string, type: string, severity: number, resource: Doc, svc: Doc, overrides: Doc): Doc {
  return merge(
    {
      schemaVersion: "2.0",
      accountId: ACCOUNT,
      region: REGION,
      partition: "aws",
      id,
      arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/${DETECTOR}/finding/${id}`,
      type,
      resource,
      service: svc,
      severity,
      createdAt: "2024-05-01T09:05:00.000Z",
      updatedAt: "2024-05-01T10:35:00.000Z",
      title: `${type} finding`,
      description: `A ${type} finding built from the documented format.`,
    },
    overrides,
  );
}

/** UnauthorizedAccess:EC2/SSHBruteForce on an instance with two ENIs. */
export const makeInstanceFinding = (overrides: Doc = {}) =>
  finding(
    "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "UnauthorizedAccess:EC2/SSHBruteForce",
    2,
    { resourceType: "Instance", instanceDetails: instanceDetails() },
    service({
      actionType: "NETWORK_CONNECTION",
      networkConnectionAction: {
        connectionDirection: "INBOUND",
        remoteIpDetails: remoteIpDetails(),
        remotePortDetails: { port: 51234, portName: "Unknown" },
        localPortDetails: { port: 22, portName: "SSH" },
        protocol: "TCP",
        blocked: false,
        localIpDetails: { ipAddressV4: "10.0.1.10" },
      },
    }),
    overrides,
  );

/** S3 finding with two buckets, the second one public. */
export const makeS3Finding = (overrides: Doc = {}) =>
  finding(
    "b2c3d4e5f60718293a4b5c6d7e8f90a1",
    "Policy:S3/BucketAnonymousAccessGranted",
    5,
    {
      resourceType: "S3Bucket",
      accessKeyDetails: {
        accessKeyId: "ASIAEXAMPLEKEY000001",
        principalId: "AIDAEXAMPLEPRINCIPAL",
        userName: "deployer",
        userType: "IAMUser",
      },
      s3BucketDetails: [
        {
          arn: "arn:aws:s3:::payments-private",
          name: "payments-private",
          type: "Destination",
          publicAccess: { effectivePermission: "NOT_PUBLIC" },
        },
        {
          arn: "arn:aws:s3:::payments-exports",
          name: "payments-exports",
          type: "Destination",
          tags: [{ key: "data", value: "pii" }],
          publicAccess: {
            permissionConfiguration: {
              bucketLevelPermissions: {
                accessControlList: { allowsPublicReadAccess: false, allowsPublicWriteAccess: false },
                bucketPolicy: { allowsPublicReadAccess: true, allowsPublicWriteAccess: false },
              },
            },
          },
        },
      ],
    },
    service({
      actionType: "AWS_API_CALL",
      awsApiCallAction: {
        api: "PutBucketPolicy",
        serviceName: "s3.amazonaws.com",
        callerType: "Remote IP",
        remoteIpDetails: remoteIpDetails("198.51.100.40"),
        userAgent: "aws-cli/2.15.30",
        affectedResources: { "AWS::S3::Bucket": "payments-exports" },
      },
    }),
    overrides,
  );

const container = (n: number) => ({
  containerRuntime: "containerd",
  id: `c0ffee${n}0000000000000000000000000000000000000000000000000000000`.slice(0, 64),
  name: `app-${n}`,
  image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app:${n}.0`,
  imagePrefix: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
  securityContext: { privileged: false },
});

export const ECS_TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/payments/0123456789abcdef0123456789abcdef`;

/** Runtime Monitoring finding on an ECS Fargate task with two containers. */
export const makeEcsFinding = (overrides: Doc = {}) =>
  finding(
    "c3d4e5f60718293a4b5c6d7e8f90a1b2",
    "Execution:Runtime/ReverseShell",
    8,
    {
      resourceType: "ECSCluster",
      ecsClusterDetails: {
        name: "payments",
        arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/payments`,
        status: "ACTIVE",
        activeServicesCount: 2,
        registeredContainerInstancesCount: 0,
        runningTasksCount: 4,
        tags: [{ key: "env", value: "prod" }],
        taskDetails: {
          arn: ECS_TASK_ARN,
          definitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/payments:7`,
          version: "3",
          createdAt: "2024-05-01T08:00:00.000Z",
          startedAt: "2024-05-01T08:01:00.000Z",
          startedBy: "ecs-svc/1234567890",
          launchType: "FARGATE",
          containers: [container(1), container(2)],
        },
      },
    },
    service({ actionType: "RUNTIME_ACTIVITY" }, { runtimeDetails: { process: { name: "bash" } } }),
    overrides,
  );

/** Malware Protection for EC2 found a malicious file in a container on an instance. */
export const makeContainerFinding = (overrides: Doc = {}) =>
  finding(
    "d4e5f60718293a4b5c6d7e8f90a1b2c3",
    "Execution:Container/MaliciousFile",
    8,
    { resourceType: "Container", containerDetails: container(1), instanceDetails: instanceDetails() },
    service({}),
    overrides,
  );

/** RDS Protection: a successful login from a malicious IP. */
export const makeRdsFinding = (overrides: Doc = {}) =>
  finding(
    "e5f60718293a4b5c6d7e8f90a1b2c3d4",
    "CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin",
    8,
    {
      resourceType: "RDSDBInstance",
      rdsDbInstanceDetails: {
        dbInstanceIdentifier: "payments-db-1",
        engine: "aurora-postgresql",
        engineVersion: "15.4",
        dbClusterIdentifier: "payments-db",
        dbInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:payments-db-1`,
        tags: [{ key: "env", value: "prod" }],
      },
      rdsDbUserDetails: {
        user: "app_admin",
        application: "psql",
        database: "payments",
        ssl: "on",
        authMethod: "password",
      },
    },
    service({
      actionType: "RDS_LOGIN_ATTEMPT",
      rdsLoginAttemptAction: {
        remoteIpDetails: remoteIpDetails("203.0.113.99"),
        loginAttributes: [
          { user: "app_admin", application: "psql", failedLoginAttempts: 0, successfulLoginAttempts: 1 },
        ],
      },
    }),
    overrides,
  );

/** Lambda Protection: a function talking to a command-and-control server. */
export const makeLambdaFinding = (overrides: Doc = {}) =>
  finding(
    "f60718293a4b5c6d7e8f90a1b2c3d4e5",
    "Backdoor:Lambda/C&CActivity.B",
    8,
    {
      resourceType: "Lambda",
      lambdaDetails: {
        functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:resize-images`,
        functionName: "resize-images",
        description: "Resizes uploads",
        lastModifiedAt: "2024-04-28T12:00:00.000Z",
        revisionId: "1a2b3c4d-0000-1111-2222-333344445555",
        functionVersion: "$LATEST",
        role: `arn:aws:iam::${ACCOUNT}:role/resize-images`,
        vpcConfig: {
          subnetIds: ["subnet-01aaaabbbbccccdddd"],
          vpcId: "vpc-0123456789abcdef0",
          securityGroups: [{ groupId: "sg-0lambda0000000001", groupName: "lambda" }],
        },
        tags: [{ key: "team", value: "media" }],
      },
    },
    service({
      actionType: "NETWORK_CONNECTION",
      networkConnectionAction: {
        connectionDirection: "OUTBOUND",
        remoteIpDetails: remoteIpDetails("192.0.2.66"),
        remotePortDetails: { port: 443, portName: "HTTPS" },
        protocol: "TCP",
        blocked: false,
      },
    }),
    overrides,
  );

export const VOLUME_ID = "vol-0123456789abcdef0";

/** Malware Protection for EC2: a GuardDuty-initiated scan found malware on the instance's volume. */
export const makeEc2MalwareScanFinding = (overrides: Doc = {}) =>
  finding(
    "0718293a4b5c6d7e8f90a1b2c3d4e5f6",
    "Execution:EC2/MaliciousFile",
    8,
    {
      resourceType: "Instance",
      instanceDetails: instanceDetails(),
      ebsVolumeDetails: {
        scannedVolumeDetails: [
          {
            volumeArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/${VOLUME_ID}`,
            volumeType: "gp3",
            deviceName: "/dev/xvda",
            volumeSizeInGB: 8,
            encryptionType: "UNENCRYPTED",
            snapshotArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:snapshot/snap-0123456789abcdef0`,
          },
        ],
        skippedVolumeDetails: [],
      },
    },
    service(
      {},
      {
        featureName: "EbsMalwareProtection",
        ebsVolumeScanDetails: {
          scanId: "0a1b2c3d4e5f67890a1b2c3d4e5f6789",
          scanStartedAt: "2024-05-01T10:40:00.000Z",
          scanCompletedAt: "2024-05-01T10:45:00.000Z",
          triggerFindingId: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
          sources: ["Amazon"],
          scanType: "GUARDDUTY_INITIATED",
          scanDetections: {
            scannedItemCount: { totalGb: 8, files: 1200, volumes: 1 },
            threatsDetectedItemCount: { files: 1 },
            highestSeverityThreatDetails: { severity: "HIGH", threatName: "EICAR-Test-File", count: 1 },
            threatDetectedByName: {
              itemCount: 1,
              uniqueThreatNameCount: 1,
              shortened: false,
              threatNames: [{ name: "EICAR-Test-File", severity: "HIGH", itemCount: 1, filePaths: [] }],
            },
          },
        },
      },
    ),
    overrides,
  );

/** An S3 attack sequence: the bucket, an instance (with its ENI listed separately) and the key used. */
export const makeAttackSequenceFinding = (overrides: Doc = {}) =>
  finding(
    "18293a4b5c6d7e8f90a1b2c3d4e5f607",
    "AttackSequence:S3/CompromisedData",
    9,
    { resourceType: "AttackSequence" },
    {
      serviceName: "guardduty",
      detectorId: DETECTOR,
      featureName: "Correlation",
      additionalInfo: { value: "{}", type: "default" },
      eventFirstSeen: "2024-05-01T06:00:00.000Z",
      eventLastSeen: "2024-05-01T09:45:00.000Z",
      archived: false,
      count: 1,
      detection: {
        sequence: {
          uid: "seq-0123456789abcdef",
          description: "A sequence of actions involving multiple signals indicating data compromise.",
          actors: [
            {
              id: "actor-1",
              user: {
                name: "deployer",
                uid: `arn:aws:iam::${ACCOUNT}:user/deployer`,
                type: "IAMUser",
                credentialUid: "AKIAEXAMPLEKEY000002",
                account: { uid: ACCOUNT },
              },
              session: { mfaStatus: "Disabled" },
            },
          ],
          resources: [
            {
              uid: "arn:aws:s3:::payments-exports",
              name: "payments-exports",
              accountId: ACCOUNT,
              resourceType: "S3_BUCKET",
              region: REGION,
              service: "s3",
              cloudPartition: "aws",
              tags: [{ key: "data", value: "pii" }],
            },
            {
              uid: INSTANCE_ID,
              accountId: ACCOUNT,
              resourceType: "EC2_INSTANCE",
              region: REGION,
              data: {
                ec2Instance: {
                  instanceType: "t3.large",
                  instanceState: "running",
                  ec2NetworkInterfaceUids: ["eni-01a1b2c3d4e5f6789"],
                },
              },
            },
            {
              uid: "eni-01a1b2c3d4e5f6789",
              resourceType: "EC2_NETWORK_INTERFACE",
              data: {
                ec2NetworkInterface: {
                  privateIpAddresses: ["10.0.1.10"],
                  publicIp: "203.0.113.10",
                  securityGroups: [{ groupId: "sg-0web0000000000001", groupName: "web" }],
                  subNetId: "subnet-01aaaabbbbccccdddd",
                  vpcId: "vpc-0123456789abcdef0",
                },
              },
            },
            {
              uid: "AKIAEXAMPLEKEY000002",
              resourceType: "ACCESS_KEY",
              data: {
                accessKey: { principalId: "AIDAEXAMPLEPRINCIPAL", userName: "deployer", userType: "IAMUser" },
              },
            },
          ],
          endpoints: [
            {
              id: "endpoint-1",
              ip: "203.0.113.200",
              location: { city: "Frankfurt", country: "DE", lat: 50.11, lon: 8.68 },
              autonomousSystem: { name: "EXAMPLE-TRANSIT", number: 64511 },
              connection: { direction: "INBOUND" },
            },
          ],
          signals: [
            {
              uid: "signal-1",
              type: "FINDING",
              name: "Discovery:S3/AnomalousBehavior",
              createdAt: "2024-05-01T06:00:00.000Z",
              updatedAt: "2024-05-01T06:00:00.000Z",
              firstSeenAt: "2024-05-01T06:00:00.000Z",
              lastSeenAt: "2024-05-01T06:00:00.000Z",
              count: 1,
            },
          ],
          sequenceIndicators: [{ key: "ATTACK_TACTIC", values: ["Discovery", "Exfiltration"] }],
        },
      },
    },
    overrides,
  );

/** An EventBridge "GuardDuty Finding" event around a finding. */
export const makeFindingEvent = (detail: Doc, overrides: Doc = {}): Doc =>
  merge(
    {
      version: "0",
      id: "3f1c2a4b-5d6e-7f80-91a2-b3c4d5e6f708",
      "detail-type": "GuardDuty Finding",
      source: "aws.guardduty",
      account: ACCOUNT,
      time: "2024-05-01T10:36:00Z",
      region: REGION,
      resources: [],
      detail,
    },
    overrides,
  );

/** "GuardDuty Malware Protection Object Scan Result" (Malware Protection for S3). */
export const makeObjectScanResult = (detail: Doc = {}, overrides: Doc = {}): Doc =>
  makeFindingEvent(
    merge(
      {
        schemaVersion: "1.0",
        scanStatus: "COMPLETED",
        resourceType: "S3_OBJECT",
        s3ObjectDetails: {
          bucketName: "uploads",
          objectKey: "incoming/invoice.pdf",
          eTag: "0123456789abcdef0123456789abcdef",
          versionId: "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
          s3Throttled: false,
        },
        scanResultDetails: { scanResultStatus: "THREATS_FOUND", threats: [{ name: "EICAR-Test-File" }] },
      },
      detail,
    ),
    merge(
      {
        "detail-type": "GuardDuty Malware Protection Object Scan Result",
        resources: [`arn:aws:guardduty:${REGION}:${ACCOUNT}:malware-protection-plan/0a1b2c3d4e5f6789`],
      },
      overrides,
    ),
  );

/** "GuardDuty Runtime Protection Unhealthy" / "… Healthy" for an EKS cluster, ECS cluster or instance. */
export const makeRuntimeCoverageEvent = (detail: Doc = {}, overrides: Doc = {}): Doc =>
  makeFindingEvent(
    merge(
      {
        accountId: ACCOUNT,
        resourceDetails: {
          resourceType: "EKS",
          eksClusterDetails: {
            clusterName: "platform",
            availableNodes: 3,
            desiredNodes: 3,
            addonDetails: { addonVersion: "v1.6.1-eksbuild.1", addonStatus: "ACTIVE" },
          },
        },
        previousStatus: "Healthy",
        currentStatus: "Unhealthy",
        issue: "No agent reporting",
        lastUpdatedAt: 1714557600000000,
      },
      detail,
    ),
    merge({ "detail-type": "GuardDuty Runtime Protection Unhealthy" }, overrides),
  );
