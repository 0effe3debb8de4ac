/**
 * GuardDuty findings as the AWS SDK returns them from GetFindings (PascalCase members, unmodelled fields
 * such as `additionalInfo.sample` dropped): the TorRelay sample of test/fixtures, member for member, so
 * tests can mock GetFindings with what the SDK really hands back.
 */
import type { Finding } from "@aws-sdk/client-guardduty";
import { loadFixture } from "./fixtures";

export const TORRELAY_FIXTURE_PATH =
  "guardduty/bare-unauthorizedaccess-ec2-torrelay-outbound-sample-sekoia.json";

export interface SdkFindingOverrides {
  id?: string;
  type?: string;
  updatedAt?: string;
  /** false: not a sample (AdditionalInfo.Value without `"sample":true`). */
  sample?: boolean;
}

/** The TorRelay fixture as an SDK `Finding`. */
export function makeSdkTorRelayFinding(overrides: SdkFindingOverrides = {}): Finding {
  const gd = loadFixture(TORRELAY_FIXTURE_PATH);
  const instance = gd.resource.instanceDetails;
  const eni = instance.networkInterfaces[0];
  const connection = gd.service.action.networkConnectionAction;
  const remote = connection.remoteIpDetails;
  const id = overrides.id ?? gd.id;
  return {
    SchemaVersion: gd.schemaVersion,
    AccountId: gd.accountId,
    Region: gd.region,
    Partition: gd.partition,
    Id: id,
    Arn: gd.arn.replace(gd.id, id),
    Type: overrides.type ?? gd.type,
    Resource: {
      ResourceType: gd.resource.resourceType,
      InstanceDetails: {
        InstanceId: instance.instanceId,
        InstanceType: instance.instanceType,
        OutpostArn: instance.outpostArn,
        LaunchTime: instance.launchTime,
        ProductCodes: instance.productCodes.map((p: { productCodeId: string; productCodeType: string }) => ({
          Code: p.productCodeId,
          ProductType: p.productCodeType,
        })),
        IamInstanceProfile: { Arn: instance.iamInstanceProfile.arn, Id: instance.iamInstanceProfile.id },
        NetworkInterfaces: [
          {
            Ipv6Addresses: [],
            NetworkInterfaceId: eni.networkInterfaceId,
            PrivateDnsName: eni.privateDnsName,
            PrivateIpAddress: eni.privateIpAddress,
            PrivateIpAddresses: [
              {
                PrivateDnsName: eni.privateIpAddresses[0].privateDnsName,
                PrivateIpAddress: eni.privateIpAddresses[0].privateIpAddress,
              },
            ],
            SubnetId: eni.subnetId,
            VpcId: eni.vpcId,
            SecurityGroups: [
              { GroupName: eni.securityGroups[0].groupName, GroupId: eni.securityGroups[0].groupId },
            ],
            PublicDnsName: eni.publicDnsName,
            PublicIp: eni.publicIp,
          },
        ],
        Tags: instance.tags.map((t: { key: string; value: string }) => ({ Key: t.key, Value: t.value })),
        InstanceState: instance.instanceState,
        AvailabilityZone: instance.availabilityZone,
        ImageId: instance.imageId,
        ImageDescription: instance.imageDescription,
      },
    },
    Service: {
      ServiceName: gd.service.serviceName,
      DetectorId: gd.service.detectorId,
      Action: {
        ActionType: gd.service.action.actionType,
        NetworkConnectionAction: {
          ConnectionDirection: connection.connectionDirection,
          LocalIpDetails: { IpAddressV4: connection.localIpDetails.ipAddressV4 },
          RemoteIpDetails: {
            IpAddressV4: remote.ipAddressV4,
            Organization: {
              Asn: remote.organization.asn,
              AsnOrg: remote.organization.asnOrg,
              Isp: remote.organization.isp,
              Org: remote.organization.org,
            },
            Country: { CountryName: remote.country.countryName },
            City: { CityName: remote.city.cityName },
            GeoLocation: { Lat: remote.geoLocation.lat, Lon: remote.geoLocation.lon },
          },
          RemotePortDetails: {
            Port: connection.remotePortDetails.port,
            PortName: connection.remotePortDetails.portName,
          },
          LocalPortDetails: {
            Port: connection.localPortDetails.port,
            PortName: connection.localPortDetails.portName,
          },
          Protocol: connection.protocol,
          Blocked: connection.blocked,
        },
      },
      ResourceRole: gd.service.resourceRole,
      AdditionalInfo: {
        Value: overrides.sample === false ? "{}" : gd.service.additionalInfo.value,
        Type: gd.service.additionalInfo.type,
      },
      Evidence: {
        ThreatIntelligenceDetails: gd.service.evidence.threatIntelligenceDetails.map(
          (t: { threatListName: string; threatNames: string[] }) => ({
            ThreatListName: t.threatListName,
            ThreatNames: t.threatNames,
          }),
        ),
      },
      EventFirstSeen: gd.service.eventFirstSeen,
      EventLastSeen: gd.service.eventLastSeen,
      Archived: gd.service.archived,
      Count: gd.service.count,
    },
    Severity: gd.severity,
    CreatedAt: gd.createdAt,
    UpdatedAt: overrides.updatedAt ?? gd.updatedAt,
    Title: gd.title,
    Description: gd.description,
  };
}
